/**
 * The decoding half of liblber (decode.c, and `ber_read` / `ber_skip_data`
 * of io.c): reading tags, lengths and values from a BerElement loaded with
 * `berInit2`, the individual `ber_get_*` calls, the first/next element loop
 * and `ber_scanf` with every format character liblber 2.5.13 accepts.
 *
 * Conventions of this module:
 *
 * - C out-parameters become fields of the returned object. A field liblber
 *   would leave unwritten is `undefined` (numbers, tags) or `null` (byte
 *   values and lists, which liblber's callers preset to NULL).
 * - Every value that liblber decodes "in place" (a `struct berval` pointing
 *   into the input) is a `subarray` view of the input; every value liblber
 *   allocates (`LBER_BV_ALLOC`, `a`, `O`, `v`, `V`, `W`, `B`) is a copy.
 * - A `ber_len_t` result is a `number`. Lengths that succeed always fit (they
 *   are bounded by the input size). Only a failing element can declare a
 *   length of 2^53 or more (up to 2^64 - 1, from 7 or 8 length octets); then
 *   `len` holds the nearest double, which still compares above any real
 *   size, and `lenBig` holds the exact value.
 * - The read cursor and the saved first octet of the next tag are
 *   `ber.ptr` and `ber.tag` (liblber's `ber_ptr`, `ber_tag`): liblber reads
 *   the first tag octet from memory only while the cursor is at the start of
 *   the buffer, and from the saved octet otherwise.
 *
 * Two liblber defects are corrected (docs/porting-ber-decode.md):
 * - the port never writes a NUL terminator into the caller's input after an
 *   in-place string (`m`, `M`, `ber_get_stringbv` without ALLOC/NOTERM);
 * - every call that moves the cursor refreshes the saved tag octet
 *   (liblber's `ber_get_tag`, `ber_read` and LBER_OPT_BER_BYTES_TO_WRITE do
 *   not, so the next tag read there is garbage such as 0xffffffffffffff02).
 *
 * An unknown `ber_scanf` format character throws a BerError with code
 * BER_BAD_FORMAT where liblber aborts the process.
 */
import { LDAP_DEBUG_ANY, LDAP_DEBUG_BER, LDAP_DEBUG_TRACE, berPvtLogPrintf } from '@lber/sockbuf';
import type { BerElement } from './berelement.js';
import { LBER_BV_ALLOC, LBER_BV_STRING, LBER_DEFAULT, type BerTag } from './constants.js';
import { berLogDump } from './dump.js';
import { BerError } from './errors.js';

const logPrintf = berPvtLogPrintf;

/** `ber_tag_t` values of single octets, so the common one-octet tag costs no allocation. */
const OCTET_TAGS: readonly bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i));
const U64_MASK = 0xffff_ffff_ffff_ffffn;
/** A tag above this already holds 8 octets (`(ber_tag_t)-1 / 256`). */
const TAG_SHIFT_LIMIT = U64_MASK / 256n;

// Scratch "return registers" of the internal readers, so that the hot path
// allocates no result object. They hold the `struct berval` liblber's
// internal functions fill: `bvPtr` is `bv_val` as an offset into `ber.buf`,
// `bvLen` is `bv_len` (exact below 2^53) and `bvLenBig` its exact value when
// it is 2^53 or more. Every internal reader sets all three before returning.
let bvPtr = 0;
let bvLen = 0;
let bvLenBig: bigint | undefined;

/** The end of readable data: liblber's `ber_end`, never past the buffer. */
function dataEnd(ber: BerElement): number {
  const buf = ber.buf;
  if (buf === null) return 0;
  return ber.end < buf.length ? ber.end : buf.length;
}

/** The octet at `offset` as a saved tag; past the buffer it reads as 00. */
function octetTag(buf: Uint8Array | null, offset: number): BerTag {
  if (buf === null) return OCTET_TAGS[0] as BerTag;
  return OCTET_TAGS[buf[offset] ?? 0] as BerTag;
}

/** Points the cursor at `offset` and saves the octet there as the next tag's first octet. */
function moveTo(ber: BerElement, offset: number): void {
  ber.ptr = offset;
  ber.tag = octetTag(ber.buf, offset);
}

/**
 * liblber's `ber_tag_and_rest`: reads the tag at the cursor without moving
 * it. Sets `bvPtr` to the offset after the tag octets read and `bvLen` to
 * the octets left after them (`bvLen` is meaningless when the tag fails).
 */
