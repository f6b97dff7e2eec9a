/**
 * RFC 4515 string filters and their RFC 4511 BER form.
 *
 * The typed tree ({@link Filter}) is RFC 4511 section 4.5.1's CHOICE:
 *
 * ```
 * Filter ::= CHOICE {
 *      and             [0] SET SIZE (1..MAX) OF filter Filter,
 *      or              [1] SET SIZE (1..MAX) OF filter Filter,
 *      not             [2] Filter,
 *      equalityMatch   [3] AttributeValueAssertion,
 *      substrings      [4] SubstringFilter,
 *      greaterOrEqual  [5] AttributeValueAssertion,
 *      lessOrEqual     [6] AttributeValueAssertion,
 *      present         [7] AttributeDescription,
 *      approxMatch     [8] AttributeValueAssertion,
 *      extensibleMatch [9] MatchingRuleAssertion,
 *      ...  }
 * SubstringFilter ::= SEQUENCE {
 *      type           AttributeDescription,
 *      substrings     SEQUENCE SIZE (1..MAX) OF substring CHOICE {
 *           initial [0] AssertionValue,  -- can occur at most once
 *           any     [1] AssertionValue,
 *           final   [2] AssertionValue } -- can occur at most once
 *      }
 * MatchingRuleAssertion ::= SEQUENCE {
 *      matchingRule    [1] MatchingRuleId OPTIONAL,
 *      type            [2] AttributeDescription OPTIONAL,
 *      matchValue      [3] AssertionValue,
 *      dnAttributes    [4] BOOLEAN DEFAULT FALSE }
 * ```
 *
 * (with RFC 4526's empty `(&)` absolute true and `(|)` absolute false).
 * Assertion values are Buffers, so `\ff` and other bytes that are not
 * UTF-8 survive parse, encode, decode and format.
 *
 * The string parser accepts what libldap's `ldap_pvt_put_filter`
 * (filter.c) accepts: RFC 4515 plus the RFC 1960 escapes `\*` `\(` `\)`
 * `\\`, spaces after `(` and between the members of `&` and `|` (none
 * before the filter or after it), and a legacy unparenthesised top-level
 * item (`cn=foo`). The encoder writes the
 * bytes libldap writes (see {@link encodeFilter}).
 */
import { BerError, BerReader, BerWriter } from '@lber/ber';
import { LdapFilterError } from './errors.js';
import { ByteSink, hexByte, hexDigit, toBytes, utf8SequenceLength } from './text.js';

/** `(&...)`: true when every member is (an empty and is absolute true). */
export interface AndFilter {
  readonly type: 'and';
  readonly filters: readonly Filter[];
}
/** `(|...)`: true when any member is (an empty or is absolute false). */
export interface OrFilter {
  readonly type: 'or';
  readonly filters: readonly Filter[];
}
/** `(!...)` */
export interface NotFilter {
  readonly type: 'not';
  readonly filter: Filter;
}
/** `(attr=value)`, `(attr>=value)`, `(attr<=value)`, `(attr~=value)`: an AttributeValueAssertion. */
export interface AssertionFilter {
  readonly type: 'equality' | 'greaterOrEqual' | 'lessOrEqual' | 'approx';
  readonly attribute: string;
  readonly value: Buffer;
}
/** `(attr=initial*any*...*final)`: at least one part; no part empty. */
export interface SubstringsFilter {
  readonly type: 'substrings';
  readonly attribute: string;
  readonly initial?: Buffer | undefined;
  readonly any: readonly Buffer[];
  readonly final?: Buffer | undefined;
}
/** `(attr=*)` */
export interface PresentFilter {
  readonly type: 'present';
  readonly attribute: string;
}
/** `(attr:dn:rule:=value)`: a MatchingRuleAssertion; at least one of attribute and matchingRule. */
export interface ExtensibleFilter {
  readonly type: 'extensible';
  readonly attribute?: string | undefined;
  readonly matchingRule?: string | undefined;
  readonly value: Buffer;
  readonly dnAttributes: boolean;
}

/** An LDAP search filter as a typed tree. */
export type Filter = AndFilter | OrFilter | NotFilter | AssertionFilter | SubstringsFilter | PresentFilter | ExtensibleFilter;
export type FilterType = Filter['type'];

