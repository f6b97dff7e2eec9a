/**
 * RFC 4514 distinguished names: parse, format, normalise, compare.
 *
 * ```
 * distinguishedName = [ relativeDistinguishedName
 *                       *( COMMA relativeDistinguishedName ) ]
 * relativeDistinguishedName = attributeTypeAndValue
 *                       *( PLUS attributeTypeAndValue )
 * attributeTypeAndValue = attributeType EQUALS attributeValue
 * attributeType = descr / numericoid
 * attributeValue = string / hexstring
 * ```
 *
 * A parsed DN is a list of RDNs, most specific first; an RDN is a list of
 * AVAs (`cn=a+sn=b` has two). AVA values are Buffers: the UTF-8 bytes of
 * the string form after unescaping (`\2C` and `\,` both give a comma, and
 * `\FF` gives the byte 0xff, which survives formatting as `\FF`), or, for a
 * `#hex` value, the BER encoding it spells (`ber: true`).
 *
 * Leniency, as libldap's non-pedantic parser (getdn.c): spaces (and tabs,
 * CR, LF) are allowed around `=`, `,`, `+` and at both ends, and the
 * unescaped trailing spaces of a value are dropped; `;` is accepted as an
 * RDN separator (RFC 2253's legacy form). Strict RFC 4514 otherwise: an
 * unescaped `"`, `<`, `>` or NUL in a value, an unknown escape, an empty
 * RDN or a malformed type is an {@link LdapDnError} giving the position.
 */
import { LdapDnError } from './errors.js';
import { hexByte, hexDigit, utf8SequenceLength, ByteSink, toBytes } from './text.js';

/** One attributeTypeAndValue. */
export interface Ava {
  /** The attribute type as written: a descriptor (`cn`) or numeric OID (`2.5.4.3`). */
  readonly type: string;
  /** The value bytes (UTF-8 of the string form), or the BER encoding when `ber`. */
  readonly value: Buffer;
  /** True when the value was written (and will be formatted) as `#hex`. */
  readonly ber: boolean;
}

/** A relative distinguished name: one or more AVAs (`+` separated in the string form). */
export type Rdn = readonly Ava[];

export interface DnParseOptions {
  /** Refuse `;` as an RDN separator (default false: accepted as libldap does). */
  strict?: boolean;
}

const CODE_SPACE = 0x20;
const CODE_TAB = 0x09;
const CODE_LF = 0x0a;
const CODE_CR = 0x0d;

function isSpace(code: number): boolean {
  return code === CODE_SPACE || code === CODE_TAB || code === CODE_LF || code === CODE_CR;
}
function isAlpha(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}
function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Characters a backslash may escape by themselves (RFC 4514 `escaped` and `special`). */
const ESCAPABLE = ' "#+,;<=>\\';

/**
 * A distinguished name: its RDNs, most specific first. Immutable; the
 * methods return new values.
 */
export class Dn {
  constructor(readonly rdns: readonly Rdn[]) {}

  /** Parses an RFC 4514 string DN (see {@link parseDn}). */
  static parse(input: string, options?: DnParseOptions): Dn {
    return parseDn(input, options);
  }

  /** The number of RDNs (0 for the root DSE's empty DN). */
  get length(): number {
    return this.rdns.length;
  }

  /** True for the empty (zero-length) DN. */
  isEmpty(): boolean {
    return this.rdns.length === 0;
  }

  /** The RFC 4514 string form. */
  toString(): string {
    return formatDn(this);
  }

  /** The DN without its first RDN, or null for the empty DN. */
  parent(): Dn | null {
    return parentDn(this);
  }

  /** The first RDN as a string (`cn=foo`), or '' for the empty DN. */
  rdnString(): string {
    const rdn = this.rdns[0];
    return rdn === undefined ? '' : formatRdn(rdn);
  }

  /** The normalised form (see {@link normalizeDn}). */
  normalize(): Dn {
    return normalizeDn(this);
  }

  /** Whether both name the same entry (see {@link dnEquals}). */
  equals(other: Dn | string): boolean {
    return dnEquals(this, other);
  }

