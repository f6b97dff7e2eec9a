/**
 * liblber's options (options.c `ber_set_option` / `ber_get_option`) for a
 * BerElement, and for the library's global state when the item is null.
 *
 * liblber reports failure as rc LBER_OPT_ERROR (-1) and, for a bad
 * parameter, sets the global `ber_errno` to LBER_ERROR_PARAM. The port
 * keeps no hidden error global: each call returns its own `berErrno`
 * alongside `rc` (LBER_ERROR_NONE when the call did not set it, which is
 * what liblber's callers see after resetting `ber_errno` to 0).
 *
 * Global options live in @lber/sockbuf's `lberOptions` (the debug level
 * new Sockbufs and BerElements inherit, and the log sink).
 */
import { lberOptions, type LogPrintFn } from '@lber/sockbuf';
import type { BerElement } from './berelement.js';
import {
  LBER_OPT_BER_BYTES_TO_WRITE,
  LBER_OPT_BER_DEBUG,
  LBER_OPT_BER_MEMCTX,
  LBER_OPT_BER_OPTIONS,
  LBER_OPT_BER_REMAINING_BYTES,
  LBER_OPT_BER_TOTAL_BYTES,
  LBER_OPT_ERROR,
  LBER_OPT_LOG_PRINT_FN,
  LBER_OPT_MEMORY_INUSE,
  LBER_OPT_SUCCESS,
} from './constants.js';

/** `ber_errno` values (lber.h). */
export const LBER_ERROR_NONE = 0;
export const LBER_ERROR_PARAM = 0x1;
export const LBER_ERROR_MEMORY = 0x2;

/** The outcome of one option call: liblber's rc and the `ber_errno` it set. */
export interface BerOptionResult {
  rc: typeof LBER_OPT_SUCCESS | typeof LBER_OPT_ERROR;
  berErrno: number;
}

/** The outcome of `ber_get_option`: `out` is set when rc is LBER_OPT_SUCCESS. */
export type BerGetOptionResult<T> =
  | { rc: typeof LBER_OPT_SUCCESS; berErrno: typeof LBER_ERROR_NONE; out: T; outBig?: bigint }
  | { rc: typeof LBER_OPT_ERROR; berErrno: number; out: undefined };

/** Options whose value is a number on a BerElement. */
export type BerElementOption =
  | typeof LBER_OPT_BER_OPTIONS
  | typeof LBER_OPT_BER_DEBUG
  | typeof LBER_OPT_BER_REMAINING_BYTES
  | typeof LBER_OPT_BER_TOTAL_BYTES
  | typeof LBER_OPT_BER_BYTES_TO_WRITE;

/** What `ber_set_option` takes: a number (`int` or `ber_len_t`), a bigint `ber_len_t`, a log function, or null. */
export type BerOptionValue = number | bigint | LogPrintFn | null;

const SUCCESS: BerOptionResult = { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE };
const PARAM: BerOptionResult = { rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_PARAM };
const PARAM_GET = { rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_PARAM, out: undefined } as const;

/**
 * `ber_memctx`: liblber stores the caller's memory context pointer and hands
 * it back; the port has no allocator to pass it to, so it only keeps the
 * value per element (0, NULL, until set).
 */
const memctx = new WeakMap<BerElement, number | bigint>();

/** A C `int` argument: numbers only, truncated to 32 bits as C's conversion does. */
function asInt(value: BerOptionValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) | 0 : undefined;
  if (typeof value === 'bigint') return Number(BigInt.asIntN(32, value));
  return undefined;
}

/** A `ber_len_t` argument that can point inside a buffer: a non-negative safe integer. */
function asLen(value: BerOptionValue): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'bigint') return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  return undefined;
}

/** A byte count as liblber's unsigned `ber_len_t` reports it: negative differences wrap modulo 2^64. */
function lenResult(n: number): BerGetOptionResult<number> {
  if (n >= 0) return { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE, out: n };
  const big = BigInt.asUintN(64, BigInt(n));
  return { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE, out: Number(big), outBig: big };
}

/**
 * Sets an option of `ber`, or a global option when `item` is null.
 *
 * On a BerElement: LBER_OPT_BER_OPTIONS (kept to 16 bits, as liblber's
 * `unsigned short`), LBER_OPT_BER_DEBUG, LBER_OPT_BER_REMAINING_BYTES (the
 * end becomes cursor + value), LBER_OPT_BER_TOTAL_BYTES (the end becomes
 * buffer start + value) and LBER_OPT_BER_BYTES_TO_WRITE (the cursor moves
 * to buffer start + value; as in liblber the saved tag octet is not
 * refreshed, because the field doubles as an encoder's pending tag: a
 * decoder that moves its cursor this way calls `berSkipData(ber, 0)` to
 * resynchronise it). Globally: LBER_OPT_DEBUG_LEVEL and
 * LBER_OPT_LOG_PRINT_FN.
 *
 * LBER_OPT_BER_MEMCTX is kept and handed back (there is no allocator to
 * use it). An end or cursor set past the buffer is accepted, as liblber
 * does, but the decoder treats the buffer's end as the end of data where
 * liblber would read past its memory. A length that is not a non-negative
 * safe integer is refused (rc -1, LBER_ERROR_PARAM), and so are global
 * options with no meaning in JavaScript (memory functions, FILE* log
 * output, log procedures); LBER_OPT_MEMORY_INUSE fails without setting
 * `ber_errno`, as in a liblber built without LDAP_MEMORY_DEBUG.
 * @see ber_set_option
 */
