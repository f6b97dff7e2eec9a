/**
 * The client's operations against the testkit's real slapd, through the
 * public API: connect (and failover), bind, search, compare, add, delete,
 * modify, modifyDN, extended, abandon, unbind; server errors as one
 * LdapResultError; message-id multiplexing, batching and wrap-around;
 * AbortSignal and time limits that cut off one operation only.
 */
import net from 'node:net';
import { SockbufMetrics, LBER_SBIOD_LEVEL_APPLICATION, sockbufIoMetrics } from '@lber/sockbuf';
import { CAROL_JPEG_PHOTO, ZOE_CN, useSlapd } from '@lber/testkit';
import { LdapConnectionError, LdapError, LdapResultError, SearchEntry, connect, parseFilter } from '@lber/ldap';
import type { LdapClient } from '@lber/ldap';

const slapd = useSlapd();
const clients: LdapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.unbind();
});

async function open(options: Parameters<typeof connect>[1] = {}): Promise<LdapClient> {
  const c = await connect(slapd().url, options);
  clients.push(c);
  return c;
}

async function admin(options: Parameters<typeof connect>[1] = {}): Promise<LdapClient> {
  const c = await open(options);
  await c.bind(slapd().rootDn, slapd().rootPassword);
  return c;
}

/** Resolves with what `p` rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A loopback port nobody listens on. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connect and bind', () => {
  test('anonymous, simple and root binds resolve with the result', async () => {
    const c = await open();
    const anon = await c.bind();
    expect(anon.resultCode).toBe(0);
    expect(anon.resultName).toBe('success');
    const alice = slapd().users[0]!;
    const r = await c.bind(alice.dn, alice.password);
    expect(r).toMatchObject({ resultCode: 0, matchedDN: '', diagnosticMessage: '', referrals: [] });
    expect(r.messageId).toBe(2);
  });

  test('invalidCredentials is an LdapResultError with the code and its name', async () => {
    const c = await open();
    const error = await rejection(c.bind(slapd().users[0]!.dn, 'wrong'));
    expect(error).toBeInstanceOf(LdapResultError);
    expect(error).toMatchObject({ code: 'LDAP_RESULT', resultCode: 49, resultName: 'invalidCredentials', operation: 'bind' });
  });

  test('a DN with an empty password is refused unless allowUnauthenticated', async () => {
    const c = await open();
    const error = await rejection(c.bind(slapd().users[0]!.dn, ''));
    expect(error).toBeInstanceOf(LdapError);
    expect(error).toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(c.pending).toBe(0);
    // slapd refuses unauthenticated binds by default (RFC 4513 5.1.2): unwillingToPerform
    const sent = await rejection(c.bind(slapd().users[0]!.dn, '', { allowUnauthenticated: true }));
    expect(sent).toMatchObject({ resultName: 'unwillingToPerform' });
  });

  test('failover: a dead first URL, the second serves', async () => {
    const port = await deadPort();
    const c = await connect([`ldap://127.0.0.1:${port}`, slapd().url], { connectTimeoutMs: 2000 });
    clients.push(c);
    expect(c.url).toBe(slapd().url);
    expect((await c.bind()).resultCode).toBe(0);
    // a space separated list works too (ldap_url_parselist)
    const d = await connect(`ldap://127.0.0.1:${port} ${slapd().url}`);
    clients.push(d);
    expect(d.url).toBe(slapd().url);
  });

  test('every URL dead: CONNECT_FAILED with each error as the cause', async () => {
    const a = await deadPort();
    const b = await deadPort();
    const error = await rejection(connect([`ldap://127.0.0.1:${a}`, `ldap://127.0.0.1:${b}`]));
    expect(error).toBeInstanceOf(LdapConnectionError);
    expect(error).toMatchObject({ code: 'CONNECT_FAILED' });
    expect(((error as Error).cause as AggregateError).errors).toHaveLength(2);
    const one = await rejection(connect(`ldap://127.0.0.1:${a}`));
    expect(one).toMatchObject({ code: 'CONNECT_FAILED', url: `ldap://127.0.0.1:${a}` });
  });

  test('a bad URL is a typed URL_SYNTAX error; bad options are BAD_ARGUMENT', async () => {
    const error = await rejection(connect('http://example.com'));
    expect(error).toMatchObject({ code: 'URL_SYNTAX' });
    await expect(connect(slapd().url, { maxIncoming: 0 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(connect(slapd().url, { firstMessageId: 0 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(connect(slapd().url, { connectTimeoutMs: -5 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

describe('search', () => {
  test('entries with Buffer values and string helpers; binary values intact', async () => {
    const c = await admin();
    const { entries, result } = await c.searchAll(`ou=people,${slapd().suffix}`, { scope: 'one', filter: '(objectClass=inetOrgPerson)' });
    expect(result.resultCode).toBe(0);
    expect(entries.map((e) => e.string('uid')).sort()).toEqual(['alice', 'bob', 'carol', 'zoe']);
    const carol = entries.find((e) => e.string('uid') === 'carol')!;
    expect(carol).toBeInstanceOf(SearchEntry);
    expect(carol.buffer('jpegPhoto')).toEqual(CAROL_JPEG_PHOTO);
    expect(Buffer.isBuffer(carol.buffers('JPEGPHOTO')[0])).toBe(true);
    const zoe = entries.find((e) => e.string('uid') === 'zoe')!;
    expect(zoe.string('cn')).toBe(ZOE_CN);
    expect(zoe.strings('mail')).toEqual(['zoe@example.com']);
    expect(zoe.toObject()).toMatchObject({ dn: zoe.dn, uid: ['zoe'] });
  });

  test('for await over the iterator; attribute selection; scope base; a parsed filter', async () => {
    const c = await admin();
    const alice = slapd().users[0]!;
    const seen: SearchEntry[] = [];
    for await (const item of c.search(alice.dn, { scope: 'base', attributes: ['cn', 'mail'], filter: parseFilter('(uid=alice)') })) {
      if (item.type === 'entry') seen.push(item);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.dn).toBe(alice.dn);
    expect(seen[0]!.types.sort()).toEqual(['cn', 'mail']);
  });

  test('noSuchObject rejects with matchedDN; sizeLimitExceeded after the entries', async () => {
    const c = await admin();
    const error = await rejection(c.searchAll(`ou=nowhere,${slapd().suffix}`));
    expect(error).toMatchObject({ resultName: 'noSuchObject', matchedDN: slapd().suffix, operation: 'search' });
    const stream = c.search(`ou=people,${slapd().suffix}`, { scope: 'one', sizeLimit: 2 });
    const got: string[] = [];
    const limit = await rejection(
      (async () => {
        for await (const item of stream) if (item.type === 'entry') got.push(item.dn);
      })(),
    );
    expect(got).toHaveLength(2);
    expect(limit).toMatchObject({ resultName: 'sizeLimitExceeded' });
  });

  test('a bad filter rejects with the typed filter error, nothing sent', async () => {
    const c = await admin();
    const error = await rejection(c.searchAll(slapd().suffix, { filter: '(cn=x' }));
    expect(error).toMatchObject({ code: 'FILTER_SYNTAX' });
    expect(c.pending).toBe(0);
  });

  test('paged results: a loop over pages inside the iterator', async () => {
    const c = await admin();
    const stream = c.search(slapd().suffix, { filter: '(objectClass=*)', paged: { pageSize: 2 } });
    const { entries } = await stream.all();
    const plain = await c.searchAll(slapd().suffix);
    expect(entries.map((e) => e.dn).sort()).toEqual(plain.entries.map((e) => e.dn).sort());
    expect(stream.pages).toBe(Math.ceil(plain.entries.length / 2) + (plain.entries.length % 2 === 0 ? 1 : 0));
  });
});

describe('compare and updates', () => {
  test('compare returns a boolean; errors reject', async () => {
    const c = await admin();
    const alice = slapd().users[0]!;
    await expect(c.compare(alice.dn, 'uid', 'alice')).resolves.toBe(true);
    await expect(c.compare(alice.dn, 'uid', 'bob')).resolves.toBe(false);
    await expect(c.compare(`uid=ghost,ou=people,${slapd().suffix}`, 'uid', 'x')).rejects.toMatchObject({ resultName: 'noSuchObject' });
    await expect(c.compare(alice.dn, 'nosuchattr', 'x')).rejects.toMatchObject({ resultName: 'undefinedAttributeType' });
  });

  test('add, entryAlreadyExists, modify, modifyDN, delete, noSuchObject', async () => {
    const c = await admin();
    const dn = `uid=dave,ou=people,${slapd().suffix}`;
    const added = await c.add(dn, { objectClass: ['inetOrgPerson'], uid: 'dave', cn: 'Dave Diver', sn: 'Diver', jpegPhoto: Buffer.from([0, 0xff, 0x80]) });
    expect(added.resultCode).toBe(0);
    await expect(c.add(dn, [{ type: 'objectClass', values: ['inetOrgPerson'] }, { type: 'uid', values: ['dave'] }, { type: 'cn', values: ['x'] }, { type: 'sn', values: ['x'] }])).rejects.toMatchObject({
      resultName: 'entryAlreadyExists',
      resultCode: 68,
    });
    await c.modify(dn, [
      { operation: 'replace', modification: { type: 'cn', values: ['David Diver'] } },
      { operation: 'add', modification: { type: 'mail', values: ['dave@example.com'] } },
    ]);
    await expect(c.compare(dn, 'cn', 'David Diver')).resolves.toBe(true);
    await expect(c.modify(dn, [{ operation: 'delete', modification: { type: 'telephoneNumber', values: ['1'] } }])).rejects.toMatchObject({ resultName: 'noSuchAttribute' });
    const renamed = `uid=david,ou=people,${slapd().suffix}`;
    await c.modifyDN(dn, 'uid=david');
    const moved = await c.searchAll(renamed, { scope: 'base' });
    expect(moved.entries[0]!.strings('uid')).toEqual(['david']);
    expect(moved.entries[0]!.buffer('jpegPhoto')).toEqual(Buffer.from([0, 0xff, 0x80]));
    await c.modifyDN(renamed, 'uid=david', { newSuperior: `ou=groups,${slapd().suffix}` });
    const inGroups = `uid=david,ou=groups,${slapd().suffix}`;
    await expect(c.compare(inGroups, 'uid', 'david')).resolves.toBe(true);
    await c.delete(inGroups);
    await expect(c.delete(inGroups)).rejects.toMatchObject({ resultName: 'noSuchObject' });
    await expect(c.delete(`ou=people,${slapd().suffix}`)).rejects.toMatchObject({ resultName: 'notAllowedOnNonLeaf' });
  });

  test('an anonymous add is refused by the ACLs (strongerAuthRequired or insufficientAccessRights)', async () => {
    const c = await open();
    const error = await rejection(c.add(`uid=eve,ou=people,${slapd().suffix}`, { objectClass: 'inetOrgPerson', uid: 'eve', cn: 'e', sn: 'e' }));
    expect(error).toBeInstanceOf(LdapResultError);
    expect(['strongerAuthRequired', 'insufficientAccessRights']).toContain((error as LdapResultError).resultName);
  });
});

describe('extended', () => {
  test('WhoAmI returns the authzId; an unknown OID is a protocolError', async () => {
    const c = await admin();
    const who = await c.extended('1.3.6.1.4.1.4203.1.11.3');
    expect(who.responseValue?.toString()).toBe(`dn:${slapd().rootDn}`);
    await expect(c.extended('1.2.3.4.5.6.7')).rejects.toMatchObject({ resultName: 'protocolError' });
  });
});

describe('multiplexing', () => {
  test('many outstanding operations, routed by id, sent in one write', async () => {
    const c = await admin();
    const metrics = new SockbufMetrics();
    expect(c.sockbuf.addIo(sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION, metrics)).toBe(0);
    const users = slapd().users;
    const ops: Array<Promise<unknown>> = [];
    for (let i = 0; i < 50; i++) {
      const u = users[i % users.length]!;
      ops.push(c.compare(u.dn, 'uid', i % 2 === 0 ? u.uid : 'nobody').then((r) => expect(r).toBe(i % 2 === 0)));
      ops.push(c.searchAll(u.dn, { scope: 'base', attributes: ['uid'] }).then((r) => expect(r.entries[0]!.string('uid')).toBe(u.uid)));
    }
    expect(c.pending).toBe(100);
    await Promise.all(ops);
    expect(metrics.pdusOut).toBe(100);
    expect(metrics.writesOut).toBe(1);
    expect(c.pending).toBe(0);
    expect(c.sockbuf.removeIo(sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION)).toBe(0);
  });

  test('message ids wrap from maxInt back to 1', async () => {
    const c = await admin({ firstMessageId: 0x7fff_fffe });
    // the bind took 0x7ffffffe
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await c.searchAll(slapd().suffix, { scope: 'base' });
      ids.push(r.result.messageId);
    }
    expect(ids).toEqual([0x7fff_ffff, 1, 2]);
  });
});

describe('abort, time limits, abandon, unbind', () => {
  test('an AbortSignal rejects only that operation with ABORTED; siblings and the connection go on', async () => {
    const c = await admin();
    const ac = new AbortController();
    const big = c.searchAll(slapd().suffix, { signal: ac.signal });
    const sibling = c.compare(slapd().users[0]!.dn, 'uid', 'alice');
    ac.abort(new Error('user gave up'));
    const error = await rejection(big);
    expect(error).toBeInstanceOf(LdapConnectionError);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(((error as Error).cause as Error).message).toBe('user gave up');
    await expect(sibling).resolves.toBe(true);
    await expect(c.compare(slapd().users[1]!.dn, 'uid', 'bob')).resolves.toBe(true);
    // an already aborted signal: nothing is sent
    await expect(c.add('cn=x', { cn: 'x' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(c.pending).toBe(0);
  });

  test('abandon by message id rejects the operation with ABORTED', async () => {
    const c = await admin();
    const stream = c.search(slapd().suffix);
    expect(c.abandon(stream.messageId)).toBe(true);
    await expect(stream.all()).rejects.toMatchObject({ code: 'ABORTED' });
    expect(c.abandon(12345)).toBe(false);
    await expect(c.compare(slapd().users[0]!.dn, 'uid', 'alice')).resolves.toBe(true);
  });

  test('a bad time limit is BAD_ARGUMENT', async () => {
    const c = await admin();
    await expect(c.compare(slapd().users[0]!.dn, 'uid', 'alice', { timeLimitMs: -1 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  test('unbind fails outstanding operations with CLOSED and later ones too', async () => {
    const c = await admin();
    let closedWith: unknown = 'not yet';
    c.on('close', (reason) => (closedWith = reason));
    const pending = c.searchAll(slapd().suffix);
    await c.unbind();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    expect(closedWith).toBeUndefined();
    expect(c.closed).toBe(true);
    await expect(c.bind()).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(c.searchAll(slapd().suffix)).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
