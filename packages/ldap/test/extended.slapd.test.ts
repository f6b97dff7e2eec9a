/**
 * Typed extended operations against slapd: WhoAmI (RFC 4532), Password
 * Modify (RFC 3062) with a generated password, Cancel (RFC 3909) of a
 * running search, by hand and from an AbortSignal, and a user-defined
 * operation; the error paths as the server states them.
 */
import { useSlapd } from '@lber/testkit';
import {
  LdapResultCode,
  LdapResultError,
  LdapProtocolError,
  WHO_AM_I_OID,
  cancel,
  cancelOnAbort,
  connect,
  defineExtendedOperation,
  passwordModify,
  runExtended,
  syncRequestControl,
  whoAmI,
} from '@lber/ldap';
import type { ExtendedResult, LdapClient, SearchItem } from '@lber/ldap';

const SUFFIX = 'dc=example,dc=com';
const PEOPLE = `ou=people,${SUFFIX}`;

const slapd = useSlapd({
  modules: ['syncprov'],
  databaseConfig: 'overlay syncprov',
  ldif: ['changeme', 'generated'].map((uid) => [`dn: uid=${uid},${PEOPLE}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, `userPassword: ${uid}-secret`, ''].join('\n')).join('\n'),
});

const clients: LdapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (!c.closed) await c.unbind();
});

async function open(): Promise<LdapClient> {
  const c = await connect(slapd().url);
  clients.push(c);
  return c;
}

async function admin(): Promise<LdapClient> {
  const c = await open();
  await c.bind(slapd().rootDn, slapd().rootPassword);
  return c;
}

async function resultError(p: Promise<unknown>): Promise<LdapResultError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof LdapResultError) return error;
    throw error;
  }
  throw new Error('expected an LdapResultError');
}

describe('WhoAmI (RFC 4532)', () => {
  test('anonymous is the empty authzId; after a bind, dn:<the DN>', async () => {
    const c = await open();
    expect(await whoAmI(c)).toBe('');
    const alice = slapd().users[0]!;
    await c.bind(alice.dn, alice.password);
    expect(await whoAmI(c)).toBe(`dn:${alice.dn}`);
  });
});

describe('Password Modify (RFC 3062)', () => {
  test('a user changes their own password with the old one; binds then need the new one', async () => {
    const c = await open();
    const dn = `uid=changeme,${PEOPLE}`;
    await c.bind(dn, 'changeme-secret');
    const r = await passwordModify(c, { oldPassword: 'changeme-secret', newPassword: 'brand-new-secret' });
    expect(r.resultCode).toBe(0);
    expect(r.value).toEqual({});
    await c.bind(dn, 'brand-new-secret');
    const e = await resultError(c.bind(dn, 'changeme-secret'));
    expect(e.resultCode).toBe(LdapResultCode.invalidCredentials);
  });

  test('without a new password the server generates one, which binds', async () => {
    const c = await admin();
    const dn = `uid=generated,${PEOPLE}`;
    const r = await passwordModify(c, { userIdentity: dn });
    const generated = r.value.genPassword;
    expect(generated).toBeInstanceOf(Buffer);
    if (generated === undefined) throw new Error('no generated password');
    expect(generated.length).toBeGreaterThan(0);
    const u = await open();
    await u.bind(dn, generated);
    expect(await whoAmI(u)).toBe(`dn:${dn}`);
  });

  test('a wrong old password is refused as the server says', async () => {
    const c = await open();
    const bob = slapd().users.find((u) => u.uid === 'bob')!;
    await c.bind(bob.dn, bob.password);
    const e = await resultError(passwordModify(c, { oldPassword: 'not-it', newPassword: 'whatever-secret' }));
    expect([LdapResultCode.unwillingToPerform, LdapResultCode.invalidCredentials]).toContain(e.resultCode);
  });

  test('anonymous may not change a password', async () => {
    const c = await open();
    const e = await resultError(passwordModify(c, { userIdentity: `uid=bob,${PEOPLE}`, newPassword: 'x-secret-x' }));
    expect(e.resultCode).not.toBe(0);
  });
});

describe('Cancel (RFC 3909)', () => {
  test('cancelling a persistent sync search: the search ends with canceled (118), the Cancel succeeds', async () => {
    const c = await admin();
    const persist = c.search(SUFFIX, { controls: [syncRequestControl({ mode: 'refreshAndPersist' })] });
    // wait for the refresh to end (the sync info message): the search now persists
    for (;;) {
      const next: IteratorResult<SearchItem> = await persist.next();
      if (next.done === true) throw new Error('the search ended');
      if (next.value.type === 'intermediate') break;
    }
    const ended = (async () => {
      for await (const item of persist) void item;
    })();
    const result = await cancel(c, persist.messageId);
    expect(result.resultCode).toBe(0);
    const e = await resultError(ended);
    expect(e.resultCode).toBe(LdapResultCode.canceled);
    expect(e.resultName).toBe('canceled');
    expect(c.pending).toBe(0);
  });

  test('cancelOnAbort sends the Cancel when the signal fires', async () => {
    const c = await admin();
    const ac = new AbortController();
    const persist = c.search(SUFFIX, { controls: [syncRequestControl({ mode: 'refreshAndPersist' })] });
    const settled = new Promise<ExtendedResult | Error>((resolve) => cancelOnAbort(c, ac.signal, persist, resolve));
    await persist.next();
    ac.abort();
    expect(await settled).toMatchObject({ resultCode: 0 });
    const e = await resultError(persist.result);
    expect(e.resultCode).toBe(LdapResultCode.canceled);
  });

  test('an id with no operation: noSuchOperation (119)', async () => {
    const c = await admin();
    const e = await resultError(cancel(c, 4242));
    expect(e.resultCode).toBe(LdapResultCode.noSuchOperation);
  });

  test('an id out of range is refused before sending', async () => {
    const c = await admin();
    await expect(cancel(c, 0)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(cancel(c, 2 ** 31)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

describe('a user-defined extended operation', () => {
  const whoAmIParsed = defineExtendedOperation<undefined, { kind: 'dn' | 'u' | 'anonymous'; id: string }>({
    oid: WHO_AM_I_OID,
    name: 'whoAmIParsed',
    encode: () => undefined,
    decode({ responseValue }) {
      const text = responseValue?.toString('utf8') ?? '';
      if (text === '') return { kind: 'anonymous', id: '' };
      const m = /^(dn|u):(.*)$/s.exec(text);
      if (m === null) throw new LdapProtocolError(`whoAmIParsed: ${JSON.stringify(text)}`, -1);
      return { kind: m[1] as 'dn' | 'u', id: m[2]! };
    },
  });

  test('runs through runExtended with typed request and response', async () => {
    const c = await admin();
    const r = await runExtended(c, whoAmIParsed, undefined);
    expect(r.value).toEqual({ kind: 'dn', id: slapd().rootDn });
    expect(r.resultName).toBe('success');
  });

  test('an operation the server does not know: protocolError (2) as the server says', async () => {
    const c = await open();
    const unknown = defineExtendedOperation<string, string>({
      oid: '1.3.6.1.4.1.99999.5.1',
      name: 'unknown',
      encode: (s) => Buffer.from(s),
      decode: ({ responseValue }) => responseValue?.toString() ?? '',
    });
    const e = await resultError(runExtended(c, unknown, 'hello'));
    expect(e.resultCode).toBe(LdapResultCode.protocolError);
  });
});
