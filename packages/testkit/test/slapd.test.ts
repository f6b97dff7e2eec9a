import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { CAROL_JPEG_PHOTO, TestkitError, ZOE_CN, reapOrphans, runningSlapdPids, startSlapd, tlsMaterial, useSlapd } from '@lber/testkit';
import type { ServerCertKind, SlapdServer } from '@lber/testkit';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never throws on a non-zero exit. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input = ''): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, LDAPCONF: '/dev/null', LDAPRC: '/dev/null', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // a command that does not read its stdin may be gone before we close it
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** True while a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The values of an attribute in `ldapsearch -LLL -o ldif-wrap=no` output, base64 decoded where needed. */
function ldifValues(ldif: string, attr: string): Buffer[] {
  const out: Buffer[] = [];
  for (const line of ldif.split('\n')) {
    if (line.startsWith(`${attr}:: `)) out.push(Buffer.from(line.slice(attr.length + 3), 'base64'));
    else if (line.startsWith(`${attr}: `)) out.push(Buffer.from(line.slice(attr.length + 2), 'utf8'));
  }
  return out;
}

function dnCount(ldif: string): number {
  return ldif.split('\n').filter((l) => l.startsWith('dn:') || l.startsWith('dn::')).length;
}

/** Connects with node:tls trusting only our CA; resolves with the verification outcome. */
function tlsConnect(port: number, options: tls.ConnectionOptions): Promise<{ ok: boolean; code: string | undefined; socket?: tls.TLSSocket }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options });
    socket.on('secureConnect', () => resolve({ ok: true, code: undefined, socket }));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, code: error.code }));
  });
}