/** Default bound on the nesting of `&`, `|` and `!` (parse, encode and decode). */
export const FILTER_DEFAULT_MAX_DEPTH = 64;

export interface FilterOptions {
  /** Deepest nesting of `(...)` accepted (default {@link FILTER_DEFAULT_MAX_DEPTH}). */
  maxDepth?: number;
}

/** RFC 4511 context tags of the Filter CHOICE, as identifier octets (libldap's LDAP_FILTER_*). */
export const FilterTag = {
  and: 0xa0,
  or: 0xa1,
  not: 0xa2,
  equality: 0xa3,
  substrings: 0xa4,
  greaterOrEqual: 0xa5,
  lessOrEqual: 0xa6,
  present: 0x87,
  approx: 0xa8,
  extensible: 0xa9,
} as const;

const SUBSTRING_INITIAL = 0x80;
const SUBSTRING_ANY = 0x81;
const SUBSTRING_FINAL = 0x82;
const EXT_RULE = 0x81;
const EXT_TYPE = 0x82;
const EXT_VALUE = 0x83;
const EXT_DNATTRS = 0x84;

const TAG_TO_ASSERTION = new Map<number, AssertionFilter['type']>([
  [FilterTag.equality, 'equality'],
  [FilterTag.greaterOrEqual, 'greaterOrEqual'],
  [FilterTag.lessOrEqual, 'lessOrEqual'],
  [FilterTag.approx, 'approx'],
]);

// ---------------------------------------------------------------------------
// character classes (ldap_pvt.h LDAP_SPACE, LDAP_ALPHA, LDAP_LDH)

function isLdapSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a;
}
function isAlpha(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}
function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
function isLdh(code: number): boolean {
  return isAlpha(code) || isDigit(code) || code === 0x2d;
}

/** A numeric OID's digits and single dots after its first digit, not ending in a dot. */
function numericTail(s: string, from: number, to: number): boolean {
  let dot = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) dot = false;
    else if (c === 0x2e && !dot) dot = true;
    else return false;
  }
  return !dot;
}

/**
 * Whether `s` is a matching rule id: a descriptor or a numeric OID
 * (libldap's `ldap_is_oid`).
 */
export function isFilterOid(s: string): boolean {
  if (s.length === 0) return false;
  const first = s.charCodeAt(0);
  if (isAlpha(first)) {
    for (let i = 1; i < s.length; i++) if (!isLdh(s.charCodeAt(i))) return false;
    return true;
  }
  return isDigit(first) && numericTail(s, 1, s.length);
}

/**
 * Whether `s` is an attribute description: a descriptor or numeric OID
 * with `;option`s (libldap's `ldap_is_desc`).
 */