function tagAndRest(ber: BerElement): BerTag {
  const buf = ber.buf;
  let ptr = ber.ptr;
  let rest = dataEnd(ber) - ptr;
  bvLenBig = undefined;
  if (buf === null || rest <= 0) {
    bvPtr = ptr;
    bvLen = 0;
    return LBER_DEFAULT;
  }
  const saved = ber.tag;
  let first = -1;
  if (ptr === 0) first = buf[0] ?? 0;
  else if (saved <= 0xffn) first = Number(saved);
  ptr++;
  rest--;
  if (first >= 0 && (first & 0x1f) !== 0x1f) {
    bvPtr = ptr;
    bvLen = rest;
    return OCTET_TAGS[first] as BerTag;
  }
  // Multi-octet tag (or a saved value wider than one octet, which only a
  // caller poking `ber.tag` can produce): big-endian, at most 8 octets.
  let tag = first >= 0 ? (OCTET_TAGS[first] as BerTag) : saved;
  if ((tag & 0x1fn) === 0x1fn) {
    for (;;) {
      if (rest <= 0) break;
      tag = ((tag << 8n) | (OCTET_TAGS[buf[ptr] ?? 0] as BerTag)) & U64_MASK;
      ptr++;
      rest--;
      if ((tag & 0x80n) === 0n) {
        bvPtr = ptr;
        bvLen = rest;
        return tag;
      }
      if (tag > TAG_SHIFT_LIMIT) break;
    }
    bvPtr = ptr;
    bvLen = rest;
    return LBER_DEFAULT;
  }
  bvPtr = ptr;
  bvLen = rest;
  return tag;
}

/**
 * liblber's `ber_peek_element`: the tag at the cursor, with `bvPtr`/`bvLen`
 * describing its contents. On failure `bvLen` is what liblber leaves in
 * `bv_len`: 0, the length-of-length count, or the declared length.
 */
function peekElement(ber: BerElement): BerTag {
  let tag = tagAndRest(ber);
  let ptr = bvPtr;
  let rest = bvLen;
  if (tag === LBER_DEFAULT || rest === 0) {
    bvPtr = ptr;
    bvLen = 0;
    return LBER_DEFAULT;
  }
  const buf = ber.buf as Buffer;
  let len = buf[ptr++] ?? 0;
  rest--;
  if ((len & 0x80) !== 0) {
    const count = len & 0x7f;
    if (count === 0 || count > 8 || rest < count) {
      // indefinite, over-long, or not enough octets for the length
      bvPtr = ptr;
      bvLen = count;
      return LBER_DEFAULT;
    }
    rest -= count;
    if (count <= 6) {
      len = 0;
      for (let i = 0; i < count; i++) len = len * 256 + (buf[ptr++] ?? 0);
    } else {
      let big = 0n;
      for (let i = 0; i < count; i++) big = (big << 8n) | (OCTET_TAGS[buf[ptr++] ?? 0] as bigint);
      len = Number(big);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) bvLenBig = big;
    }
  }
  if (len > rest) tag = LBER_DEFAULT;
  bvPtr = ptr;
  bvLen = len;
  return tag;
}

/** `ber_skip_element` on the scratch registers. */
function skipElementRaw(ber: BerElement): BerTag {
  const tag = peekElement(ber);
  if (tag !== LBER_DEFAULT) moveTo(ber, bvPtr + bvLen);
  return tag;
}

/** `ber_skip_tag` on the scratch registers. */
function skipTagRaw(ber: BerElement): BerTag {
  const tag = peekElement(ber);
  moveTo(ber, bvPtr);
  return tag;
}

/** A tag and the length that came with it. */
export interface BerTagLen {
  tag: BerTag;
  /** `ber_len_t` result: exact below 2^53 (see `lenBig`). */
  len: number;
  /** The exact length, only when it is 2^53 or more (always a failure). */
  lenBig?: bigint;
}

/** A tag and an element's bytes, like liblber's `struct berval` out-parameter. */
export interface BerTagValue extends BerTagLen {
  /** The bytes; null where liblber's `bv_val` is NULL or not meaningful (on failure). */
  value: Buffer | null;
}

function tagLen(tag: BerTag): BerTagLen {
  return bvLenBig === undefined ? { tag, len: bvLen } : { tag, len: bvLen, lenBig: bvLenBig };
}

/**
 * Reads the tag at the cursor and moves the cursor past its octets (to the
 * length octets). Unlike liblber, also refreshes the saved first tag octet.
 * @see ber_get_tag
 */
export function berGetTag(ber: BerElement): BerTag {
  const tag = tagAndRest(ber);
  moveTo(ber, bvPtr);
  return tag;
}
export { berGetTag as ber_get_tag };

/**
 * The next element's tag and content length, without moving the cursor.
 * LBER_DEFAULT when the element is malformed or does not fit the input.
 * @see ber_peek_tag
 */
export function berPeekTag(ber: BerElement): BerTagLen {
  return tagLen(peekElement(ber));
}
export { berPeekTag as ber_peek_tag };

/**
 * Moves the cursor past the next element's tag and length octets (into a
 * constructed element's contents) and returns them. As in liblber 2.5.13,
 * the cursor moves past the octets read even when this fails.
 * @see ber_skip_tag
 */