  /** Whether this DN is below `parent` (see {@link isChildOf}). */
  isChildOf(parent: Dn | string, options?: { direct?: boolean }): boolean {
    return isChildOf(this, parent, options);
  }

  /** A new DN with `rdn` prepended (`rdn` may be a string like `cn=x` or an RDN). */
  child(rdn: string | Rdn): Dn {
    const first = typeof rdn === 'string' ? parseRdn(rdn) : rdn;
    return new Dn([first, ...this.rdns]);
  }
}

function fail(reason: string, input: string, position: number): never {
  throw new LdapDnError(reason, input, position);
}

/** The parser's cursor over the input string. */
class DnParser {
  at = 0;
  readonly sink = new ByteSink();
  constructor(
    readonly input: string,
    readonly strict: boolean,
  ) {}

  skipSpaces(): void {
    const s = this.input;
    while (this.at < s.length && isSpace(s.charCodeAt(this.at))) this.at++;
  }

  /** attributeType = descr / numericoid */
  type(): string {
    const s = this.input;
    const start = this.at;
    const first = s.charCodeAt(start);
    if (isAlpha(first)) {
      let i = start + 1;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (!isAlpha(c) && !isDigit(c) && c !== 0x2d) break;
      }
      this.at = i;
      return s.slice(start, i);
    }
    if (isDigit(first)) {
      // numericoid = number 1*( DOT number ); leading zeros are let through, as libldap does
      let i = start;
      let arcs = 0;
      for (;;) {
        if (!isDigit(s.charCodeAt(i))) fail('a numeric OID arc expected', s, i);
        while (isDigit(s.charCodeAt(i))) i++;
        arcs++;
        if (s.charCodeAt(i) !== 0x2e) break;
        i++;
      }
      if (arcs < 2) fail('a numeric OID needs at least two arcs', s, start);
      this.at = i;
      return s.slice(start, i);
    }
    if (start >= s.length) fail('an attribute type expected, found the end', s, start);
    return fail(`an attribute type expected, found ${JSON.stringify(s[start])}`, s, start);
  }

  /** attributeValue = string / hexstring; leaves the cursor after any trailing spaces. */
  value(): { value: Buffer; ber: boolean } {
    const s = this.input;
    if (s.charCodeAt(this.at) === 0x23) {
      // hexstring = SHARP 1*hexpair
      const start = this.at++;
      const sink = this.sink;
      while (this.at < s.length) {
        const hi = hexDigit(s.charCodeAt(this.at));
        if (hi < 0) break;
        const lo = hexDigit(s.charCodeAt(this.at + 1));
        if (lo < 0) fail('a hex value needs an even number of hex digits', s, this.at);
        sink.push(hi * 16 + lo);
        this.at += 2;
      }
      if (sink.length === 0) fail('# must be followed by hex pairs', s, start + 1);
      this.skipSpaces();
      this.endOfValue();
      return { value: sink.take(), ber: true };
    }
    const sink = this.sink;
    let segment = this.at;
    let i = this.at;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x2c || c === 0x2b || c === 0x3b) break; // , + ;
      if (c === 0x5c) {
        sink.pushString(s, segment, i);
        const next = s.charCodeAt(i + 1);
        const hi = hexDigit(next);
        if (hi >= 0) {
          const lo = hexDigit(s.charCodeAt(i + 2));
          if (lo < 0) fail('a \\ hex escape needs two hex digits', s, i);
          sink.push(hi * 16 + lo);
          i += 2;
        } else if (i + 1 < s.length && ESCAPABLE.includes(s[i + 1]!)) {
          sink.push(next);
          i += 1;
        } else if (i + 1 >= s.length) {
          fail('a \\ at the end of the DN', s, i);
        } else {
          fail(`${JSON.stringify(s[i + 1])} cannot be escaped; use \\XX hex`, s, i);
        }
        segment = i + 1;
        continue;
      }
      if (c === 0x22 || c === 0x3c || c === 0x3e || c === 0) {
        fail(`${JSON.stringify(s[i])} must be escaped in a DN value`, s, i);
      }
    }
    // the last raw segment loses its unescaped trailing spaces
    let end = i;
    while (end > segment && isSpace(s.charCodeAt(end - 1))) end--;
    sink.pushString(s, segment, end);
    this.at = i;
    this.endOfValue();
    return { value: sink.take(), ber: false };
  }

  /** After a value: the end, `,`, `+` or `;` (or an error). */
  private endOfValue(): void {
    const s = this.input;
    if (this.at >= s.length) return;
    const c = s.charCodeAt(this.at);
    if (c === 0x2c || c === 0x2b) return;
    if (c === 0x3b) {
      if (this.strict) fail('; is not an RDN separator in strict mode', s, this.at);
      return;
    }
    fail(`unexpected ${JSON.stringify(s[this.at])} after a value`, s, this.at);
  }

  rdn(): Ava[] {
    const s = this.input;
    const avas: Ava[] = [];
    for (;;) {
      this.skipSpaces();
      const type = this.type();
      this.skipSpaces();
      if (s.charCodeAt(this.at) !== 0x3d) {
        fail(this.at >= s.length ? '= expected, found the end' : `= expected, found ${JSON.stringify(s[this.at])}`, s, this.at);
      }
      this.at++;
      this.skipSpaces();
      const { value, ber } = this.value();
      avas.push({ type, value, ber });
      if (s.charCodeAt(this.at) !== 0x2b) return avas;
      this.at++;
    }
  }
}

