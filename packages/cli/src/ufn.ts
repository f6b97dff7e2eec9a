/**
 * libldap's ldap_dn2ufn (getdn.c, LDAP_DN_FORMAT_UFN with DC_IN_UFN): the
 * "user friendly name" ldapsearch prints above each entry,
 * `# alice, people, example.com`. Types are dropped, RDNs are joined by
 * `, ` and AVAs by ` + `, and the trailing run of `dc=` RDNs becomes one
 * dotted domain. Values are re-escaped as libldap's strval2str does without
 * LDAP_DN_PRETTY: every byte of a multi-byte UTF-8 character as `\XX`, the
 * RFC 4514 specials as `\XX`. A DN that does not parse, a value that is not
 * valid UTF-8, or a dc value that ldif_is_not_printable has no UFN (null).
 */
import { ldifIsNotPrintable, parseDn } from '@lber/ldap';
import type { Ava, Rdn } from '@lber/ldap';

const HEX = '0123456789ABCDEF';

/** ldap_utf8_lentab: the length of a UTF-8 sequence by its lead byte (0: invalid). */
function utf8CharLen(b: number): number {
  if (b < 0x80) return 1;
  if (b < 0xc2) return 0;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  if (b < 0xf8) return 4;
  if (b < 0xfc) return 5;
  if (b < 0xfe) return 6;
  return 0;
}

/** ldap_utf8_mintab: bits of the second byte of which one must be set (shortest form). */
const MINTAB = [
  0x20, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x30, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x38,
  0x80, 0x80, 0x80, 0x3c, 0x80, 0x00, 0x00,
];

const isAsciiSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
/** LDAP_DN_NE: `,` `;` `+` `"` `<` `>` */
const isNe = (c: number): boolean => c === 0x2c || c === 0x3b || c === 0x2b || c === 0x22 || c === 0x3c || c === 0x3e;
/** LDAP_DN_NEEDESCAPE: `\` or NE. */
const needEscape = (c: number): boolean => c === 0x5c || isNe(c);
/** LDAP_DN_MAYESCAPE (what a leading character needs). */
const needEscapeLead = (c: number): boolean => needEscape(c) || c === 0x3d || isAsciiSpace(c) || c === 0x23;
const needEscapeTrail = (c: number): boolean => isAsciiSpace(c) || needEscape(c);

/** strval2strlen's validity check: false when libldap refuses the value. */
function validUtf8(v: Buffer): boolean {
  let cl = 1;
  for (let p = 0; p < v.length; p += cl) {
    const b = v[p]!;
    if (b === 0) {
      cl = 1;
      continue;
    }
    cl = utf8CharLen(b);
    if (cl >= 3 && (MINTAB[b & 0x1f]! & (v[p + 1] ?? 0)) === 0) cl = 0;
    if (cl === 0) return false;
    for (let k = 1; k < cl; k++) {
      if (((v[p + k] ?? 0) & 0xc0) !== 0x80) return false;
    }
  }
  return true;
}

/** strval2str without LDAP_DN_PRETTY. */
function strval2str(v: Buffer): string {
  let out = '';
  const end = v.length - 1;
  for (let s = 0; s < v.length; ) {
    const b = v[s]!;
    if (b === 0) {
      out += '\\00';
      s++;
      continue;
    }
    const cl = utf8CharLen(b);
    if (cl > 1 || needEscape(b) || b === 0x3d || (out.length === 0 && needEscapeLead(b)) || (s === end && needEscapeTrail(b))) {
      for (let k = 0; k < cl && s < v.length; k++, s++) {
        const x = v[s]!;
        out += `\\${HEX[x >> 4]}${HEX[x & 15]}`;
      }
    } else {
      out += String.fromCharCode(b);
      s++;
    }
  }
  return out;
}

function avaUfn(ava: Ava): string | null {
  if (ava.ber) {
    let hex = '#';
    for (const x of ava.value) hex += HEX[x >> 4]! + HEX[x & 15]!;
    return hex;
  }
  if (!validUtf8(ava.value)) return null;
  return strval2str(ava.value);
}

/** LDAP_DN_IS_RDN_DC: one string AVA of type `dc` (any case). */
function isDcRdn(rdn: Rdn): boolean {
  return rdn.length === 1 && !rdn[0]!.ber && rdn[0]!.type.length === 2 && rdn[0]!.type.toLowerCase() === 'dc';
}

/**
 * The UFN of `dn`, or null where libldap returns NULL.
 *
 * @see ldap_dn2ufn
 */
export function dn2ufn(dn: string): string | null {
  let rdns: readonly Rdn[];
  try {
    rdns = parseDn(dn).rdns;
  } catch {
    return null;
  }
  if (rdns.length === 0) return null;
  let leftmostDc = -1;
  for (let i = 0; i < rdns.length; i++) {
    if (isDcRdn(rdns[i]!)) {
      if (leftmostDc === -1) leftmostDc = i;
    } else {
      leftmostDc = -1;
    }
  }
  const parts: string[] = [];
  const upTo = leftmostDc === -1 ? rdns.length : leftmostDc;
  for (let i = 0; i < upTo; i++) {
    const avas: string[] = [];
    for (const ava of rdns[i]!) {
      const s = avaUfn(ava);
      if (s === null) return null;
      avas.push(s);
    }
    parts.push(avas.join(' + '));
  }
  if (leftmostDc === -1) return parts.join(', ');
  const labels: string[] = [];
  for (let i = leftmostDc; i < rdns.length; i++) {
    const v = rdns[i]![0]!.value;
    if (ldifIsNotPrintable(v) !== 0) return null;
    labels.push(v.toString('latin1'));
  }
  const domain = labels.join('.');
  return parts.length > 0 ? `${parts.join(', ')}, ${domain}` : domain;
}

export { dn2ufn as ldap_dn2ufn };