export function berSkipTag(ber: BerElement): BerTagLen {
  return tagLen(skipTagRaw(ber));
}
export { berSkipTag as ber_skip_tag };

function tagValue(ber: BerElement, tag: BerTag, start: number): BerTagValue {
  const value = tag === LBER_DEFAULT ? null : (ber.buf as Buffer).subarray(start, bvPtr + bvLen);
  const r: BerTagValue = { tag, len: tag === LBER_DEFAULT ? bvLen : bvPtr + bvLen - start, value };
  if (bvLenBig !== undefined) r.lenBig = bvLenBig;
  return r;
}

/**
 * The next element's tag and a view of its contents, without moving.
 * @see ber_peek_element
 */
export function berPeekElement(ber: BerElement): BerTagValue {
  const tag = peekElement(ber);
  return tagValue(ber, tag, bvPtr);
}
export { berPeekElement as ber_peek_element };

/**
 * Moves past the next element and returns its tag and a view of its
 * contents. On failure the cursor does not move.
 * @see ber_skip_element
 */
export function berSkipElement(ber: BerElement): BerTagValue {
  const tag = skipElementRaw(ber);
  return tagValue(ber, tag, bvPtr);
}
export { berSkipElement as ber_skip_element };

/**
 * Moves past the next element and returns its tag and a view of the whole
 * element, tag and length octets included.
 * @see ber_skip_raw
 */
export function berSkipRaw(ber: BerElement): BerTagValue {
  const start = ber.ptr;
  const tag = skipElementRaw(ber);
  return tagValue(ber, tag, start);
}
export { berSkipRaw as ber_skip_raw };

/** An integer decode: `value` is undefined where liblber leaves it unwritten. */
export interface BerTagInt {
  tag: BerTag;
  value: number | undefined;
}

/** Two's complement content octets (0 to 4 of them) as a 32-bit integer, or undefined. */
function decodeInt32(buf: Uint8Array, start: number, len: number): number | undefined {
  if (len > 4) return undefined;
  if (len === 0) return 0;
  let n = (((buf[start] ?? 0) ^ 0x80) - 0x80) | 0;
  for (let i = 1; i < len; i++) n = (n << 8) | (buf[start + i] ?? 0);
  return n;
}

/**
 * Decodes INTEGER content octets as liblber's 32-bit `ber_int_t`: 0 to 4
 * octets (none decodes as 0), sign-extended. More than 4 octets fail with
 * rc -1, even when they are only leading zeros.
 * @see ber_decode_int
 */
export function berDecodeInt(contents: Uint8Array): { rc: 0 | -1; value: number | undefined } {
  const value = decodeInt32(contents, 0, contents.length);
  return value === undefined ? { rc: -1, value } : { rc: 0, value };
}
export { berDecodeInt as ber_decode_int };

function getIntRaw(ber: BerElement): BerTagInt {
  const tag = skipElementRaw(ber);
  if (tag === LBER_DEFAULT) return { tag, value: undefined };
  const value = decodeInt32(ber.buf as Buffer, bvPtr, bvLen);
  return value === undefined ? { tag: LBER_DEFAULT, value } : { tag, value };
}

/**
 * Reads the next element as a 32-bit INTEGER, whatever its tag. The element
 * is consumed even when its contents do not decode (over 4 octets).
 * @see ber_get_int
 */
export function berGetInt(ber: BerElement): BerTagInt {
  return getIntRaw(ber);
}
export { berGetInt as ber_get_int };

/**
 * ENUMERATED: the same decoding as {@link berGetInt}.
 * @see ber_get_enum
 */
export function berGetEnum(ber: BerElement): BerTagInt {
  return getIntRaw(ber);
}
export { berGetEnum as ber_get_enum };

/**
 * BOOLEAN: the same decoding as {@link berGetInt} (`01 01 ff` is -1).
 * @see ber_get_boolean
 */
export function berGetBoolean(ber: BerElement): BerTagInt {
  return getIntRaw(ber);
}
export { berGetBoolean as ber_get_boolean };

/**
 * Reads an element with empty contents (NULL, whatever its tag).
 * @see ber_get_null
 */
export function berGetNull(ber: BerElement): BerTag {
  const tag = skipTagRaw(ber);
  return bvLen === 0 ? tag : LBER_DEFAULT;
}
export { berGetNull as ber_get_null };

/** Is there a NUL before the last octet of `buf[start, start+len)`? (LBER_BV_STRING's test) */
function hasInnerNul(buf: Uint8Array, start: number, len: number): boolean {
  return len > 1 && buf.subarray(start, start + len - 1).indexOf(0) >= 0;
}

