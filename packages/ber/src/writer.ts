/**
 * An idiomatic BER writer for hot paths (the LDAP client's request encoder).
 *
 * It writes into ONE buffer that grows by about 1.5x when full and can be
 * reused for every message (`reset`). Constructed elements are written as
 * liblber writes them: the tag, reserved length octets, the contents, and
 * the length back-patched when the element is closed. By default the
 * length is the minimal (DER) form, which every LDAP server accepts; the
 * `fixed4` form writes liblber's BER-mode `84 xx xx xx xx` instead.
 *
 * Tags are numbers holding the raw identifier octets (see reader.ts).
 */
import { BerError } from './errors.js';
import { BerTagClass, BerTags, berTag } from './reader.js';

export interface BerWriterOptions {
  /** Initial buffer size in bytes (default 1024). */
  initialSize?: number;
  /**
   * Length octets of constructed elements: `minimal` (DER, the default) or
   * `fixed4` (always `84` and four octets, as liblber without LBER_USE_DER).
   */
  lengthForm?: 'minimal' | 'fixed4';
}

const DEFAULT_INITIAL_SIZE = 1024;
const MAX_FIXED4_LENGTH = 0xffff_ffff;

function badArgument(message: string): never {
  throw new BerError('BER_BAD_ARGUMENT', message);
}

/** Octets needed for a length in the long form (1..7). */
function lengthOctets(len: number): number {
  if (len < 0x100) return 1;
  if (len < 0x1_0000) return 2;
  if (len < 0x100_0000) return 3;
  if (len < 0x1_0000_0000) return 4;
  let n = 5;
  while (len >= 0x100 ** n) n++;
  return n;
}

/**
 * The typed BER writer. Typical use:
 *
 * ```ts
 * const w = new BerWriter();
 * w.startSequence();                 // LDAPMessage
 * w.writeInt(messageId);
 * w.startSequence(0x63);             // [APPLICATION 3] SearchRequest
 * w.writeString(baseDn);
 * ...
 * w.endSequence();
 * w.endSequence();
 * socket.write(w.toBuffer());
 * w.reset();
 * ```
 */
export class BerWriter {
  /** The output buffer; `offset` bytes of it are written. */
  buf: Buffer;
  /** Write cursor. */
  offset = 0;
  /** Number of open constructed elements. */
  depth = 0;
  readonly lengthForm: 'minimal' | 'fixed4';
  /** Offsets of the reserved length octets of the open elements. */
  private starts: number[] = [];

  constructor(options: BerWriterOptions = {}) {
    const size = options.initialSize ?? DEFAULT_INITIAL_SIZE;
    if (!Number.isSafeInteger(size) || size < 0) badArgument('initialSize must be a non-negative integer');
    this.buf = Buffer.allocUnsafe(Math.max(size, 16));
    this.lengthForm = options.lengthForm ?? 'minimal';
  }

  /** Forgets everything written, keeping the buffer; returns the writer. */
  reset(): this {
    this.offset = 0;
    this.depth = 0;
    return this;
  }

