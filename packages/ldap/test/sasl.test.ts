/**
 * SASL binds against the testkit's slapd: every mechanism binds and WhoAmI
 * (RFC 4532) names the expected identity; a wrong password is
 * invalidCredentials (49) for each; EXTERNAL over ldapi:// and over TLS
 * with the client certificate; authzid; the root DSE's mechanism list; a
 * mechanism written by a user (LOGIN); the framework's refusals.
 */
import { readFileSync } from 'node:fs';
import { useSlapd } from '@lber/testkit';
import type { SlapdServer } from '@lber/testkit';
import {
  LdapConnectionError,
  LdapResultError,
  SaslError,
  chooseSaslMechanism,
  connect,
  cramMd5,
  digestMd5,
  external,
  plain,
  saslBind,
  saslBindStep,
  saslSecurityLayerOf,
  scramSha1,
  scramSha256,
  supportedSaslMechanisms,
} from '@lber/ldap';
import type { LdapClient, SaslMechanism, SaslPasswordCredentials } from '@lber/ldap';

// authz-policy to: a user may act as the identities its authzTo names (bob -> carol, set below).
const slapd = useSlapd({ globalConfig: 'authz-policy to' });
const clients: LdapClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

async function open(url: string, options: Parameters<typeof connect>[1] = {}): Promise<LdapClient> {
  const c = await connect(url, options);
  clients.push(c);
  return c;
}