export function isAttributeDescription(s: string): boolean {
  if (s.length === 0) return false;
  let semi = s.indexOf(';');
  const base = semi < 0 ? s.length : semi;
  const first = s.charCodeAt(0);
  if (isAlpha(first)) {
    for (let i = 1; i < base; i++) if (!isLdh(s.charCodeAt(i))) return false;
  } else if (!isDigit(first) || !numericTail(s, 1, base)) {
    return false;
  }
  while (semi >= 0) {
    const start = semi + 1;
    semi = s.indexOf(';', start);
    const end = semi < 0 ? s.length : semi;
    if (end === start) return false;
    for (let i = start; i < end; i++) if (!isLdh(s.charCodeAt(i))) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// string -> tree

class FilterParser {
  readonly sink = new ByteSink();
  constructor(
    readonly input: string,
    readonly maxDepth: number,
  ) {}

  fail(reason: string, position: number): never {
    throw new LdapFilterError(reason, this.input, position);
  }

  /** A parenthesised filter starting at `at` (which holds `(`); returns it and the offset after its `)`. */
  paren(at: number, depth: number): [Filter, number] {
    const s = this.input;
    if (depth > this.maxDepth) {
      throw new LdapFilterError(`filter nested deeper than ${this.maxDepth}`, s, at, { code: 'FILTER_DEPTH' });
    }
    let i = at + 1;
    while (i < s.length && isLdapSpace(s.charCodeAt(i))) i++;
    const c = s.charCodeAt(i);
    if (c === 0x26 || c === 0x7c) {
      // & or |: a list of parenthesised filters, spaces between them
      const filters: Filter[] = [];
      i++;
      for (;;) {
        while (i < s.length && isLdapSpace(s.charCodeAt(i))) i++;
        if (i >= s.length) this.fail('missing ) to close the filter list', i);
        const d = s.charCodeAt(i);
        if (d === 0x29) break;
        if (d !== 0x28) this.fail(`( expected in a filter list, found ${JSON.stringify(s[i])}`, i);
        const [f, next] = this.paren(i, depth + 1);
        filters.push(f);
        i = next;
      }
      return [c === 0x26 ? { type: 'and', filters } : { type: 'or', filters }, i + 1];
    }
    if (c === 0x21) {
      // !: exactly one parenthesised filter (libldap allows spaces before it, none after)
      i++;
      while (i < s.length && isLdapSpace(s.charCodeAt(i))) i++;
      if (s.charCodeAt(i) !== 0x28) this.fail(i >= s.length ? '( expected after !, found the end' : `( expected after !, found ${JSON.stringify(s[i])}`, i);
      const [f, next] = this.paren(i, depth + 1);
      if (next >= s.length) this.fail('missing ) to close the ! filter', next);
      if (s.charCodeAt(next) !== 0x29) this.fail('a ! filter takes exactly one filter', next);
      return [{ type: 'not', filter: f }, next + 1];
    }
    if (c === 0x28) this.fail('( where an attribute or &, |, ! is expected', i);
    if (i >= s.length) this.fail('missing ) at the end of the filter', i);
    // a simple item: up to the first unescaped )
    let end = i;
    for (; end < s.length; end++) {
      const d = s.charCodeAt(end);
      if (d === 0x5c) end++;
      else if (d === 0x29) break;
      else if (d === 0x28) this.fail('( must be escaped as \\28 in a value', end);
    }
    if (end >= s.length) this.fail('missing ) at the end of the filter', s.length);
    return [this.item(i, end), end + 1];
  }

  /** `type op value` in `input[start..end)`. */
  item(start: number, end: number): Filter {
    const s = this.input;
    const eq = s.indexOf('=', start);
    if (eq < 0 || eq >= end) this.fail('= expected in a filter item', end);
    if (eq === start) this.fail('an attribute description expected before =', start);
    const op = s.charCodeAt(eq - 1);
    if (op === 0x3c || op === 0x3e || op === 0x7e) {
      const attribute = this.attribute(start, eq - 1);
      const value = this.value(eq + 1, end);
      return { type: op === 0x3c ? 'lessOrEqual' : op === 0x3e ? 'greaterOrEqual' : 'approx', attribute, value };
    }
    if (op === 0x3a) return this.extensible(start, eq - 1, eq + 1, end);
    const attribute = this.attribute(start, eq);
    return this.equalityOrSubstrings(attribute, eq + 1, end);
  }

  attribute(start: number, end: number): string {
    const text = this.input.slice(start, end);
    if (!isAttributeDescription(text)) {
      this.fail(text.length === 0 ? 'an attribute description expected' : `${JSON.stringify(text)} is not an attribute description`, start);
    }
    return text;
  }

  /** `[attr][:dn][:rule]` in `input[start..end)`, then the value. */
  extensible(start: number, end: number, valueStart: number, valueEnd: number): ExtensibleFilter {
    const s = this.input;
    let attrEnd = s.indexOf(':', start);
    if (attrEnd < 0 || attrEnd > end) attrEnd = end;
    let dnAttributes = false;
    let rule = '';
    let ruleAt = end;
    if (attrEnd < end) {
      const second = s.indexOf(':', attrEnd + 1);
      if (second < 0 || second >= end) {
        // one colon: either :dn or :rule
        const word = s.slice(attrEnd + 1, end);
        if (word.toLowerCase() === 'dn') {
          dnAttributes = true;
          if (!isAttributeDescription(s.slice(start, attrEnd))) this.fail(':dn needs an attribute description before it', start);
        } else {
          rule = word;
          ruleAt = attrEnd + 1;
        }
      } else {
        const word = s.slice(attrEnd + 1, second);
        if (word.toLowerCase() !== 'dn') this.fail(`:dn expected, found :${word}`, attrEnd + 1);
        dnAttributes = true;
        rule = s.slice(second + 1, end);
        ruleAt = second + 1;
      }
    }
    const attr = s.slice(start, attrEnd);
    if (attr.length === 0 && rule.length === 0) this.fail('an extensible match needs an attribute or a matching rule', start);
    if (attr.length !== 0 && !isAttributeDescription(attr)) this.fail(`${JSON.stringify(attr)} is not an attribute description`, start);
    if (rule.length !== 0 && !isFilterOid(rule)) this.fail(`${JSON.stringify(rule)} is not a matching rule OID or name`, ruleAt);
    const value = this.value(valueStart, valueEnd);
    const f: { -readonly [K in keyof ExtensibleFilter]: ExtensibleFilter[K] } = { type: 'extensible', value, dnAttributes };
    if (rule.length !== 0) f.matchingRule = rule;
    if (attr.length !== 0) f.attribute = attr;
    return f;
  }

  equalityOrSubstrings(attribute: string, start: number, end: number): Filter {
    const s = this.input;
    // unescaped * positions
    const stars: number[] = [];
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x5c) i++;
      else if (c === 0x2a) stars.push(i);
    }
    if (stars.length === 0) return { type: 'equality', attribute, value: this.value(start, end) };
    if (end - start === 1) return { type: 'present', attribute };
    let initial: Buffer | undefined;
    let final: Buffer | undefined;
    const any: Buffer[] = [];
    if (stars[0]! > start) initial = this.value(start, stars[0]!);
    for (let k = 1; k < stars.length; k++) {
      const from = stars[k - 1]! + 1;
      if (from === stars[k]) this.fail('an empty substring between two *', from);
      any.push(this.value(from, stars[k]!));
    }
    const last = stars[stars.length - 1]! + 1;
    if (last < end) final = this.value(last, end);
    const f: { -readonly [K in keyof SubstringsFilter]: SubstringsFilter[K] } = { type: 'substrings', attribute, any };
    if (initial !== undefined) f.initial = initial;
    if (final !== undefined) f.final = final;
    return f;
  }

  /** Unescapes an assertion value (ldap_pvt_filter_value_unescape). */
  value(start: number, end: number): Buffer {
    const s = this.input;
    const sink = this.sink;
    let run = start;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x5c) {
        sink.pushString(s, run, i);
        if (i + 1 >= end) this.fail('a \\ at the end of a value', i);
        const hi = hexDigit(s.charCodeAt(i + 1));
        if (hi >= 0) {
          const lo = i + 2 < end ? hexDigit(s.charCodeAt(i + 2)) : -1;
          if (lo < 0) this.fail('a \\ escape needs two hex digits', i);
          sink.push(hi * 16 + lo);
          i += 2;
        } else {
          const d = s.charCodeAt(i + 1);
          if (d !== 0x2a && d !== 0x28 && d !== 0x29 && d !== 0x5c) this.fail(`\\${s[i + 1]} is not an escape; use \\XX hex`, i);
          sink.push(d);
          i += 1;
        }
        run = i + 1;
      } else if (c === 0x28 || c === 0x29 || c === 0x2a) {
        this.fail(`${s[i]} must be escaped as \\${hexByte(c)} in a value`, i);
      } else if (c === 0) {
        this.fail('NUL must be escaped as \\00 in a value', i);
      }
    }
    sink.pushString(s, run, end);
    return sink.take();
  }
}

