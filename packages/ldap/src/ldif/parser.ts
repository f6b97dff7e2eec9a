/**
 * The LDIF parser: a push parser fed chunks of bytes, giving records one
 * at a time. It keeps one input buffer with a start and an end offset
 * (compacted in place, grown by doubling), finds each logical line (a
 * physical line and its continuation lines), acts on it at once, and
 * copies out only the values it keeps, so memory is bounded by the
 * longest logical line plus one chunk, never by the file.
 *
 * What it accepts, as RFC 2849 and libldap's ldif_read_record /
 * ldap_parse_ldif_record (ldif.c, ldifutil.c):
 *
 * - lines end in LF or CRLF; a line starting with one space continues the
 *   line before it (the space is dropped); an empty line ends a record;
 * - a line starting with `#` is a comment (its continuation lines too);
 * - `version: 1` as the first line (then an empty line or the first
 *   record's `dn:` line); any other version is an error;
 * - `type: value` (the value is the octets after the spaces following the
 *   colon, trailing spaces kept), `type:: base64`, `type:< file:///path`;
 * - a record is `dn:`, then `control:` lines, then either attribute lines
 *   (a content record) or `changetype:` and the change (add, delete,
 *   modify with add/delete/replace/increment mod-specs and `-` lines,
 *   modrdn/moddn with newrdn, deleteoldrdn, newsuperior).
 *
 * Leniencies shared with libldap: keywords (`dn`, `changetype`, `add`,
 * ...) in any case; spaces between the attribute type and its colon;
 * the last mod-spec of a record without its `-`; attribute lines of one
 * type that are not adjacent are merged. Errors carry the number of the
 * (first physical) line they were found on.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeBase64Strict } from './base64.js';
import { LdifError } from './errors.js';
import type {
  LdifAttribute,
  LdifControl,
  LdifModification,
  LdifRecord,
} from './types.js';

/** Options of the reader. */
export interface LdifReaderOptions {
  /**
   * Read `type:< file:///path` values from the file (default true). When
   * false such a line is an `LDIF_URL` error. Only `file:` URLs are read.
   */
  fileUrls?: boolean;
  /**
   * What a record without `changetype:` is (default `'content'`: an
   * entry, as ldapsearch and slapcat write). `'add'` reads it as an add
   * (`ldapadd`, `ldapmodify -a`), `'modify'` as a modify whose lines are
   * mod-specs (`ldapmodify` without `-a`).
   */
  defaultChangeType?: 'content' | 'add' | 'modify';
  /** The longest logical line accepted, in octets (default 64 MiB); longer is an `LDIF_LIMIT` error. */
  maxLineLength?: number;
}

/** A `:<` value still to be read: where to put it. */
export interface LdifPendingUrl {
  readonly url: string;
  readonly path: string;
  readonly line: number;
  readonly set: (value: Buffer) => void;
}

/** A record whose `:<` values (if any) are still to be read. */
export interface LdifParsedRecord {
  readonly record: LdifRecord;
  readonly urls: readonly LdifPendingUrl[];
}

/** What {@link LdifParser.read} returns when it needs more input. */
export const LDIF_NEED_MORE: unique symbol = Symbol('LDIF_NEED_MORE');
/** What {@link LdifParser.read} returns when the input ended and every record was given. */
export const LDIF_END: unique symbol = Symbol('LDIF_END');

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const LT = 0x3c;
const DASH = 0x2d;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Record-building states. */
const enum S {
  /** no record in progress */
  None,
  /** after `dn:` and any `control:` lines */
  AfterDn,
  /** content record: attribute lines */
  Content,
  /** `changetype: add`: attribute lines */
  Add,
  /** `changetype: delete`: nothing more */
  Delete,
  /** modrdn: expecting `newrdn:` */
  NewRdn,
  /** modrdn: expecting `deleteoldrdn:` */
  DeleteOldRdn,
  /** modrdn: `newsuperior:` may follow */
  NewSuperior,
  /** modrdn complete */
  ModDnDone,
  /** modify: expecting a mod-spec (`add:`, `delete:`, `replace:`, `increment:`) */
  ModOp,
  /** modify: values of the current mod-spec, or `-` */
  ModValues,
}

/** A line split into its type and value. */
interface Line {
  type: string;
  /** 0 plain, 1 base64, 2 URL */
  form: 0 | 1 | 2;
  /** the value octets (for base64, decoded; for URL, the URL text) */
  value: Buffer;
}

