/**
 * The encoder: liblber's encode.c. Every `ber_put_*` writes one element at
 * the BerElement's write cursor (`ber_sos_ptr` inside an open sequence or
 * set, else `ber_ptr`), and `ber_printf` drives them from a format string.
 *
 * Sequences and sets are written the way liblber writes them: the tag, then
 * five reserved length octets, then the contents; closing the sequence
 * back-patches the length. In BER mode the five octets become `84` and a
 * four-octet length, whatever the length; with `LBER_USE_DER` the length is
 * written minimally and the contents are shifted down over the octets it
 * did not need. While a sequence is open, its reserved octets hold what
 * closing it needs: the tag's length in octets and, as a little-endian
 * 32-bit number, the offset of the enclosing sequence's length octets
 * (`ber_sos_inner`, kept in `ber.len`), 0 for the outermost.
 *
 * Tags are raw identifier octets: a tag is written as the big-endian octets
 * of its value with leading zero octets dropped (`0x9f1fn` gives `9f 1f`,
 * `0n` gives `00`), without any check that they form a valid BER tag.
 */
import { LDAP_DEBUG_ANY, berPvtLogPrintf } from '@lber/sockbuf';
import { MAXINT_BERSIZE, berAdvance, berWriteCursor, type BerElement } from './berelement.js';
import {
  LBER_BITSTRING,
  LBER_BOOLEAN,
  LBER_DEFAULT,
  LBER_ENUMERATED,
  LBER_INTEGER,
  LBER_NULL,
  LBER_OCTETSTRING,
  LBER_SEQUENCE,
  LBER_SET,
  LBER_USE_DER,
  type BerTag,
} from './constants.js';
import { BerError } from './errors.js';

/** Octets reserved for the length of an open sequence or set. */
const SOS_LENLEN = 5;

/** Bytes of a value: a Uint8Array as is, a string as its UTF-8 encoding. */
export type BerBytes = Uint8Array | string;

/** `o` with an explicit length: the first `len` bytes of `data`. */
export interface BerOctets {
  data: BerBytes;
  len: number;
}

/** `B` / `X`: a bit string of `bits` bits, most significant bit first. */
export interface BerBitString {
  data: BerBytes;
  bits: number;
}

/**
 * A `!` hook: it writes whatever it likes to `ber` (usually with
 * {@link berPrintf}) and returns an int, which becomes ber_printf's result;
 * -1 stops the format. liblber clears `ber.usertag` before the call; a hook
 * that sets it nonzero keeps the pending tag for the next format character.
 */
export type BerEncodeCallback = (ber: BerElement) => number;

/** A `!` hook in liblber's shape: a callback and the data passed to it. */
export interface BerEncodeHook {
  callback(ber: BerElement, data: unknown): number;
  data: unknown;
}

/**
 * One ber_printf argument. Which one a format character takes:
 *
 * | char | argument |
 * | --- | --- |
 * | `b` | boolean or number (nonzero is TRUE) |
 * | `i` `e` | number, a 32-bit integer (values up to 2^32-1 wrap as in C) |
 * | `t` | the tag for the next element, a bigint (LBER_DEFAULT for the type's own) |
 * | `s` | a C string: bytes up to the first NUL |
 * | `o` | bytes, or {@link BerOctets} for an explicit length |
 * | `O` | bytes, or null to write nothing |
 * | `B` `X` | {@link BerBitString} |
 * | `v` | array of C strings, or null |
 * | `V` `W` | array of bytes, or null |
 * | `!` | a {@link BerEncodeCallback} or a {@link BerEncodeHook} |
 * | `n` `N` `{` `}` `[` `]` | none |
 */
export type BerPrintfArg =
  | number
  | boolean
  | bigint
  | BerBytes
  | null
  | readonly BerBytes[]
  | BerOctets
  | BerBitString
  | BerEncodeCallback
  | BerEncodeHook;

// ---------------------------------------------------------------------------
// tag and length octets

const TAG_LIMIT = 0x1_0000_0000_0000_0000n;

/** A tag as liblber's 64-bit `ber_tag_t` (a number is accepted from JS callers). */
function tagValue(tag: BerTag | number): bigint {
  if (typeof tag === 'bigint') return tag >= 0n && tag < TAG_LIMIT ? tag : BigInt.asUintN(64, tag);
  if (typeof tag === 'number' && Number.isSafeInteger(tag)) return BigInt.asUintN(64, BigInt(tag));
  throw new BerError('BER_BAD_ARGUMENT', `not a tag: ${String(tag)}`);
}

