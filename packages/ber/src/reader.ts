/**
 * An idiomatic BER reader for hot paths (the LDAP client's message decoder).
 *
 * It walks ONE buffer with an offset: tags and lengths come back as plain
 * numbers, strings as `subarray` views into the buffer, and entering a
 * constructed element only pushes its end offset on a preallocated stack,
 * so decoding allocates nothing per element except the values the caller
 * asks for. One reader can be reused for every message (`reset`).
 *
 * Tags are liblber's `ber_tag_t` convention as a number: the raw identifier
 * octets read big-endian (`0x30` SEQUENCE, `0x64` [APPLICATION 4]
 * constructed, `0x9f1f` [CONTEXT 31] primitive). A tag whose octets do not
 * fit below 2^53 is rejected with `BER_BAD_TAG`; use the liblber-named API
 * for those.
 *
 * Every malformed input ends in a {@link BerError} with a stable code and
 * the offset where it was found: `BER_TRUNCATED` (the input ends inside an
 * element), `BER_BAD_TAG`, `BER_BAD_LENGTH` (indefinite, over-long, or
 * past the end of the enclosing element), `BER_LENGTH_LIMIT`,
 * `BER_DEPTH_LIMIT`, `BER_BAD_VALUE` (content octets that do not decode).
 */
import { BerError, type BerErrorCode } from './errors.js';

/** Pass as the expected tag to accept any tag (the tag read is in `lastTag`). */
export const BER_ANY_TAG = -1;

/** Universal tags as numbers, for the typed reader and writer. */
export const BerTags = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Tag classes, as the top two bits of the first identifier octet. */
export const BerTagClass = {
  UNIVERSAL: 0x00,
  APPLICATION: 0x40,
  CONTEXT: 0x80,
  PRIVATE: 0xc0,
} as const;
export type BerTagClassValue = (typeof BerTagClass)[keyof typeof BerTagClass];

export interface BerReaderOptions {
  /** Deepest nesting of constructed elements `enter` accepts (default 64). */
  maxDepth?: number;
  /** Largest declared length accepted, in bytes (default 64 MiB). */
  maxLength?: number;
}

export const BER_READER_DEFAULT_MAX_DEPTH = 64;
export const BER_READER_DEFAULT_MAX_LENGTH = 64 * 1024 * 1024;

/** Largest tag value whose next octet can be appended without passing 2^53. */
const TAG_SHIFT_LIMIT = Math.floor((Number.MAX_SAFE_INTEGER - 0xff) / 0x100);
/** liblber reads at most this many length octets after 0x8N. */
const MAX_LENGTH_OCTETS = 8;
/** Most content octets of an INTEGER (the value must also be a safe integer). */
const MAX_INT_OCTETS = 7;

const EMPTY = Buffer.alloc(0);

/** Slots of the per-reader cache of short strings (a power of two). */
const INTERN_SLOTS = 512;
/** Longest string, in bytes, that readInternedString caches. */
const INTERN_MAX_BYTES = 48;

function fail(code: BerErrorCode, message: string, offset: number): never {
  throw new BerError(code, message, offset);
}

function hexTag(tag: number): string {
  return `0x${tag.toString(16)}`;
}

/**
 * The identifier octets for a tag given as class, constructed bit and tag
 * number, as a number (`berTag(BerTagClass.APPLICATION, true, 4)` is 0x64,
 * `berTag(BerTagClass.CONTEXT, false, 31)` is 0x9f1f).
 */
export function berTag(tagClass: number, constructed: boolean, tagNumber: number): number {
  if (!Number.isSafeInteger(tagNumber) || tagNumber < 0) {
    throw new BerError('BER_BAD_ARGUMENT', `tag number ${tagNumber} is not a non-negative safe integer`);
  }
  const first = (tagClass & 0xc0) | (constructed ? 0x20 : 0);
  if (tagNumber < 0x1f) return first | tagNumber;
  // high tag number form: 0x1f, then base-128 digits, all but the last with bit 8 set
  let tag = first | 0x1f;
  let digits = 1;
  for (let rest = Math.floor(tagNumber / 128); rest > 0; rest = Math.floor(rest / 128)) digits++;
  for (let d = digits - 1; d >= 0; d--) {
    const digit = Math.floor(tagNumber / 128 ** d) % 128;
    if (tag > TAG_SHIFT_LIMIT) throw new BerError('BER_BAD_TAG', `tag number ${tagNumber} does not fit in 2^53 as identifier octets`);
    tag = tag * 0x100 + (d > 0 ? digit | 0x80 : digit);
  }
  return tag;
}

