/**
 * Byte-for-byte agreement with OpenLDAP's own LDIF: entries with long
 * values, binary values, non-ASCII DNs and values, values with leading or
 * trailing spaces, colons, `<`, control characters, `;binary` and
 * `userPassword` are added to the testkit's slapd with OpenLDAP's
 * `ldapmodify` (from change records this writer wrote), then fetched with
 * OpenLDAP's `ldapsearch` in several output forms. Each output is read
 * with the reader and written back with the writer: the bytes must be
 * identical. Change records of every type written here are then applied
 * by `ldapmodify`, and the directory shows their effect.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { CAROL_JPEG_PHOTO, ZOE_CN, useSlapd } from '@lber/testkit';
import { LdifWriter, formatLdif, parseLdif, readLdif, type LdifRecord, type LdifRecordInput } from '@lber/ldap';

const slapd = useSlapd({ entries: 120 });

/** Runs an OpenLDAP client tool; resolves with stdout (bytes) or rejects with stderr. */
function run(tool: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      tool,
      args,
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LDAPNOINIT: '1' } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${tool} ${args.join(' ')}: ${error.message} (signal ${String(error.signal)})\n${stderr.toString()}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function bind(): string[] {
  const s = slapd();
  return ['-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword];
}

function ldapsearch(args: string[]): Promise<Buffer> {
  return run('ldapsearch', [...bind(), ...args]);
}

function ldapmodify(ldif: Buffer): Promise<Buffer> {
  return run('ldapmodify', bind(), ldif);
}

const LONG_TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(9).trim();
const JPEG = Buffer.concat([CAROL_JPEG_PHOTO, randomBytes(3001)]);
const UTF8_CN = 'Grüße aus Köln – 東京';

function base(): string {
  return `ou=ldif,${slapd().suffix}`;
}

/** The entries this test adds, as `changetype: add` records. */
function entriesToAdd(): LdifRecordInput[] {
  const b = base();
  const cert = new X509Certificate(readFileSync(slapd().certs.client.cert)).raw;
  const descriptions: string[] = [
    ' leading space',
    'trailing space ',
    ':colon first',
    '<less-than first',
    'tab\tinside',
    'two\nlines',
    '#hash first is plain',
    '-dash',
    'x',
    LONG_TEXT,
  ];
  // Values whose line ends right at, just before and just after the fold.
  for (let n = 60; n <= 82; n++) descriptions.push('d'.repeat(n));
  for (let n = 150; n <= 160; n++) descriptions.push('e'.repeat(n));
  return [
    { kind: 'change', changeType: 'add', dn: b, attributes: [{ type: 'objectClass', values: ['organizationalUnit'] }, { type: 'ou', values: ['ldif'] }] },
    {
      kind: 'change',
      changeType: 'add',
      dn: `cn=edge cases,${b}`,
      attributes: [
        { type: 'objectClass', values: ['inetOrgPerson'] },
        { type: 'cn', values: ['edge cases'] },
        { type: 'sn', values: ['Edge'] },
        { type: 'description', values: descriptions },
        { type: 'description;lang-en', values: ['Hello in English'] },
        { type: 'userPassword', values: ['plain-looking password'] },
        { type: 'jpegPhoto', values: [JPEG] },
        { type: 'userCertificate;binary', values: [cert] },
        { type: 'labeledURI', values: [`https://example.com/${'path/'.repeat(30)} Label`] },
      ],
    },
    {
      kind: 'change',
      changeType: 'add',
      dn: `cn=${UTF8_CN},${b}`,
      attributes: [
        { type: 'objectClass', values: ['inetOrgPerson'] },
        { type: 'cn', values: [UTF8_CN] },
        { type: 'sn', values: ['Ünïcödé'] },
        { type: 'displayName', values: [ZOE_CN.repeat(8)] },
      ],
    },
    {
      kind: 'change',
      changeType: 'add',
      dn: `cn=${'a very long relative distinguished name value '.repeat(2).trim()},${b}`,
      attributes: [
        { type: 'objectClass', values: ['person'] },
        { type: 'cn', values: ['a very long relative distinguished name value '.repeat(2).trim()] },
        { type: 'sn', values: ['Long'] },
      ],
    },
    {
      kind: 'change',
      changeType: 'add',
      dn: `uid=counter,${b}`,
      attributes: [
        { type: 'objectClass', values: ['account', 'posixAccount'] },
        { type: 'uid', values: ['counter'] },
        { type: 'cn', values: ['counter'] },
        { type: 'uidNumber', values: ['1000'] },
        { type: 'gidNumber', values: ['1000'] },
        { type: 'homeDirectory', values: ['/home/counter'] },
      ],
    },
  ];
}

/** Reads OpenLDAP's output through a stream of small chunks, as a file would arrive. */
async function readChunked(bytes: Buffer, chunk: number): Promise<{ records: LdifRecord[]; version: number | undefined }> {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  const reader = readLdif(Readable.from(parts));
  const records: LdifRecord[] = [];
  for await (const r of reader) records.push(r);
  return { records, version: reader.version };
}

/** The LDIF without its comment lines (and their continuation lines). */
function withoutComments(ldif: Buffer): Buffer {
  return Buffer.from(ldif.toString('latin1').replace(/^#.*\n( .*\n)*/gm, ''), 'latin1');
}

beforeAll(async () => {
  await ldapmodify(formatLdif(entriesToAdd()));
}, 30000);

/** A search: its name, ldapsearch's arguments (given the suffix and this test's base), and the writer options that match. */
type Case = [name: string, args: (suffix: string, base: string) => string[], wrap: number | 'no' | undefined, version: boolean];

const CASES: Case[] = [
  ['-LLL, whole DIT, default wrap', (s) => ['-LLL', '-b', s], undefined, false],
  ['-LLL -o ldif-wrap=no', (s) => ['-LLL', '-o', 'ldif-wrap=no', '-b', s], 'no', false],
  ['-LL (version line)', (s) => ['-LL', '-b', s], undefined, true],
  ['-LL -o ldif-wrap=no', (s) => ['-LL', '-o', 'ldif-wrap=no', '-b', s], 'no', true],
  ['-LLL -o ldif-wrap=40', (_, b) => ['-LLL', '-o', 'ldif-wrap=40', '-b', b], 40, false],
  ['-LLL -o ldif-wrap=10', (_, b) => ['-LLL', '-o', 'ldif-wrap=10', '-b', b], 10, false],
  ['-LLL -o ldif-wrap=2', (_, b) => ['-LLL', '-o', 'ldif-wrap=2', '-b', b], 2, false],
  ['-LLL -o ldif-wrap=0 (the default)', (_, b) => ['-LLL', '-o', 'ldif-wrap=0', '-b', b], 0, false],
  ['-LLL -o ldif-wrap=77', (_, b) => ['-LLL', '-o', 'ldif-wrap=77', '-b', b], 77, false],
  ['-LLL -o ldif-wrap=200', (_, b) => ['-LLL', '-o', 'ldif-wrap=200', '-b', b], 200, false],
  ['-LLL operational attributes', (s) => ['-LLL', '-b', s, '*', '+'], undefined, false],
  ['-LLL -A (names only)', (s) => ['-LLL', '-A', '-b', s], undefined, false],
  ['-LLL 1.1 (DNs only)', (s) => ['-LLL', '-b', s, '1.1'], undefined, false],
  ['-LLL root DSE (empty DN)', () => ['-LLL', '-b', '', '-s', 'base', '+'], undefined, false],
  ['-LLL one level, filter and attribute list', (s) => ['-LLL', '-b', `ou=people,${s}`, '-s', 'one', '(|(uid=carol)(uid=zoe))', 'cn', 'jpegPhoto', 'mail'], undefined, false],
  ['-LLL paged (pr=7/noprompt)', (s) => ['-LLL', '-E', 'pr=7/noprompt', '-b', `ou=bulk,${s}`, '-s', 'one'], undefined, false],
  ['-LLL no entries', (s) => ['-LLL', '-b', s, '(uid=nobody-at-all)'], undefined, false],
  ['-LL no entries', (s) => ['-LL', '-b', s, '(uid=nobody-at-all)'], undefined, true],
];

describe("OpenLDAP's ldapsearch output, read and written back, is byte-identical", () => {
  test.each(CASES)('%s', async (name, args, wrap, version) => {
    const output = await ldapsearch(args(slapd().suffix, base()));
    // ldapsearch's own comment lines (`# pagedresults: cookie=...` between
    // pages, even with -LLL) are the tool's, not the entries': the reader
    // skips them, so they are taken out of what is compared.
    const openldap = withoutComments(output);
    if (name.includes('paged')) expect(openldap.length).toBeLessThan(output.length);
    const parsed = parseLdif(openldap);
    const ours = formatLdif(parsed, { wrap, version });
    expect(ours.toString('latin1')).toBe(openldap.toString('latin1'));
    expect(ours.equals(openldap)).toBe(true);
    // The same through a chunked stream (odd chunk size: lines split everywhere).
    const streamed = await readChunked(openldap, 61);
    expect(streamed.records).toEqual(parsed);
    expect(streamed.version).toBe(version ? 1 : undefined);
  });

  test('wrap 1: ldapsearch dies of SIGFPE (LDIF_SIZE_NEEDED_WRAP divides by wrap - 1); the writer folds as at wrap 2', async () => {
    const died = await ldapsearch(['-LLL', '-o', 'ldif-wrap=1', '-b', base()]).then(
      () => 'exited',
      (e: unknown) => String(e),
    );
    expect(died).toMatch(/signal SIGFPE/);
    // libldap's fold rule gives the same lines at widths 1 and 2 (one octet per continuation line).
    const openldap = await ldapsearch(['-LLL', '-o', 'ldif-wrap=2', '-b', base()]);
    expect(formatLdif(parseLdif(openldap), { wrap: 1 }).equals(openldap)).toBe(true);
  });

  test('the edge-case entry has what was added, and its output folds and encodes as libldap', async () => {
    const out = await ldapsearch(['-LLL', '-b', `cn=edge cases,${base()}`, '-s', 'base']);
    const [entry] = parseLdif(out);
    expect(entry?.kind).toBe('content');
    if (entry?.kind !== 'content') return;
    const byType = new Map(entry.attributes.map((a) => [a.type, a.values]));
    expect(byType.get('jpegPhoto')).toEqual([JPEG]);
    expect(byType.get('userPassword')).toEqual([Buffer.from('plain-looking password')]);
    expect(byType.get('description')?.map((v) => v.toString())).toContain(' leading space');
    const text = out.toString('latin1');
    // userPassword and values with a leading space, colon, '<', trailing space, tab or newline are base64.
    expect(text).toContain('userPassword:: ');
    expect(text).toContain(`description:: ${Buffer.from(' leading space').toString('base64')}\n`);
    expect(text).toContain('description: #hash first is plain\n');
    expect(text).toMatch(/^userCertificate;binary:: /m);
    // No line longer than 78 octets.
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  test('a DN with non-ASCII characters is written dn:: base64', async () => {
    const out = await ldapsearch(['-LLL', '-b', base(), '-s', 'one', `(cn=${UTF8_CN})`, 'cn']);
    expect(out.toString('latin1').startsWith('dn:: ')).toBe(true);
    const [entry] = parseLdif(out);
    expect(entry?.dn).toBe(`cn=${UTF8_CN},${base()}`);
  });
});

describe("change records written here are applied by OpenLDAP's ldapmodify", () => {
  test('modify (add, delete, replace, increment), modrdn with newsuperior, moddn, delete', async () => {
    const b = base();
    const writer = new LdifWriter();
    const changes: LdifRecordInput[] = [
      { kind: 'change', changeType: 'add', dn: `cn=target,${b}`, attributes: [{ type: 'objectClass', values: ['inetOrgPerson'] }, { type: 'cn', values: ['target'] }, { type: 'sn', values: ['T'] }, { type: 'description', values: ['one', 'two'] }] },
      {
        kind: 'change',
        changeType: 'modify',
        dn: `cn=target,${b}`,
        changes: [
          { operation: 'add', type: 'mail', values: ['target@example.com'] },
          { operation: 'delete', type: 'description', values: ['one'] },
          { operation: 'replace', type: 'sn', values: [' spaced surname', 'Second'] },
          { operation: 'replace', type: 'jpegPhoto', values: [JPEG] },
        ],
      },
      { kind: 'change', changeType: 'modify', dn: `uid=counter,${b}`, changes: [{ operation: 'increment', type: 'uidNumber', values: ['5'] }] },
      { kind: 'change', changeType: 'add', dn: `ou=moved,${b}`, attributes: [{ type: 'objectClass', values: ['organizationalUnit'] }, { type: 'ou', values: ['moved'] }] },
      { kind: 'change', changeType: 'modrdn', dn: `cn=target,${b}`, newRdn: 'cn=Zielobjekt ü', deleteOldRdn: true, newSuperior: `ou=moved,${b}` },
      { kind: 'change', changeType: 'add', dn: `cn=gone,${b}`, attributes: [{ type: 'objectClass', values: ['person'] }, { type: 'cn', values: ['gone'] }, { type: 'sn', values: ['G'] }] },
      { kind: 'change', changeType: 'moddn', dn: `cn=gone,${b}`, newRdn: 'cn=going', deleteOldRdn: false },
      { kind: 'change', changeType: 'delete', dn: `cn=going,${b}` },
    ];
    const ldif = Buffer.concat(changes.map((c) => writer.write(c)));
    // What was written reads back as the same records.
    const back = parseLdif(ldif);
    expect(back.map((r) => (r.kind === 'change' ? r.changeType : r.kind))).toEqual(['add', 'modify', 'modify', 'add', 'modrdn', 'add', 'moddn', 'delete']);
    await ldapmodify(ldif);

    const moved = parseLdif(await ldapsearch(['-LLL', '-b', `ou=moved,${b}`, '-s', 'one']));
    expect(moved).toHaveLength(1);
    const entry = moved[0]!;
    expect(entry.dn).toBe(`cn=Zielobjekt ü,ou=moved,${b}`);
    if (entry.kind !== 'content') throw new Error('not a content record');
    const values = (type: string): string[] => entry.attributes.find((a) => a.type === type)?.values.map((v) => v.toString()) ?? [];
    expect(values('cn')).toEqual(['Zielobjekt ü']); // deleteoldrdn: 1 removed "target"
    expect(values('mail')).toEqual(['target@example.com']);
    expect(values('description')).toEqual(['two']);
    expect(values('sn')).toEqual([' spaced surname', 'Second']);
    expect(entry.attributes.find((a) => a.type === 'jpegPhoto')?.values).toEqual([JPEG]);

    const counter = parseLdif(await ldapsearch(['-LLL', '-b', `uid=counter,${b}`, '-s', 'base', 'uidNumber']));
    expect(counter[0]?.kind === 'content' && counter[0].attributes[0]?.values[0]?.toString()).toBe('1005');

    const gone = await ldapsearch(['-LLL', '-b', b, '-s', 'one', '(|(cn=gone)(cn=going))', 'cn']);
    expect(gone.length).toBe(0);
  });
});
