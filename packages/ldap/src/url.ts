/**
 * RFC 4516 LDAP URLs, parsed and formatted as libldap's url.c does.
 *
 * ```
 * ldapurl     = scheme COLON SLASH SLASH [host [COLON port]]
 *                  [SLASH dn [QUESTION [attributes]
 *                  [QUESTION [scope] [QUESTION [filter]
 *                  [QUESTION extensions]]]]]
 * scope       = "base" / "one" / "sub"
 * extensions  = extension *(COMMA extension)
 * extension   = [EXCLAMATION] extype [EQUALS exvalue]
 * ```
 *
 * Schemes: `ldap://` (port 389), `ldaps://` (636) and `ldapi://`, whose
 * host part is a percent-encoded Unix socket path (`ldapi://%2Fvar%2Frun%2Fslapd%2Fldapi`)
 * and which has no port. An IPv6 host is written in brackets. Every part
 * is percent-decoded as UTF-8. As in libldap: an optional `<...>`
 * enclosure and `URL:` prefix, scopes also spelled `onelevel`, `subtree`,
 * `subord`, `subordinate` (all three mean RFC 4516's children scope,
 * returned as `children`), the attribute list split on `,` after
 * decoding, empty names dropped, and in a URL without `/` whatever follows
 * `?` ignored. Stricter than libldap (docs/porting-ldap-strings.md): a bad
 * `%` escape, a port that is not 0..65535 in digits, text after `]` other
 * than `:port`, and the pldap/pldaps schemes are errors.
 */
import { LdapUrlError, type LdapUrlErrorReason } from './errors.js';
import { ByteSink, hexDigit } from './text.js';

export type LdapUrlScheme = 'ldap' | 'ldaps' | 'ldapi';
/** Search scope: base object, one level, whole subtree, or subordinates (the subtree without its base). */
export type LdapUrlScope = 'base' | 'one' | 'sub' | 'children';

/** One URL extension (RFC 4516 section 2): `[!]type[=value]`. */
export interface LdapUrlExtension {
  readonly type: string;
  /** The value, absent when the extension has no `=`. */
  readonly value?: string | undefined;
  /** Marked critical with `!`. */
  readonly critical: boolean;
}

/** A parsed LDAP URL (libldap's LDAPURLDesc). */
export interface LdapUrl {
  readonly scheme: LdapUrlScheme;
  /**
   * The host name or address (IPv6 without brackets), or for `ldapi://`
   * the socket path; '' when the URL names none (the client's default).
   */
  readonly host: string;
  /** The port: given in the URL, else 389 for ldap://, 636 for ldaps://, 0 for ldapi://. */
  readonly port: number;
  /** The base DN ('' when absent). */
  readonly dn: string;
  /** Attributes to return ([] when absent: all user attributes). */
  readonly attributes: readonly string[];
  /** The scope, undefined when the URL does not give one (RFC 4516: base). */
  readonly scope?: LdapUrlScope | undefined;
  /** The filter string, undefined when absent (RFC 4516: `(objectClass=*)`). */
  readonly filter?: string | undefined;
  readonly extensions: readonly LdapUrlExtension[];
}

/** The default port of a scheme (0 for ldapi://, which has none). */
export function ldapUrlDefaultPort(scheme: LdapUrlScheme): number {
  return scheme === 'ldaps' ? 636 : scheme === 'ldap' ? 389 : 0;
}

const SCOPES = new Map<string, LdapUrlScope>([
  ['base', 'base'],
  ['one', 'one'],
  ['onelevel', 'one'],
  ['sub', 'sub'],
  ['subtree', 'sub'],
  ['subord', 'children'],
  ['subordinate', 'children'],
  ['children', 'children'],
]);

function fail(why: LdapUrlErrorReason, reason: string, input: string, position: number): never {
  throw new LdapUrlError(why, reason, input, position);
}

/** Percent-decodes `input[start..end)` as UTF-8; a `%` without two hex digits is an error. */
function decode(input: string, start: number, end: number, sink: ByteSink): string {
  const pct = input.indexOf('%', start);
  if (pct < 0 || pct >= end) return input.slice(start, end);
  let run = start;
  for (let i = pct; i < end; i++) {
    if (input.charCodeAt(i) !== 0x25) continue;
    const hi = i + 1 < end ? hexDigit(input.charCodeAt(i + 1)) : -1;
    const lo = i + 2 < end ? hexDigit(input.charCodeAt(i + 2)) : -1;
    if (hi < 0 || lo < 0) fail('BADURL', '% must be followed by two hex digits', input, i);
    sink.pushString(input, run, i);
    sink.push(hi * 16 + lo);
    i += 2;
    run = i + 1;
  }
  sink.pushString(input, run, end);
  return sink.take().toString('utf8');
}

/** Index of the first `ch` in `input[from..end)`, or `end`. */
function find(input: string, ch: string, from: number, end: number): number {
  const i = input.indexOf(ch, from);
  return i < 0 || i > end ? end : i;
}