/**
 * Parses an RFC 4515 string filter into a {@link Filter}. Accepts what
 * libldap's `ldap_pvt_put_filter` accepts (see the module comment),
 * including a legacy top-level item without parentheses (`cn=foo`).
 * Throws {@link LdapFilterError} (`FILTER_SYNTAX`, or `FILTER_DEPTH` past
 * `maxDepth`) with the position of the problem.
 */
export function parseFilter(input: string, options: FilterOptions = {}): Filter {
  if (typeof input !== 'string') throw new LdapFilterError('a filter must be a string', String(input), 0);
  const maxDepth = options.maxDepth ?? FILTER_DEFAULT_MAX_DEPTH;
  const p = new FilterParser(input, maxDepth);
  // libldap skips one space at the top level and then stops, so a leading
  // space fails there; an empty filter "succeeds" with no bytes written,
  // which no server accepts: both are errors here
  const i = 0;
  if (input.length === 0) p.fail('an empty filter', 0);
  if (isLdapSpace(input.charCodeAt(0))) p.fail('a filter cannot start with a space', 0);
  if (input.charCodeAt(i) !== 0x28) {
    // legacy: the whole rest is one item
    if (input.charCodeAt(i) === 0x29) p.fail(') without (', i);
    const close = findUnescaped(input, i, 0x29);
    if (close >= 0) p.fail(') without (', close);
    const open = findUnescaped(input, i, 0x28);
    if (open >= 0) p.fail('( must be escaped as \\28 in a value', open);
    return p.item(i, input.length);
  }
  const [filter, end] = p.paren(i, 1);
  if (end < input.length) p.fail('unexpected text after the filter', end);
  return filter;
}