function lower(s: string): string {
  return s.toLowerCase();
}

/**
 * A push parser for LDIF: {@link push} chunks, {@link end} at end of
 * input, and call {@link read} until it returns {@link LDIF_NEED_MORE} or
 * {@link LDIF_END}. Records come with the `:<` values they still need read
 * (see {@link LdifReader} and {@link parseLdif}, which do that).
 */
export class LdifParser {
  // Input buffer: unread octets are buf[start..fill).
  private buf: Buffer = Buffer.allocUnsafe(0);
  private start = 0;
  private fill = 0;
  private eof = false;
  /** Where the search for the current logical line's end resumes (absolute offset), or -1. */
  private scan = -1;
  /** Continuation lines found so far in the current logical line. */
  private segments = 0;
  /** Physical lines consumed. */
  private lineNo = 0;
  /** Whether the stream's first octets were looked at (for a UTF-8 BOM). */
  private sawStart = false;
  /** Whether a non-comment line was seen (the version line must come first). */
  private sawLine = false;
  private readonly scratch: { buf: Buffer } = { buf: Buffer.allocUnsafe(256) };

  private readonly fileUrls: boolean;
  private readonly defaultChangeType: 'content' | 'add' | 'modify';
  private readonly maxLineLength: number;

  /** The file's version (1) when it has a version line. */
  version: number | undefined;

  // The record in progress.
  private state = S.None;
  private dn = '';
  private dnLine = 0;
  private controls: LdifControl[] = [];
  private attributes: LdifAttribute[] = [];
  private byType = new Map<string, LdifAttribute>();
  private changes: LdifModification[] = [];
  private current: LdifModification | undefined;
  private changeType: 'add' | 'delete' | 'modify' | 'modrdn' | 'moddn' | undefined;
  private newRdn = '';
  private deleteOldRdn = false;
  private newSuperior: string | undefined;
  private urls: LdifPendingUrl[] = [];
  private lastLine = 0;

  constructor(options: LdifReaderOptions = {}) {
    this.fileUrls = options.fileUrls ?? true;
    this.defaultChangeType = options.defaultChangeType ?? 'content';
    this.maxLineLength = options.maxLineLength ?? 64 * 1024 * 1024;
  }