/** Whether `text` starts with an LDAP URL scheme (after an optional `<` and `URL:`). @see ldap_is_ldap_url */
export function isLdapUrl(text: string): boolean {
  return schemeAt(text, text.startsWith('<') ? 1 : 0) !== null;
}

function schemeAt(input: string, at: number): [LdapUrlScheme, number] | null {
  let i = at;
  if (input.slice(i, i + 4).toLowerCase() === 'url:') i += 4;
  const head = input.slice(i, i + 8).toLowerCase();
  if (head.startsWith('ldap://')) return ['ldap', i + 7];
  if (head === 'ldaps://') return ['ldaps', i + 8];
  if (head === 'ldapi://') return ['ldapi', i + 8];
  return null;
}

/**
 * Parses one LDAP URL. Throws {@link LdapUrlError} with libldap's reason
 * (`BADSCHEME`, `BADURL`, `BADSCOPE`, ...) and the position of the problem.
 * @see ldap_url_parse
 */
export function parseLdapUrl(input: string): LdapUrl {
  if (typeof input !== 'string') throw new LdapUrlError('BADURL', 'a URL must be a string', String(input), 0);
  return parseRange(input, 0, input.length);
}

function parseRange(input: string, start: number, stop: number): LdapUrl {
  let end = stop;
  const enclosed = input.charCodeAt(start) === 0x3c;
  const found = schemeAt(input, enclosed ? start + 1 : start);
  if (found === null) fail('BADSCHEME', 'an ldap://, ldaps:// or ldapi:// URL expected', input, start);
  const [scheme, afterScheme] = found;
  if (enclosed) {
    if (end <= afterScheme || input.charCodeAt(end - 1) !== 0x3e) fail('BADENCLOSURE', '< without the closing >', input, end);
    end--;
  }
  const sink = new ByteSink();
  const slash = find(input, '/', afterScheme, end);
  // no /: the URL ends with the host, and libldap ignores whatever
  // follows a ?, except for its "Novell kludge" host??dn, which in 2.5
  // only survives for ldapi:// (for the others the host:port parsing
  // loses it)
  const hostEnd = slash === end ? find(input, '?', afterScheme, end) : slash;
  const dnStart = slash === end ? -1 : slash + 1;
  const novell = slash === end && scheme === 'ldapi' && hostEnd < end && input.charCodeAt(hostEnd + 1) === 0x3f;

  let host: string;
  let port = 0;
  if (scheme === 'ldapi') {
    host = decode(input, afterScheme, hostEnd, sink);
  } else {
    let hostStart = afterScheme;
    let hostStop: number;
    let portAt = -1;
    if (input.charCodeAt(afterScheme) === 0x5b) {
      const close = find(input, ']', afterScheme, hostEnd);
      if (close === hostEnd) fail('BADURL', '[ without the closing ]', input, afterScheme);
      hostStart = afterScheme + 1;
      hostStop = close;
      if (close + 1 < hostEnd) {
        if (input.charCodeAt(close + 1) !== 0x3a) fail('BADURL', ': or the end of the host expected after ]', input, close + 1);
        portAt = close + 2;
      }
    } else {
      hostStop = find(input, ':', afterScheme, hostEnd);
      if (hostStop < hostEnd) portAt = hostStop + 1;
    }
    if (portAt >= 0) {
      const text = decode(input, portAt, hostEnd, sink);
      if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) fail('BADURL', `port ${JSON.stringify(text)} is not a number from 0 to 65535`, input, portAt);
      port = Number(text);
    }
    host = decode(input, hostStart, hostStop, sink);
  }
  if (port === 0) port = ldapUrlDefaultPort(scheme);

  const url: { -readonly [K in keyof LdapUrl]: LdapUrl[K] } = { scheme, host, port, dn: '', attributes: [], extensions: [] };
  if (novell) url.dn = decode(input, hostEnd + 2, end, sink);
  if (dnStart < 0) return url;

  // dn ? attributes ? scope ? filter ? extensions
  const dnEnd = find(input, '?', dnStart, end);
  url.dn = decode(input, dnStart, dnEnd, sink);
  if (dnEnd === end) return url;

  const attrsStart = dnEnd + 1;
  const attrsEnd = find(input, '?', attrsStart, end);
  url.attributes = decode(input, attrsStart, attrsEnd, sink)
    .split(',')
    .filter((a) => a !== '');
  if (attrsEnd === end) return url;

  const scopeStart = attrsEnd + 1;
  const scopeEnd = find(input, '?', scopeStart, end);
  if (scopeEnd > scopeStart) {
    const text = decode(input, scopeStart, scopeEnd, sink);
    const scope = SCOPES.get(text.toLowerCase());
    if (scope === undefined) fail('BADSCOPE', `unknown scope ${JSON.stringify(text)}`, input, scopeStart);
    url.scope = scope;
  }
  if (scopeEnd === end) return url;

  const filterStart = scopeEnd + 1;
  const filterEnd = find(input, '?', filterStart, end);
  if (filterEnd > filterStart) url.filter = decode(input, filterStart, filterEnd, sink);
  if (filterEnd === end) return url;

  const extStart = filterEnd + 1;
  const extra = find(input, '?', extStart, end);
  if (extra < end) fail('BADURL', 'a ? after the extensions', input, extra);
  const extensions: LdapUrlExtension[] = [];
  let at = extStart;
  while (at <= end) {
    const comma = find(input, ',', at, end);
    if (comma > at) {
      const text = decode(input, at, comma, sink);
      const critical = text.startsWith('!');
      const body = critical ? text.slice(1) : text;
      const eq = body.indexOf('=');
      const type = eq < 0 ? body : body.slice(0, eq);
      if (type === '') fail('BADEXTS', 'an extension without a type', input, at);
      extensions.push(eq < 0 ? { type, critical } : { type, value: body.slice(eq + 1), critical });
    }
    at = comma + 1;
  }
  if (extensions.length === 0) fail('BADEXTS', 'an extensions part with no extension', input, extStart);
  url.extensions = extensions;
  return url;
}