function findUnescaped(s: string, from: number, code: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === code) return i;
  }
  return -1;
}

/**
 * Unescapes an RFC 4515 assertion value (`\2a` and the RFC 1960 `\*`) into
 * bytes; an unescaped `(`, `)` or `*` is an error.
 * @see ldap_pvt_filter_value_unescape
 */
export function unescapeFilterValue(value: string): Buffer {
  return new FilterParser(value, 0).value(0, value.length);
}

// ---------------------------------------------------------------------------
// tree -> string

export interface EscapeFilterValueOptions {
  /**
   * Escape every byte above 0x7f too, in uppercase hex, exactly as
   * libldap's `ldap_bv2escaped_filter_value` (default false: well-formed
   * UTF-8 is kept as characters).
   */
  ascii?: boolean;
}

/**
 * Escapes an assertion value for the string form: `*`, `(`, `)`, `\`, NUL,
 * control characters and bytes that are not well-formed UTF-8 as `\XX`.
 * @see ldap_bv2escaped_filter_value (with `{ ascii: true }`)
 */
export function escapeFilterValue(value: string | Uint8Array, options: EscapeFilterValueOptions = {}): string {
  const bytes = toBytes(value);
  const ascii = options.ascii === true;
  let out = '';
  let plain = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b >= 0x80 && !ascii) {
      const len = utf8SequenceLength(bytes, i);
      if (len > 0) {
        i += len;
        continue;
      }
    } else if (b >= 0x20 && b < 0x7f && b !== 0x2a && b !== 0x28 && b !== 0x29 && b !== 0x5c) {
      i++;
      continue;
    }
    if (i > plain) out += bytes.toString('utf8', plain, i);
    out += `\\${hexByte(b, ascii)}`;
    plain = ++i;
  }
  if (bytes.length > plain) out += bytes.toString('utf8', plain, bytes.length);
  return out;
}

/** libldap's exact escaping (every non-ASCII byte as uppercase `\XX`). @see ldap_bv2escaped_filter_value */
export function bv2EscapedFilterValue(value: string | Uint8Array): string {
  return escapeFilterValue(value, { ascii: true });
}

function badTree(reason: string, what: string): never {
  throw new LdapFilterError(reason, what, 0);
}

function checkAttribute(attribute: string): string {
  if (!isAttributeDescription(attribute)) badTree('not an attribute description', attribute);
  return attribute;
}

const ASSERTION_OPS: Record<AssertionFilter['type'], string> = { equality: '=', greaterOrEqual: '>=', lessOrEqual: '<=', approx: '~=' };