/** Class, constructed bit and tag number of a tag given as identifier octets. */
export interface BerTagParts {
  tagClass: BerTagClassValue;
  constructed: boolean;
  tagNumber: number;
}

/** Splits identifier octets (as a number) into class, constructed bit and tag number. */
export function berTagParts(tag: number): BerTagParts {
  if (!Number.isSafeInteger(tag) || tag < 0) throw new BerError('BER_BAD_TAG', `tag ${tag} is not a non-negative safe integer`);
  let octets = 1;
  while (tag >= 0x100 ** octets) octets++;
  const first = Math.floor(tag / 0x100 ** (octets - 1));
  const tagClass = (first & 0xc0) as BerTagClassValue;
  const constructed = (first & 0x20) !== 0;
  if (octets === 1) return { tagClass, constructed, tagNumber: first & 0x1f };
  let tagNumber = 0;
  for (let i = octets - 2; i >= 0; i--) tagNumber = tagNumber * 128 + (Math.floor(tag / 0x100 ** i) % 0x80);
  return { tagClass, constructed, tagNumber };
}

/**
 * The typed, allocation-free BER reader. Typical use:
 *
 * ```ts
 * const r = new BerReader().reset(pdu);
 * r.enter(BerTags.SEQUENCE);          // LDAPMessage
 * const id = r.readInt();
 * const op = r.peekTag();             // protocolOp CHOICE
 * r.enter(op);
 * const dn = r.readString();
 * ...
 * r.leave();                          // skips what was not read
 * ```
 */
export class BerReader {
  /** The input; subarrays handed out are views into it. */
  buf: Buffer = EMPTY;
  /** Read cursor: offset of the next tag. */
  offset = 0;
  /** End of the innermost entered element (or of the input). */
  limit = 0;
  /** Tag returned by the last readTag (also by every typed read). */
  lastTag = 0;
  /** Number of entered, not yet left, constructed elements. */
  depth = 0;
  readonly maxDepth: number;
  readonly maxLength: number;
  /** Limits of the enclosing elements, saved by `enter`. */
  private readonly saved: Float64Array;
  /** readInternedString's cache: the bytes and the string of each slot. */
  private readonly internBytes: Array<Buffer | undefined> = new Array<Buffer | undefined>(INTERN_SLOTS).fill(undefined);
  private readonly internStrings: string[] = new Array<string>(INTERN_SLOTS).fill('');

  constructor(options: BerReaderOptions = {}) {
    this.maxDepth = options.maxDepth ?? BER_READER_DEFAULT_MAX_DEPTH;
    this.maxLength = options.maxLength ?? BER_READER_DEFAULT_MAX_LENGTH;
    if (!Number.isSafeInteger(this.maxDepth) || this.maxDepth < 0) throw new BerError('BER_BAD_ARGUMENT', 'maxDepth must be a non-negative integer');
    if (!Number.isSafeInteger(this.maxLength) || this.maxLength < 0) throw new BerError('BER_BAD_ARGUMENT', 'maxLength must be a non-negative integer');
    this.saved = new Float64Array(this.maxDepth);
  }

  /** Points the reader at `data[start..end)`; returns the reader. */
  reset(data: Uint8Array, start = 0, end: number = data.length): this {
    if (!(start >= 0 && start <= end && end <= data.length)) {
      throw new BerError('BER_BAD_ARGUMENT', `range ${start}..${end} is outside the ${data.length}-byte input`);
    }
    this.buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.offset = start;
    this.limit = end;
    this.depth = 0;
    this.lastTag = 0;
    return this;
  }

  /** Bytes left in the innermost entered element. */
  get remaining(): number {
    return this.limit - this.offset;
  }

  /** Whether another element follows in the innermost entered element. */
  hasMore(): boolean {
    return this.offset < this.limit;
  }