/**
 * Parses an RFC 4514 string DN. The empty string is the empty DN (a
 * string of spaces only is refused, as libldap does). Throws {@link LdapDnError} with the position of the problem.
 * @see ldap_str2dn
 */
export function parseDn(input: string, options: DnParseOptions = {}): Dn {
  if (typeof input !== 'string') throw new LdapDnError('a DN must be a string', String(input), 0);
  const p = new DnParser(input, options.strict === true);
  const rdns: Rdn[] = [];
  if (input.length === 0) return new Dn(rdns);
  p.skipSpaces();
  if (p.at >= input.length) fail('a DN of spaces only', input, 0);
  for (;;) {
    rdns.push(p.rdn());
    if (p.at >= input.length) return new Dn(rdns);
    // a separator: , or ;
    p.at++;
    p.skipSpaces();
    if (p.at >= input.length) fail('an RDN expected after the separator', input, p.at);
  }
}

/** Parses a single RDN (`cn=a+sn=b`); a separator in it is an error. */
export function parseRdn(input: string): Rdn {
  const p = new DnParser(input, true);
  p.skipSpaces();
  const rdn = p.rdn();
  if (p.at < input.length) fail('one RDN expected, found a separator', input, p.at);
  return rdn;
}

/**
 * Escapes an attribute value for the RFC 4514 string form (section 2.4):
 * `"+,;<>\` get a backslash; so do a leading space or `#` and a trailing
 * space; NUL, other control characters and bytes that are not well-formed
 * UTF-8 become `\XX`.
 */
export function escapeDnValue(value: string | Uint8Array): string {
  const bytes = toBytes(value);
  const n = bytes.length;
  let out = '';
  let plain = 0; // start of the run of bytes copied as they are
  const flush = (end: number): void => {
    if (end > plain) out += bytes.toString('utf8', plain, end);
  };
  for (let i = 0; i < n; ) {
    const b = bytes[i]!;
    if (b >= 0x80) {
      const len = utf8SequenceLength(bytes, i);
      if (len > 0) {
        i += len;
        continue;
      }
      flush(i);
      out += `\\${hexByte(b, true)}`;
      plain = ++i;
      continue;
    }
    let escape: string | null = null;
    if (b < 0x20 || b === 0x7f) escape = `\\${hexByte(b, true)}`;
    else if (b === 0x22 || b === 0x2b || b === 0x2c || b === 0x3b || b === 0x3c || b === 0x3e || b === 0x5c) escape = `\\${String.fromCharCode(b)}`;
    else if ((b === 0x20 && (i === 0 || i === n - 1)) || (b === 0x23 && i === 0)) escape = `\\${String.fromCharCode(b)}`;
    if (escape !== null) {
      flush(i);
      out += escape;
      plain = i + 1;
    }
    i++;
  }
  flush(n);
  return out;
}