/** Bytes of `buf[start, start+len)` up to the first NUL (what a C caller sees of a C string). */
function cString(buf: Buffer, start: number, len: number): Buffer {
  const i = buf.subarray(start, start + len).indexOf(0);
  return Buffer.from(buf.subarray(start, i >= 0 ? start + i : start + len));
}

function getStringbvRaw(ber: BerElement, option: number, nullIfEmpty: boolean): BerTagValue {
  let tag = skipElementRaw(ber);
  const buf = ber.buf as Buffer;
  let value: Buffer | null = null;
  if (tag !== LBER_DEFAULT && !(nullIfEmpty && bvLen === 0)) {
    if ((option & LBER_BV_STRING) !== 0 && hasInnerNul(buf, bvPtr, bvLen)) {
      tag = LBER_DEFAULT;
    } else {
      const view = buf.subarray(bvPtr, bvPtr + bvLen);
      value = (option & LBER_BV_ALLOC) !== 0 ? Buffer.from(view) : view;
    }
  }
  const r: BerTagValue = { tag, len: bvLen, value };
  if (bvLenBig !== undefined) r.lenBig = bvLenBig;
  return r;
}

/**
 * Reads the next element's contents as an OCTET STRING, whatever its tag.
 * `option` takes liblber's flags: LBER_BV_ALLOC returns a copy (otherwise a
 * view of the input), LBER_BV_STRING rejects a NUL anywhere but in the last
 * octet. LBER_BV_NOTERM is accepted and has no effect: the port never
 * writes a terminator into the input.
 * @see ber_get_stringbv
 */
export function berGetStringbv(ber: BerElement, option: number): BerTagValue {
  return getStringbvRaw(ber, option, false);
}
export { berGetStringbv as ber_get_stringbv };

/**
 * As {@link berGetStringbv}, but an empty string gives `value` null (and
 * the tag).
 * @see ber_get_stringbv_null
 */
export function berGetStringbvNull(ber: BerElement, option: number): BerTagValue {
  return getStringbvRaw(ber, option, true);
}
export { berGetStringbvNull as ber_get_stringbv_null };

/**
 * Copies the next element's contents into `dest` and NUL-terminates them
 * there, as liblber does with the caller's `buf`. Fails (LBER_DEFAULT,
 * nothing written) unless the contents are shorter than `dest`. `len` is
 * the contents' length on success and `dest.length` otherwise (liblber's
 * in/out `*len`, left as it came in).
 * @see ber_get_stringb
 */
export function berGetStringb(ber: BerElement, dest: Uint8Array): { tag: BerTag; len: number } {
  const tag = skipElementRaw(ber);
  if (tag === LBER_DEFAULT || bvLen >= dest.length) return { tag: LBER_DEFAULT, len: dest.length };
  const buf = ber.buf as Buffer;
  dest.set(buf.subarray(bvPtr, bvPtr + bvLen), 0);
  dest[bvLen] = 0;
  return { tag, len: bvLen };
}
export { berGetStringb as ber_get_stringb };

/** A decoded value that liblber allocates: null when it gives NULL. */
export interface BerTagBytes {
  tag: BerTag;
  value: Buffer | null;
}

/**
 * Reads an OCTET STRING as liblber's allocated C string: a copy of the
 * octets before the first NUL. A NUL anywhere but in the last octet fails.
 * @see ber_get_stringa
 */
export function berGetStringa(ber: BerElement): BerTagBytes {
  // liblber's LBER_BV_ALLOC | LBER_BV_STRING; cString makes the copy.
  const r = getStringbvRaw(ber, LBER_BV_STRING, false);
  return { tag: r.tag, value: r.value === null ? null : cString(r.value, 0, r.value.length) };
}
export { berGetStringa as ber_get_stringa };

/**
 * As {@link berGetStringa}, but an empty string gives null (and the tag).
 * @see ber_get_stringa_null
 */
export function berGetStringaNull(ber: BerElement): BerTagBytes {
  const r = getStringbvRaw(ber, LBER_BV_STRING, true);
  return { tag: r.tag, value: r.value === null ? null : cString(r.value, 0, r.value.length) };
}
export { berGetStringaNull as ber_get_stringa_null };

/**
 * Reads an OCTET STRING as an allocated berval: a copy of all its octets.
 * @see ber_get_stringal
 */
export function berGetStringal(ber: BerElement): BerTagBytes {
  const r = getStringbvRaw(ber, LBER_BV_ALLOC, false);
  return { tag: r.tag, value: r.value };
}
export { berGetStringal as ber_get_stringal };

/** A BIT STRING: `bitlen` is undefined where liblber leaves it unwritten. */
export interface BerTagBits {
  tag: BerTag;
  value: Buffer | null;
  bitlen: number | undefined;
}

/**
 * Reads a BIT STRING (any tag): the unused-bits octet, then the bits. As in
 * liblber, an empty bit string, more than 7 unused bits, or any 00 octet
 * in the bits fails. `value` is a copy of the bit octets.
 * @see ber_get_bitstringa
 */