  /** Adds input. Strings are taken as UTF-8. */
  push(chunk: Uint8Array | string): void {
    if (this.eof) throw new LdifError('LDIF_ARGUMENT', 'push after end', 0);
    const n = typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.length;
    if (n === 0) return;
    if (this.fill + n > this.buf.length) {
      const live = this.fill - this.start;
      if (live + n <= this.buf.length && this.start > 0) {
        this.buf.copy(this.buf, 0, this.start, this.fill);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, live + n, 16384));
        this.buf.copy(grown, 0, this.start, this.fill);
        this.buf = grown;
      }
      if (this.scan >= 0) this.scan -= this.start;
      this.start = 0;
      this.fill = live;
    }
    if (typeof chunk === 'string') this.buf.write(chunk, this.fill, n, 'utf8');
    else this.buf.set(chunk, this.fill);
    this.fill += n;
  }

  /** Marks the end of input. */
  end(): void {
    this.eof = true;
  }

  /**
   * The next record, {@link LDIF_NEED_MORE} when more input is needed first,
   * or {@link LDIF_END} when the input ended. Throws {@link LdifError} on bad LDIF.
   */
  read(): LdifParsedRecord | typeof LDIF_NEED_MORE | typeof LDIF_END {
    for (;;) {
      if (!this.sawStart) {
        if (this.fill - this.start < 3 && !this.eof) return LDIF_NEED_MORE;
        this.sawStart = true;
        const b = this.buf;
        if (this.fill - this.start >= 3 && b[this.start] === 0xef && b[this.start + 1] === 0xbb && b[this.start + 2] === 0xbf) {
          this.start += 3;
        }
      }
      const lineStart = this.start;
      const lineEnd = this.nextLine();
      if (lineEnd === LDIF_NEED_MORE) return LDIF_NEED_MORE;
      if (lineEnd === LDIF_END) {
        const done = this.finishRecord(this.lastLine);
        return done ?? LDIF_END;
      }
      const first = this.lineNo - this.segments;
      const segments = this.segments;
      this.segments = 0;
      this.lastLine = this.lineNo;
      // [lineStart, lineEnd) is the logical line with its newlines; this.start is past it.
      let content: Buffer;
      if (segments === 0) {
        let e = lineEnd;
        if (e > lineStart && this.buf[e - 1] === CR) e--;
        content = this.buf.subarray(lineStart, e);
      } else {
        content = this.unfold(lineStart, lineEnd);
      }
      if (content.length > this.maxLineLength) {
        throw new LdifError('LDIF_LIMIT', `line longer than ${this.maxLineLength} octets`, first);
      }
      if (content.length === 0) {
        const done = this.finishRecord(first);
        if (done !== undefined) return done;
        continue;
      }
      const c0 = content[0]!;
      if (c0 === HASH) continue;
      if (c0 === SPACE) {
        throw new LdifError('LDIF_SYNTAX', 'continuation line (starting with a space) with no line to continue', first);
      }
      this.onLine(content, first);
    }
  }

  /**
   * Finds the end of the next logical line: returns the offset of its
   * last newline (or of the end of input), having moved `start` past it
   * and counted its physical lines; or LDIF_NEED_MORE / LDIF_END.
   */
  private nextLine(): number | typeof LDIF_NEED_MORE | typeof LDIF_END {
    const buf = this.buf;
    const end = this.fill;
    const start = this.start;
    if (start >= end) return this.eof ? LDIF_END : LDIF_NEED_MORE;
    let from = this.scan >= 0 ? this.scan : start;
    for (;;) {
      const nl = buf.indexOf(NL, from);
      if (nl < 0 || nl >= end) {
        if (!this.eof) return this.needMore(end, end);
        // The last line has no newline.
        this.start = end;
        this.lineNo++;
        this.scan = -1;
        return end;
      }
      if (nl + 1 >= end && !this.eof) return this.needMore(nl, nl);
      const blank = this.segments === 0 && (nl === start || (nl === start + 1 && buf[start] === CR));
      if (nl + 1 < end && buf[nl + 1] === SPACE && !blank) {
        this.segments++;
        this.lineNo++;
        from = nl + 1;
        continue;
      }
      this.start = nl + 1;
      this.lineNo++;
      this.scan = -1;
      return nl;
    }
  }

  /**
   * Records where to resume the search (the continuation lines counted so
   * far stay counted: the search resumes after them).
   */
  private needMore(seen: number, resumeAt: number): typeof LDIF_NEED_MORE {
    if (seen - this.start > this.maxLineLength) {
      throw new LdifError('LDIF_LIMIT', `line longer than ${this.maxLineLength} octets`, this.lineNo - this.segments + 1);
    }
    this.scan = resumeAt;
    return LDIF_NEED_MORE;
  }

  /** Joins a folded line's segments (dropping each continuation's leading space and CRs before newlines). */
  private unfold(from: number, to: number): Buffer {
    const buf = this.buf;
    let out = this.scratch.buf;
    if (out.length < to - from) out = this.scratch.buf = Buffer.allocUnsafe(Math.max(out.length * 2, to - from));
    let o = 0;
    let p = from;
    let firstSegment = true;
    while (p <= to) {
      let nl = buf.indexOf(NL, p);
      if (nl < 0 || nl > to) nl = to;
      let s = p;
      if (!firstSegment) s++; // the continuation's space
      let e = nl;
      if (e > s && buf[e - 1] === CR) e--;
      o += buf.copy(out, o, s, e);
      firstSegment = false;
      p = nl + 1;
    }
    return out.subarray(0, o);
  }

  /** Splits `type: value` / `type:: b64` / `type:< url`. */
  private splitLine(content: Buffer, line: number): Line {
    const colon = content.indexOf(COLON);
    if (colon < 0) {
      const shown = content.subarray(0, 40).toString('latin1');
      throw new LdifError('LDIF_SYNTAX', `missing ":" in line ${JSON.stringify(shown)}`, line);
    }
    let typeEnd = colon;
    while (typeEnd > 0 && content[typeEnd - 1] === SPACE) typeEnd--;
    const type = content.toString('latin1', 0, typeEnd);
    let p = colon + 1;
    let form: 0 | 1 | 2 = 0;
    if (content[p] === COLON) {
      form = 1;
      p++;
    } else if (content[p] === LT) {
      form = 2;
      p++;
    }
    while (p < content.length && content[p] === SPACE) p++;
    let value: Buffer;
    if (form === 1) {
      const decoded = decodeBase64Strict(content, p, content.length);
      if (typeof decoded === 'string') throw new LdifError('LDIF_BASE64', `${type}:: ${decoded}`, line);
      value = decoded;
    } else {
      value = Buffer.allocUnsafe(content.length - p);
      content.copy(value, 0, p);
    }
    return { type, form, value };
  }

  /** Reads `value` as a `:<` URL: checks it and registers where the file's octets go. */
  private urlValue(type: string, value: Buffer, line: number, set: (value: Buffer) => void): void {
    const text = value.toString('latin1');
    if (text.length === 0) throw new LdifError('LDIF_URL', `${type}:< without a URL`, line);
    if (!this.fileUrls) throw new LdifError('LDIF_URL', `${type}:< ${text}: URL values are not allowed`, line);
    let path: string;
    try {
      const url = new URL(text);
      if (url.protocol !== 'file:') throw new LdifError('LDIF_URL', `${type}:< ${text}: only file: URLs are supported`, line);
      path = fileURLToPath(url);
    } catch (e) {
      if (e instanceof LdifError) throw e;
      throw new LdifError('LDIF_URL', `${type}:< ${text}: not a usable file: URL`, line, { cause: e });
    }
    this.urls.push({ url: text, path, line, set });
  }

  private text(l: Line, line: number): string {
    if (l.form === 2) throw new LdifError('LDIF_SYNTAX', `${l.type}:< a URL is not allowed here`, line);
    try {
      return utf8.decode(l.value);
    } catch (e) {
      throw new LdifError('LDIF_SYNTAX', `${l.type}: value is not valid UTF-8`, line, { cause: e });
    }
  }

  private checkType(type: string, line: number): void {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(;[A-Za-z0-9_-]+)*$/.test(type)) {
      throw new LdifError('LDIF_SYNTAX', `bad attribute description ${JSON.stringify(type)}`, line);
    }
  }

  private onLine(content: Buffer, line: number): void {
    // `-` ends a mod-spec.
    if (content[0] === DASH && isDashLine(content)) {
      if (this.state === S.ModValues) {
        this.current = undefined;
        this.state = S.ModOp;
        return;
      }
      throw new LdifError('LDIF_SYNTAX', '"-" outside a mod-spec of a modify record', line);
    }
    const l = this.splitLine(content, line);
    const key = lower(l.type);

    if (!this.sawLine) {
      this.sawLine = true;
      if (key === 'version') {
        const v = this.text(l, line);
        if (v !== '1') throw new LdifError('LDIF_VERSION', `unsupported LDIF version ${JSON.stringify(v)}`, line);
        this.version = 1;
        return;
      }
    }

    switch (this.state) {
      case S.None:
        if (key !== 'dn') {
          throw new LdifError('LDIF_SYNTAX', `a record must start with "dn:", not "${l.type}:"`, line);
        }
        this.dn = this.text(l, line);
        this.dnLine = line;
        this.state = S.AfterDn;
        return;
      case S.AfterDn:
        if (key === 'control') {
          this.onControl(l, line);
          return;
        }
        if (key === 'changetype') {
          this.onChangeType(this.text(l, line), line);
          return;
        }
        if (this.defaultChangeType === 'modify') {
          this.changeType = 'modify';
          this.state = S.ModOp;
          this.onModOp(l, key, line);
          return;
        }
        if (this.defaultChangeType === 'add') {
          this.changeType = 'add';
          this.state = S.Add;
        } else {
          this.state = S.Content;
        }
        this.onAttribute(l, key, line);
        return;
      case S.Content:
      case S.Add:
        this.onAttribute(l, key, line);
        return;
      case S.Delete:
        throw new LdifError('LDIF_SYNTAX', `"${l.type}:" after "changetype: delete" (a delete record has no more lines)`, line);
      case S.NewRdn:
        if (key !== 'newrdn') throw new LdifError('LDIF_SYNTAX', `expected "newrdn:", found "${l.type}:"`, line);
        this.newRdn = this.text(l, line);
        this.state = S.DeleteOldRdn;
        return;
      case S.DeleteOldRdn: {
        if (key !== 'deleteoldrdn') throw new LdifError('LDIF_SYNTAX', `expected "deleteoldrdn:", found "${l.type}:"`, line);
        const v = this.text(l, line);
        if (v !== '0' && v !== '1') throw new LdifError('LDIF_SYNTAX', `deleteoldrdn must be 0 or 1, not ${JSON.stringify(v)}`, line);
        this.deleteOldRdn = v === '1';
        this.state = S.NewSuperior;
        return;
      }
      case S.NewSuperior:
        if (key !== 'newsuperior') throw new LdifError('LDIF_SYNTAX', `expected "newsuperior:" or the end of the record, found "${l.type}:"`, line);
        this.newSuperior = this.text(l, line);
        this.state = S.ModDnDone;
        return;
      case S.ModDnDone:
        throw new LdifError('LDIF_SYNTAX', `"${l.type}:" after the end of a ${this.changeType} record`, line);
      case S.ModOp:
        this.onModOp(l, key, line);
        return;
      case S.ModValues: {
        const current = this.current!;
        if (key !== lower(current.type)) {
          throw new LdifError(
            'LDIF_SYNTAX',
            `expected a value of "${current.type}" or "-" to end "${current.operation}: ${current.type}", found "${l.type}:"`,
            line,
          );
        }
        this.pushValue(current.values, l, line);
        return;
      }
    }
  }

  private pushValue(values: Buffer[], l: Line, line: number): void {
    if (l.form === 2) {
      const index = values.length;
      values.push(Buffer.alloc(0));
      this.urlValue(l.type, l.value, line, (v) => {
        values[index] = v;
      });
    } else {
      values.push(l.value);
    }
  }

  private onAttribute(l: Line, key: string, line: number): void {
    if (key === 'dn') throw new LdifError('LDIF_SYNTAX', '"dn:" inside a record (missing empty line before it?)', line);
    if (key === 'changetype') throw new LdifError('LDIF_SYNTAX', '"changetype:" must come right after "dn:" (and any "control:" lines)', line);
    if (key === 'control') throw new LdifError('LDIF_SYNTAX', '"control:" must come right after "dn:"', line);
    this.checkType(l.type, line);
    let attribute = this.byType.get(key);
    if (attribute === undefined) {
      attribute = { type: l.type, values: [] };
      this.byType.set(key, attribute);
      this.attributes.push(attribute);
    }
    this.pushValue(attribute.values, l, line);
  }

  private onChangeType(value: string, line: number): void {
    switch (lower(value)) {
      case 'add':
        this.changeType = 'add';
        this.state = S.Add;
        return;
      case 'delete':
        this.changeType = 'delete';
        this.state = S.Delete;
        return;
      case 'modify':
        this.changeType = 'modify';
        this.state = S.ModOp;
        return;
      case 'modrdn':
      case 'moddn':
        this.changeType = lower(value) as 'modrdn' | 'moddn';
        this.state = S.NewRdn;
        return;
      default:
        throw new LdifError('LDIF_SYNTAX', `unknown changetype ${JSON.stringify(value)}`, line);
    }
  }

  private onModOp(l: Line, key: string, line: number): void {
    if (key !== 'add' && key !== 'delete' && key !== 'replace' && key !== 'increment') {
      throw new LdifError('LDIF_SYNTAX', `expected a mod-spec ("add:", "delete:", "replace:" or "increment:"), found "${l.type}:"`, line);
    }
    const type = this.text(l, line);
    this.checkType(type, line);
    this.current = { operation: key, type, values: [] };
    this.changes.push(this.current);
    this.state = S.ModValues;
  }

  /** `control: oid [true|false] [: value | :: base64 | :< url]`. */
  private onControl(l: Line, line: number): void {
    if (l.form === 2) throw new LdifError('LDIF_SYNTAX', 'control:< a URL is not allowed here', line);
    const s = l.value;
    let p = 0;
    while (p < s.length && ((s[p]! >= 0x30 && s[p]! <= 0x39) || s[p] === 0x2e)) p++;
    const oid = s.toString('latin1', 0, p);
    if (!/^[0-9]+(\.[0-9]+)*$/.test(oid) || (p < s.length && s[p] !== SPACE && s[p] !== COLON)) {
      throw new LdifError('LDIF_SYNTAX', `control: expected an OID, found ${JSON.stringify(s.toString('latin1', 0, Math.min(s.length, 40)))}`, line);
    }
    while (p < s.length && s[p] === SPACE) p++;
    let criticality = false;
    const word = (w: string): boolean => {
      if (s.length - p < w.length || s.toString('latin1', p, p + w.length).toLowerCase() !== w) return false;
      const after = s[p + w.length];
      return after === undefined || after === SPACE || after === COLON;
    };
    if (word('true')) {
      criticality = true;
      p += 4;
    } else if (word('false')) {
      p += 5;
    }
    while (p < s.length && s[p] === SPACE) p++;
    const control: LdifControl = { type: oid, criticality };
    if (p < s.length) {
      if (s[p] !== COLON) {
        throw new LdifError('LDIF_SYNTAX', `control: expected "true", "false" or ":" and a value after the OID`, line);
      }
      // The rest is a value-spec with an empty type: ": text", ":: base64" or ":< url".
      const v = this.splitLine(s.subarray(p), line);
      if (v.form === 2) {
        this.urlValue('control', v.value, line, (value) => {
          control.value = value;
        });
      } else {
        control.value = v.value;
      }
    }
    this.controls.push(control);
  }

  /** Ends the record in progress (if any) at an empty line or the end of input. */
  private finishRecord(line: number): LdifParsedRecord | undefined {
    const state = this.state;
    if (state === S.None) return undefined;
    const base = { dn: this.dn, line: this.dnLine, controls: this.controls };
    let record: LdifRecord;
    switch (state) {
      case S.AfterDn:
        if (this.defaultChangeType === 'add') {
          throw new LdifError('LDIF_SYNTAX', 'an add record needs at least one attribute', line);
        }
        record =
          this.defaultChangeType === 'modify'
            ? { kind: 'change', changeType: 'modify', ...base, changes: [] }
            : { kind: 'content', ...base, attributes: [] };
        break;
      case S.Content:
        record = { kind: 'content', ...base, attributes: this.attributes };
        break;
      case S.Add:
        if (this.attributes.length === 0) throw new LdifError('LDIF_SYNTAX', 'an add record needs at least one attribute', line);
        record = { kind: 'change', changeType: 'add', ...base, attributes: this.attributes };
        break;
      case S.Delete:
        record = { kind: 'change', changeType: 'delete', ...base };
        break;
      case S.NewRdn:
        throw new LdifError('LDIF_SYNTAX', `${this.changeType} record without "newrdn:"`, line);
      case S.DeleteOldRdn:
        throw new LdifError('LDIF_SYNTAX', `${this.changeType} record without "deleteoldrdn:"`, line);
      case S.NewSuperior:
      case S.ModDnDone: {
        const r: LdifRecord = {
          kind: 'change',
          changeType: this.changeType as 'modrdn' | 'moddn',
          ...base,
          newRdn: this.newRdn,
          deleteOldRdn: this.deleteOldRdn,
        };
        if (this.newSuperior !== undefined) r.newSuperior = this.newSuperior;
        record = r;
        break;
      }
      case S.ModOp:
      case S.ModValues:
        record = { kind: 'change', changeType: 'modify', ...base, changes: this.changes };
        break;
    }
    const urls = this.urls;
    this.state = S.None;
    this.controls = [];
    this.attributes = [];
    this.byType = new Map();
    this.changes = [];
    this.current = undefined;
    this.changeType = undefined;
    this.newSuperior = undefined;
    this.urls = [];
    return { record, urls };
  }
}

