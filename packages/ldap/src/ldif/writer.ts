/**
 * The LDIF writer: libldap's ldif_sput_wrap line by line, so that an entry
 * written here is byte for byte what OpenLDAP's `ldapsearch` prints for
 * it, and RFC 2849 change records in the same style.
 *
 * The rules (libldap ldif.c, 2.5.13):
 *
 * - A line is `name: value`, or `name:: base64` when the value cannot be
 *   written plainly: its first octet is not a graphic ASCII character
 *   (space, control, non-ASCII) or is `:` or `<`, its last octet is not
 *   graphic (a trailing space), some octet is not printable ASCII
 *   (0x20-0x7e), the attribute description contains `;binary`, or the
 *   attribute is one whose values are always base64 (`userPassword` and
 *   its OID 2.5.4.35, compared as ldif_must_b64_encode does). An empty
 *   value is `name:` with nothing after the colon.
 * - Lines are folded at `wrap` columns (LDIF_LINE_WIDTH, 78, by default):
 *   a counter starts at 0 for the line, counts the name, the colon(s) and
 *   the space, and before each value octet (or base64 digit) a counter at
 *   or past `wrap` starts a continuation line (`\n `) whose counter starts
 *   at 1. So a first line holds at most `wrap` octets and a continuation
 *   line the space plus `wrap - 1`. The name is never folded. Comment,
 *   text and URL lines fold one octet later (the counter must pass
 *   `wrap`). `wrap: 'no'` (ldapsearch `-o ldif-wrap=no`) never folds.
 */
import { LdifError } from './errors.js';
import type { LdifAttributeInput, LdifModificationInput, LdifRecordInput, LdifValueInput } from './types.js';

/** libldap's LDIF_PUT_* line types (ldif.h). */
export const LdifPut = {
  /** `name:` without a value */
  NOVALUE: 0x0000,
  /** a value, base64-encoded when it needs to be */
  VALUE: 0x0001,
  /** a value written as is */
  TEXT: 0x0002,
  /** a value always base64-encoded */
  BINARY: 0x0004,
  /** a value that is base64 already (`name:: value`) */
  B64: 0x0008,
  /** `# text` */
  COMMENT: 0x0010,
  /** `name:< url` */
  URL: 0x0020,
  /** an empty line */
  SEP: 0x0040,
} as const;

/** One of {@link LdifPut}. */
export type LdifPutType = (typeof LdifPut)[keyof typeof LdifPut];

/** libldap's default fold width (LDIF_LINE_WIDTH in ldif.h). */
export const LDIF_LINE_WIDTH = 78;

/** The fold width that never folds (LDIF_LINE_WIDTH_MAX, libldap's `(ber_len_t)-1`). */
export const LDIF_LINE_WIDTH_MAX = Number.POSITIVE_INFINITY;

/**
 * A fold width as the tools take it: a number of columns (0 meaning the
 * default, {@link LDIF_LINE_WIDTH}), or `'no'` (or Infinity) for no folding.
 */
export type LdifWrap = number | 'no';

/** Attributes whose values are always base64 (libldap's default must_b64_encode table): name and OID. */
const DEFAULT_MUST_B64: ReadonlyArray<readonly [string, string]> = [['userPassword', '2.5.4.35']];

const NIB2B64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');

const NL = 0x0a;
const SPACE = 0x20;
const COLON = 0x3a;
const LT = 0x3c;

/** The effective width: 0 and undefined give the default, `'no'` none. @see LDIF_LINE_WIDTH_WRAP */
export function ldifWrapWidth(wrap: LdifWrap | undefined): number {
  if (wrap === undefined || wrap === 0) return LDIF_LINE_WIDTH;
  if (wrap === 'no') return LDIF_LINE_WIDTH_MAX;
  if (typeof wrap !== 'number' || Number.isNaN(wrap) || wrap < 0) {
    throw new LdifError('LDIF_ARGUMENT', `bad wrap width ${String(wrap)}`, 0);
  }
  return Math.floor(wrap);
}