/** Octets in a tag's encoding: its value's octets, at least one. */
function tagOctets(tag: bigint): number {
  if (tag <= 0xffn) return 1;
  let n = 1;
  for (let t = tag >> 8n; t !== 0n; t >>= 8n) n++;
  return n;
}

/** Writes the `n` octets of `tag` at `at`. */
function putTag(buf: Buffer, at: number, tag: bigint, n: number): void {
  if (n === 1) {
    buf[at] = Number(tag);
    return;
  }
  let t = tag;
  for (let i = n - 1; i >= 0; i--) {
    buf[at + i] = Number(t & 0xffn);
    t >>= 8n;
  }
}

/** Octets in a definite length's encoding: short form below 128, else long form. */
function lenOctets(len: number): number {
  if (len < 0x80) return 1;
  if (len < 0x100) return 2;
  if (len < 0x1_0000) return 3;
  if (len < 0x100_0000) return 4;
  return 5;
}

/** Writes `len` in `n` octets (from {@link lenOctets}) at `at`. */
function putLen(buf: Buffer, at: number, len: number, n: number): void {
  if (n === 1) {
    buf[at] = len;
    return;
  }
  buf[at] = 0x80 + n - 1;
  let v = len;
  for (let i = n - 1; i >= 1; i--) {
    buf[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** `tag` as a ber_tag_t, or the type's own tag for LBER_DEFAULT (and so for -1n). */
function defaultTag(tag: BerTag, type: bigint): bigint {
  const t = tagValue(tag);
  return t === LBER_DEFAULT ? type : t;
}

/** A `ber_int_t` argument: an integer, taken modulo 2^32 as C converts it. */
function intValue(num: number, what: string): number {
  if (typeof num !== 'number' || !Number.isInteger(num) || num < -0x8000_0000 || num > 0xffff_ffff) {
    throw new BerError('BER_BAD_ARGUMENT', `${what}: not a 32-bit integer: ${String(num)}`);
  }
  return num | 0;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function toBytes(data: BerBytes, what: string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return asBuffer(data);
  throw new BerError('BER_BAD_ARGUMENT', `${what}: expected bytes or a string`);
}

/** A C string's bytes: up to the first NUL. */
function cString(data: BerBytes, what: string): Buffer {
  const bytes = toBytes(data, what);
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

// ---------------------------------------------------------------------------
// primitive elements

/** A tag, a length octet and `n` octets of `num`'s two's complement. */
function putIntOrEnum(ber: BerElement, num: number, tag: bigint): number {
  const u = num < 0 ? ~num : num;
  const n = u < 0x80 ? 1 : u < 0x8000 ? 2 : u < 0x80_0000 ? 3 : 4;
  const taglen = tagOctets(tag);
  const total = taglen + 1 + n;
  const at = berWriteCursor(ber, total);
  if (at < 0 || ber.buf === null) return -1;
  const buf = ber.buf;
  putTag(buf, at, tag, taglen);
  buf[at + taglen] = n;
  const last = at + total - 1;
  for (let i = 0; i < n; i++) buf[last - i] = (num >> (8 * i)) & 0xff;
  berAdvance(ber, total);
  return total;
}

/**
 * Writes an INTEGER in the fewest octets that keep its sign (LBER_INTEGER,
 * unless `tag` says otherwise). Returns the element's length, or -1.
 * @see ber_put_int
 */
export function berPutInt(ber: BerElement, num: number, tag: BerTag = LBER_DEFAULT): number {
  return putIntOrEnum(ber, intValue(num, 'ber_put_int'), defaultTag(tag, LBER_INTEGER));
}
export { berPutInt as ber_put_int };

/**
 * Writes an ENUMERATED, encoded as an INTEGER is. Returns the element's
 * length, or -1.
 * @see ber_put_enum
 */
export function berPutEnum(ber: BerElement, num: number, tag: BerTag = LBER_DEFAULT): number {
  return putIntOrEnum(ber, intValue(num, 'ber_put_enum'), defaultTag(tag, LBER_ENUMERATED));
}
export { berPutEnum as ber_put_enum };

/**
 * Writes a BOOLEAN: `ff` for any nonzero value, `00` for zero. Returns the
 * element's length, or -1.
 * @see ber_put_boolean
 */
export function berPutBoolean(ber: BerElement, boolval: number | boolean, tag: BerTag = LBER_DEFAULT): number {
  const value = typeof boolval === 'boolean' ? boolval : intValue(boolval, 'ber_put_boolean') !== 0;
  const t = defaultTag(tag, LBER_BOOLEAN);
  const taglen = tagOctets(t);
  const total = taglen + 2;
  const at = berWriteCursor(ber, total);
  if (at < 0 || ber.buf === null) return -1;
  putTag(ber.buf, at, t, taglen);
  ber.buf[at + taglen] = 1;
  ber.buf[at + taglen + 1] = value ? 0xff : 0;
  berAdvance(ber, total);
  return total;
}
export { berPutBoolean as ber_put_boolean };

/**
 * Writes a NULL (tag and a zero length). Returns the element's length, or
 * -1.
 * @see ber_put_null
 */
export function berPutNull(ber: BerElement, tag: BerTag = LBER_DEFAULT): number {
  const t = defaultTag(tag, LBER_NULL);
  const taglen = tagOctets(t);
  const total = taglen + 1;
  const at = berWriteCursor(ber, total);
  if (at < 0 || ber.buf === null) return -1;
  putTag(ber.buf, at, t, taglen);
  ber.buf[at + taglen] = 0;
  berAdvance(ber, total);
  return total;
}
export { berPutNull as ber_put_null };

/** Tag, minimal length, then `len` bytes of `data`. */
function putOctets(ber: BerElement, data: Buffer, len: number, tag: bigint): number {
  if (!Number.isSafeInteger(len) || len < 0 || len > MAXINT_BERSIZE) return -1;
  // liblber would copy whatever lies past the caller's data; the port refuses.
  if (len > data.byteLength) return -1;
  const taglen = tagOctets(tag);
  const lenlen = lenOctets(len);
  const header = taglen + lenlen;
  const at = berWriteCursor(ber, header + len);
  if (at < 0 || ber.buf === null) return -1;
  const buf = ber.buf;
  putTag(buf, at, tag, taglen);
  putLen(buf, at + taglen, len, lenlen);
  if (len > 0) data.copy(buf, at + header, 0, len);
  berAdvance(ber, header + len);
  return header + len;
}

/**
 * Writes an OCTET STRING holding the first `len` bytes of `str` (all of
 * them by default), with the length in the fewest octets. Returns the
 * element's length, or -1 when `len` is above liblber's limit
 * ({@link MAXINT_BERSIZE}) or, in the port, longer than `str`.
 * @see ber_put_ostring
 */
export function berPutOstring(ber: BerElement, str: BerBytes, len?: number, tag: BerTag = LBER_DEFAULT): number {
  const data = toBytes(str, 'ber_put_ostring');
  return putOctets(ber, data, len ?? data.byteLength, defaultTag(tag, LBER_OCTETSTRING));
}
export { berPutOstring as ber_put_ostring };

/**
 * Writes a C string as an OCTET STRING: the bytes of `str` up to its first
 * NUL, as liblber's `strlen` sees them (a JS string is UTF-8 encoded first).
 * @see ber_put_string
 */
export function berPutString(ber: BerElement, str: BerBytes, tag: BerTag = LBER_DEFAULT): number {
  const data = cString(str, 'ber_put_string');
  return putOctets(ber, data, data.byteLength, defaultTag(tag, LBER_OCTETSTRING));
}
export { berPutString as ber_put_string };

/**
 * Writes a berval as an OCTET STRING; null writes an empty one.
 * @see ber_put_berval
 */
export function berPutBerval(ber: BerElement, bv: BerBytes | null, tag: BerTag = LBER_DEFAULT): number {
  const data = bv === null ? Buffer.alloc(0) : toBytes(bv, 'ber_put_berval');
  return putOctets(ber, data, data.byteLength, defaultTag(tag, LBER_OCTETSTRING));
}
export { berPutBerval as ber_put_berval };

/**
 * Writes a BIT STRING of `blen` bits taken from the start of `str`: the
 * count of unused bits in the last octet, then `ceil(blen / 8)` octets,
 * copied as they are (the unused bits are not cleared). Returns the
 * element's length, or -1.
 * @see ber_put_bitstring
 */
export function berPutBitstring(ber: BerElement, str: BerBytes, blen: number, tag: BerTag = LBER_DEFAULT): number {
  const data = toBytes(str, 'ber_put_bitstring');
  const t = defaultTag(tag, LBER_BITSTRING);
  if (!Number.isSafeInteger(blen) || blen < 0) return -1;
  const unused = (8 - (blen % 8)) % 8;
  const len = Math.floor(blen / 8) + (unused !== 0 ? 1 : 0);
  if (len >= MAXINT_BERSIZE) return -1;
  if (len > data.byteLength) return -1;
  const taglen = tagOctets(t);
  const lenlen = lenOctets(len + 1);
  const header = taglen + lenlen + 1;
  const at = berWriteCursor(ber, header + len);
  if (at < 0 || ber.buf === null) return -1;
  const buf = ber.buf;
  putTag(buf, at, t, taglen);
  putLen(buf, at + taglen, len + 1, lenlen);
  buf[at + header - 1] = unused;
  if (len > 0) data.copy(buf, at + header, 0, len);
  berAdvance(ber, header + len);
  return header + len;
}
export { berPutBitstring as ber_put_bitstring };

// ---------------------------------------------------------------------------
// sequences and sets

function startSeqOrSet(ber: BerElement, tag: bigint): number {
  let next: number;
  if (ber.sosPtr < 0) {
    next = 0;
  } else {
    if (ber.len > 0xffff_ffff) return -1;
    next = ber.len;
  }
  const taglen = tagOctets(tag);
  const headlen = taglen + SOS_LENLEN;
  const at = berWriteCursor(ber, headlen);
  if (at < 0 || ber.buf === null) return -1;
  const buf = ber.buf;
  putTag(buf, at, tag, taglen);
  buf[at + taglen] = taglen;
  buf.writeUInt32LE(next, at + taglen + 1);
  ber.sosPtr = at + headlen;
  ber.len = at + taglen;
  return 0;
}

/**
 * Opens a SEQUENCE (LBER_SEQUENCE unless `tag` says otherwise): writes its
 * tag and reserves its length octets. Nothing counts as written
 * (`ber_ptr` stays put) until the outermost open sequence or set is
 * closed. Returns 0, or -1.
 * @see ber_start_seq
 */
export function berStartSeq(ber: BerElement, tag: BerTag = LBER_DEFAULT): number {
  return startSeqOrSet(ber, defaultTag(tag, LBER_SEQUENCE));
}
export { berStartSeq as ber_start_seq };

/**
 * Opens a SET (LBER_SET unless `tag` says otherwise), as
 * {@link berStartSeq} does.
 * @see ber_start_set
 */
export function berStartSet(ber: BerElement, tag: BerTag = LBER_DEFAULT): number {
  return startSeqOrSet(ber, defaultTag(tag, LBER_SET));
}
export { berStartSet as ber_start_set };

function putSeqOrSet(ber: BerElement): number {
  if (ber.sosPtr < 0 || ber.buf === null) return -1;
  const buf = ber.buf;
  const lenptr = ber.len;
  let xlen = ber.sosPtr - lenptr;
  if (xlen > MAXINT_BERSIZE + SOS_LENLEN) return -1;
  const taglen = buf[lenptr] ?? 0;
  const next = buf.readUInt32LE(lenptr + 1);
  const len = xlen - SOS_LENLEN;
  if ((ber.options & LBER_USE_DER) === 0) {
    buf[lenptr] = 0x80 + SOS_LENLEN - 1;
    buf.writeUInt32BE(len, lenptr + 1);
  } else {
    const lenlen = lenOctets(len);
    const unused = SOS_LENLEN - lenlen;
    putLen(buf, lenptr + unused, len, lenlen);
    if (unused !== 0) {
      buf.copyWithin(lenptr, lenptr + unused, lenptr + xlen);
      xlen -= unused;
      ber.sosPtr = lenptr + xlen;
    }
  }
  ber.len = next;
  if (next === 0) {
    ber.ptr = ber.sosPtr;
    ber.sosPtr = -1;
  }
  return xlen + taglen;
}

/**
 * Closes the innermost open sequence or set, filling in its length (four
 * octets after `84` in BER mode, minimal with LBER_USE_DER). Returns the
 * length of the whole element, or -1 when none is open.
 * @see ber_put_seq
 */
export function berPutSeq(ber: BerElement): number {
  return putSeqOrSet(ber);
}
export { berPutSeq as ber_put_seq };

/**
 * Closes the innermost open sequence or set; the same as {@link berPutSeq}.
 * @see ber_put_set
 */
export function berPutSet(ber: BerElement): number {
  return putSeqOrSet(ber);
}
export { berPutSet as ber_put_set };

// ---------------------------------------------------------------------------
// ber_printf

function badArg(fmt: string, k: number, expected: string): BerError {
  return new BerError('BER_BAD_ARGUMENT', `ber_printf: format "${fmt}" character ${k} ('${fmt[k] ?? ''}') needs ${expected}`);
}

function isBytes(v: unknown): v is BerBytes {
  return typeof v === 'string' || v instanceof Uint8Array;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

function listArg(v: BerPrintfArg | undefined, fmt: string, k: number): readonly BerBytes[] | null {
  if (v === null) return null;
  if (Array.isArray(v) && v.every(isBytes)) return v;
  throw badArg(fmt, k, 'an array of bytes or strings, or null');
}

/**
 * Encodes the arguments as `fmt` says, one format character at a time (the
 * table at {@link BerPrintfArg}), and returns the result of the last
 * operation: an element's length, 0 for `t`, `{`, `[` and `N`, the whole
 * length for `}` / `]`, or -1, which stops the format. `O`, `v`, `V` and `W`
 * with null or an empty list write nothing and leave the result as it was.
 *
 * `t` sets the tag for the next element; if the format ends first the tag
 * stays pending in `ber.tag` for the next ber_printf call, and a `!` hook's
 * first element uses it. `N` writes nothing (liblber's debug NULL tag is
 * never set) but uses up a pending tag. An unknown character returns -1 and
 * is logged when the element has a debug level.
 *
 * An argument of the wrong kind (or a missing one) throws a BerError with
 * code BER_BAD_ARGUMENT; liblber would read it as whatever the format said.
 * @see ber_printf
 */
export function berPrintf(ber: BerElement, fmt: string, ...args: BerPrintfArg[]): number {
  let rc = 0;
  let ai = 0;
  for (let k = 0; k < fmt.length && rc !== -1; k++) {
    const c = fmt[k];
    switch (c) {
      case '!': {
        ber.usertag = 0n;
        const hook = args[ai++];
        if (typeof hook === 'function') rc = hook(ber);
        else if (isObject(hook) && typeof hook['callback'] === 'function') rc = (hook as BerEncodeHook).callback(ber, (hook as BerEncodeHook).data);
        else throw badArg(fmt, k, 'a hook function');
        if (ber.usertag !== 0n) continue;
        break;
      }
      case 'b': {
        const v = args[ai++];
        if (typeof v !== 'number' && typeof v !== 'boolean') throw badArg(fmt, k, 'a boolean or number');
        rc = berPutBoolean(ber, v, ber.tag);
        break;
      }
      case 'i':
      case 'e': {
        const v = args[ai++];
        if (typeof v !== 'number') throw badArg(fmt, k, 'a number');
        rc = c === 'i' ? berPutInt(ber, v, ber.tag) : berPutEnum(ber, v, ber.tag);
        break;
      }
      case 'n':
        rc = berPutNull(ber, ber.tag);
        break;
      case 'N':
        rc = 0;
        break;
      case 'o': {
        const v = args[ai++];
        if (isBytes(v)) rc = berPutOstring(ber, v, undefined, ber.tag);
        else if (isObject(v) && isBytes(v['data']) && typeof v['len'] === 'number') rc = berPutOstring(ber, v['data'], v['len'], ber.tag);
        else throw badArg(fmt, k, 'bytes, a string or { data, len }');
        break;
      }
      case 'O': {
        const v = args[ai++];
        if (v === null) break;
        if (!isBytes(v)) throw badArg(fmt, k, 'bytes, a string or null');
        rc = berPutBerval(ber, v, ber.tag);
        break;
      }
      case 's': {
        const v = args[ai++];
        if (!isBytes(v)) throw badArg(fmt, k, 'a string or bytes');
        rc = berPutString(ber, v, ber.tag);
        break;
      }
      case 'B':
      case 'X': {
        const v = args[ai++];
        if (!isObject(v) || !isBytes(v['data']) || typeof v['bits'] !== 'number') throw badArg(fmt, k, '{ data, bits }');
        rc = berPutBitstring(ber, v['data'], v['bits'], ber.tag);
        break;
      }
      case 't': {
        const v = args[ai++];
        if (typeof v !== 'bigint' && typeof v !== 'number') throw badArg(fmt, k, 'a tag');
        ber.tag = tagValue(v);
        continue;
      }
      case 'v': {
        const list = listArg(args[ai++], fmt, k);
        if (list === null) break;
        for (const item of list) {
          if ((rc = berPutString(ber, item, ber.tag)) === -1) break;
        }
        break;
      }
      case 'V':
      case 'W': {
        const list = listArg(args[ai++], fmt, k);
        if (list === null) break;
        for (const item of list) {
          if ((rc = berPutBerval(ber, item, ber.tag)) === -1) break;
        }
        break;
      }
      case '{':
        rc = berStartSeq(ber, ber.tag);
        break;
      case '[':
        rc = berStartSet(ber, ber.tag);
        break;
      case '}':
      case ']':
        rc = putSeqOrSet(ber);
        break;
      default:
        if (ber.debug !== 0) berPvtLogPrintf(LDAP_DEBUG_ANY, ber.debug, `ber_printf: unknown fmt ${c ?? ''}\n`);
        rc = -1;
        break;
    }
    ber.tag = LBER_DEFAULT;
  }
  return rc;
}
export { berPrintf as ber_printf };