  /** The next tag without moving, or -1 when the innermost element is used up. */
  peekTag(): number {
    if (this.offset >= this.limit) return -1;
    const at = this.offset;
    const tag = this.readTag();
    this.offset = at;
    return tag;
  }

  /** Reads identifier octets and returns them as a number. */
  readTag(): number {
    const buf = this.buf;
    let at = this.offset;
    if (at >= this.limit) fail('BER_TRUNCATED', 'no tag: the element is used up', at);
    let tag = buf[at++]!;
    if ((tag & 0x1f) === 0x1f) {
      const start = this.offset;
      for (;;) {
        if (at >= this.limit) fail('BER_TRUNCATED', 'the input ends inside a tag', start);
        if (tag > TAG_SHIFT_LIMIT) fail('BER_BAD_TAG', 'a tag longer than 2^53', start);
        const octet = buf[at++]!;
        tag = tag * 0x100 + octet;
        if ((octet & 0x80) === 0) break;
      }
    }
    this.offset = at;
    this.lastTag = tag;
    return tag;
  }

  /**
   * Reads length octets and returns the length, checked against the limit
   * and against the end of the innermost element.
   */
  readLength(): number {
    const buf = this.buf;
    const start = this.offset;
    let at = start;
    if (at >= this.limit) fail('BER_TRUNCATED', 'the input ends before a length', at);
    let len = buf[at++]!;
    if (len >= 0x80) {
      const count = len & 0x7f;
      if (count === 0) fail('BER_BAD_LENGTH', 'indefinite length', start);
      if (count > MAX_LENGTH_OCTETS) fail('BER_BAD_LENGTH', `${count} length octets`, start);
      if (at + count > this.limit) fail('BER_TRUNCATED', 'the input ends inside a length', start);
      len = 0;
      for (let i = 0; i < count; i++) {
        len = len * 0x100 + buf[at++]!;
        if (len > this.maxLength) break;
      }
    }
    if (len > this.maxLength) fail('BER_LENGTH_LIMIT', `declared length above the limit of ${this.maxLength}`, start);
    if (len > this.limit - at) {
      if (this.depth === 0) fail('BER_TRUNCATED', `the input ends inside a ${len}-byte element`, start);
      fail('BER_BAD_LENGTH', `a ${len}-byte element overruns its enclosing element`, start);
    }
    this.offset = at;
    return len;
  }

  /** Reads a tag, checks it against `tag` (unless BER_ANY_TAG) and reads the length. */
  private header(tag: number, what: string): number {
    const at = this.offset;
    // fast path: the expected one-octet tag and a short length that fits
    // (nearly every element of an LDAP message); anything else, errors
    // included, goes the general way below
    const buf = this.buf;
    if (at + 1 < this.limit && buf[at] === tag && (tag & 0x1f) !== 0x1f) {
      const short = buf[at + 1]!;
      if (short < 0x80 && short <= this.limit - at - 2 && short <= this.maxLength) {
        this.lastTag = tag;
        this.offset = at + 2;
        return short;
      }
    }
    const got = this.readTag();
    if (got !== tag && tag !== BER_ANY_TAG) fail('BER_BAD_TAG', `expected ${what} tag ${hexTag(tag)}, found ${hexTag(got)}`, at);
    return this.readLength();
  }

  /** Decodes `len` content octets at the cursor as a two's-complement integer. */
  private intValue(len: number): number {
    const buf = this.buf;
    let at = this.offset;
    if (len === 0) fail('BER_BAD_VALUE', 'an INTEGER with no content octets', at);
    if (len > MAX_INT_OCTETS) fail('BER_BAD_VALUE', `a ${len}-octet INTEGER does not fit in a number`, at);
    let value = (buf[at++]! << 24) >> 24;
    for (let i = 1; i < len; i++) value = value * 0x100 + buf[at++]!;
    if (len === MAX_INT_OCTETS && !Number.isSafeInteger(value)) fail('BER_BAD_VALUE', 'an INTEGER beyond 2^53', this.offset);
    this.offset = at;
    return value;
  }

  /** Reads an INTEGER (1 to 7 content octets, within the safe integers). */
  readInt(tag: number = BerTags.INTEGER): number {
    return this.intValue(this.header(tag, 'INTEGER'));
  }