function format(f: Filter, depth: number, maxDepth: number): string {
  if (depth > maxDepth) throw new LdapFilterError(`filter nested deeper than ${maxDepth}`, f.type, 0, { code: 'FILTER_DEPTH' });
  switch (f.type) {
    case 'and':
    case 'or': {
      let out = f.type === 'and' ? '(&' : '(|';
      for (const g of f.filters) out += format(g, depth + 1, maxDepth);
      return `${out})`;
    }
    case 'not':
      return `(!${format(f.filter, depth + 1, maxDepth)})`;
    case 'equality':
    case 'greaterOrEqual':
    case 'lessOrEqual':
    case 'approx':
      return `(${checkAttribute(f.attribute)}${ASSERTION_OPS[f.type]}${escapeFilterValue(f.value)})`;
    case 'present':
      return `(${checkAttribute(f.attribute)}=*)`;
    case 'substrings': {
      checkAttribute(f.attribute);
      if (f.initial === undefined && f.final === undefined && f.any.length === 0) badTree('a substrings filter with no parts', f.attribute);
      let out = `(${f.attribute}=`;
      if (f.initial !== undefined) {
        if (f.initial.length === 0) badTree('an empty initial substring', f.attribute);
        out += escapeFilterValue(f.initial);
      }
      out += '*';
      for (const part of f.any) {
        if (part.length === 0) badTree('an empty any substring', f.attribute);
        out += `${escapeFilterValue(part)}*`;
      }
      if (f.final !== undefined) {
        if (f.final.length === 0) badTree('an empty final substring', f.attribute);
        out += escapeFilterValue(f.final);
      }
      return `${out})`;
    }
    case 'extensible': {
      const attr = f.attribute ?? '';
      const rule = f.matchingRule ?? '';
      if (attr === '' && rule === '') badTree('an extensible match needs an attribute or a matching rule', '');
      if (attr !== '') checkAttribute(attr);
      if (rule !== '' && !isFilterOid(rule)) badTree('not a matching rule OID or name', rule);
      // `(cn:dn:=x)` and `(:dn:=x)` are the dnAttributes flag (RFC 4515, and
      // libldap's put_filter reads them so): a rule named "dn" can only be
      // written after the flag, `(cn:dn:dn:=x)`
      if (rule.toLowerCase() === 'dn' && !f.dnAttributes) badTree('a matching rule named "dn" reads back as the :dn flag unless dnAttributes is set', rule);
      return `(${attr}${f.dnAttributes ? ':dn' : ''}${rule !== '' ? `:${rule}` : ''}:=${escapeFilterValue(f.value)})`;
    }
  }
}

/**
 * Formats a filter tree in the RFC 4515 string form, always parenthesised.
 * Throws {@link LdapFilterError} for a tree no string can express (an
 * attribute that is not an attribute description, an empty substring).
 */
export function formatFilter(filter: Filter, options: FilterOptions = {}): string {
  return format(filter, 1, options.maxDepth ?? FILTER_DEFAULT_MAX_DEPTH);
}

/**
 * Tagged template building a filter string with every interpolated value
 * escaped as an assertion value:
 * `` filter`(&(uid=${user})(memberOf=${group}))` ``. Buffers are escaped
 * byte for byte.
 */
export function filter(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += v instanceof Uint8Array ? escapeFilterValue(v) : escapeFilterValue(String(v));
    out += strings[i + 1]!;
  }
  return out;
}

// ---------------------------------------------------------------------------
// tree <-> BER

export interface EncodeFilterOptions extends FilterOptions {
  /**
   * Length octets of the constructed elements when {@link filterToBer}
   * makes its own writer: `minimal` (default; what libldap sends, since
   * it allocates request BerElements with LBER_USE_DER) or `fixed4`
   * (`84 xx xx xx xx`, what ber_printf writes in BER mode). With
   * {@link encodeFilter} the writer's own form applies.
   */
  lengthForm?: 'minimal' | 'fixed4';
}

function encode(w: BerWriter, f: Filter, depth: number, maxDepth: number): void {
  if (depth > maxDepth) throw new LdapFilterError(`filter nested deeper than ${maxDepth}`, f.type, 0, { code: 'FILTER_DEPTH' });
  switch (f.type) {
    case 'and':
    case 'or':
      w.startSequence(FilterTag[f.type]);
      for (const g of f.filters) encode(w, g, depth + 1, maxDepth);
      w.endSequence();
      return;
    case 'not':
      w.startSequence(FilterTag.not);
      encode(w, f.filter, depth + 1, maxDepth);
      w.endSequence();
      return;
    case 'equality':
    case 'greaterOrEqual':
    case 'lessOrEqual':
    case 'approx':
      w.startSequence(FilterTag[f.type]);
      w.writeString(f.attribute);
      w.writeOctetString(f.value);
      w.endSequence();
      return;
    case 'present':
      w.writeString(f.attribute, FilterTag.present);
      return;
    case 'substrings':
      w.startSequence(FilterTag.substrings);
      w.writeString(f.attribute);
      w.startSequence();
      if (f.initial !== undefined) w.writeOctetString(f.initial, SUBSTRING_INITIAL);
      for (const part of f.any) w.writeOctetString(part, SUBSTRING_ANY);
      if (f.final !== undefined) w.writeOctetString(f.final, SUBSTRING_FINAL);
      w.endSequence();
      w.endSequence();
      return;
    case 'extensible':
      w.startSequence(FilterTag.extensible);
      if (f.matchingRule !== undefined && f.matchingRule !== '') w.writeString(f.matchingRule, EXT_RULE);
      if (f.attribute !== undefined && f.attribute !== '') w.writeString(f.attribute, EXT_TYPE);
      w.writeOctetString(f.value, EXT_VALUE);
      if (f.dnAttributes) w.writeBoolean(true, EXT_DNATTRS);
      w.endSequence();
      return;
  }
}