/** C isgraph in the C locale: 0x21-0x7e. */
function isGraph(b: number): boolean {
  return b > 0x20 && b < 0x7f;
}

/** C isascii && isprint: 0x20-0x7e. */
function isPrint(b: number): boolean {
  return b >= 0x20 && b < 0x7f;
}

function asBytes(value: LdifValueInput): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/**
 * A growable output buffer: one Buffer reused for every line, grown by
 * doubling, with room reserved before each line so the inner loops write
 * by index.
 */
export class LdifSink {
  private buf: Buffer;
  /** Bytes written so far. */
  length = 0;
  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }
  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
  /** Appends one byte (room must have been reserved). */
  byte(b: number): void {
    this.buf[this.length++] = b;
  }
  /** Appends bytes. */
  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }
  /** Appends an ASCII/UTF-8 string. */
  text(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.reserve(n);
    this.length += this.buf.write(s, this.length, n, 'utf8');
  }
  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
  /** A copy of the bytes written, and an empty sink. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.buf.copy(out, 0, 0, this.length);
    this.length = 0;
    return out;
  }
}

/**
 * Decides whether an attribute's values must always be base64-encoded,
 * as ldif_must_b64_encode does: the name matches case-insensitively, or
 * the OID exactly.
 */
export type MustBase64 = (name: string) => boolean;

/**
 * Builds a {@link MustBase64} from name/OID pairs (libldap's table starts
 * with `userPassword` / `2.5.4.35`; `ldif_must_b64_encode_register` adds
 * to it). @see ldif_must_b64_encode_register
 */
export function mustBase64Table(entries: ReadonlyArray<readonly [name: string, oid: string]> = DEFAULT_MUST_B64): MustBase64 {
  const names = new Set(entries.map(([name]) => name.toLowerCase()));
  const oids = new Set(entries.map(([, oid]) => oid));
  return (name) => names.has(name.toLowerCase()) || oids.has(name);
}

const DEFAULT_MUST_BASE64 = mustBase64Table();

/**
 * Writes one LDIF line (folded) of the given type into `sink`, exactly as
 * libldap's ldif_sput_wrap does. `wrap` is the effective width (see
 * {@link ldifWrapWidth}); 0 means {@link LDIF_LINE_WIDTH}, as in libldap.
 *
 * @see ldif_sput_wrap
 */
