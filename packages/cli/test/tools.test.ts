/**
 * ldapwhoami, ldappasswd, ldapcompare, ldapdelete, ldapmodrdn and ldapexop:
 * stdout, stderr and exit codes equal OpenLDAP's for success and error
 * cases (wrong password 49, no such object 32, ...), plus SASL binds and
 * StartTLS.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, useSlapd } from '@lber/testkit';
import type { SlapdServer } from '@lber/testkit';
import { runLber, runOpenldap, toolEnv } from './helpers.js';

const ours = useSlapd();
const theirs = useSlapd();

type Args = (s: SlapdServer) => string[];
const asAdmin: Args = (s) => ['-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword];
const asBob: Args = (s) => ['-x', '-H', s.url, '-D', s.users[1]!.dn, '-w', s.users[1]!.password];

/** [name, tool, args, expected exit status] */
const CASES: ReadonlyArray<readonly [string, string, Args, number]> = [
  ['whoami as admin', 'ldapwhoami', asAdmin, 0],
  ['whoami anonymous', 'ldapwhoami', (s) => ['-x', '-H', s.url], 0],
  ['whoami -v', 'ldapwhoami', (s) => [...asBob(s), '-v'], 0],
  ['whoami wrong password', 'ldapwhoami', (s) => ['-x', '-H', s.url, '-D', s.users[0]!.dn, '-w', 'wrong'], 49],
  ['whoami no such user', 'ldapwhoami', (s) => ['-x', '-H', s.url, '-D', `uid=nobody,ou=people,${s.suffix}`, '-w', 'x'], 49],
  ['whoami no server', 'ldapwhoami', () => ['-x', '-H', 'ldap://127.0.0.1:1'], 255],
  ['compare true', 'ldapcompare', (s) => [...asAdmin(s), s.users[1]!.dn, 'cn:Bob Baker'], 6],
  ['compare false', 'ldapcompare', (s) => [...asAdmin(s), s.users[1]!.dn, 'cn:Bobby'], 5],
  ['compare base64', 'ldapcompare', (s) => [...asAdmin(s), s.users[1]!.dn, 'cn::Qm9iIEJha2Vy'], 6],
  ['compare -z', 'ldapcompare', (s) => [...asAdmin(s), '-z', s.users[1]!.dn, 'cn:Bob Baker'], 6],
  ['compare no such object', 'ldapcompare', (s) => [...asAdmin(s), `uid=nobody,ou=people,${s.suffix}`, 'cn:x'], 32],
  ['compare undefined attribute', 'ldapcompare', (s) => [...asAdmin(s), s.users[1]!.dn, 'nosuchattr:x'], 17],
  ['delete no such object', 'ldapdelete', (s) => [...asAdmin(s), `uid=nobody,ou=people,${s.suffix}`], 32],
  ['delete non-leaf', 'ldapdelete', (s) => [...asAdmin(s), `ou=people,${s.suffix}`], 66],
  ['delete -v -c two missing', 'ldapdelete', (s) => [...asAdmin(s), '-v', '-c', `uid=n1,${s.suffix}`, `uid=n2,${s.suffix}`], 32],
  ['delete insufficient access', 'ldapdelete', (s) => [...asBob(s), s.users[0]!.dn], 50],
  ['delete a leaf', 'ldapdelete', (s) => [...asAdmin(s), `cn=admins,ou=groups,${s.suffix}`], 0],
  ['modrdn no such object', 'ldapmodrdn', (s) => [...asAdmin(s), `uid=nobody,ou=people,${s.suffix}`, 'uid=x'], 32],
  ['modrdn -r', 'ldapmodrdn', (s) => [...asAdmin(s), '-r', `cn=staff,ou=groups,${s.suffix}`, 'cn=crew'], 0],
  ['modrdn -s new superior', 'ldapmodrdn', (s) => [...asAdmin(s), '-s', `ou=groups,${s.suffix}`, s.users[3]!.dn, 'uid=zoe'], 0],
  ['passwd no such user', 'ldappasswd', (s) => [...asAdmin(s), `uid=nobody,ou=people,${s.suffix}`, '-s', 'x'], 1],
  ['passwd wrong bind password', 'ldappasswd', (s) => ['-x', '-H', s.url, '-D', s.users[2]!.dn, '-w', 'nope', '-s', 'new'], 49],
  ['passwd set for carol', 'ldappasswd', (s) => [...asAdmin(s), s.users[2]!.dn, '-s', 'carol-new'], 0],
  ['exop whoami', 'ldapexop', asBob, 0],
  ['exop oid whoami', 'ldapexop', (s) => [...asBob(s), '1.3.6.1.4.1.4203.1.11.3'], 0],
  ['exop unknown oid', 'ldapexop', (s) => [...asAdmin(s), '1.2.3.4'], 1],
  ['exop cancel unknown id', 'ldapexop', (s) => [...asAdmin(s), 'cancel', '99'], 1],
];