/**
 * Writes a filter tree as an RFC 4511 Filter into `writer`, element for
 * element as libldap's `ldap_pvt_put_filter` does: AttributeValueAssertion
 * as `t{so}`, present as a primitive [7], substrings as `t{s{...}}` with
 * the parts in order, extensible with rule [1], type [2], value [3] and
 * dnAttributes [4] `01 ff` only when true, `(&)` as an empty [0].
 * @see ldap_pvt_put_filter
 */
export function encodeFilter(writer: BerWriter, filter: Filter, options: FilterOptions = {}): void {
  encode(writer, filter, 1, options.maxDepth ?? FILTER_DEFAULT_MAX_DEPTH);
}

/** A filter (tree or string) as the bytes of one BER Filter element. */
export function filterToBer(filter: Filter | string, options: EncodeFilterOptions = {}): Buffer {
  const tree = typeof filter === 'string' ? parseFilter(filter, options) : filter;
  const w = new BerWriter({ initialSize: 256, lengthForm: options.lengthForm ?? 'minimal' });
  encodeFilter(w, tree, options);
  return w.toBuffer();
}

/** Parses a string filter and writes it into `writer` (libldap's entry point). @see ldap_pvt_put_filter */
export function putFilter(writer: BerWriter, filter: string, options: FilterOptions = {}): void {
  encodeFilter(writer, parseFilter(filter, options), options);
}

function copy(view: Buffer): Buffer {
  return Buffer.from(view);
}