const WHOAMI = '1.3.6.1.4.1.4203.1.11.3';
async function whoAmI(c: LdapClient): Promise<string> {
  return (await c.extended(WHOAMI)).responseValue?.toString('utf8') ?? '';
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function user(s: SlapdServer, uid: string): { dn: string; creds: SaslPasswordCredentials } {
  const u = s.users.find((x) => x.uid === uid)!;
  return { dn: u.dn, creds: { username: u.uid, password: u.password } };
}

type Factory = (creds: SaslPasswordCredentials) => SaslMechanism;
const PASSWORD_MECHANISMS: Array<[string, Factory]> = [
  ['PLAIN', plain],
  ['CRAM-MD5', cramMd5],
  ['SCRAM-SHA-1', scramSha1],
  ['SCRAM-SHA-256', scramSha256],
  ['DIGEST-MD5', (c) => digestMd5(c)],
  ['DIGEST-MD5 auth-int', (c) => digestMd5({ ...c, qop: 'auth-int' })],
  ['DIGEST-MD5 auth-conf', (c) => digestMd5({ ...c, qop: 'auth-conf' })],
];

describe('password mechanisms over ldap://', () => {
  test.each(PASSWORD_MECHANISMS)('%s binds as bob and WhoAmI says so', async (_name, make) => {
    const s = slapd();
    const bob = user(s, 'bob');
    const c = await open(s.url);
    const mech = make(bob.creds);
    const r = await saslBind(c, mech);
    expect(r).toMatchObject({ resultCode: 0, resultName: 'success', mechanism: mech.name });
    expect(r.steps).toBe(mech.name === 'PLAIN' ? 1 : 2);
    expect(await whoAmI(c)).toBe(`dn:${bob.dn}`);
  });

  test.each(PASSWORD_MECHANISMS)('%s with a wrong password is invalidCredentials (49)', async (_name, make) => {
    const s = slapd();
    const c = await open(s.url);
    const error = await rejection(saslBind(c, make({ username: 'bob', password: 'not-bobs' })));
    expect(error).toBeInstanceOf(LdapResultError);
    expect(error).toMatchObject({ code: 'LDAP_RESULT', resultCode: 49, resultName: 'invalidCredentials' });
    // the connection stays usable and anonymous
    expect(await whoAmI(c)).toBe('');
  });

  test('the layer is there only for DIGEST-MD5 auth-int and auth-conf', async () => {
    const s = slapd();
    const bob = user(s, 'bob');
    for (const [name, make] of PASSWORD_MECHANISMS) {
      const c = await open(s.url);
      const r = await saslBind(c, make(bob.creds));
      const expected = name === 'DIGEST-MD5 auth-int' ? 'DIGEST-MD5 auth-int' : name === 'DIGEST-MD5 auth-conf' ? 'DIGEST-MD5 auth-conf (rc4)' : undefined;
      expect(r.securityLayer?.name).toBe(expected);
      expect(saslSecurityLayerOf(c)?.name).toBe(expected);
    }
  });
});

describe('EXTERNAL', () => {
  test('over ldapi:// the peer credentials map to the root DN', async () => {
    const s = slapd();
    const c = await open(s.ldapiUrl);
    const r = await saslBind(c, external());
    expect(r.resultCode).toBe(0);
    expect(await whoAmI(c)).toBe(`dn:${s.ldapiDn}`);
  });

  test('over TLS the client certificate maps to alice', async () => {
    const s = slapd();
    const tls = { ca: s.caCert, cert: readFileSync(s.certs.client.cert), key: readFileSync(s.certs.client.key) };
    const c = await open(s.ldapsUrl, { tls });
    await saslBind(c, external());
    expect(await whoAmI(c)).toBe(`dn:${s.clientCertDn}`);
    // and after StartTLS on ldap://
    const d = await open(s.url, { tls });
    await d.startTLS();
    await saslBind(d, external());
    expect(await whoAmI(d)).toBe(`dn:${s.clientCertDn}`);
  });

  test('without credentials to point at (clear TCP, TLS without a certificate) the server refuses', async () => {
    const s = slapd();
    const c = await open(s.url);
    const clear = await rejection(saslBind(c, external()));
    expect(clear).toBeInstanceOf(LdapResultError);
    expect(clear).toMatchObject({ resultName: 'authMethodNotSupported' });
    const d = await open(s.ldapsUrl, { tls: { ca: s.caCert } });
    const noCert = await rejection(saslBind(d, external()));
    expect(noCert).toMatchObject({ resultName: 'authMethodNotSupported' });
    expect(await whoAmI(d)).toBe('');
  });

  test('the root DN may assume another identity (authzid)', async () => {
    const s = slapd();
    const c = await open(s.ldapiUrl);
    await saslBind(c, external(), { authzid: `dn:${user(s, 'alice').dn}` });
    expect(await whoAmI(c)).toBe(`dn:${user(s, 'alice').dn}`);
  });
});

describe('authorization identity', () => {
  beforeAll(async () => {
    const s = slapd();
    const c = await connect(s.url);
    const bob = user(s, 'bob');
    await c.bind(bob.dn, bob.creds.password);
    await c.modify(bob.dn, [{ operation: 'add', modification: { type: 'authzTo', values: [`dn:${user(s, 'carol').dn}`] } }]);
    await c.unbind();
  });

  test.each(PASSWORD_MECHANISMS.filter(([n]) => n !== 'CRAM-MD5'))('%s: bob acts as carol (authzTo), not as alice', async (_name, make) => {
    const s = slapd();
    const c = await open(s.url);
    await saslBind(c, make(user(s, 'bob').creds), { authzid: `dn:${user(s, 'carol').dn}` });
    expect(await whoAmI(c)).toBe(`dn:${user(s, 'carol').dn}`);
    const d = await open(s.url);
    const error = await rejection(saslBind(d, make(user(s, 'bob').creds), { authzid: `dn:${user(s, 'alice').dn}` }));
    expect(error).toMatchObject({ resultName: 'insufficientAccessRights' });
  });

  test('CRAM-MD5 has no authzid: refused before anything is sent', async () => {
    const s = slapd();
    const c = await open(s.url);
    const error = await rejection(saslBind(c, cramMd5(user(s, 'bob').creds), { authzid: 'u:carol' }));
    expect(error).toBeInstanceOf(SaslError);
    expect(error).toMatchObject({ code: 'SASL_BAD_ARGUMENT' });
  });
});

describe('the root DSE and choosing a mechanism', () => {
  test('supportedSASLMechanisms over ldap:// and ldapi://', async () => {
    const s = slapd();
    const tcp = await supportedSaslMechanisms(await open(s.url));
    expect(tcp).toEqual(expect.arrayContaining(['PLAIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256']));
    expect(tcp).not.toContain('EXTERNAL');
    expect(await supportedSaslMechanisms(await open(s.ldapiUrl))).toContain('EXTERNAL');
  });

  test('chooseSaslMechanism takes the first one offered, or fails with SASL_NOT_OFFERED', async () => {
    const s = slapd();
    const c = await open(s.url);
    const bob = user(s, 'bob').creds;
    const gssapi: SaslMechanism = { name: 'GSSAPI', start: () => null, step: () => Buffer.alloc(0) };
    const chosen = await chooseSaslMechanism(c, [external(), gssapi, scramSha256(bob), plain(bob)]);
    expect(chosen.name).toBe('SCRAM-SHA-256');
    await saslBind(c, chosen);
    expect(await whoAmI(c)).toBe(`dn:${user(s, 'bob').dn}`);
    const error = await rejection(chooseSaslMechanism(c, [external(), gssapi]));
    expect(error).toMatchObject({ code: 'SASL_NOT_OFFERED' });
  });

  test('an unknown mechanism is authMethodNotSupported (7)', async () => {
    const c = await open(slapd().url);
    const error = await rejection(saslBind(c, { name: 'X-NOPE', start: () => null, step: () => Buffer.alloc(0) }));
    expect(error).toMatchObject({ resultName: 'authMethodNotSupported' });
  });
});

describe('writing a mechanism', () => {
  /** LOGIN (draft-murchison-sasl-login): the server asks "Username:" then "Password:". */
  function login(creds: SaslPasswordCredentials): SaslMechanism & { prompts: string[] } {
    const prompts: string[] = [];
    return {
      name: 'LOGIN',
      prompts,
      start: () => null,
      step(challenge) {
        prompts.push(challenge.toString());
        return Buffer.from(prompts.length === 1 ? creds.username : String(creds.password));
      },
    };
  }

  test('a user-written LOGIN runs the three-step exchange', async () => {
    const s = slapd();
    const c = await open(s.url);
    const m = login(user(s, 'bob').creds);
    const r = await saslBind(c, m);
    expect(r.steps).toBe(3);
    expect(m.prompts).toEqual(['Username:', 'Password:']);
    expect(await whoAmI(c)).toBe(`dn:${user(s, 'bob').dn}`);
  });

  test('a verify() that fails closes the connection: the server thinks it is authenticated', async () => {
    const s = slapd();
    const c = await open(s.url);
    const inner = scramSha256(user(s, 'bob').creds);
    const suspicious: SaslMechanism = {
      name: inner.name,
      start: (ctx) => inner.start(ctx),
      step: (ch, ctx) => inner.step(ch, ctx),
      verify: () => {
        throw new SaslError('SASL_SERVER_SIGNATURE', 'pretend the server signature was wrong');
      },
    };
    const error = await rejection(saslBind(c, suspicious));
    expect(error).toMatchObject({ code: 'SASL_SERVER_SIGNATURE' });
    expect(c.closed).toBe(true);
    const after = await rejection(whoAmI(c));
    expect(after).toBeInstanceOf(LdapConnectionError);
    expect((after as LdapConnectionError).cause).toBe(error);
  });

  test('saslBindStep is the raw primitive: saslBindInProgress comes back as a result', async () => {
    const c = await open(slapd().url);
    const r = await saslBindStep(c, 'CRAM-MD5', null);
    expect(r.resultCode).toBe(14);
    expect(r.serverSaslCreds?.toString()).toMatch(/^<\d+\.\d+@/);
  });

  test('a SASL bind is refused while operations are outstanding', async () => {
    const s = slapd();
    const c = await open(s.url);
    const pending = c.searchAll(s.suffix, { filter: '(objectClass=*)' });
    const error = await rejection(saslBind(c, plain(user(s, 'bob').creds)));
    expect(error).toMatchObject({ code: 'SASL_BIND_BUSY' });
    expect((await pending).entries.length).toBeGreaterThan(0);
  });
});
