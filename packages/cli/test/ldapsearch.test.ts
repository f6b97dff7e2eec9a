/**
 * `lber ldapsearch` prints byte for byte what OpenLDAP's ldapsearch prints
 * (stdout and exit code), against a testkit slapd with 1,000 entries.
 */
import { readFileSync, rmSync } from 'node:fs';
import { useSlapd } from '@lber/testkit';
import { runLber, runOpenldap } from './helpers.js';

const slapd = useSlapd({ entries: 1000 });

function admin(): string[] {
  const s = slapd();
  return ['-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword];
}

const CASES: ReadonlyArray<readonly [string, (base: string) => string[]]> = [
  ['base scope', (b) => ['-b', b, '-s', 'base']],
  ['one scope', (b) => ['-b', b, '-s', 'one']],
  ['sub scope, all 1,000 bulk entries', (b) => ['-b', `ou=bulk,${b}`]],
  ['children scope', (b) => ['-b', `ou=people,${b}`, '-s', 'children']],
  ['filter with escapes', (b) => ['-b', b, '(|(cn=\\28none\\29)(cn=Zo\\c3\\ab*)(uid=al\\2a)(uid=alice))']],
  ['filter without parentheses', (b) => ['-b', b, 'uid=bob']],
  ['and/or/not filter', (b) => ['-b', b, '(&(objectClass=inetOrgPerson)(!(uid=bob))(|(cn=A*)(cn=C*)))']],
  ['attribute list', (b) => ['-b', b, '(uid=*)', 'cn', 'mail', 'uid']],
  ['no attributes (1.1)', (b) => ['-b', b, '(objectClass=*)', '1.1']],
  ['operational attributes', (b) => ['-b', `uid=alice,ou=people,${b}`, '-s', 'base', '+', 'structuralObjectClass']],
  ['binary attribute (jpegPhoto), default wrap', (b) => ['-b', b, '(uid=carol)', 'jpegPhoto', 'cn']],
  ['non-ASCII values', (b) => ['-b', b, '(uid=zoe)']],
  ['-LLL -o ldif-wrap=no', (b) => ['-LLL', '-o', 'ldif-wrap=no', '-b', b, '(uid=carol)']],
  ['-o ldif-wrap=30', (b) => ['-o', 'ldif-wrap=30', '-b', b, '(uid=carol)']],
  ['-L', (b) => ['-L', '-b', `ou=people,${b}`]],
  ['-LL', (b) => ['-LL', '-b', `ou=people,${b}`]],
  ['-LLL', (b) => ['-LLL', '-b', `ou=groups,${b}`]],
  ['paged -E pr=100/noprompt', (b) => ['-E', 'pr=100/noprompt', '-b', `ou=bulk,${b}`, '(objectClass=inetOrgPerson)', 'uid', 'cn']],
  ['paged -LLL', (b) => ['-LLL', '-E', 'pr=250/noprompt', '-b', `ou=bulk,${b}`, 'uid']],
  ['size limit (4)', (b) => ['-z', '5', '-b', `ou=bulk,${b}`, 'uid']],
  ['paged with a size limit', (b) => ['-z', '5', '-E', 'pr=2/noprompt', '-b', `ou=bulk,${b}`, 'uid']],
  ['-A types only', (b) => ['-A', '-b', `ou=people,${b}`]],
  ['-S sort by cn', (b) => ['-S', 'cn', '-b', `ou=people,${b}`, '(objectClass=*)', 'cn']],
  ['-u user friendly names', (b) => ['-u', '-b', `ou=people,${b}`, 'uid']],
  ['-M manageDSAit header', (b) => ['-M', '-b', b, '-s', 'base']],
  ['-E subentries', (b) => ['-E', 'subentries=false', '-b', b, '-s', 'one']],
  ['no such object (32)', (b) => ['-b', `ou=nowhere,${b}`]],
  ['root DSE', () => ['-b', '', '-s', 'base', 'namingContexts', 'supportedLDAPVersion']],
];

describe('lber ldapsearch equals OpenLDAP ldapsearch', () => {
  test.each(CASES)('%s', async (_name, argsFor) => {
    const args = [...admin(), ...argsFor(slapd().suffix)];
    const want = runOpenldap('ldapsearch', args);
    const got = await runLber('ldapsearch', args);
    expect(got.stdout.toString('latin1')).toEqual(want.stdout.toString('latin1'));
    expect(got.status).toBe(want.status);
  });

  test('anonymous search over the size limit exits 4 like OpenLDAP', async () => {
    const args = ['-x', '-H', slapd().url, '-b', slapd().bulkBase, 'uid'];
    const want = runOpenldap('ldapsearch', args);
    const got = await runLber('ldapsearch', args);
    expect(want.status).toBe(4);
    expect(got.status).toBe(4);
    expect(got.stdout.equals(want.stdout)).toBe(true);
  });

  test('bad filter: exit 249 (LDAP_FILTER_ERROR -7) like OpenLDAP', async () => {
    const args = [...admin(), '-b', slapd().suffix, '(uid=bob'];
    const want = runOpenldap('ldapsearch', args);
    const got = await runLber('ldapsearch', args);
    expect(got.status).toBe(249);
    expect(want.status).toBe(249);
    expect(got.stderr).toBe(want.stderr);
  });

  test('wrong password: exit 49 and the same error line', async () => {
    const s = slapd();
    const args = ['-x', '-H', s.url, '-D', s.users[0]!.dn, '-w', 'wrong', '-b', s.suffix];
    const want = runOpenldap('ldapsearch', args);
    const got = await runLber('ldapsearch', args);
    expect(got.status).toBe(49);
    expect(want.status).toBe(49);
    expect(got.stderr).toBe(want.stderr);
  });

  test('no server: exit 255 (-1) like OpenLDAP', async () => {
    const args = ['-x', '-H', 'ldap://127.0.0.1:1', '-b', 'dc=x'];
    const want = runOpenldap('ldapsearch', args);
    const got = await runLber('ldapsearch', args);
    expect(got.status).toBe(255);
    expect(want.status).toBe(255);
    expect(got.stderr).toBe(want.stderr);
  });

  test('-t writes binary values to files and prints file URLs', async () => {
    const s = slapd();
    const dir = `${process.env['TMPDIR'] ?? '/tmp'}`;
    const args = [...admin(), '-t', '-T', dir, '-b', s.suffix, '(uid=carol)', 'jpegPhoto', 'cn'];
    const want = runOpenldap('ldapsearch', args);
    const got = await runLber('ldapsearch', args);
    const urlRe = /file:\/\/\/\S*ldapsearch-jpegPhoto-[A-Za-z0-9]{6}/g;
    const paths = [...got.stdout.toString('utf8').matchAll(urlRe)].map((m) => m[0].slice('file://'.length));
    const wantPaths = [...want.stdout.toString('utf8').matchAll(urlRe)].map((m) => m[0].slice('file://'.length));
    expect(paths).toHaveLength(1);
    expect(got.stdout.toString('utf8').replace(urlRe, 'URL')).toBe(want.stdout.toString('utf8').replace(urlRe, 'URL'));
    expect(readFileSync(paths[0]!).equals(readFileSync(wantPaths[0]!))).toBe(true);
    for (const p of [...paths, ...wantPaths]) rmSync(p, { force: true });
  });

  test('-d shows the layers and hex dumps on stderr, never the password', async () => {
    const s = slapd();
    const password = s.users[1]!.password;
    const got = await runLber('ldapsearch', ['-d', '2', '-x', '-H', s.url, '-D', s.users[1]!.dn, '-w', password, '-b', s.suffix, '(uid=bob)', 'cn']);
    expect(got.status).toBe(0);
    expect(got.stderr).toContain('lber: Sockbuf layers, top first: debug(INT_MAX) > tcp(PROVIDER) > debug(PROVIDER)');
    expect(got.stderr).toMatch(/^ldap_write: want=\d+, written=\d+$/m);
    expect(got.stderr).toMatch(/^ldap_read: want=\d+, got=\d+$/m);
    expect(got.stderr).toMatch(/^ {2}0000: {2}30 /m);
    expect(got.stderr).not.toContain(password);
    // the hex column does not spell it either
    expect(got.stderr).not.toContain(Buffer.from(password).toString('hex').match(/../g)!.join(' '));
    expect(got.stdout.toString('utf8')).toContain('dn: uid=bob,ou=people,dc=example,dc=com\ncn: Bob Baker\n');
    const ldapsearch = runOpenldap('ldapsearch', ['-d', '2', '-x', '-H', s.url, '-D', s.users[1]!.dn, '-w', password, '-b', s.suffix, '(uid=bob)', 'cn']);
    expect(ldapsearch.stderr).toContain('ldap_write: want=');
  });

  test('a long search shows a progress line on a terminal stderr only, never in stdout', async () => {
    // one entry per page: long enough (1,000 round trips) for the line to appear
    const args = [...admin(), '-E', 'pr=1/noprompt', '-b', slapd().bulkBase, 'uid'];
    const tty = await runLber('ldapsearch', args, { stderrIsTTY: true });
    const pipe = await runLber('ldapsearch', args);
    expect(tty.status).toBe(0);
    expect(tty.stderr).toMatch(new RegExp(`\r${String.fromCharCode(27)}\\[K# \\d+ entries, \\d+/s`));
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(pipe.stderr).toBe('');
    expect(tty.stdout.equals(pipe.stdout)).toBe(true);
    expect(tty.stdout.toString('utf8')).not.toContain('entries, ');
  });
});