export function ldifSputWrap(
  sink: LdifSink,
  type: LdifPutType,
  name: string | null,
  value: Uint8Array | null,
  wrap: number,
  mustBase64: MustBase64 = DEFAULT_MUST_BASE64,
): void {
  if (!(wrap > 0)) wrap = LDIF_LINE_WIDTH; // 0 means the default, as in libldap
  const val = value ?? new Uint8Array(0);
  const vlen = val.length;
  const nameBytes = name === null ? 0 : Buffer.byteLength(name, 'utf8');
  // Worst case: every octet of a base64 value on a line of its own (wrap 1).
  const chars = nameBytes + 4 + Math.max(vlen, Math.ceil(vlen / 3) * 4);
  sink.reserve(wrap >= 2 && wrap !== LDIF_LINE_WIDTH_MAX ? chars + 2 * Math.ceil(chars / (wrap - 1)) + 4 : wrap === LDIF_LINE_WIDTH_MAX ? chars + 4 : 3 * chars + 4);
  let len = 0;

  if (type === LdifPut.COMMENT) {
    sink.byte(0x23);
    len++;
    if (vlen > 0) {
      sink.byte(SPACE);
      len++;
    }
  } else if (type === LdifPut.SEP) {
    sink.byte(NL);
    return;
  }

  if (name !== null) {
    sink.text(name);
    len += nameBytes;
    if (type !== LdifPut.COMMENT) {
      sink.byte(COLON);
      len++;
    }
  }

  if (vlen === 0 || type === LdifPut.NOVALUE) {
    sink.byte(NL);
    return;
  }

  if (type === LdifPut.URL) {
    sink.byte(LT);
    len++;
  } else if (type === LdifPut.B64) {
    sink.byte(COLON);
    len++;
  }

  if (type === LdifPut.TEXT || type === LdifPut.URL || type === LdifPut.B64 || type === LdifPut.COMMENT) {
    if (type !== LdifPut.COMMENT) {
      sink.byte(SPACE);
      len++;
    }
    for (let i = 0; i < vlen; i++) {
      if (len > wrap) {
        sink.byte(NL);
        sink.byte(SPACE);
        len = 1;
      }
      sink.byte(val[i]!);
      len++;
    }
    sink.byte(NL);
    return;
  }

  // VALUE or BINARY: try the plain form first, fall back to base64.
  const save = sink.length;
  const saveLen = len;
  sink.byte(SPACE);
  len++;

  if (
    type === LdifPut.VALUE &&
    isGraph(val[0]!) &&
    val[0] !== COLON &&
    val[0] !== LT &&
    isGraph(val[vlen - 1]!) &&
    (name === null || (!name.includes(';binary') && !mustBase64(name)))
  ) {
    let plain = true;
    for (let i = 0; i < vlen; i++, len++) {
      const b = val[i]!;
      if (!isPrint(b)) {
        plain = false;
        break;
      }
      if (len >= wrap) {
        sink.byte(NL);
        sink.byte(SPACE);
        len = 1;
      }
      sink.byte(b);
    }
    if (plain) {
      sink.byte(NL);
      return;
    }
  }

  sink.length = save;
  sink.byte(COLON);
  sink.byte(SPACE);
  len = saveLen + 2;

  let i = 0;
  for (; i + 2 < vlen; i += 3) {
    let bits = (val[i]! << 16) | (val[i + 1]! << 8) | val[i + 2]!;
    for (let k = 0; k < 4; k++, len++, bits <<= 6) {
      if (len >= wrap) {
        sink.byte(NL);
        sink.byte(SPACE);
        len = 1;
      }
      sink.byte(NIB2B64[(bits & 0xfc0000) >> 18]!);
    }
  }
  if (i < vlen) {
    const rest = vlen - i;
    const pad = 3 - rest;
    let bits = (val[i]! << 16) | (rest > 1 ? val[i + 1]! << 8 : 0);
    for (let k = 0; k < 4; k++, len++, bits <<= 6) {
      if (len >= wrap) {
        sink.byte(NL);
        sink.byte(SPACE);
        len = 1;
      }
      sink.byte(k + pad < 4 ? NIB2B64[(bits & 0xfc0000) >> 18]! : 0x3d);
    }
  }
  sink.byte(NL);
}

/**
 * One LDIF line of the given type as a new Buffer (libldap returns a
 * malloc'd string): `ldifPutWrap(LdifPut.VALUE, 'cn', 'Babs')` gives
 * `cn: Babs\n`. `wrap` as the tools take it (0 or absent: 78).
 *
 * @see ldif_put_wrap
 */
export function ldifPutWrap(
  type: LdifPutType,
  name: string | null,
  value: LdifValueInput | null,
  wrap?: LdifWrap,
  mustBase64?: MustBase64,
): Buffer {
  const sink = new LdifSink(64);
  ldifSputWrap(sink, type, name, value === null ? null : asBytes(value), ldifWrapWidth(wrap), mustBase64);
  return sink.take();
}

/**
 * Whether a value would be written base64-encoded (1), plainly (0), or
 * is empty (-1), as ldapsearch's `-t` option decides. Note libldap's scan
 * stops at the first NUL octet, as here.
 *
 * @see ldif_is_not_printable
 */