function formatAva(ava: Ava): string {
  if (ava.ber) {
    let hex = '#';
    for (const b of ava.value) hex += hexByte(b, true);
    return `${ava.type}=${hex}`;
  }
  return `${ava.type}=${escapeDnValue(ava.value)}`;
}

/** The string form of one RDN (`cn=a+sn=b`). */
export function formatRdn(rdn: Rdn): string {
  return rdn.map(formatAva).join('+');
}

/**
 * Formats a DN in the RFC 4514 string form (section 2): RDNs joined by `,`,
 * AVAs by `+`, values escaped by {@link escapeDnValue}, `#hex` values in
 * uppercase hex.
 * @see ldap_dn2str
 */
export function formatDn(dn: Dn | readonly Rdn[]): string {
  const rdns = dn instanceof Dn ? dn.rdns : dn;
  return rdns.map(formatRdn).join(',');
}

/** Common attribute types: numeric OID and long names -> the short descriptor. */
const TYPE_ALIASES = new Map<string, string>([
  ['2.5.4.3', 'cn'],
  ['commonname', 'cn'],
  ['2.5.4.4', 'sn'],
  ['surname', 'sn'],
  ['2.5.4.5', 'serialnumber'],
  ['2.5.4.6', 'c'],
  ['countryname', 'c'],
  ['2.5.4.7', 'l'],
  ['localityname', 'l'],
  ['2.5.4.8', 'st'],
  ['stateorprovincename', 'st'],
  ['2.5.4.9', 'street'],
  ['streetaddress', 'street'],
  ['2.5.4.10', 'o'],
  ['organizationname', 'o'],
  ['2.5.4.11', 'ou'],
  ['organizationalunitname', 'ou'],
  ['2.5.4.12', 'title'],
  ['2.5.4.13', 'description'],
  ['2.5.4.17', 'postalcode'],
  ['2.5.4.41', 'name'],
  ['2.5.4.42', 'givenname'],
  ['gn', 'givenname'],
  ['2.5.4.43', 'initials'],
  ['2.5.4.44', 'generationqualifier'],
  ['2.5.4.46', 'dnqualifier'],
  ['0.9.2342.19200300.100.1.1', 'uid'],
  ['userid', 'uid'],
  ['0.9.2342.19200300.100.1.3', 'mail'],
  ['rfc822mailbox', 'mail'],
  ['0.9.2342.19200300.100.1.25', 'dc'],
  ['domaincomponent', 'dc'],
  ['1.2.840.113549.1.9.1', 'emailaddress'],
  ['email', 'emailaddress'],
]);

/** Attribute types whose equality matching ignores case (caseIgnoreMatch, caseIgnoreIA5Match). */
const CASE_IGNORE_TYPES = new Set([
  'cn',
  'sn',
  'c',
  'l',
  'st',
  'street',
  'o',
  'ou',
  'title',
  'description',
  'postalcode',
  'name',
  'givenname',
  'initials',
  'generationqualifier',
  'serialnumber',
  'uid',
  'mail',
  'dc',
  'emailaddress',
  'displayname',
  'businesscategory',
  'physicaldeliveryofficename',
  'postofficebox',
  'destinationindicator',
  'departmentnumber',
  'employeenumber',
  'employeetype',
  'host',
  'associateddomain',
]);

/** The canonical spelling of an attribute type: lower case, aliases resolved. */
export function normalizeAttributeType(type: string): string {
  const lower = type.toLowerCase();
  return TYPE_ALIASES.get(lower) ?? lower;
}

