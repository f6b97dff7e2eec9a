/**
 * liblber's hex dump (bprint.c `ber_bprint`, `ber_log_bprint`): the text the
 * debug layer, `ber_dump` and the framing trace print for raw bytes.
 *
 * Each line is one call to the log sink, always 78 characters and a newline:
 *
 * ```text
 *   0000:  30 13 02 01 01 60 0e 02  01 03 04 04 63 6e 3d 78   0....`......cn=x
 * ```
 *
 * two spaces, the offset as 4 hex digits (the byte index modulo 0xffff, so
 * it wraps to 0001 after fff0, as liblber does), a colon, the bytes in hex
 * with one extra space after the eighth, then the bytes as text from column
 * 60 (C-locale printable characters, `.` for the rest), padded with spaces.
 * Zero bytes print a single empty line ("\n").
 */
import { berLogCheck, lberOptions } from './log.js';

const HEX_DIGITS = '0123456789abcdef';
/** Column of the first hex digit. */
const HEX_COLUMN = 9;
/** Column of the first text character. */
const TEXT_COLUMN = 60;
/** Characters before the newline. */
const LINE_WIDTH = 78;
const SPACE = 0x20;
const DOT = 0x2e;
const NEWLINE = 0x0a;

/** C-locale `isprint`: space through tilde. */
function isPrint(octet: number): boolean {
  return octet >= 0x20 && octet <= 0x7e;
}

function clamp(value: number, low: number, high: number): number {
  if (!(value >= low)) return low; // also catches NaN
  return value > high ? high : value;
}

/**
 * Prints `data[start..end)` as liblber's hex dump through the global log
 * sink, one call per line, whatever the debug level. Offsets in the dump
 * count from `start`. Out-of-range bounds are clamped to the buffer.
 * @see ber_bprint
 */
export function berBprint(data: Uint8Array, start = 0, end: number = data.length): void {
  const from = clamp(Math.trunc(start), 0, data.length);
  const to = clamp(Math.trunc(end), from, data.length);
  const print = lberOptions.logPrint;
  if (to === from) {
    print('\n');
    return;
  }
  const line = Buffer.allocUnsafe(LINE_WIDTH + 1);
  for (let i = 0; i < to - from; i++) {
    const n = i % 16;
    if (n === 0) {
      if (i !== 0) print(line.toString('latin1'));
      line.fill(SPACE, 0, LINE_WIDTH);
      line[LINE_WIDTH] = NEWLINE;
      const off = i % 0xffff;
      line[2] = HEX_DIGITS.charCodeAt((off >> 12) & 0x0f);
      line[3] = HEX_DIGITS.charCodeAt((off >> 8) & 0x0f);
      line[4] = HEX_DIGITS.charCodeAt((off >> 4) & 0x0f);
      line[5] = HEX_DIGITS.charCodeAt(off & 0x0f);
      line[6] = 0x3a; // ':'
    }
    const octet = data[from + i] ?? 0;
    const hexAt = HEX_COLUMN + n * 3 + (n >= 8 ? 1 : 0);
    line[hexAt] = HEX_DIGITS.charCodeAt(octet >> 4);
    line[hexAt + 1] = HEX_DIGITS.charCodeAt(octet & 0x0f);
    line[TEXT_COLUMN + n] = isPrint(octet) ? octet : DOT;
  }
  print(line.toString('latin1'));
}

/**
 * liblber's signature: dumps the first `len` bytes of `data`.
 * @see ber_bprint
 */
export function ber_bprint(data: Uint8Array, len: number = data.length): void {
  berBprint(data, 0, len);
}

/**
 * Dumps `data[start..end)` with {@link berBprint} when `errlvl` is enabled
 * in `loglvl`. Returns 1 when it printed, 0 when it did not.
 * @see ber_log_bprint
 */
export function berLogBprint(errlvl: number, loglvl: number, data: Uint8Array, start = 0, end: number = data.length): number {
  if (!berLogCheck(errlvl, loglvl)) return 0;
  berBprint(data, start, end);
  return 1;
}

/**
 * liblber's signature: dumps the first `len` bytes of `data` when `errlvl`
 * is enabled in `loglvl`.
 * @see ber_log_bprint
 */
export function ber_log_bprint(errlvl: number, loglvl: number, data: Uint8Array, len: number = data.length): number {
  return berLogBprint(errlvl, loglvl, data, 0, len);
}