export function ldifIsNotPrintable(value: LdifValueInput): -1 | 0 | 1 {
  const val = asBytes(value);
  const vlen = val.length;
  if (vlen === 0) return -1;
  if (isGraph(val[0]!) && val[0] !== COLON && val[0] !== LT && isGraph(val[vlen - 1]!)) {
    for (let i = 0; i < vlen && val[i] !== 0; i++) {
      if (!isPrint(val[i]!)) return 1;
    }
    return 0;
  }
  return 1;
}

/** Options of the writer. */
export interface LdifWriterOptions {
  /**
   * Fold width in columns (default 0: {@link LDIF_LINE_WIDTH}, 78, as
   * OpenLDAP's tools); `'no'` for no folding (`-o ldif-wrap=no`).
   */
  wrap?: LdifWrap;
  /**
   * Start the output with `version: 1` and an empty line, as
   * `ldapsearch -L`/`-LL` do (default false, as `-LLL`).
   */
  version?: boolean;
  /**
   * Attribute name/OID pairs whose values are always base64 (default:
   * libldap's `userPassword` / `2.5.4.35`).
   */
  mustBase64?: ReadonlyArray<readonly [name: string, oid: string]>;
}

/** Checks an attribute description or keyword the writer is about to put before a colon. */
function checkName(name: string, what: string): void {
  if (name.length === 0 || /[\s:\0]/.test(name) || name.startsWith('#') || name === '-') {
    throw new LdifError('LDIF_ARGUMENT', `${what} ${JSON.stringify(name)} cannot be written as LDIF`, 0);
  }
}

const TRUE = Buffer.from(' true', 'latin1');
const FALSE = Buffer.from(' false', 'latin1');

/**
 * Writes LDIF records one at a time, each followed by an empty line, as
 * ldapsearch separates entries (`-LLL` output is exactly the
 * concatenation of {@link LdifWriter.write} for each entry).
 *
 * ```ts
 * const writer = new LdifWriter({ wrap: 'no' });
 * process.stdout.write(writer.write({ kind: 'content', dn: 'cn=a,dc=example,dc=com', attributes: [{ type: 'cn', values: ['a'] }] }));
 * ```
 *
 * Change records are written in RFC 2849's form: `control:` lines after
 * `dn:`, then `changetype:`, then the attributes (add), nothing (delete),
 * `newrdn:`/`deleteoldrdn:`/`newsuperior:` (modrdn/moddn) or mod-specs
 * ending in `-` (modify).
 */
export class LdifWriter {
  readonly wrap: number;
  private readonly mustBase64: MustBase64;
  private readonly sink = new LdifSink();
  private versionPending: boolean;

  constructor(options: LdifWriterOptions = {}) {
    this.wrap = ldifWrapWidth(options.wrap);
    this.mustBase64 = options.mustBase64 === undefined ? DEFAULT_MUST_BASE64 : mustBase64Table(options.mustBase64);
    this.versionPending = options.version === true;
  }

  /** The LDIF of one record (preceded by the version line on the first call when asked for), followed by an empty line. */
  write(record: LdifRecordInput): Buffer {
    this.writeInto(record);
    return this.sink.take();
  }

  /**
   * What the output has before its first record (`version: 1` and an empty
   * line when `version` was asked for and nothing was written yet, else
   * nothing): for output of zero records.
   */
  header(): Buffer {
    this.putVersion();
    return this.sink.take();
  }

  /** A comment line (`# text`, folded as ldif_sput_wrap folds comments). */
  comment(text: LdifValueInput): Buffer {
    ldifSputWrap(this.sink, LdifPut.COMMENT, null, asBytes(text), this.wrap, this.mustBase64);
    return this.sink.take();
  }

  private putVersion(): void {
    if (!this.versionPending) return;
    this.versionPending = false;
    this.sink.text('version: 1\n\n');
  }

  private put(name: string, value: LdifValueInput): void {
    ldifSputWrap(this.sink, LdifPut.VALUE, name, asBytes(value), this.wrap, this.mustBase64);
  }