  /** Reads an ENUMERATED. */
  readEnum(tag: number = BerTags.ENUMERATED): number {
    return this.intValue(this.header(tag, 'ENUMERATED'));
  }

  /** Reads a BOOLEAN (exactly one content octet; nonzero is true). */
  readBoolean(tag: number = BerTags.BOOLEAN): boolean {
    const len = this.header(tag, 'BOOLEAN');
    if (len !== 1) fail('BER_BAD_VALUE', `a BOOLEAN with ${len} content octets`, this.offset);
    return this.buf[this.offset++] !== 0;
  }

  /** Reads a NULL (no content octets). */
  readNull(tag: number = BerTags.NULL): void {
    const len = this.header(tag, 'NULL');
    if (len !== 0) fail('BER_BAD_VALUE', `a NULL with ${len} content octets`, this.offset);
  }

  /** Reads an OCTET STRING (primitive) and returns its contents as a view into the input. */
  readOctetString(tag: number = BerTags.OCTET_STRING): Buffer {
    const len = this.header(tag, 'OCTET STRING');
    const at = this.offset;
    this.offset = at + len;
    return this.buf.subarray(at, at + len);
  }

  /**
   * Reads an OCTET STRING and returns where its contents start in the
   * input; they end at {@link offset} (where the reader now is). Nothing is
   * allocated: for decoders that keep offsets and make views only when a
   * value is asked for.
   */
  readOctetStringSpan(tag: number = BerTags.OCTET_STRING): number {
    const len = this.header(tag, 'OCTET STRING');
    const at = this.offset;
    this.offset = at + len;
    return at;
  }

  /**
   * The offsets form of {@link readOctetStringList}: appends the start and
   * end of each member's contents to `spans` (two numbers per value) and
   * returns how many members there were. No view is made.
   */
  readOctetStringSpans(spans: number[], tag: number = BerTags.SET, memberTag: number = BerTags.OCTET_STRING): number {
    this.enter(tag);
    let count = 0;
    while (this.offset < this.limit) {
      const len = this.header(memberTag, 'OCTET STRING');
      const from = this.offset;
      this.offset = from + len;
      spans.push(from, from + len);
      count++;
    }
    this.leave();
    return count;
  }

  /**
   * Reads a constructed element holding only OCTET STRINGs (by default a
   * SET, as LDAP's `vals SET OF AttributeValue`) into an array of views,
   * sized exactly. Every member must have tag `memberTag`.
   */
  readOctetStringList(tag: number = BerTags.SET, memberTag: number = BerTags.OCTET_STRING): Buffer[] {
    this.enter(tag);
    const count = this.countElements();
    const list = new Array<Buffer>(count);
    const buf = this.buf;
    for (let i = 0; i < count; i++) {
      const len = this.header(memberTag, 'OCTET STRING');
      const from = this.offset;
      this.offset = from + len;
      list[i] = buf.subarray(from, from + len);
    }
    this.leave();
    return list;
  }

  /** Reads an OCTET STRING and decodes it as UTF-8 (invalid sequences become U+FFFD). */
  readString(tag: number = BerTags.OCTET_STRING): string {
    const len = this.header(tag, 'OCTET STRING');
    const buf = this.buf;
    const at = this.offset;
    const end = at + len;
    this.offset = end;
    return buf.toString('utf8', at, end);
  }