export function berGetBitstringa(ber: BerElement): BerTagBits {
  const tag = skipElementRaw(ber);
  if (tag === LBER_DEFAULT || bvLen < 2) return { tag: LBER_DEFAULT, value: null, bitlen: undefined };
  const buf = ber.buf as Buffer;
  const unused = buf[bvPtr] ?? 0;
  const start = bvPtr + 1;
  const n = bvLen - 1;
  if (unused > 7) return { tag: LBER_DEFAULT, value: null, bitlen: undefined };
  if (buf.subarray(start, start + n).indexOf(0) >= 0) return { tag: LBER_DEFAULT, value: null, bitlen: undefined };
  return { tag, value: Buffer.from(buf.subarray(start, start + n)), bitlen: n * 8 - unused };
}
export { berGetBitstringa as ber_get_bitstringa };

/** `ber_first_element`'s results: `last` is the end offset of the sequence's contents. */
export interface BerFirstElement extends BerTagLen {
  /** Offset into `ber.buf` where the contents end; null when the header did not read. */
  last: number | null;
}

/**
 * Enters a SEQUENCE or SET: skips its header and peeks at its first
 * element. `last` marks the end of its contents for {@link berNextElement}.
 * An empty sequence gives LBER_DEFAULT with len 0.
 * @see ber_first_element
 */
export function berFirstElement(ber: BerElement): BerFirstElement {
  const tag = skipTagRaw(ber);
  if (tag === LBER_DEFAULT) {
    const r: BerFirstElement = { tag, len: bvLen, last: null };
    if (bvLenBig !== undefined) r.lenBig = bvLenBig;
    return r;
  }
  const last = ber.ptr + bvLen;
  if (bvLen === 0) return { tag: LBER_DEFAULT, len: 0, last };
  const next = peekElement(ber);
  const r: BerFirstElement = { tag: next, len: bvLen, last };
  if (bvLenBig !== undefined) r.lenBig = bvLenBig;
  return r;
}
export { berFirstElement as ber_first_element };

/**
 * The next element of a sequence entered with {@link berFirstElement}, or
 * LBER_DEFAULT (len unwritten) once the cursor reaches `last`.
 * @see ber_next_element
 */
export function berNextElement(ber: BerElement, last: number): { tag: BerTag; len: number | undefined; lenBig?: bigint } {
  if (ber.ptr >= last) return { tag: LBER_DEFAULT, len: undefined };
  return tagLen(peekElement(ber));
}
export { berNextElement as ber_next_element };

function checkLength(len: number, fn: string): void {
  if (!Number.isSafeInteger(len) || len < 0) {
    throw new BerError('BER_BAD_ARGUMENT', `${fn}: length must be a non-negative integer, got ${String(len)}`);
  }
}

/**
 * Moves the cursor `len` octets on (at most to the end) and returns how
 * far it moved.
 * @see ber_skip_data
 */
export function berSkipData(ber: BerElement, len: number): number {
  checkLength(len, 'ber_skip_data');
  const left = ber.end - ber.ptr;
  // liblber's unsigned arithmetic: a cursor already past the end moves on by len.
  const n = left < 0 || left >= len ? len : left;
  moveTo(ber, ber.ptr + n);
  return n;
}
export { berSkipData as ber_skip_data };

/**
 * Copies up to `len` octets (default `dest.length`) from the cursor into
 * `dest`, moves the cursor past them and returns how many were copied.
 * Unlike liblber, the saved tag octet follows the cursor.
 * @see ber_read
 */
export function berRead(ber: BerElement, dest: Uint8Array, len: number = dest.length): number {
  checkLength(len, 'ber_read');
  if (len > dest.length) throw new BerError('BER_BAD_ARGUMENT', `ber_read: ${len} octets do not fit a ${dest.length}-octet buffer`);
  const left = Math.max(0, dataEnd(ber) - ber.ptr);
  const n = left < len ? left : len;
  if (n > 0) dest.set((ber.buf as Buffer).subarray(ber.ptr, ber.ptr + n), 0);
  moveTo(ber, ber.ptr + n);
  return n;
}
export { berRead as ber_read };

// ---------------------------------------------------------------------------
// ber_scanf

/**
 * A `!` hook: called with mode 0 to decode (its result is the scan's
 * result so far; a number is read as a C `int`, so -1 means LBER_DEFAULT),
 * and with mode 1 when a later part of the format fails, to release what
 * it produced. liblber's `void *` argument is whatever the closure holds.
 * @see BERDecodeCallback
 */
export type BerDecodeCallback = (ber: BerElement, mode: 0 | 1) => BerTag | number;

/** What `ber_scanf` takes besides the format: a hook per `!`, a destination buffer per `s`. */
export type BerScanfArg = BerDecodeCallback | Uint8Array;