function decode(r: BerReader, depth: number, maxDepth: number): Filter {
  const at = r.offset;
  if (depth > maxDepth) throw new LdapFilterError(`filter nested deeper than ${maxDepth}`, '', at, { code: 'FILTER_DEPTH' });
  const tag = r.peekTag();
  switch (tag) {
    case FilterTag.and:
    case FilterTag.or: {
      r.enter(tag);
      const filters: Filter[] = [];
      while (r.hasMore()) filters.push(decode(r, depth + 1, maxDepth));
      r.leave();
      return { type: tag === FilterTag.and ? 'and' : 'or', filters };
    }
    case FilterTag.not: {
      r.enter(tag);
      if (!r.hasMore()) badBer('a not filter with nothing in it', r.offset);
      const inner = decode(r, depth + 1, maxDepth);
      if (r.hasMore()) badBer('a not filter with more than one filter', r.offset);
      r.leave();
      return { type: 'not', filter: inner };
    }
    case FilterTag.equality:
    case FilterTag.greaterOrEqual:
    case FilterTag.lessOrEqual:
    case FilterTag.approx: {
      r.enter(tag);
      const attribute = r.readString();
      const value = copy(r.readOctetString());
      if (r.hasMore()) badBer('an AttributeValueAssertion with more than two elements', r.offset);
      r.leave();
      return { type: TAG_TO_ASSERTION.get(tag)!, attribute, value };
    }
    case FilterTag.present:
      return { type: 'present', attribute: r.readString(FilterTag.present) };
    case FilterTag.substrings: {
      r.enter(tag);
      const attribute = r.readString();
      r.enter();
      let initial: Buffer | undefined;
      let final: Buffer | undefined;
      const any: Buffer[] = [];
      let count = 0;
      while (r.hasMore()) {
        const partAt = r.offset;
        if (final !== undefined) badBer('a substring after the final one', partAt);
        const part = r.peekTag();
        if (part === SUBSTRING_INITIAL) {
          if (count !== 0) badBer('an initial substring that is not the first', partAt);
          initial = copy(r.readOctetString(SUBSTRING_INITIAL));
        } else if (part === SUBSTRING_ANY) {
          any.push(copy(r.readOctetString(SUBSTRING_ANY)));
        } else if (part === SUBSTRING_FINAL) {
          final = copy(r.readOctetString(SUBSTRING_FINAL));
        } else {
          badBer(`substring tag 0x${part.toString(16)} is not initial [0], any [1] or final [2]`, partAt);
        }
        count++;
      }
      if (count === 0) badBer('a substrings filter with no parts', r.offset);
      r.leave();
      if (r.hasMore()) badBer('a SubstringFilter with more than two elements', r.offset);
      r.leave();
      const f: { -readonly [K in keyof SubstringsFilter]: SubstringsFilter[K] } = { type: 'substrings', attribute, any };
      if (initial !== undefined) f.initial = initial;
      if (final !== undefined) f.final = final;
      return f;
    }
    case FilterTag.extensible: {
      r.enter(tag);
      const f: { -readonly [K in keyof ExtensibleFilter]: ExtensibleFilter[K] } = { type: 'extensible', value: Buffer.alloc(0), dnAttributes: false };
      if (r.peekTag() === EXT_RULE) f.matchingRule = r.readString(EXT_RULE);
      if (r.peekTag() === EXT_TYPE) f.attribute = r.readString(EXT_TYPE);
      if (f.matchingRule === undefined && f.attribute === undefined) badBer('an extensible match with neither matching rule nor type', r.offset);
      if (r.peekTag() !== EXT_VALUE) badBer('an extensible match without matchValue [3]', r.offset);
      f.value = copy(r.readOctetString(EXT_VALUE));
      if (r.peekTag() === EXT_DNATTRS) f.dnAttributes = r.readBoolean(EXT_DNATTRS);
      if (r.hasMore()) badBer('unexpected element in an extensible match', r.offset);
      r.leave();
      return f;
    }
    case -1:
      return badBer('a filter expected, found the end', at);
    default:
      return badBer(`filter tag 0x${tag.toString(16)} is not one of RFC 4511's`, at);
  }
}

class FilterBerProblem extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

function badBer(reason: string, offset: number): never {
  throw new FilterBerProblem(reason, offset);
}

/**
 * Reads one RFC 4511 Filter at the reader's cursor (for decoders of
 * SearchRequest PDUs). Malformed BER, an unknown tag, or nesting past
 * `maxDepth` throw {@link LdapFilterError} with the byte offset as its
 * position and the hex of the reader's input as its `input`.
 */
export function decodeFilter(reader: BerReader, options: FilterOptions = {}): Filter {
  try {
    return decode(reader, 1, options.maxDepth ?? FILTER_DEFAULT_MAX_DEPTH);
  } catch (e) {
    if (e instanceof FilterBerProblem) throw new LdapFilterError(e.reason, hexOf(reader), e.offset);
    if (e instanceof BerError) throw new LdapFilterError(e.message, hexOf(reader), e.offset, { cause: e });
    throw e;
  }
}

function hexOf(r: BerReader): string {
  const view = r.buf;
  return view.length > 512 ? `${view.toString('hex', 0, 512)}...` : view.toString('hex');
}

/**
 * Decodes the bytes of one BER Filter element (all of `data`) to a tree.
 * Throws {@link LdapFilterError} as {@link decodeFilter} does, also for
 * bytes left over after the filter.
 */
export function filterFromBer(data: Uint8Array, options: FilterOptions = {}): Filter {
  const maxDepth = options.maxDepth ?? FILTER_DEFAULT_MAX_DEPTH;
  // each filter level is one constructed element, a substrings filter two more
  const r = new BerReader({ maxDepth: maxDepth + 2 }).reset(data);
  const f = decodeFilter(r, options);
  if (r.hasMore()) throw new LdapFilterError('bytes after the filter', hexOf(r), r.offset);
  return f;
}

export {
  putFilter as ldap_pvt_put_filter,
  unescapeFilterValue as ldap_pvt_filter_value_unescape,
  bv2EscapedFilterValue as ldap_bv2escaped_filter_value,
  isAttributeDescription as ldap_is_desc,
  isFilterOid as ldap_is_oid,
};