export function berSetOption(item: null, option: typeof LBER_OPT_LOG_PRINT_FN, value: LogPrintFn): BerOptionResult;
export function berSetOption(item: BerElement | null, option: number, value: BerOptionValue): BerOptionResult;
export function berSetOption(item: BerElement | null, option: number, value: BerOptionValue): BerOptionResult {
  if (value === null) return PARAM;
  if (item === null) {
    switch (option) {
      case LBER_OPT_BER_DEBUG: {
        const n = asInt(value);
        if (n === undefined) return PARAM;
        lberOptions.debug = n;
        return SUCCESS;
      }
      case LBER_OPT_LOG_PRINT_FN:
        if (typeof value !== 'function') return PARAM;
        lberOptions.logPrint = value;
        return SUCCESS;
      case LBER_OPT_MEMORY_INUSE:
        return { rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_NONE };
      default:
        return PARAM;
    }
  }
  const ber = item;
  switch (option) {
    case LBER_OPT_BER_OPTIONS: {
      const n = asInt(value);
      if (n === undefined) return PARAM;
      ber.options = n & 0xffff;
      return SUCCESS;
    }
    case LBER_OPT_BER_DEBUG: {
      const n = asInt(value);
      if (n === undefined) return PARAM;
      ber.debug = n;
      return SUCCESS;
    }
    case LBER_OPT_BER_REMAINING_BYTES: {
      const n = asLen(value);
      if (n === undefined) return PARAM;
      ber.end = ber.ptr + n;
      return SUCCESS;
    }
    case LBER_OPT_BER_TOTAL_BYTES: {
      const n = asLen(value);
      if (n === undefined) return PARAM;
      ber.end = n;
      return SUCCESS;
    }
    case LBER_OPT_BER_BYTES_TO_WRITE: {
      const n = asLen(value);
      if (n === undefined) return PARAM;
      // As in liblber, the saved tag octet is left alone: the same field
      // holds an encoder's pending tag. A decoder resynchronises with
      // berSkipData(ber, 0).
      ber.ptr = n;
      return SUCCESS;
    }
    case LBER_OPT_BER_MEMCTX:
      if (typeof value !== 'number' && typeof value !== 'bigint') return PARAM;
      memctx.set(ber, value);
      return SUCCESS;
    default:
      return PARAM;
  }
}
export { berSetOption as ber_set_option };

/**
 * Reads an option of `ber`, or a global option when `item` is null: the
 * same options as {@link berSetOption}. REMAINING_BYTES is end - cursor,
 * TOTAL_BYTES end - start, BYTES_TO_WRITE cursor - start; a negative
 * difference (an end set before the cursor) wraps as liblber's unsigned
 * `ber_len_t`, with the exact value in `outBig`.
 * @see ber_get_option
 */
export function berGetOption(item: null, option: typeof LBER_OPT_LOG_PRINT_FN): BerGetOptionResult<LogPrintFn>;
export function berGetOption(item: BerElement, option: BerElementOption): BerGetOptionResult<number>;
export function berGetOption(item: BerElement | null, option: number): BerGetOptionResult<number | LogPrintFn>;
export function berGetOption(item: BerElement | null, option: number): BerGetOptionResult<number | LogPrintFn> {
  if (item === null) {
    switch (option) {
      case LBER_OPT_BER_DEBUG:
        return { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE, out: lberOptions.debug };
      case LBER_OPT_LOG_PRINT_FN:
        return { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE, out: lberOptions.logPrint };
      case LBER_OPT_MEMORY_INUSE:
        return { rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_NONE, out: undefined };
      default:
        return PARAM_GET;
    }
  }
  const ber = item;
  switch (option) {
    case LBER_OPT_BER_OPTIONS:
      return { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE, out: ber.options };
    case LBER_OPT_BER_DEBUG:
      return { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE, out: ber.debug };
    case LBER_OPT_BER_REMAINING_BYTES:
      return lenResult(ber.end - ber.ptr);
    case LBER_OPT_BER_TOTAL_BYTES:
      return lenResult(ber.end);
    case LBER_OPT_BER_BYTES_TO_WRITE:
      return lenResult(ber.ptr);
    case LBER_OPT_BER_MEMCTX: {
      const ctx = memctx.get(ber) ?? 0;
      return typeof ctx === 'bigint' ? { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE, out: Number(ctx), outBig: ctx } : { rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE, out: ctx };
    }
    default:
      return PARAM_GET;
  }
}
export { berGetOption as ber_get_option };
