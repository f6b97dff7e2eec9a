/**
 * Failures through the testkit's FaultProxy in front of the real slapd:
 * the server cut mid-PDU and at a PDU boundary, a reset, garbage PDUs, a
 * PDU over the limit, a server that stops answering, a Notice of
 * Disconnection. Each gives its typed error within the configured time,
 * fails every pending operation, and the process stays up. Split streams
 * (one byte per write, both ways) work.
 */
import { BerWriter } from '@lber/ber';
import { FaultProxy, useSlapd } from '@lber/testkit';
import type { FaultProxyOptions } from '@lber/testkit';
import { LdapConnectionError, NOTICE_OF_DISCONNECTION_OID, connect, encodeResponse } from '@lber/ldap';
import type { LdapClient, LdapClientOptions, LdapMessage, ExtendedResponse } from '@lber/ldap';

const slapd = useSlapd();
const proxies: FaultProxy[] = [];
const clients: LdapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of proxies.splice(0)) await p.close();
});

async function proxied(faults: Omit<FaultProxyOptions, 'target'> = {}, options: LdapClientOptions = {}, scheme = 'ldap'): Promise<{ proxy: FaultProxy; client: LdapClient }> {
  const target = scheme === 'ldaps' ? { host: slapd().host, port: slapd().ldapsPort } : { host: slapd().host, port: slapd().port };
  const proxy = await FaultProxy.start({ target, ...faults });
  proxies.push(proxy);
  const client = await connect(proxy.url(scheme), options);
  clients.push(client);
  return { proxy, client };
}

/** Resolves with what `p` rejects with, and how long it took. */
async function rejection(p: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await p;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected a rejection');
}

function closeReason(client: LdapClient): Promise<LdapConnectionError | undefined> {
  return new Promise((resolve) => client.once('close', resolve));
}

function pdu(op: ExtendedResponse, messageID = 0): Buffer {
  const w = new BerWriter();
  encodeResponse(w, messageID, op);
  return w.toBuffer();
}

test('split into 1-byte writes both ways: every operation still works', async () => {
  const { client } = await proxied({ serverToClient: { chunkSize: 1 }, clientToServer: { chunkSize: 1 } });
  await client.bind(slapd().rootDn, slapd().rootPassword);
  const { entries } = await client.searchAll(`ou=people,${slapd().suffix}`, { scope: 'one' });
  expect(entries).toHaveLength(4);
  await expect(client.compare(slapd().users[0]!.dn, 'uid', 'alice')).resolves.toBe(true);
});

test('server cut (FIN) mid-PDU: CLOSED_BY_SERVER for every pending operation', async () => {
  const { proxy, client } = await proxied();
  await client.bind(slapd().rootDn, slapd().rootPassword);
  const sofar = proxy.forwarded('serverToClient');
  // 5 bytes: inside the first response whichever slapd answers first (the
  // smallest, the compare's, is 14 bytes), so no operation can complete
  proxy.set('serverToClient', { cutAfter: sofar + 5, cutMode: 'close' });
  const reason = closeReason(client);
  const search = client.searchAll(slapd().suffix);
  const sibling = client.compare(slapd().users[0]!.dn, 'uid', 'alice');
  const { error } = await rejection(search);
  expect(error).toBeInstanceOf(LdapConnectionError);
  expect(error).toMatchObject({ code: 'CLOSED_BY_SERVER' });
  expect((error as Error).cause).toMatchObject({ code: 'BER_TRUNCATED' });
  await expect(sibling).rejects.toBe(error);
  await expect(reason).resolves.toBe(error);
  await expect(client.bind()).rejects.toMatchObject({ code: 'CLOSED_BY_SERVER' });
});

test('server closes at a PDU boundary: CLOSED_BY_SERVER', async () => {
  const { proxy, client } = await proxied();
  await client.bind();
  const pending = client.compare(slapd().users[0]!.dn, 'uid', 'alice');
  proxy.pause('serverToClient');
  proxy.cutAll('close');
  const { error } = await rejection(pending);
  expect(error).toMatchObject({ code: 'CLOSED_BY_SERVER' });
});