describe('the other tools equal OpenLDAP', () => {
  test.each(CASES)('%s', async (_name, tool, argsFor, status) => {
    const args = argsFor(ours());
    // 'whoami' for ldapexop is a word, not an option: put it last.
    if (tool === 'ldapexop' && _name === 'exop whoami') args.push('whoami');
    const theirArgs = argsFor(theirs());
    if (tool === 'ldapexop' && _name === 'exop whoami') theirArgs.push('whoami');
    const want = runOpenldap(tool, theirArgs);
    const got = await runLber(tool, args);
    expect(want.status).toBe(status);
    expect(got.status).toBe(status);
    const norm = (text: string, s: SlapdServer): string => text.split(s.url).join('URL');
    expect(norm(got.stdout.toString('utf8'), ours())).toBe(norm(want.stdout.toString('utf8'), theirs()));
    expect(norm(got.stderr, ours())).toBe(norm(want.stderr, theirs()));
  });

  test('ldappasswd without a new password prints the generated one', async () => {
    const s = ours();
    const got = await runLber('ldappasswd', [...asAdmin(s), s.users[0]!.dn]);
    expect(got.status).toBe(0);
    expect(got.stdout.toString('utf8')).toMatch(/^New password: \S+\n$/);
    const newPassword = got.stdout.toString('utf8').slice('New password: '.length, -1);
    const check = await runLber('ldapwhoami', ['-x', '-H', s.url, '-D', s.users[0]!.dn, '-w', newPassword]);
    expect(check.stdout.toString('utf8')).toBe(`dn:${s.users[0]!.dn}\n`);
  });

  test('ldappasswd -d masks the old and new passwords too', async () => {
    const s = ours();
    const got = await runLber('ldappasswd', ['-d', '2', '-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword, s.users[2]!.dn, '-a', 'carol-new', '-s', 'carol-newer-secret']);
    expect(got.status).toBe(0);
    expect(got.stderr).toContain('ldap_write: want=');
    for (const secret of [s.rootPassword, 'carol-new', 'carol-newer-secret']) expect(got.stderr).not.toContain(secret);
  });

  test.each(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'SCRAM-SHA-512', 'CRAM-MD5', 'DIGEST-MD5'])('SASL %s bind as bob prints what OpenLDAP prints (DIGEST-MD5: with its auth-conf layer)', async (mech) => {
    const s = ours();
    const args = ['-Y', mech, '-U', 'bob', '-w', s.users[1]!.password, '-H', s.url];
    const got = await runLber('ldapwhoami', args);
    const want = runOpenldap('ldapwhoami', ['-Y', mech, '-U', 'bob', '-w', theirs().users[1]!.password, '-H', theirs().url]);
    expect(got.status).toBe(0);
    expect(got.stdout.toString('utf8')).toBe(want.stdout.toString('utf8'));
    expect(got.stderr).toBe(want.stderr);
    const bad = await runLber('ldapwhoami', ['-Y', mech, '-U', 'bob', '-w', 'wrong', '-H', s.url]);
    expect(bad.status).toBe(49);
  });

  test('SASL EXTERNAL over ldapi and PLAIN', async () => {
    const s = ours();
    const ext = await runLber('ldapwhoami', ['-Y', 'EXTERNAL', '-H', s.ldapiUrl]);
    const extWant = runOpenldap('ldapwhoami', ['-Y', 'EXTERNAL', '-H', theirs().ldapiUrl]);
    expect(ext.status).toBe(0);
    expect(ext.stdout.toString('utf8')).toBe(extWant.stdout.toString('utf8'));
    expect(ext.stderr).toBe(extWant.stderr);
    const plain = await runLber('ldapwhoami', ['-Y', 'PLAIN', '-U', 'bob', '-w', s.users[1]!.password, '-H', s.url]);
    expect(plain.stdout.toString('utf8')).toBe(`dn:${s.users[1]!.dn}\n`);
  });

  test('StartTLS -ZZ with the testkit CA; -ZZ without trusting it fails with exit 1', async () => {
    const s = ours();
    const url = `ldap://localhost:${s.port}`;
    // LDAPTLS_CACERT is an ldap.conf option from the environment, which LDAPNOINIT would turn off.
    const ok = await runLber('ldapwhoami', ['-ZZ', '-x', '-H', url, '-D', s.rootDn, '-w', s.rootPassword], { env: { ...process.env, LDAPTLS_CACERT: s.certs.ca.cert } });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout.toString('utf8')).toBe(`dn:${s.rootDn}\n`);
    const bad = await runLber('ldapwhoami', ['-ZZ', '-x', '-H', url], { env: toolEnv({ LDAPTLS_CACERT: '/nonexistent' }) });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^ldap_start_tls: Connect error \(-11\)\n\tadditional info: /);
  });

  test('the lber command npm links at node_modules/.bin runs from any directory, with the exit codes of the tools', () => {
    const s = ours();
    const bin = join(repoRoot(), 'node_modules', '.bin', 'lber');
    const run = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(bin, args, { cwd: tmpdir(), encoding: 'utf8', env: toolEnv(), timeout: 30_000 });
    const ok = run(['ldapwhoami', '-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe(`dn:${s.rootDn}\n`);
    expect(ok.status).toBe(0);
    const missing = run(['ldapsearch', '-x', '-LLL', '-H', s.url, '-b', `ou=nowhere,${s.suffix}`]);
    expect(missing.status).toBe(32);
    expect(missing.stderr).toContain('No such object (32)');
  });

  test('--help and unknown options', async () => {
    const help = await runLber('ldapsearch', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stderr).toContain('usage: ldapsearch [options] [filter [attributes...]]');
    const bad = await runLber('ldapwhoami', ['-q']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('ldapwhoami: unrecognized option -q');
  });
});