/** `i` `e` `b`: the integer; undefined when not decoded. */
export interface BerScanfInt {
  f: 'i' | 'e' | 'b';
  value: number | undefined;
}
/** `l`: the next element's length (0 after a failed scan). */
export interface BerScanfLen {
  f: 'l';
  len: number | undefined;
  lenBig?: bigint;
}
/** `t` `T`: the tag peeked at or skipped. */
export interface BerScanfTag {
  f: 't' | 'T';
  tag: BerTag | undefined;
}
/** `a` `A` (C string copies) and `O` (berval copy). */
export interface BerScanfBytes {
  f: 'a' | 'A' | 'O';
  value: Buffer | null;
}
/** `m` (view of the input) and `o` (copy): zeroed after a failed scan. */
export interface BerScanfBerval {
  f: 'm' | 'o';
  len: number | undefined;
  lenBig?: bigint;
  value: Buffer | null;
}
/** `s`: the in/out length (the destination's length until written, 0 after a failed scan). */
export interface BerScanfBuffer {
  f: 's';
  len: number;
}
/** `B`: bit string copy and length in bits. */
export interface BerScanfBits {
  f: 'B';
  bitlen: number | undefined;
  value: Buffer | null;
}
/** `v` (C string copies), `V` and `W` (berval copies): null for an empty or failed list. */
export interface BerScanfList {
  f: 'v' | 'V' | 'W';
  list: Buffer[] | null;
}
/** `M`: views of the input, and their count. */
export interface BerScanfRecords {
  f: 'M';
  count: number | undefined;
  list: Buffer[] | null;
}
/** `!`: what the hook returned in mode 0. */
export interface BerScanfHook {
  f: '!';
  rc: BerTag | undefined;
}
export type BerScanfOut =
  | BerScanfInt
  | BerScanfLen
  | BerScanfTag
  | BerScanfBytes
  | BerScanfBerval
  | BerScanfBuffer
  | BerScanfBits
  | BerScanfList
  | BerScanfRecords
  | BerScanfHook;

/** `ber_scanf`'s tag (LBER_DEFAULT on failure) and one output per output character, in format order. */
export interface BerScanfResult {
  tag: BerTag;
  out: BerScanfOut[];
}

const enum ListKind {
  CharArray, // v
  BvVec, // V
  BvArray, // W
  BvOff, // M
}

/**
 * liblber's `ber_get_stringbvl`: a SEQUENCE OF OCTET STRING. Returns the tag
 * of the last string, 0n for an empty sequence (list null), LBER_DEFAULT
 * on failure (list null).
 */
function getStringList(ber: BerElement, kind: ListKind): { tag: BerTag; list: Buffer[] | null } {
  let tag = skipTagRaw(ber);
  let count = 0;
  if (tag !== LBER_DEFAULT) {
    tag = 0n;
    const orig = ber.ptr;
    const last = orig + bvLen;
    while (ber.ptr < last) {
      if (skipElementRaw(ber) === LBER_DEFAULT) break;
      count++;
    }
    if (ber.ptr !== last) {
      count = 0;
      tag = LBER_DEFAULT;
    }
    moveTo(ber, orig);
  }
  if (count === 0) return { tag, list: null };
  const list: Buffer[] = [];
  // liblber: v is ALLOC | STRING (cString copies here), M in place, V and W ALLOC.
  const option = kind === ListKind.CharArray ? LBER_BV_STRING : kind === ListKind.BvOff ? 0 : LBER_BV_ALLOC;
  for (let n = 0; n < count; n++) {
    const r = getStringbvRaw(ber, option, false);
    if (r.tag === LBER_DEFAULT || r.value === null) return { tag: LBER_DEFAULT, list: null };
    list.push(kind === ListKind.CharArray ? cString(r.value, 0, r.value.length) : r.value);
    tag = r.tag;
  }
  return { tag, list };
}

/** A hook's C `int` (or tag) result as a `ber_tag_t`. */
function hookTag(rc: BerTag | number): BerTag {
  if (typeof rc === 'bigint') return BigInt.asUintN(64, rc);
  return BigInt.asUintN(64, BigInt(Math.trunc(rc) | 0));
}

/** The output entry each format character produces, or null for none. */
function outputFor(c: string, args: readonly BerScanfArg[], argIndex: number): BerScanfOut | null {
  switch (c) {
    case 'i':
    case 'e':
    case 'b':
      return { f: c, value: undefined };
    case 'l':
      return { f: c, len: undefined };
    case 't':
    case 'T':
      return { f: c, tag: undefined };
    case 'a':
    case 'A':
    case 'O':
      return { f: c, value: null };
    case 'm':
    case 'o':
      return { f: c, len: undefined, value: null };
    case 's': {
      const dest = args[argIndex];
      return { f: c, len: dest instanceof Uint8Array ? dest.length : 0 };
    }
    case 'B':
      return { f: c, bitlen: undefined, value: null };
    case 'v':
    case 'V':
    case 'W':
      return { f: c, list: null };
    case 'M':
      return { f: c, count: undefined, list: null };
    case '!':
      return { f: c, rc: undefined };
    default:
      return null;
  }
}