  /**
   * Like {@link readString}, for short strings that repeat from message to
   * message (attribute descriptions, object classes): a small cache in the
   * reader returns the same string object for the same bytes, so a
   * repeated string costs neither a decode nor an allocation.
   */
  readInternedString(tag: number = BerTags.OCTET_STRING): string {
    const len = this.header(tag, 'OCTET STRING');
    const buf = this.buf;
    const at = this.offset;
    const end = at + len;
    this.offset = end;
    if (len > INTERN_MAX_BYTES || len === 0) return buf.toString('utf8', at, end);
    // the slot from the length and three octets (first, middle, last): no
    // loop over the name; the comparison below decides
    const hash = Math.imul(len, 0x9e3779b1) ^ Math.imul(buf[at]!, 0x85ebca6b) ^ Math.imul(buf[at + (len >> 1)]!, 0xc2b2ae35) ^ Math.imul(buf[end - 1]!, 0x27d4eb2f);
    const slot = (hash ^ (hash >>> 15)) & (INTERN_SLOTS - 1);
    const cached = this.internBytes[slot];
    if (cached !== undefined && cached.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (cached[i] !== buf[at + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.internStrings[slot]!;
    }
    const value = buf.toString('utf8', at, end);
    this.internBytes[slot] = Buffer.from(buf.subarray(at, end));
    this.internStrings[slot] = value;
    return value;
  }

  /**
   * Enters a constructed element: reads its tag (checked unless
   * BER_ANY_TAG) and length, and limits further reads to its contents until
   * `leave`. Returns the offset of its end.
   */
  enter(tag: number = BerTags.SEQUENCE): number {
    const at = this.offset;
    const len = this.header(tag, 'constructed');
    const tagRead = this.lastTag;
    if (((tagRead < 0x100 ? tagRead : firstOctet(tagRead)) & 0x20) === 0) {
      fail('BER_BAD_TAG', `tag ${hexTag(tagRead)} is primitive, not constructed`, at);
    }
    if (this.depth >= this.maxDepth) fail('BER_DEPTH_LIMIT', `nesting deeper than ${this.maxDepth}`, at);
    this.saved[this.depth++] = this.limit;
    this.limit = this.offset + len;
    return this.limit;
  }

  /** Leaves the innermost entered element, skipping whatever of it was not read. */
  leave(): void {
    if (this.depth === 0) throw new BerError('BER_BAD_ARGUMENT', 'leave() without enter()', this.offset);
    this.offset = this.limit;
    this.limit = this.saved[--this.depth]!;
  }

  /**
   * Counts the elements left in the innermost entered element without
   * moving the cursor (to size an array before reading them). Throws like
   * `skip` if one of them is malformed.
   */
  countElements(): number {
    const start = this.offset;
    let count = 0;
    try {
      while (this.offset < this.limit) {
        this.readTag();
        const len = this.readLength();
        this.offset += len;
        count++;
      }
    } finally {
      this.offset = start;
    }
    return count;
  }

  /** Skips the next element; returns its tag. */
  skip(): number {
    const tag = this.readTag();
    const len = this.readLength();
    this.offset += len;
    return tag;
  }

  /** Reads the whole next element (identifier, length and contents) as a view. */
  readRaw(): Buffer {
    const at = this.offset;
    this.skip();
    return this.buf.subarray(at, this.offset);
  }
}

/** First identifier octet of a multi-octet tag number. */
function firstOctet(tag: number): number {
  let first = tag;
  while (first >= 0x100) first = Math.floor(first / 0x100);
  return first;
}

/**
 * Framing helper: the total size (identifier, length and contents) of the
 * element starting at `data[start]`, or -1 when `data[start..end)` does not
 * yet hold its whole header and contents. Throws a {@link BerError} for a
 * malformed header or a declared length above `maxLength`.
 */
export function berElementSize(data: Uint8Array, start = 0, end: number = data.length, maxLength: number = BER_READER_DEFAULT_MAX_LENGTH): number {
  let at = start;
  if (at >= end) return -1;
  let tag = data[at++]!;
  if ((tag & 0x1f) === 0x1f) {
    for (;;) {
      if (at >= end) return -1;
      if (tag > TAG_SHIFT_LIMIT) fail('BER_BAD_TAG', 'a tag longer than 2^53', start);
      const octet = data[at++]!;
      tag = tag * 0x100 + octet;
      if ((octet & 0x80) === 0) break;
    }
  }
  if (at >= end) return -1;
  const lengthAt = at;
  let len = data[at++]!;
  if (len >= 0x80) {
    const count = len & 0x7f;
    if (count === 0) fail('BER_BAD_LENGTH', 'indefinite length', lengthAt);
    if (count > MAX_LENGTH_OCTETS) fail('BER_BAD_LENGTH', `${count} length octets`, lengthAt);
    if (at + count > end) return -1;
    len = 0;
    for (let i = 0; i < count; i++) {
      len = len * 0x100 + data[at++]!;
      if (len > maxLength) break;
    }
  }
  if (len > maxLength) fail('BER_LENGTH_LIMIT', `declared length above the limit of ${maxLength}`, lengthAt);
  const total = at - start + len;
  return start + total <= end ? total : -1;
}