/** A BER string value (`#0c02...` and the like) decoded to its contents, or null. */
function berStringContents(value: Buffer): Buffer | null {
  const tag = value[0];
  if (tag !== 0x04 && tag !== 0x0c && tag !== 0x13 && tag !== 0x14 && tag !== 0x16) return null;
  const len0 = value[1];
  if (len0 === undefined) return null;
  let at = 2;
  let len = len0;
  if (len0 >= 0x80) {
    const count = len0 & 0x7f;
    if (count === 0 || count > 4) return null;
    len = 0;
    for (let k = 0; k < count; k++) {
      const b = value[at++];
      if (b === undefined) return null;
      len = len * 256 + b;
    }
  }
  return at + len === value.length ? value.subarray(at) : null;
}

/** caseIgnore folding: NFKC, lower case, runs of spaces to one, trimmed (RFC 4518, simplified). */
function foldCaseIgnore(bytes: Buffer): Buffer | null {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) return null; // not text: compare the bytes
    i += len;
  }
  const folded = bytes.toString('utf8').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return Buffer.from(folded, 'utf8');
}

function normalizeAva(ava: Ava): Ava {
  const type = normalizeAttributeType(ava.type);
  const caseIgnore = CASE_IGNORE_TYPES.has(type);
  let value = ava.value;
  let ber = ava.ber;
  if (ber) {
    const contents = caseIgnore ? berStringContents(value) : null;
    if (contents === null) return { type, value, ber };
    value = contents;
    ber = false;
  }
  if (caseIgnore) value = foldCaseIgnore(value) ?? value;
  return { type, value, ber };
}

function compareAva(a: Ava, b: Ava): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  if (a.ber !== b.ber) return a.ber ? 1 : -1;
  return Buffer.compare(a.value, b.value);
}

function toDn(dn: Dn | string): Dn {
  return typeof dn === 'string' ? parseDn(dn) : dn;
}

/**
 * Normalises a DN for comparison: attribute types lower-cased with the
 * common long names and OIDs mapped to their short descriptor (`2.5.4.3`
 * and `commonName` become `cn`), values of the common case-ignore
 * attributes (cn, ou, dc, uid, mail, ...) case-folded with their spaces
 * collapsed, a `#hex` BER string value of such an attribute decoded to
 * its text, and the AVAs of a multi-valued RDN sorted.
 * @see ldap_dn_normalize
 */
export function normalizeDn(dn: Dn | string): Dn {
  return new Dn(toDn(dn).rdns.map((rdn) => rdn.map(normalizeAva).sort(compareAva)));
}

/** Whether two DNs name the same entry (compared in their normalised forms). */
export function dnEquals(a: Dn | string, b: Dn | string): boolean {
  return formatDn(normalizeDn(a)) === formatDn(normalizeDn(b));
}

/**
 * Whether `dn` is below `parent`: any number of levels, or exactly one
 * with `direct`. A DN is not a child of itself.
 */
export function isChildOf(dn: Dn | string, parent: Dn | string, options: { direct?: boolean } = {}): boolean {
  const child = normalizeDn(dn).rdns;
  const above = normalizeDn(parent).rdns;
  const extra = child.length - above.length;
  if (extra < 1 || (options.direct === true && extra !== 1)) return false;
  for (let i = 0; i < above.length; i++) {
    if (formatRdn(child[extra + i]!) !== formatRdn(above[i]!)) return false;
  }
  return true;
}

/** The DN without its first RDN, or null for the empty DN. */
export function parentDn(dn: Dn | string): Dn | null {
  const d = toDn(dn);
  return d.rdns.length === 0 ? null : new Dn(d.rdns.slice(1));
}

/**
 * Tagged template building a DN string with every interpolated value
 * escaped as an attribute value: `` dn`cn=${name},ou=people` ``. A Dn
 * interpolated as a whole is inserted in its string form.
 */
export function dn(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += v instanceof Dn ? v.toString() : v instanceof Uint8Array ? escapeDnValue(v) : escapeDnValue(String(v));
    out += strings[i + 1]!;
  }
  return out;
}

export { parseDn as ldap_str2dn, formatDn as ldap_dn2str, normalizeDn as ldap_dn_normalize };