/** The end of the format: its length, or its first NUL (a C string ends there). */
function formatEnd(fmt: string): number {
  const nul = fmt.indexOf('\0');
  return nul < 0 ? fmt.length : nul;
}

/**
 * Decodes a sequence of elements as described by `fmt`, liblber's format
 * language, and returns the last call's tag (LBER_DEFAULT on failure; 0n
 * after an empty `{v}`, `{V}`, `{W}` or `{M}`) with one output per output
 * character, in format order:
 *
 * | char | reads | output |
 * | --- | --- | --- |
 * | `i` `e` `b` | INTEGER / ENUMERATED / BOOLEAN (any tag) | `value` |
 * | `n` | NULL (empty contents) | none |
 * | `l` | peeks at the next element's length | `len` |
 * | `t` / `T` | peeks at / skips the next tag and length | `tag` |
 * | `a` / `A` | OCTET STRING as a C string copy (`A`: null when empty) | `value` |
 * | `O` | OCTET STRING copy | `value` |
 * | `o` / `m` | OCTET STRING copy / view of the input | `len`, `value` |
 * | `s` | OCTET STRING copied into the next `Uint8Array` argument, NUL-terminated | `len` |
 * | `B` | BIT STRING copy | `bitlen`, `value` |
 * | `v` / `V` / `W` | SEQUENCE OF OCTET STRING (C string / berval copies) | `list` |
 * | `M` | SEQUENCE OF OCTET STRING, views of the input | `count`, `list` |
 * | `x` | skips any element | none |
 * | `{` `[` | enters a SEQUENCE / SET (not when `v` `V` `W` `M` follows) | none |
 * | `}` `]` | nothing (liblber checks nothing) | none |
 * | `!` | calls the next argument, a {@link BerDecodeCallback} | `rc` |
 *
 * On failure liblber's cleanup runs for every character up to the failing
 * one: `!` hooks are called with mode 1, copies and lists become null, `l`,
 * `s`, `m`, `o`, `B`, `M` lengths become 0. Outputs of characters never
 * reached keep their initial value (undefined / null; `s` its buffer size).
 *
 * Logs the format and a dump of the element when the element's debug level
 * has LDAP_DEBUG_TRACE or LDAP_DEBUG_BER.
 *
 * @throws BerError BER_BAD_FORMAT when the scan reaches a character liblber
 *   does not know (liblber aborts the process there), after calling the
 *   cleanup of the hooks before it; BER_BAD_ARGUMENT when an argument does
 *   not match its `!` or `s`, or arguments are left over.
 * @see ber_scanf
 */