/** `-` alone on a line, or followed by spaces only. */
function isDashLine(content: Buffer): boolean {
  for (let i = 1; i < content.length; i++) if (content[i] !== SPACE) return false;
  return true;
}

/** Reads the `:<` files of a parsed record synchronously. */
export function resolveLdifUrlsSync(parsed: LdifParsedRecord): LdifRecord {
  for (const u of parsed.urls) {
    try {
      u.set(readFileSync(u.path));
    } catch (e) {
      throw new LdifError('LDIF_URL', `cannot read ${u.url}`, u.line, { cause: e });
    }
  }
  return parsed.record;
}

/**
 * Parses a whole LDIF text (string or bytes) into records, synchronously
 * (`:<` files are read with readFileSync). For files and streams, use
 * {@link readLdif}, which gives records one at a time.
 *
 * @see ldif_read_record
 * @see ldap_parse_ldif_record
 */
export function parseLdif(input: string | Uint8Array, options?: LdifReaderOptions): LdifRecord[] {
  const parser = new LdifParser(options);
  parser.push(input);
  parser.end();
  const records: LdifRecord[] = [];
  for (;;) {
    const r = parser.read();
    if (r === LDIF_END) return records;
    if (r === LDIF_NEED_MORE) throw new Error('LdifParser asked for more input after end()');
    records.push(resolveLdifUrlsSync(r));
  }
}