  /** Makes room for `n` more bytes, growing the buffer by about 1.5x. */
  ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    const size = Math.max(Math.ceil(this.buf.length * 1.5), this.offset + n);
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }

  /** The bytes written so far as a view (valid until the next write or reset). */
  view(): Buffer {
    if (this.depth !== 0) throw new BerError('BER_INCOMPLETE', `${this.depth} constructed element(s) still open`);
    return this.buf.subarray(0, this.offset);
  }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    const view = this.view();
    const out = Buffer.allocUnsafe(view.length);
    view.copy(out);
    return out;
  }

  /** Writes identifier octets given as a number (see reader.ts). */
  writeTag(tag: number): void {
    if (tag >= 0 && tag < 0x100 && (tag | 0) === tag) {
      this.ensure(1);
      this.buf[this.offset++] = tag;
      return;
    }
    if (!Number.isSafeInteger(tag) || tag < 0) badArgument(`tag ${tag} is not a non-negative safe integer`);
    const n = lengthOctets(tag);
    this.ensure(n);
    for (let i = n - 1; i >= 0; i--) this.buf[this.offset++] = Math.floor(tag / 0x100 ** i) % 0x100;
  }

  /** Writes a definite length in its minimal form. */
  writeLength(len: number): void {
    if (!Number.isSafeInteger(len) || len < 0) badArgument(`length ${len} is not a non-negative safe integer`);
    if (len < 0x80) {
      this.ensure(1);
      this.buf[this.offset++] = len;
      return;
    }
    const n = lengthOctets(len);
    this.ensure(n + 1);
    const buf = this.buf;
    buf[this.offset++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) buf[this.offset++] = Math.floor(len / 0x100 ** i) % 0x100;
  }

  /** Writes an INTEGER in its minimal two's-complement form. */
  writeInt(value: number, tag: number = BerTags.INTEGER): void {
    if (!Number.isSafeInteger(value)) badArgument(`INTEGER ${value} is not a safe integer`);
    this.writeTag(tag);
    if (value >= -0x8000_0000 && value <= 0x7fff_ffff) {
      const n = value >= -0x80 && value < 0x80 ? 1 : value >= -0x8000 && value < 0x8000 ? 2 : value >= -0x80_0000 && value < 0x80_0000 ? 3 : 4;
      this.ensure(n + 1);
      const buf = this.buf;
      buf[this.offset++] = n;
      for (let shift = (n - 1) * 8; shift >= 0; shift -= 8) buf[this.offset++] = (value >> shift) & 0xff;
      return;
    }
    // wider than 32 bits: two's complement through BigInt
    let big = BigInt(value);
    let n = 5;
    while (big < -(1n << BigInt(8 * n - 1)) || big >= 1n << BigInt(8 * n - 1)) n++;
    if (big < 0n) big += 1n << BigInt(8 * n);
    this.ensure(n + 1);
    this.buf[this.offset++] = n;
    for (let i = n - 1; i >= 0; i--) this.buf[this.offset++] = Number((big >> BigInt(8 * i)) & 0xffn);
  }

  /** Writes an ENUMERATED. */
  writeEnum(value: number, tag: number = BerTags.ENUMERATED): void {
    this.writeInt(value, tag);
  }

  /** Writes a BOOLEAN: `ff` for true, `00` for false. */
  writeBoolean(value: boolean, tag: number = BerTags.BOOLEAN): void {
    this.writeTag(tag);
    this.ensure(2);
    this.buf[this.offset++] = 1;
    this.buf[this.offset++] = value ? 0xff : 0x00;
  }

  /** Writes a NULL. */
  writeNull(tag: number = BerTags.NULL): void {
    this.writeTag(tag);
    this.ensure(1);
    this.buf[this.offset++] = 0;
  }

  /** Writes an OCTET STRING holding `value`. */
  writeOctetString(value: Uint8Array, tag: number = BerTags.OCTET_STRING): void {
    const len = value.length;
    if (len < 0x80 && tag >= 0 && tag < 0x100 && (tag | 0) === tag) {
      // the common case in one step: one tag octet, one length octet
      this.ensure(len + 2);
      const buf = this.buf;
      let at = this.offset;
      buf[at++] = tag;
      buf[at++] = len;
      if (len <= 16) {
        for (let i = 0; i < len; i++) buf[at + i] = value[i]!;
      } else {
        buf.set(value, at);
      }
      this.offset = at + len;
      return;
    }
    this.writeTag(tag);
    this.writeLength(len);
    this.ensure(len);
    this.buf.set(value, this.offset);
    this.offset += len;
  }

  /** Writes an OCTET STRING holding `value` encoded as UTF-8. */
  writeString(value: string, tag: number = BerTags.OCTET_STRING): void {
    this.writeTag(tag);
    const chars = value.length;
    if (chars < 0x80) {
      // short: try ASCII by hand, one length octet
      this.ensure(1 + chars);
      const buf = this.buf;
      const lengthAt = this.offset;
      let at = lengthAt + 1;
      let i = 0;
      for (; i < chars; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buf[at++] = code;
      }
      if (i === chars) {
        buf[lengthAt] = chars;
        this.offset = at;
        return;
      }
    }
    const len = Buffer.byteLength(value, 'utf8');
    this.writeLength(len);
    this.ensure(len);
    this.offset += this.buf.write(value, this.offset, len, 'utf8');
  }

  /** Copies already encoded bytes (one or more whole elements) as they are. */
  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** Opens a constructed element (SEQUENCE by default); close it with `endSequence`. */
  startSequence(tag: number = BerTags.SEQUENCE): void {
    const reserve = this.lengthForm === 'fixed4' ? 5 : 1;
    if (tag >= 0 && tag < 0x100 && (tag | 0) === tag) {
      this.ensure(reserve + 1);
      this.buf[this.offset++] = tag;
    } else {
      this.writeTag(tag);
      this.ensure(reserve);
    }
    this.starts[this.depth++] = this.offset;
    this.offset += reserve;
  }

  /** Opens a SET (or another constructed tag); close it with `endSequence`. */
  startSet(tag: number = BerTags.SET): void {
    this.startSequence(tag);
  }

  /**
   * Opens an explicit tag, a constructed `[class tagNumber]` wrapping the
   * elements written until `endSequence` (context class by default).
   */
  startExplicit(tagNumber: number, tagClass: number = BerTagClass.CONTEXT): void {
    this.startSequence(berTag(tagClass, true, tagNumber));
  }

  /** Closes the innermost open element, back-patching its length. */
  endSequence(): void {
    if (this.depth === 0) throw new BerError('BER_INCOMPLETE', 'endSequence() without startSequence()');
    const start = this.starts[--this.depth]!;
    const buf = this.buf;
    if (this.lengthForm === 'fixed4') {
      const len = this.offset - start - 5;
      if (len > MAX_FIXED4_LENGTH) throw new BerError('BER_BAD_LENGTH', `a ${len}-byte element does not fit in 4 length octets`);
      buf[start] = 0x84;
      buf.writeUInt32BE(len, start + 1);
      return;
    }
    const contents = start + 1;
    const len = this.offset - contents;
    if (len < 0x80) {
      buf[start] = len;
      return;
    }
    const n = lengthOctets(len);
    this.ensure(n);
    const grown = this.buf;
    grown.copyWithin(contents + n, contents, this.offset);
    grown[start] = 0x80 | n;
    // big-endian, last octet first; division, not >>>, so lengths past 2^32 stay right
    let rest = len;
    for (let i = n; i >= 1; i--) {
      grown[start + i] = rest % 0x100;
      rest = (rest - (rest % 0x100)) / 0x100;
    }
    this.offset += n;
  }
}