test('connection reset mid-PDU: IO_ERROR', async () => {
  const { proxy, client } = await proxied();
  await client.bind(slapd().rootDn, slapd().rootPassword);
  proxy.set('serverToClient', { cutAfter: proxy.forwarded('serverToClient') + 40, cutMode: 'reset' });
  const { error } = await rejection(client.searchAll(slapd().suffix));
  expect(error).toBeInstanceOf(LdapConnectionError);
  // a reset usually arrives as ECONNRESET; the kernel may also deliver the FIN side first
  expect(['IO_ERROR', 'CLOSED_BY_SERVER']).toContain((error as LdapConnectionError).code);
});

test('a garbage PDU (frames, does not decode): DECODE_ERROR, pending operations fail', async () => {
  const { proxy, client } = await proxied();
  await client.bind();
  proxy.pause('serverToClient');
  const pending = client.compare(slapd().users[0]!.dn, 'uid', 'alice');
  // SEQUENCE { OCTET STRING "A" } where the messageID INTEGER should be
  proxy.inject('serverToClient', Buffer.from('3003040141', 'hex'));
  const { error, ms } = await rejection(pending);
  expect(error).toMatchObject({ code: 'DECODE_ERROR', name: 'LdapProtocolError' });
  expect(ms).toBeLessThan(1000);
  expect(client.closed).toBe(true);
});

test('a garbage header (a tag longer than liblber takes): DECODE_ERROR', async () => {
  const { proxy, client } = await proxied();
  await client.bind();
  proxy.pause('serverToClient');
  const pending = client.searchAll(slapd().suffix);
  proxy.inject('serverToClient', Buffer.from('1fffffffffffffffff0100', 'hex'));
  const { error } = await rejection(pending);
  expect(error).toMatchObject({ code: 'DECODE_ERROR' });
  expect((error as Error).cause).toMatchObject({ code: 'BER_BAD_TAG' });
});

test('a PDU over the limit: PDU_TOO_LARGE before anything is allocated (default 16 MiB)', async () => {
  const { proxy, client } = await proxied();
  await client.bind();
  proxy.pause('serverToClient');
  const pending = client.compare(slapd().users[0]!.dn, 'uid', 'alice');
  // SEQUENCE of 16 MiB + 1 octets: only the header is ever sent
  proxy.inject('serverToClient', Buffer.from('308401000001', 'hex'));
  const { error, ms } = await rejection(pending);
  expect(error).toMatchObject({ code: 'PDU_TOO_LARGE' });
  expect(ms).toBeLessThan(1000);
});

test('maxIncoming option: a real entry over a small limit is PDU_TOO_LARGE', async () => {
  const client = await connect(slapd().url, { maxIncoming: 200 });
  clients.push(client);
  await client.bind(slapd().rootDn, slapd().rootPassword);
  // carol's entry carries a 269-byte jpegPhoto
  const { error } = await rejection(client.searchAll(slapd().users[2]!.dn, { scope: 'base' }));
  expect(error).toMatchObject({ code: 'PDU_TOO_LARGE' });
});

test('a server that stops answering: TIMEOUT for that operation within its limit; the connection lives on', async () => {
  const { proxy, client } = await proxied({}, { timeLimitMs: 5000 });
  await client.bind();
  proxy.pause('serverToClient');
  const { error, ms } = await rejection(client.compare(slapd().users[0]!.dn, 'uid', 'alice', { timeLimitMs: 200 }));
  expect(error).toMatchObject({ code: 'TIMEOUT' });
  expect(ms).toBeGreaterThanOrEqual(190);
  expect(ms).toBeLessThan(1000);
  const search = rejection(client.searchAll(slapd().suffix, { timeLimitMs: 150 }));
  await expect(search).resolves.toMatchObject({ error: { code: 'TIMEOUT' } });
  expect(client.closed).toBe(false);
  expect(client.pending).toBe(0);
  proxy.resume('serverToClient');
  // the late compare response (id abandoned) is dropped; the next operation is answered
  await expect(client.compare(slapd().users[1]!.dn, 'uid', 'bob')).resolves.toBe(true);
});