/**
 * Parses several LDAP URLs separated by spaces and/or commas, as
 * libldap's `ldap_url_parselist` (so a comma inside a URL must be written
 * `%2C`). The first bad URL throws, with its position in the whole list.
 * @see ldap_url_parselist
 */
export function parseLdapUrlList(input: string): LdapUrl[] {
  if (typeof input !== 'string') throw new LdapUrlError('BADURL', 'a URL list must be a string', String(input), 0);
  const urls: LdapUrl[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 0x20 || c === 0x2c) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && input.charCodeAt(j) !== 0x20 && input.charCodeAt(j) !== 0x2c) j++;
    urls.push(parseRange(input, i, j));
    i = j;
  }
  if (urls.length === 0) fail('BADURL', 'no URL in the list', input, 0);
  return urls;
}

/** How libldap's hex_escape treats a character: kept, or %XX. */
const KEPT = /[A-Za-z0-9;:@&=+$\-_.!~*'()]/;

/** libldap's hex_escape; `extra` lists the characters escaped on top of `?` and the unsafe ones. */
function escape(text: string, extra: string): string {
  let out = '';
  for (const ch of text) {
    const keep = ch === '?' || extra.includes(ch) ? false : ch === ',' || ch === '/' || KEPT.test(ch);
    if (keep) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Input accepted by {@link formatLdapUrl}: an {@link LdapUrl}, with every field but the scheme optional. */
export type LdapUrlInput = { scheme: LdapUrlScheme } & Partial<Omit<LdapUrl, 'scheme'>>;

/**
 * Formats an LDAP URL, escaping as libldap's `ldap_url_desc2str`: `?`
 * and every character outside RFC 2396's unreserved and reserved sets
 * (spaces, non-ASCII bytes as UTF-8, ...) as `%XX`; `/` in the host (the
 * ldapi socket path), `:` in a host name that is not IPv6, and `,` inside
 * an extension as well. An IPv6 host is
 * bracketed; the port is written when it is not the scheme's default;
 * trailing empty parts are left out; the children scope is written
 * `subordinate`, libldap's spelling.
 * @see ldap_url_desc2str
 */
export function formatLdapUrl(url: LdapUrlInput): string {
  const scheme = url.scheme;
  if (scheme !== 'ldap' && scheme !== 'ldaps' && scheme !== 'ldapi') throw new LdapUrlError('BADSCHEME', 'scheme must be ldap, ldaps or ldapi', String(scheme), 0);
  const host = url.host ?? '';
  let out = `${scheme}://`;
  const v6 = scheme !== 'ldapi' && host.indexOf(':') !== host.lastIndexOf(':');
  if (v6) out += `[${escape(host, '/')}]`;
  else if (scheme === 'ldapi') out += escape(host, '/');
  else out += escape(host, '/:'); // a lone : would read back as the port separator
  const port = url.port ?? 0;
  if (scheme !== 'ldapi' && port !== 0 && port !== ldapUrlDefaultPort(scheme)) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LdapUrlError('BADURL', `port ${port} is out of range`, String(port), 0);
    out += `:${port}`;
  }
  const dn = url.dn ?? '';
  const attributes = url.attributes ?? [];
  const extensions = url.extensions ?? [];
  const parts: string[] = [escape(dn, ''), attributes.map((a) => escape(a, '')).join(',')];
  parts.push(url.scope === undefined ? '' : url.scope === 'children' ? 'subordinate' : url.scope);
  parts.push(url.filter === undefined ? '' : escape(url.filter, ''));
  parts.push(extensions.map((e) => escape(`${e.critical ? '!' : ''}${e.type}${e.value !== undefined ? `=${e.value}` : ''}`, ',')).join(','));
  let last = parts.length;
  while (last > 0 && parts[last - 1] === '') last--;
  if (last === 0) return out;
  return `${out}/${parts.slice(0, last).join('?')}`;
}

export { parseLdapUrl as ldap_url_parse, parseLdapUrlList as ldap_url_parselist, formatLdapUrl as ldap_url_desc2str, isLdapUrl as ldap_is_ldap_url };