export function berScanf(ber: BerElement, fmt: string, ...args: BerScanfArg[]): BerScanfResult {
  const stop = formatEnd(fmt);
  // One output slot per output character, and which argument each consumes.
  const slots: (BerScanfOut | null)[] = [];
  const argOf: number[] = [];
  const out: BerScanfOut[] = [];
  let nargs = 0;
  for (let i = 0; i < stop; i++) {
    const c = fmt.charAt(i);
    const entry = outputFor(c, args, nargs);
    slots.push(entry);
    argOf.push(c === '!' || c === 's' ? nargs : -1);
    if (c === '!') {
      if (typeof args[nargs] !== 'function') throw new BerError('BER_BAD_ARGUMENT', `ber_scanf: argument ${nargs} for '!' is not a function`);
      nargs++;
    } else if (c === 's') {
      if (!(args[nargs] instanceof Uint8Array)) throw new BerError('BER_BAD_ARGUMENT', `ber_scanf: argument ${nargs} for 's' is not a Uint8Array`);
      nargs++;
    }
    if (entry !== null) out.push(entry);
  }
  if (nargs !== args.length) throw new BerError('BER_BAD_ARGUMENT', `ber_scanf: format "${fmt}" takes ${nargs} argument(s), got ${args.length}`);

  if ((ber.debug & (LDAP_DEBUG_TRACE | LDAP_DEBUG_BER)) !== 0) {
    logPrintf(LDAP_DEBUG_TRACE, ber.debug, `ber_scanf fmt (${fmt.slice(0, stop)}) ber:\n`);
    berLogDump(LDAP_DEBUG_BER, ber.debug, ber, 1);
  }

  let rc: BerTag = 0n;
  let i = 0;
  for (; i < stop && rc !== LBER_DEFAULT; i++) {
    const c = fmt.charAt(i);
    const slot = slots[i] ?? null;
    switch (c) {
      case '!': {
        const hook = args[argOf[i] ?? -1] as BerDecodeCallback;
        rc = hookTag(hook(ber, 0));
        (slot as BerScanfHook).rc = rc;
        break;
      }
      case 'a':
      case 'A': {
        const r = c === 'a' ? berGetStringa(ber) : berGetStringaNull(ber);
        rc = r.tag;
        (slot as BerScanfBytes).value = r.value;
        break;
      }
      case 'O': {
        const r = getStringbvRaw(ber, LBER_BV_ALLOC, false);
        rc = r.tag;
        (slot as BerScanfBytes).value = r.value;
        break;
      }
      case 'b':
      case 'e':
      case 'i': {
        const r = getIntRaw(ber);
        rc = r.tag;
        (slot as BerScanfInt).value = r.value;
        break;
      }
      case 'B': {
        const r = berGetBitstringa(ber);
        rc = r.tag;
        const s = slot as BerScanfBits;
        s.value = r.value;
        if (r.bitlen !== undefined) s.bitlen = r.bitlen;
        break;
      }
      case 'l': {
        rc = peekElement(ber);
        const s = slot as BerScanfLen;
        s.len = bvLen;
        if (bvLenBig !== undefined) s.lenBig = bvLenBig;
        break;
      }
      case 'm':
      case 'o': {
        const r = getStringbvRaw(ber, c === 'o' ? LBER_BV_ALLOC : 0, false);
        rc = r.tag;
        const s = slot as BerScanfBerval;
        s.len = r.len;
        if (r.lenBig !== undefined) s.lenBig = r.lenBig;
        s.value = r.value;
        break;
      }
      case 'M':
      case 'v':
      case 'V':
      case 'W': {
        const kind = c === 'v' ? ListKind.CharArray : c === 'V' ? ListKind.BvVec : c === 'W' ? ListKind.BvArray : ListKind.BvOff;
        const r = getStringList(ber, kind);
        rc = r.tag;
        if (c === 'M') {
          const s = slot as BerScanfRecords;
          s.list = r.list;
          s.count = r.list === null ? 0 : r.list.length;
        } else {
          (slot as BerScanfList).list = r.list;
        }
        break;
      }
      case 'n':
        rc = berGetNull(ber);
        break;
      case 's': {
        const dest = args[argOf[i] ?? -1] as Uint8Array;
        const r = berGetStringb(ber, dest);
        rc = r.tag;
        (slot as BerScanfBuffer).len = r.len;
        break;
      }
      case 't':
      case 'T':
        rc = c === 't' ? peekElement(ber) : skipTagRaw(ber);
        (slot as BerScanfTag).tag = rc;
        break;
      case 'x':
        rc = skipElementRaw(ber);
        break;
      case '{':
      case '[': {
        const next = fmt.charAt(i + 1);
        if (next !== 'v' && next !== 'V' && next !== 'W' && next !== 'M') rc = skipTagRaw(ber);
        break;
      }
      case '}':
      case ']':
        break;
      default:
        if (ber.debug !== 0) logPrintf(LDAP_DEBUG_ANY, ber.debug, `ber_scanf: unknown fmt ${c}\n`);
        rc = LBER_DEFAULT;
        break;
    }
  }

  if (rc === LBER_DEFAULT) {
    // liblber's error cleanup, over every character up to the failing one.
    for (let j = 0; j < i; j++) {
      const c = fmt.charAt(j);
      const slot = slots[j] ?? null;
      switch (c) {
        case '!':
          (args[argOf[j] ?? -1] as BerDecodeCallback)(ber, 1);
          break;
        case 'a':
        case 'A':
        case 'O':
          (slot as BerScanfBytes).value = null;
          break;
        case 'l': {
          const s = slot as BerScanfLen;
          s.len = 0;
          delete s.lenBig;
          break;
        }
        case 'm':
        case 'o': {
          const s = slot as BerScanfBerval;
          s.len = 0;
          delete s.lenBig;
          s.value = null;
          break;
        }
        case 'M': {
          const s = slot as BerScanfRecords;
          s.list = null;
          s.count = 0;
          break;
        }
        case 's':
          (slot as BerScanfBuffer).len = 0;
          break;
        case 'B': {
          const s = slot as BerScanfBits;
          s.value = null;
          s.bitlen = 0;
          break;
        }
        case 'v':
        case 'V':
        case 'W':
          (slot as BerScanfList).list = null;
          break;
        case 'b':
        case 'e':
        case 'i':
        case 't':
        case 'T':
        case 'n':
        case 'x':
        case '{':
        case '[':
        case '}':
        case ']':
          break;
        default:
          throw new BerError('BER_BAD_FORMAT', `ber_scanf: unknown format character '${c}' at index ${j} of "${fmt}"`, ber.ptr);
      }
    }
  }
  return { tag: rc, out };
}
export { berScanf as ber_scanf };