  private putAttributes(attributes: ReadonlyArray<LdifAttributeInput>): void {
    for (const attribute of attributes) {
      checkName(attribute.type, 'attribute description');
      for (const value of attribute.values) this.put(attribute.type, value);
    }
  }

  private putControl(type: string, criticality: boolean, value: LdifValueInput | undefined): void {
    if (!/^[0-9]+(\.[0-9]+)*$/.test(type)) {
      throw new LdifError('LDIF_ARGUMENT', `control type ${JSON.stringify(type)} is not a numeric OID`, 0);
    }
    // `control: oid true` and then the value as `: text` or `:: base64`,
    // chosen by the same rules as an attribute value's.
    const head = Buffer.from(type, 'latin1');
    const crit = criticality ? TRUE : FALSE;
    const tail = new LdifSink(64);
    if (value !== undefined) {
      // ldifSputWrap with an empty name and no folding gives ": v" or ":: b64".
      ldifSputWrap(tail, LdifPut.VALUE, '', asBytes(value), LDIF_LINE_WIDTH_MAX, () => false);
      tail.length--; // the newline
    }
    const spec = Buffer.concat([head, crit, tail.view()]);
    ldifSputWrap(this.sink, LdifPut.TEXT, 'control', spec, this.wrap, this.mustBase64);
  }

  private putModification(change: LdifModificationInput): void {
    checkName(change.type, 'attribute description');
    this.put(change.operation, change.type);
    for (const value of change.values) this.put(change.type, value);
    this.sink.text('-\n');
  }

  private writeInto(record: LdifRecordInput): void {
    this.putVersion();
    this.put('dn', record.dn);
    if (record.kind === 'content') {
      for (const c of record.controls ?? []) this.putControl(c.type, c.criticality, c.value);
      this.putAttributes(record.attributes);
    } else {
      for (const c of record.controls ?? []) this.putControl(c.type, c.criticality, c.value);
      this.put('changetype', record.changeType);
      switch (record.changeType) {
        case 'add':
          this.putAttributes(record.attributes);
          break;
        case 'delete':
          break;
        case 'modify':
          for (const change of record.changes) this.putModification(change);
          break;
        case 'modrdn':
        case 'moddn':
          this.put('newrdn', record.newRdn);
          this.put('deleteoldrdn', record.deleteOldRdn ? '1' : '0');
          if (record.newSuperior !== undefined) this.put('newsuperior', record.newSuperior);
          break;
        default: {
          const never: never = record;
          throw new LdifError('LDIF_ARGUMENT', `unknown change type ${JSON.stringify((never as { changeType: unknown }).changeType)}`, 0);
        }
      }
    }
    this.sink.byte(NL);
  }
}

/**
 * The LDIF of a list of records (each followed by an empty line), as one
 * Buffer.
 */
export function formatLdif(records: Iterable<LdifRecordInput>, options?: LdifWriterOptions): Buffer {
  const writer = new LdifWriter(options);
  const parts: Buffer[] = [writer.header()];
  for (const record of records) parts.push(writer.write(record));
  return Buffer.concat(parts);
}

/**
 * Streams the LDIF of records (sync or async iterable) as one Buffer per
 * record, e.g. `stream.Readable.from(writeLdif(records)).pipe(process.stdout)`.
 */
export async function* writeLdif(
  records: Iterable<LdifRecordInput> | AsyncIterable<LdifRecordInput>,
  options?: LdifWriterOptions,
): AsyncGenerator<Buffer, void, undefined> {
  const writer = new LdifWriter(options);
  const header = writer.header();
  if (header.length > 0) yield header;
  for await (const record of records) yield writer.write(record);
}

export { ldifPutWrap as ldif_put_wrap, ldifSputWrap as ldif_sput_wrap, ldifIsNotPrintable as ldif_is_not_printable };
