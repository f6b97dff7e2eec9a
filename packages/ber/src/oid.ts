/**
 * OBJECT IDENTIFIER content octets to and from dotted text, as liblber's
 * ber_encode_oid (encode.c) and ber_decode_oid (decode.c) do them: no tag,
 * no length, components up to liblber's limit of 2^64 - 129, and the same
 * checks on the size of the caller's output buffer.
 */
import { BerError } from './errors.js';

/** liblber's largest OID component: `(unsigned long) -1 - 128`. */
export const LBER_OID_COMPONENT_MAX = 0xffff_ffff_ffff_ffffn - 128n;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const ULONG_MAX = 0xffff_ffff_ffff_ffffn;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= DIGIT_0 && c <= DIGIT_9;
}

/**
 * `strtoul` on a run of decimal digits starting at `at` (the caller has
 * checked that there is one): the value, saturated at ULONG_MAX as strtoul
 * saturates, and where the digits end.
 */
function readDecimal(text: Uint8Array, at: number): { value: bigint; end: number } {
  let end = at;
  while (isDigit(text[end])) end++;
  let value = 0n;
  // Twenty digits always fit in 2^64 after leading zeros are dropped; past
  // that a value has saturated, so the loop can stop adding.
  for (let i = at; i < end; i++) {
    value = value * 10n + BigInt((text[i] ?? DIGIT_0) - DIGIT_0);
    if (value > ULONG_MAX) {
      value = ULONG_MAX + 1n;
      break;
    }
  }
  return { value: value > ULONG_MAX ? ULONG_MAX : value, end };
}

/** Base-128 octets of one component, high bit set on all but the last. */
function pushComponent(out: number[], value: bigint): void {
  const start = out.length;
  let v = value;
  do {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  } while (v !== 0n);
  out[start] = (out[start] ?? 0) & 0x7f;
  // Written least significant first; reverse into place.
  for (let i = start, j = out.length - 1; i < j; i++, j--) {
    const tmp = out[i] ?? 0;
    out[i] = out[j] ?? 0;
    out[j] = tmp;
  }
}

function textBytes(input: string | Uint8Array): Uint8Array {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof Uint8Array) return input;
  throw new BerError('BER_BAD_ARGUMENT', 'ber_encode_oid: expected a string or bytes');
}

/**
 * Encodes dotted OID text (`"1.2.840.113549"`) as OBJECT IDENTIFIER content
 * octets. The first component must be 0, 1 or 2, the second at most 39
 * under 0 and 1; every component is plain decimal digits (leading zeros are
 * allowed) up to {@link LBER_OID_COMPONENT_MAX}. `outSize` is the size of
 * the output buffer liblber's caller provides: as in liblber, the call
 * fails when it is below half the text's length. Returns the octets, or
 * null (liblber's -1) when the text or the size is refused.
 * @see ber_encode_oid
 */
export function berEncodeOid(input: string | Uint8Array, outSize?: number): Buffer | null {
  const text = textBytes(input);
  const inend = text.byteLength;
  const size = outSize ?? inend + 1;
  if (!(size >= 0) || size < Math.floor(inend / 2)) return null;

  if (!isDigit(text[0])) return null;
  const first = readDecimal(text, 0);
  if (first.value > 2n) return null;
  let ptr = first.end;
  if (text[ptr] !== DOT || !isDigit(text[ptr + 1])) return null;
  const second = readDecimal(text, ptr + 1);
  if (second.value > (first.value < 2n ? 39n : LBER_OID_COMPONENT_MAX - 80n)) return null;
  let value = second.value + first.value * 40n;
  ptr = second.end;

  const out: number[] = [];
  for (;;) {
    pushComponent(out, value);
    if (ptr >= inend) break;
    if (text[ptr++] !== DOT) return null;
    if (!isDigit(text[ptr])) return null;
    const next = readDecimal(text, ptr);
    if (next.value > LBER_OID_COMPONENT_MAX) return null;
    value = next.value;
    ptr = next.end;
  }
  // liblber trusts its size check to leave room; the port checks.
  if (out.length > size) return null;
  return Buffer.from(out);
}
export { berEncodeOid as ber_encode_oid };

/**
 * Decodes OBJECT IDENTIFIER content octets to dotted text. The first
 * octets give the first two components (x.y with 40x + y, x at most 2);
 * each component must fit {@link LBER_OID_COMPONENT_MAX}, must not start
 * with a `80` octet, and the input must not end inside one. `outSize` is
 * the size of liblber's output buffer, terminating NUL included: the call
 * fails unless it is more than 4 characters per input octet. Returns the
 * text, or null (liblber's -1).
 * @see ber_decode_oid
 */
export function berDecodeOid(input: Uint8Array, outSize?: number): string | null {
  if (!(input instanceof Uint8Array)) throw new BerError('BER_BAD_ARGUMENT', 'ber_decode_oid: expected bytes');
  const len = input.byteLength;
  const size = outSize ?? 4 * len + 1;
  if (!(size >= 0) || Math.floor((size + 3) / 4) <= len) return null;

  const parts: string[] = [];
  const shiftLimit = LBER_OID_COMPONENT_MAX >> 7n;
  let value = 0n;
  for (let i = 0; i < len; i++) {
    const octet = input[i] ?? 0;
    value |= BigInt(octet & 0x7f);
    if ((octet & 0x80) === 0) {
      if (parts.length === 0) {
        const x = value < 80n ? value / 40n : 2n;
        value -= x * 40n;
        parts.push(x.toString());
      }
      parts.push(value.toString());
      value = 0n;
    } else if (value !== 0n && value - 1n < shiftLimit) {
      value <<= 7n;
    } else {
      return null;
    }
  }
  if (parts.length === 0 || value !== 0n) return null;
  return parts.join('.');
}
export { berDecodeOid as ber_decode_oid };