describe('the default server', () => {
  const slapd = useSlapd();
  let s: SlapdServer;
  beforeAll(() => {
    s = slapd();
  });

  test('returns loopback URLs, credentials, users and the CA', () => {
    expect(s.url).toBe(`ldap://127.0.0.1:${s.port}`);
    expect(s.ldapsUrl).toBe(`ldaps://127.0.0.1:${s.ldapsPort}`);
    expect(s.ldapiUrl).toBe(`ldapi://${encodeURIComponent(s.ldapiPath)}`);
    expect(s.ldapiPath.startsWith(s.tmpDir)).toBe(true);
    expect(s.suffix).toBe('dc=example,dc=com');
    expect(s.rootDn).toBe('cn=admin,dc=example,dc=com');
    expect(s.users.map((u) => u.dn)).toEqual([
      'uid=alice,ou=people,dc=example,dc=com',
      'uid=bob,ou=people,dc=example,dc=com',
      'uid=carol,ou=people,dc=example,dc=com',
      'uid=zoe,ou=people,dc=example,dc=com',
    ]);
    expect(s.caCert).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(readFileSync(s.certs.ca.cert, 'utf8')).toBe(s.caCert);
    expect(s.certs.presented).toBe('good');
    expect(runningSlapdPids()).toContain(s.pid);
    expect(readFileSync(path.join(s.tmpDir, 'slapd.pid'), 'utf8').trim()).toBe(String(s.pid));
  });

  test('simple bind as the root DN and as a user over ldap://', async () => {
    const root = await run('ldapwhoami', ['-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword]);
    expect(root).toMatchObject({ code: 0, stdout: `dn:${s.rootDn}\n` });
    const bob = s.users[1];
    if (bob === undefined) throw new Error('no bob');
    const user = await run('ldapwhoami', ['-x', '-H', s.url, '-D', bob.dn, '-w', bob.password]);
    expect(user).toMatchObject({ code: 0, stdout: `dn:${bob.dn}\n` });
    const wrong = await run('ldapwhoami', ['-x', '-H', s.url, '-D', bob.dn, '-w', 'not-the-password']);
    expect(wrong.code).toBe(49);
  });

  test('ldaps:// verifies against the CA, and fails against another CA', async () => {
    const ok = await run('ldapwhoami', ['-x', '-H', s.ldapsUrl, '-D', s.rootDn, '-w', s.rootPassword], { LDAPTLS_CACERT: s.certs.ca.cert, LDAPTLS_REQCERT: 'demand' });
    expect(ok).toMatchObject({ code: 0, stdout: `dn:${s.rootDn}\n` });
    const bad = await run('ldapwhoami', ['-x', '-H', s.ldapsUrl, '-D', s.rootDn, '-w', s.rootPassword], { LDAPTLS_CACERT: s.certs.unknownCa.cert, LDAPTLS_REQCERT: 'demand' });
    expect(bad.code).not.toBe(0);
  });

  test('StartTLS on ldap:// with the CA', async () => {
    const r = await run('ldapwhoami', ['-ZZ', '-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword], { LDAPTLS_CACERT: s.certs.ca.cert, LDAPTLS_REQCERT: 'demand' });
    expect(r).toMatchObject({ code: 0, stdout: `dn:${s.rootDn}\n` });
  });

  test('SASL EXTERNAL over ldapi:// maps this process to the root DN', async () => {
    const r = await run('ldapwhoami', ['-Y', 'EXTERNAL', '-H', s.ldapiUrl]);
    expect(r).toMatchObject({ code: 0, stdout: `dn:${s.ldapiDn}\n` });
    expect(s.ldapiDn).toBe(s.rootDn);
  });

  test('SASL EXTERNAL with the client certificate maps to alice', async () => {
    const env = { LDAPTLS_CACERT: s.certs.ca.cert, LDAPTLS_CERT: s.certs.client.cert, LDAPTLS_KEY: s.certs.client.key, LDAPTLS_REQCERT: 'demand' };
    const r = await run('ldapwhoami', ['-Y', 'EXTERNAL', '-H', s.ldapsUrl], env);
    expect(r).toMatchObject({ code: 0, stdout: `dn:${s.clientCertDn}\n` });
    expect(s.clientCertDn).toBe('uid=alice,ou=people,dc=example,dc=com');
    // without a certificate the TLS session still works (TLSVerifyClient try), EXTERNAL has no identity to offer
    const noCert = await run('ldapwhoami', ['-Y', 'EXTERNAL', '-H', s.ldapsUrl], { LDAPTLS_CACERT: s.certs.ca.cert });
    expect(noCert.code).not.toBe(0);
  });

  test('node:tls: the server asks for a client certificate and accepts one', async () => {
    const material = await tlsMaterial();
    const withCert = await tlsConnect(s.ldapsPort, { ca: s.caCert, cert: readFileSync(material.client.cert), key: readFileSync(material.client.key) });
    expect(withCert.ok).toBe(true);
    expect(withCert.socket?.getPeerCertificate().subject.CN).toBe('localhost');
    withCert.socket?.destroy();
    const without = await tlsConnect(s.ldapsPort, { ca: s.caCert, servername: 'localhost' });
    expect(without.ok).toBe(true);
    without.socket?.destroy();
  });

  test.each(['PLAIN', 'LOGIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'DIGEST-MD5', 'CRAM-MD5'])('SASL %s with the cleartext userPassword', async (mech) => {
    const bob = s.users[1];
    if (bob === undefined) throw new Error('no bob');
    const r = await run('ldapwhoami', ['-O', 'none', '-Y', mech, '-U', 'bob', '-w', bob.password, '-H', s.url]);
    expect(r).toMatchObject({ code: 0, stdout: `dn:${bob.dn}\n` });
    const wrong = await run('ldapwhoami', ['-O', 'none', '-Y', mech, '-U', 'bob', '-w', 'wrong', '-H', s.url]);
    expect(wrong.code).not.toBe(0);
  });

  test('the root DSE offers EXTERNAL, PLAIN and SCRAM-SHA-256', async () => {
    const r = await run('ldapsearch', ['-x', '-LLL', '-H', s.url, '-b', '', '-s', 'base', 'supportedSASLMechanisms']);
    expect(r.code).toBe(0);
    const mechs = ldifValues(r.stdout, 'supportedSASLMechanisms').map((b) => b.toString());
    expect(mechs).toEqual(expect.arrayContaining(['PLAIN', 'SCRAM-SHA-256', 'DIGEST-MD5']));
    const overLdapi = await run('ldapsearch', ['-Y', 'EXTERNAL', '-LLL', '-H', s.ldapiUrl, '-b', '', '-s', 'base', 'supportedSASLMechanisms']);
    expect(ldifValues(overLdapi.stdout, 'supportedSASLMechanisms').map((b) => b.toString())).toContain('EXTERNAL');
  });

  test('the fixtures: people, groups, a binary jpegPhoto, a non-ASCII cn', async () => {
    const auth = ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword];
    const people = await run('ldapsearch', [...auth, '-b', `ou=people,${s.suffix}`, '-s', 'one', '(objectClass=inetOrgPerson)', 'uid']);
    expect(people.code).toBe(0);
    expect(ldifValues(people.stdout, 'uid').map((b) => b.toString()).sort()).toEqual(['alice', 'bob', 'carol', 'zoe']);
    const carol = await run('ldapsearch', [...auth, '-b', `uid=carol,ou=people,${s.suffix}`, '-s', 'base', 'jpegPhoto']);
    expect(ldifValues(carol.stdout, 'jpegPhoto')).toEqual([CAROL_JPEG_PHOTO]);
    const zoe = await run('ldapsearch', [...auth, '-b', s.suffix, `(uid=zoe)`, 'cn']);
    expect(ldifValues(zoe.stdout, 'cn').map((b) => b.toString('utf8'))).toEqual([ZOE_CN]);
    const staff = await run('ldapsearch', [...auth, '-b', `ou=groups,${s.suffix}`, '(cn=staff)', 'member']);
    expect(ldifValues(staff.stdout, 'member').map((b) => b.toString())).toEqual([s.users[0]?.dn, s.users[1]?.dn]);
  });

  test('ACL: users change their own password, cannot read or change others', async () => {
    const [alice, bob, , zoe] = s.users;
    if (alice === undefined || bob === undefined || zoe === undefined) throw new Error('fixtures');
    const asAlice = ['-x', '-H', s.url, '-D', alice.dn, '-w', alice.password];
    const readBob = await run('ldapsearch', [...asAlice, '-LLL', '-b', bob.dn, '-s', 'base', 'userPassword', 'mail']);
    expect(readBob.code).toBe(0);
    expect(ldifValues(readBob.stdout, 'mail')).toHaveLength(1);
    expect(ldifValues(readBob.stdout, 'userPassword')).toHaveLength(0);
    const changeBob = await run('ldapmodify', asAlice, {}, `dn: ${bob.dn}\nchangetype: modify\nreplace: userPassword\nuserPassword: hijacked\n`);
    expect(changeBob.code).toBe(50);
    const readOwn = await run('ldapsearch', [...asAlice, '-LLL', '-b', alice.dn, '-s', 'base', 'userPassword']);
    expect(ldifValues(readOwn.stdout, 'userPassword').map((b) => b.toString())).toEqual([alice.password]);
    // zoe changes her own password with the Password Modify extended operation, then binds with it
    const changed = await run('ldappasswd', ['-x', '-H', s.url, '-D', zoe.dn, '-w', zoe.password, '-s', 'new-zoe-secret']);
    expect(changed.code).toBe(0);
    expect((await run('ldapwhoami', ['-x', '-H', s.url, '-D', zoe.dn, '-w', 'new-zoe-secret'])).code).toBe(0);
    expect((await run('ldapwhoami', ['-x', '-H', s.url, '-D', zoe.dn, '-w', zoe.password])).code).toBe(49);
  });

  test('no sssvlv or syncprov control unless asked for', async () => {
    const r = await run('ldapsearch', ['-x', '-LLL', '-H', s.url, '-b', '', '-s', 'base', 'supportedControl']);
    const controls = ldifValues(r.stdout, 'supportedControl').map((b) => b.toString());
    expect(controls.length).toBeGreaterThan(0);
    expect(controls).not.toContain('1.2.840.113556.1.4.473');
    expect(controls).not.toContain('1.3.6.1.4.1.4203.1.9.1.1');
  });
});

describe('server certificates', () => {
  const expectations: Array<[ServerCertKind, string | undefined]> = [
    ['good', undefined],
    ['wrongHost', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['expired', 'CERT_HAS_EXPIRED'],
    ['unknownCa', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ];

  test.each(expectations)('%s certificate: node:tls, openssl s_client and ldapwhoami agree (error %s)', async (kind, code) => {
    const s = await startSlapd({ serverCert: kind });
    try {
      expect(s.certs.presented).toBe(kind);
      for (const servername of [undefined, 'localhost']) {
        const result = await tlsConnect(s.ldapsPort, servername === undefined ? { ca: s.caCert } : { ca: s.caCert, servername });
        result.socket?.destroy();
        expect({ ok: result.ok, code: result.code }).toEqual({ ok: code === undefined, code });
      }
      const sClient = await run('openssl', ['s_client', '-connect', `127.0.0.1:${s.ldapsPort}`, '-CAfile', s.certs.ca.cert, '-verify_return_error', '-verify_ip', '127.0.0.1']);
      expect(sClient.code === 0).toBe(code === undefined);
      const whoami = await run('ldapwhoami', ['-x', '-H', s.ldapsUrl, '-D', s.rootDn, '-w', s.rootPassword], { LDAPTLS_CACERT: s.certs.ca.cert, LDAPTLS_REQCERT: 'demand' });
      expect(whoami.code === 0).toBe(code === undefined);
    } finally {
      await s.stop();
    }
  });
});

describe('options', () => {
  test('modules and overlays: sssvlv and syncprov announce their controls', async () => {
    const s = await startSlapd({ modules: ['sssvlv', 'syncprov'], databaseConfig: 'overlay sssvlv\noverlay syncprov' });
    try {
      const r = await run('ldapsearch', ['-x', '-LLL', '-H', s.url, '-b', '', '-s', 'base', 'supportedControl']);
      const controls = ldifValues(r.stdout, 'supportedControl').map((b) => b.toString());
      expect(controls).toEqual(expect.arrayContaining(['1.2.840.113556.1.4.473', '1.3.6.1.4.1.4203.1.9.1.1']));
      expect(readFileSync(s.configPath, 'utf8')).toMatch(/moduleload sssvlv\nmoduleload syncprov/);
    } finally {
      await s.stop();
    }
  });

  test('ppolicy with a default policy from extra LDIF (the docs example)', async () => {
    const s = await startSlapd({
      modules: ['ppolicy'],
      databaseConfig: 'overlay ppolicy\nppolicy_default "cn=default,ou=policies,dc=example,dc=com"',
      ldif:
        'dn: ou=policies,dc=example,dc=com\nobjectClass: organizationalUnit\nou: policies\n\n' +
        'dn: cn=default,ou=policies,dc=example,dc=com\nobjectClass: pwdPolicy\nobjectClass: organizationalRole\ncn: default\npwdAttribute: userPassword\npwdMinLength: 8\npwdCheckQuality: 2\n',
    });
    try {
      const zoe = s.users[3];
      if (zoe === undefined) throw new Error('no zoe');
      const short = await run('ldappasswd', ['-x', '-H', s.url, '-D', zoe.dn, '-w', zoe.password, '-s', 'short']);
      expect(short.code).not.toBe(0);
      const long = await run('ldappasswd', ['-x', '-H', s.url, '-D', zoe.dn, '-w', zoe.password, '-s', 'long-enough']);
      expect(long.code).toBe(0);
    } finally {
      await s.stop();
    }
  });

  test('another suffix, root password, extra LDIF and a log level', async () => {
    const s = await startSlapd({
      suffix: 'o=lber',
      rootPassword: 'pw2',
      logLevel: 'stats',
      ldif: 'dn: cn=extra,o=lber\nobjectClass: organizationalRole\ncn: extra\n',
    });
    try {
      expect(s.rootDn).toBe('cn=admin,o=lber');
      const r = await run('ldapsearch', ['-x', '-LLL', '-H', s.url, '-D', s.rootDn, '-w', 'pw2', '-b', 'o=lber', '(cn=extra)', 'cn']);
      expect(r.code).toBe(0);
      expect(ldifValues(r.stdout, 'cn').map((b) => b.toString())).toEqual(['extra']);
      expect(s.readLog()).toMatch(/conn=\d+ op=\d+ BIND dn="cn=admin,o=lber"/);
    } finally {
      await s.stop();
    }
  });

  test('100,000 generated entries: loaded fast, all returned to the admin, size-limited for others', async () => {
    const started = performance.now();
    const s = await startSlapd({ entries: 100000 });
    const elapsed = performance.now() - started;
    try {
      console.log(`startSlapd({ entries: 100000 }) took ${elapsed.toFixed(0)} ms`);
      expect(elapsed).toBeLessThan(20000);
      const all = await run('ldapsearch', ['-x', '-LLL', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword, '-b', s.bulkBase, '-s', 'one', '(objectClass=*)', '1.1']);
      expect(all.code).toBe(0);
      expect(dnCount(all.stdout)).toBe(100000);
      const one = await run('ldapsearch', ['-x', '-LLL', '-H', s.url, '-b', s.bulkBase, '(uid=user054321)', 'cn', 'employeeNumber']);
      expect(ldifValues(one.stdout, 'cn').map((b) => b.toString())).toEqual(['User 54321']);
      const anonymous = await run('ldapsearch', ['-x', '-LLL', '-H', s.url, '-b', s.bulkBase, '-s', 'one', '(objectClass=*)', '1.1']);
      expect(anonymous.code).toBe(4);
      expect(dnCount(anonymous.stdout)).toBe(500);
    } finally {
      await s.stop();
    }
  }, 60000);

  test('a bad option is a typed error', async () => {
    await expect(startSlapd({ entries: -1 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(startSlapd({ suffix: 'cn=nope' })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});

describe('start and stop', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'lber-testkit-test-'));
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  test('starts in under 2 s and stop() leaves no process and no directory', async () => {
    await tlsMaterial();
    const started = performance.now();
    const s = await startSlapd();
    const elapsed = performance.now() - started;
    console.log(`startSlapd() took ${elapsed.toFixed(0)} ms (TLS material already made)`);
    expect(elapsed).toBeLessThan(2000);
    expect(alive(s.pid)).toBe(true);
    await s.stop();
    expect(alive(s.pid)).toBe(false);
    expect(existsSync(s.tmpDir)).toBe(false);
    expect(runningSlapdPids()).not.toContain(s.pid);
    await s.stop();
    const refused = await run('ldapwhoami', ['-x', '-H', s.url]);
    expect(refused.code).not.toBe(0);
  });

  test('a missing slapd is a clear error', async () => {
    const error: unknown = await startSlapd({ slapdPath: path.join(scratch, 'no-such-slapd') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestkitError);
    expect(error).toMatchObject({ code: 'SLAPD_MISSING', message: expect.stringContaining('apt-get install slapd') as unknown });
  });

  test('a slapd that exits at once: the error carries its log', async () => {
    const fake = path.join(scratch, 'failing-slapd');
    writeFileSync(fake, '#!/bin/sh\necho "fake slapd: config is broken" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const error: unknown = await startSlapd({ slapdPath: fake }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestkitError);
    expect(error).toMatchObject({ code: 'SLAPD_START_FAILED', log: expect.stringContaining('fake slapd: config is broken') as unknown });
    expect((error as Error).message).toContain('fake slapd: config is broken');
  });

  test('a slapd that never answers: timeout, log tail, and the process is killed', async () => {
    const fake = path.join(scratch, 'silent-slapd');
    const pidFile = path.join(scratch, 'silent.pid');
    writeFileSync(fake, `#!/bin/sh\necho $$ > ${pidFile}\necho "fake slapd: waiting forever" >&2\nexec sleep 60\n`);
    chmodSync(fake, 0o755);
    const error: unknown = await startSlapd({ slapdPath: fake, startTimeoutMs: 400 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SLAPD_TIMEOUT', log: expect.stringContaining('waiting forever') as unknown });
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    await until(() => !alive(pid));
    expect(runningSlapdPids()).not.toContain(pid);
  });

  test('a config slapadd rejects: the error carries slapadd output', async () => {
    const error: unknown = await startSlapd({ databaseConfig: 'overlay no-such-overlay' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SLAPADD_FAILED', message: expect.stringContaining('no-such-overlay') as unknown });
  });

  /** Starts a node process that runs startSlapd and prints {pid, tmpDir}; returns it and that line. */
  async function childWithSlapd(script: string): Promise<{ child: ReturnType<typeof spawn>; info: { pid: number; tmpDir: string } }> {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'lber-source', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
    await until(() => out.includes('\n') || child.exitCode !== null, 20000);
    const info = JSON.parse(out.split('\n')[0] ?? '') as { pid: number; tmpDir: string };
    return { child, info };
  }

  const plainScript = `
    import { startSlapd } from './packages/testkit/src/index.ts';
    const s = await startSlapd();
    console.log(JSON.stringify({ pid: s.pid, tmpDir: s.tmpDir }));
    setInterval(() => {}, 1000);
  `;

  test.each(['SIGINT', 'SIGTERM'] as const)('%s to a process without its own handler kills its slapd', async (signal) => {
    const { child, info } = await childWithSlapd(plainScript);
    expect(alive(info.pid)).toBe(true);
    child.kill(signal);
    const [, exitSignal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, sig) => resolve([c, sig])));
    expect(exitSignal).toBe(signal);
    await until(() => !alive(info.pid));
    expect(existsSync(info.tmpDir)).toBe(false);
  }, 30000);

  test('a process that dies with an uncaught error kills its slapd', async () => {
    const { child, info } = await childWithSlapd(plainScript.replace('setInterval(() => {}, 1000);', 'setTimeout(() => { throw new Error("boom"); }, 200);'));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).not.toBe(0);
    await until(() => !alive(info.pid));
    expect(existsSync(info.tmpDir)).toBe(false);
  }, 30000);

  test('the CLI prints the URLs and stops on SIGINT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'lber-source', 'packages/testkit/src/cli.ts', '--cert', 'expired'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    await until(() => out.includes('\n'), 20000);
    const info = JSON.parse(out) as { url: string; ldapsUrl: string; ldapiUrl: string; pid: number; tmpDir: string; rootDn: string; rootPassword: string; certs: { presented: string } };
    expect(info.certs.presented).toBe('expired');
    const r = await run('ldapwhoami', ['-x', '-H', info.url, '-D', info.rootDn, '-w', info.rootPassword]);
    expect(r.code).toBe(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(alive(info.pid)).toBe(false);
    expect(existsSync(info.tmpDir)).toBe(false);
  }, 30000);

  test('SIGKILL of the owner: the watchdog stops slapd and removes its directory', async () => {
    const { child, info } = await childWithSlapd(plainScript);
    expect(alive(info.pid)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    await until(() => !alive(info.pid));
    await until(() => !existsSync(info.tmpDir));
  }, 30000);

  test('reapOrphans kills a slapd whose owner is gone and removes leftover directories', async () => {
    // a dead pid to pose as the owner
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    const owner = gone.pid ?? 0;
    const dir = mkdtempSync(path.join(tmpdir(), `lber-slapd-${owner}-`));
    const tlsDir = mkdtempSync(path.join(tmpdir(), `lber-tls-${owner}-`));
    // a stand-in "slapd" whose command line names its directory
    const fakeSlapd = path.join(dir, 'slapd');
    symlinkSync('/bin/sleep', fakeSlapd);
    const orphan = spawn(fakeSlapd, ['60'], { stdio: 'ignore' });
    const orphanPid = orphan.pid ?? 0;
    await until(() => alive(orphanPid));
    writeFileSync(path.join(dir, 'slapd.pid'), `${orphanPid}\n`);
    // a process that is not ours, named in another pidfile, is left alone
    const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    const otherDir = mkdtempSync(path.join(tmpdir(), `lber-slapd-${owner}-`));
    writeFileSync(path.join(otherDir, 'slapd.pid'), `${bystander.pid ?? 0}\n`);
    try {
      reapOrphans();
      await until(() => !alive(orphanPid));
      expect(existsSync(dir)).toBe(false);
      expect(existsSync(tlsDir)).toBe(false);
      expect(existsSync(otherDir)).toBe(false);
      expect(alive(bystander.pid ?? 0)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
      orphan.kill('SIGKILL');
    }
  });
});
