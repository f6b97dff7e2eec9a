/**
 * The entries a fresh slapd is loaded with: a small fixed DIT, plus any
 * number of generated inetOrgPerson entries, written as LDIF for slapadd.
 */

/** A user of the fixed DIT; `password` is stored in cleartext in userPassword. */
export interface FixtureUser {
  uid: string;
  dn: string;
  password: string;
  cn: string;
}

/**
 * jpegPhoto of uid=carol: JPEG-looking binary (SOI and APP0 markers, every
 * byte value 0x00..0xff once, EOI), not a real picture.
 */
export const CAROL_JPEG_PHOTO: Buffer = Buffer.concat([
  Buffer.from('ffd8ffe000104a46494600', 'hex'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('ffd9', 'hex'),
]);

/** cn of uid=zoe: non-ASCII (stored as UTF-8). */
export const ZOE_CN = 'Zoë Ångström';

/** RFC 2849 SAFE-STRING: ASCII without NUL, LF, CR; not starting with space, ':' or '<'; here also not ending with space. */
function isSafeString(value: string): boolean {
  if (value === '') return true;
  const first = value.charCodeAt(0);
  if (first === 0x20 || first === 0x3a || first === 0x3c || value.endsWith(' ')) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0x7f) return false;
  }
  return true;
}

/** One LDIF attribute line, base64 (`attr:: ...`) when RFC 2849 asks for it. */
export function ldifLine(attr: string, value: string | Uint8Array): string {
  if (typeof value === 'string' && isSafeString(value)) return `${attr}: ${value}\n`;
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return `${attr}:: ${data.toString('base64')}\n`;
}

function entry(dn: string, attrs: Array<[string, string | Uint8Array]>): string {
  return ldifLine('dn', dn) + attrs.map(([a, v]) => ldifLine(a, v)).join('') + '\n';
}

/** The base entry for a suffix whose first RDN is dc=, o= or ou=. */
function baseEntry(suffix: string): string {
  const match = /^\s*(dc|o|ou)\s*=\s*([^,+]+)/i.exec(suffix);
  if (match === null) throw new Error(`the suffix must start with dc=, o= or ou=: ${suffix}`);
  const type = (match[1] ?? '').toLowerCase();
  const value = (match[2] ?? '').trim();
  if (type === 'dc') return entry(suffix, [['objectClass', 'top'], ['objectClass', 'dcObject'], ['objectClass', 'organization'], ['dc', value], ['o', value]]);
  if (type === 'o') return entry(suffix, [['objectClass', 'top'], ['objectClass', 'organization'], ['o', value]]);
  return entry(suffix, [['objectClass', 'top'], ['objectClass', 'organizationalUnit'], ['ou', value]]);
}

/** The users of the fixed DIT under `ou=people,<suffix>`. */
export function fixtureUsers(suffix: string): FixtureUser[] {
  const people = `ou=people,${suffix}`;
  return [
    { uid: 'alice', cn: 'Alice Archer', password: 'alice-secret' },
    { uid: 'bob', cn: 'Bob Baker', password: 'bob-secret' },
    { uid: 'carol', cn: 'Carol Cooper', password: 'carol-secret' },
    { uid: 'zoe', cn: ZOE_CN, password: 'zoe-secret' },
  ].map((u) => ({ ...u, dn: `uid=${u.uid},${people}` }));
}

/**
 * The fixed DIT: the suffix entry, ou=people with the {@link fixtureUsers}
 * (carol has a jpegPhoto, zoe a non-ASCII cn), ou=groups with cn=staff
 * (alice, bob) and cn=admins (alice), and ou=bulk when `bulk` is true.
 */
export function fixtureLdif(suffix: string, bulk: boolean): string {
  const users = fixtureUsers(suffix);
  let out = baseEntry(suffix);
  out += entry(`ou=people,${suffix}`, [['objectClass', 'organizationalUnit'], ['ou', 'people']]);
  out += entry(`ou=groups,${suffix}`, [['objectClass', 'organizationalUnit'], ['ou', 'groups']]);
  for (const user of users) {
    const sn = user.cn.split(' ').at(-1) ?? user.cn;
    const attrs: Array<[string, string | Uint8Array]> = [
      ['objectClass', 'inetOrgPerson'],
      ['uid', user.uid],
      ['cn', user.cn],
      ['sn', sn],
      ['givenName', user.cn.split(' ')[0] ?? user.cn],
      ['mail', `${user.uid}@example.com`],
      ['userPassword', user.password],
    ];
    if (user.uid === 'carol') attrs.push(['jpegPhoto', CAROL_JPEG_PHOTO]);
    out += entry(user.dn, attrs);
  }
  const dnOf = (uid: string): string => users.find((u) => u.uid === uid)?.dn ?? '';
  out += entry(`cn=staff,ou=groups,${suffix}`, [['objectClass', 'groupOfNames'], ['cn', 'staff'], ['member', dnOf('alice')], ['member', dnOf('bob')]]);
  out += entry(`cn=admins,ou=groups,${suffix}`, [['objectClass', 'groupOfNames'], ['cn', 'admins'], ['member', dnOf('alice')]]);
  if (bulk) out += entry(`ou=bulk,${suffix}`, [['objectClass', 'organizationalUnit'], ['ou', 'bulk']]);
  return out;
}

/** The DN of generated entry number `n` (1-based). */
export function bulkEntryDn(suffix: string, n: number): string {
  return `uid=user${String(n).padStart(6, '0')},ou=bulk,${suffix}`;
}

/**
 * Generated inetOrgPerson entries 1..count under ou=bulk, as LDIF chunks of
 * `perChunk` entries: uid=userNNNNNN, cn "User N", sn N, mail,
 * employeeNumber N and userPassword pwN.
 */
export function* bulkLdif(suffix: string, count: number, perChunk = 2000): Generator<string> {
  for (let first = 1; first <= count; first += perChunk) {
    const last = Math.min(count, first + perChunk - 1);
    let chunk = '';
    for (let n = first; n <= last; n++) {
      const uid = `user${String(n).padStart(6, '0')}`;
      chunk += `dn: uid=${uid},ou=bulk,${suffix}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: User ${n}\nsn: ${n}\nmail: ${uid}@example.com\nemployeeNumber: ${n}\nuserPassword: pw${n}\n\n`;
    }
    yield chunk;
  }
}