test('StartTLS against a server that stops answering: TIMEOUT and the connection is closed', async () => {
  const { proxy, client } = await proxied({}, { tls: { ca: slapd().caCert } });
  proxy.pause('serverToClient');
  const { error, ms } = await rejection(client.startTLS({ timeLimitMs: 200 }));
  expect(error).toMatchObject({ code: 'TIMEOUT' });
  expect(ms).toBeLessThan(1000);
  expect(client.closed).toBe(true);
});

test('ldaps:// whose handshake never finishes: connect TIMEOUT within connectTimeoutMs', async () => {
  const proxy = await FaultProxy.start({ target: { host: slapd().host, port: slapd().ldapsPort }, serverToClient: { paused: true } });
  proxies.push(proxy);
  const { error, ms } = await rejection(connect(proxy.url('ldaps'), { connectTimeoutMs: 300, tls: { ca: slapd().caCert } }));
  expect(error).toMatchObject({ code: 'TIMEOUT' });
  expect(ms).toBeLessThan(1500);
  // and failover goes on to the next URL after it
  const client = await connect([proxy.url('ldaps'), slapd().ldapsUrl], { connectTimeoutMs: 300, tls: { ca: slapd().caCert } });
  clients.push(client);
  expect(client.url).toBe(slapd().ldapsUrl);
});

test('a Notice of Disconnection: a notification event, then NOTICE_OF_DISCONNECTION for everything pending', async () => {
  const { proxy, client } = await proxied();
  await client.bind();
  const notices: Array<LdapMessage<ExtendedResponse>> = [];
  client.on('notification', (m) => notices.push(m));
  const reason = closeReason(client);
  proxy.pause('serverToClient');
  const pending = client.searchAll(slapd().suffix);
  proxy.inject(
    'serverToClient',
    pdu({ type: 'extendedResp', resultCode: 52, matchedDN: '', diagnosticMessage: 'going down', responseName: NOTICE_OF_DISCONNECTION_OID }),
  );
  const { error } = await rejection(pending);
  expect(error).toMatchObject({ code: 'NOTICE_OF_DISCONNECTION' });
  expect((error as Error).message).toContain('going down');
  expect(notices).toHaveLength(1);
  expect(notices[0]!.protocolOp.resultCode).toBe(52);
  await expect(reason).resolves.toBe(error);
});

test('another unsolicited notification is an event; the connection goes on', async () => {
  const { proxy, client } = await proxied();
  await client.bind();
  const notices: Array<LdapMessage<ExtendedResponse>> = [];
  client.on('notification', (m) => notices.push(m));
  proxy.inject('serverToClient', pdu({ type: 'extendedResp', resultCode: 0, matchedDN: '', diagnosticMessage: 'hello', responseName: '1.2.3.4' }));
  await expect(client.compare(slapd().users[0]!.dn, 'uid', 'alice')).resolves.toBe(true);
  expect(notices.map((n) => n.protocolOp.responseName)).toEqual(['1.2.3.4']);
  expect(client.closed).toBe(false);
});

test('a server that stops reading: writes wait for writable, then everything goes out in order', async () => {
  const { proxy, client } = await proxied();
  await client.bind(slapd().rootDn, slapd().rootPassword);
  proxy.pause('clientToServer');
  const big = 'x'.repeat(300 * 1024);
  const alice = slapd().users[0]!;
  const ops = Array.from({ length: 20 }, () => client.compare(alice.dn, 'cn', big));
  const last = client.compare(alice.dn, 'uid', 'alice');
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(client.connection.backlogBytes).toBeGreaterThan(0);
  proxy.resume('clientToServer');
  await expect(Promise.all(ops)).resolves.toEqual(Array.from({ length: 20 }, () => false));
  await expect(last).resolves.toBe(true);
  expect(client.connection.backlogBytes).toBe(0);
});
