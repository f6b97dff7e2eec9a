/**
 * Byte and character helpers shared by dn.ts, filter.ts and url.ts
 * (internal: not re-exported from the package).
 */

const HEX = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';

/** Value of one hex digit (character code), or -1. */
export function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** Two hex digits for a byte (lowercase unless `upper`). */
export function hexByte(byte: number, upper = false): string {
  const digits = upper ? HEX_UPPER : HEX;
  return digits[byte >> 4]! + digits[byte & 15]!;
}

/**
 * Length of the well-formed UTF-8 sequence (RFC 3629) starting at
 * `buf[i]` of a multi-byte lead, or 0 when the bytes there are not one.
 */
export function utf8SequenceLength(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  const b1 = buf[i + 1];
  if (b1 === undefined) return 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) return b1 >= 0x80 && b1 <= 0xbf ? 2 : 0;
  const b2 = buf[i + 2];
  if (b2 === undefined || b2 < 0x80 || b2 > 0xbf) return 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return b1 >= lo && b1 <= hi ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const b3 = buf[i + 3];
    if (b3 === undefined || b3 < 0x80 || b3 > 0xbf) return 0;
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return b1 >= lo && b1 <= hi ? 4 : 0;
  }
  return 0;
}

/**
 * Growable byte accumulator for unescaping: one buffer reused, grown by
 * doubling, copied out once at the end.
 */
export class ByteSink {
  private buf: Buffer;
  length = 0;
  constructor(size = 64) {
    this.buf = Buffer.allocUnsafe(size);
  }
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
  push(byte: number): void {
    this.room(1);
    this.buf[this.length++] = byte;
  }
  /** Appends the UTF-8 encoding of `s[start..end)`. */
  pushString(s: string, start: number, end: number): void {
    if (start >= end) return;
    const part = s.slice(start, end);
    const n = Buffer.byteLength(part, 'utf8');
    this.room(n);
    this.buf.write(part, this.length, n, 'utf8');
    this.length += n;
  }
  /** Drops bytes from the end. */
  truncate(length: number): void {
    this.length = length;
  }
  /** A copy of the bytes, and an empty sink. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.buf.copy(out, 0, 0, this.length);
    this.length = 0;
    return out;
  }
}

/** Converts string-or-bytes input to a Buffer (strings as UTF-8). */
export function toBytes(value: string | Uint8Array): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
