/**
 * The client's transports and layer stack against the testkit's slapd:
 * ldaps://, StartTLS (and a failed one closing the connection), ldapi://,
 * libldap's debug layers, and a user's own layer (the metrics layer)
 * pushed and popped on a live connection with operations before, during
 * and after.
 */
import {
  LBER_SBIOD_LEVEL_APPLICATION,
  LBER_SBIOD_LEVEL_PROVIDER,
  LBER_SBIOD_LEVEL_TRANSPORT,
  LDAP_DEBUG_PACKETS,
  SockbufMetrics,
  lberOptions,
  sockbufIoDebug,
  sockbufIoMetrics,
  sockbufIoTcp,
  sockbufIoTls,
  sockbufMetrics,
  tlsSessionOf,
} from '@lber/sockbuf';
import { useSlapd } from '@lber/testkit';
import { LDAP_DEBUG_LAYER_LEVEL, LdapConnectionError, connect } from '@lber/ldap';
import type { LdapClient, LdapConnectionError as ConnError } from '@lber/ldap';

const slapd = useSlapd();
const clients: LdapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.unbind();
});

async function track(p: Promise<LdapClient>): Promise<LdapClient> {
  const c = await p;
  clients.push(c);
  return c;
}

/** The stack as `name@level`, top first. */
function stackOf(c: LdapClient): string[] {
  return c.sockbuf.stack().map(([io, level]) => `${io.name ?? '?'}@${level}`);
}

async function whoami(c: LdapClient): Promise<string | undefined> {
  return (await c.extended('1.3.6.1.4.1.4203.1.11.3')).responseValue?.toString();
}

test('ldaps:// with the CA: tls at TRANSPORT over tcp, bind and search', async () => {
  const c = await track(connect(slapd().ldapsUrl, { tls: { ca: slapd().caCert } }));
  expect(c.sockbuf.stack()).toEqual([
    [sockbufIoTls, LBER_SBIOD_LEVEL_TRANSPORT],
    [sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER],
  ]);
  expect(tlsSessionOf(c.sockbuf)?.authorized).toBe(true);
  const alice = slapd().users[0]!;
  await c.bind(alice.dn, alice.password);
  expect(await whoami(c)).toBe(`dn:${alice.dn}`);
  const { entries } = await c.searchAll(alice.dn, { scope: 'base' });
  expect(entries[0]!.string('uid')).toBe('alice');
});

test('ldaps:// without the CA: TLS_FAILED with the TlsError as cause', async () => {
  const error = await connect(slapd().ldapsUrl).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LdapConnectionError);
  expect(error).toMatchObject({ code: 'TLS_FAILED' });
  expect((error as Error).cause).toMatchObject({ name: 'TlsError', code: 'TLS_CERT_UNTRUSTED' });
});

test('StartTLS installs tls at TRANSPORT mid-stream; operations go on encrypted', async () => {
  const c = await track(connect(slapd().url, { tls: { ca: slapd().caCert } }));
  const alice = slapd().users[0]!;
  await c.bind(alice.dn, alice.password);
  const r = await c.startTLS();
  expect(r.resultCode).toBe(0);
  expect(r.session.authorized).toBe(true);
  expect(c.sockbuf.stack().map(([io, level]) => [io.name, level])).toEqual([
    ['tls', LBER_SBIOD_LEVEL_TRANSPORT],
    ['tcp', LBER_SBIOD_LEVEL_PROVIDER],
  ]);
  // slapd drops the identity with StartTLS: anonymous until the next bind
  expect(await whoami(c)).toBe('');
  await c.bind(alice.dn, alice.password);
  expect(await whoami(c)).toBe(`dn:${alice.dn}`);
  const many = await Promise.all([1, 2, 3].map(() => c.compare(alice.dn, 'uid', 'alice')));
  expect(many).toEqual([true, true, true]);
  // twice is refused without touching the connection
  await expect(c.startTLS()).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  expect(c.closed).toBe(false);
});

test('StartTLS with outstanding operations is refused, connection untouched', async () => {
  const c = await track(connect(slapd().url, { tls: { ca: slapd().caCert } }));
  const pending = c.searchAll(slapd().suffix, { scope: 'base' });
  await expect(c.startTLS()).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  await expect(pending).resolves.toMatchObject({ result: { resultCode: 0 } });
});

test('a failed StartTLS closes the connection: never continues in clear', async () => {
  const c = await connect(slapd().url);
  let reason: ConnError | undefined;
  c.on('close', (r) => (reason = r));
  const error = await c.startTLS().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: 'TLS_FAILED' });
  expect((error as Error).cause).toMatchObject({ code: 'TLS_CERT_UNTRUSTED' });
  expect(c.closed).toBe(true);
  expect(reason?.code).toBe('TLS_FAILED');
  expect(c.sockbuf.valid).toBe(false);
  await expect(c.bind()).rejects.toMatchObject({ code: 'TLS_FAILED' });
});

test('over ldaps:// StartTLS is refused locally; slapd refuses the raw extended operation', async () => {
  const c = await track(connect(slapd().ldapsUrl, { tls: { ca: slapd().caCert } }));
  // TLS is in place already at the Sockbuf level: refused locally
  await expect(c.startTLS()).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  // over a connection where slapd already runs TLS the extended op itself fails: use a raw extended
  await expect(c.extended('1.3.6.1.4.1.1466.20037')).rejects.toMatchObject({ resultName: 'operationsError' });
});

test('ldapi:// with a simple bind', async () => {
  const c = await track(connect(slapd().ldapiUrl));
  expect(c.sockbuf.stack()).toEqual([[sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER]]);
  const bob = slapd().users[1]!;
  await c.bind(bob.dn, bob.password);
  expect(await whoami(c)).toBe(`dn:${bob.dn}`);
});

describe('debug layers', () => {
  const saved = { ...lberOptions };
  let lines: string[] = [];
  beforeEach(() => {
    lines = [];
    lberOptions.logPrint = (m) => lines.push(m);
  });
  afterEach(() => {
    lberOptions.logPrint = saved.logPrint;
    lberOptions.debug = saved.debug;
  });

  test('ldap:// gets "tcp_" under tcp and "ldap_" at INT_MAX, as open.c does', async () => {
    const c = await track(connect(slapd().url, { debug: LDAP_DEBUG_PACKETS }));
    expect(stackOf(c)).toEqual([`debug@${LDAP_DEBUG_LAYER_LEVEL}`, 'tcp@10', 'debug@10']);
    await c.bind();
    expect(lines.some((l) => l.startsWith('ldap_write: want=14, written=14'))).toBe(true);
    expect(lines.some((l) => l.startsWith('ldap_read: want='))).toBe(true);
    // the provider talks to the socket itself: the layer under it never logs
    expect(lines.some((l) => l.startsWith('tcp_'))).toBe(false);
    await c.unbind();
  });

  test('ldaps:// adds "tls_" under tls (ciphertext); StartTLS does the same mid-stream', async () => {
    const c = await track(connect(slapd().ldapsUrl, { debug: LDAP_DEBUG_PACKETS, tls: { ca: slapd().caCert } }));
    expect(stackOf(c)).toEqual([`debug@${LDAP_DEBUG_LAYER_LEVEL}`, 'tls@20', 'debug@20', 'tcp@10', 'debug@10']);
    await c.bind();
    expect(lines.some((l) => l.startsWith('tls_read: want='))).toBe(true);
    expect(lines.some((l) => l.startsWith('tls_write: want='))).toBe(true);
    const d = await track(connect(slapd().url, { debug: LDAP_DEBUG_PACKETS, tls: { ca: slapd().caCert } }));
    await d.startTLS();
    expect(stackOf(d)).toEqual([`debug@${LDAP_DEBUG_LAYER_LEVEL}`, 'tls@20', 'debug@20', 'tcp@10', 'debug@10']);
    await d.bind();
    await c.unbind();
    await d.unbind();
  });
});

test("a user's own layer pushed and popped on a live connection, operations before, during and after", async () => {
  const c = await track(connect(slapd().url));
  const alice = slapd().users[0]!;
  await c.bind(alice.dn, alice.password); // before
  const metrics = new SockbufMetrics();
  expect(c.sockbuf.addIo(sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION, metrics)).toBe(0);
  expect(sockbufMetrics(c.sockbuf)).toBe(metrics);
  // during: a search in flight while the layer is popped
  const { entries } = await c.searchAll(`ou=people,${slapd().suffix}`, { scope: 'one' });
  expect(entries).toHaveLength(4);
  expect(metrics.pdusOut).toBe(1);
  expect(metrics.pdusIn).toBe(5); // 4 entries + done
  const inFlight = c.searchAll(`ou=people,${slapd().suffix}`, { scope: 'one' });
  await Promise.resolve();
  await Promise.resolve();
  expect(c.sockbuf.removeIo(sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION)).toBe(0);
  expect(sockbufMetrics(c.sockbuf)).toBeNull();
  await expect(inFlight).resolves.toMatchObject({ result: { resultCode: 0 } });
  expect((await inFlight).entries).toHaveLength(4);
  const before = metrics.bytesIn;
  // after
  await expect(c.compare(alice.dn, 'uid', 'alice')).resolves.toBe(true);
  expect(metrics.bytesIn).toBe(before);
  // and again, on a TLS connection after StartTLS the layer sits above tls
  const d = await track(connect(slapd().url, { tls: { ca: slapd().caCert } }));
  await d.startTLS();
  d.sockbuf.addIo(sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION, null);
  expect(stackOf(d)).toEqual(['metrics@30', 'tls@20', 'tcp@10']);
  await d.bind(alice.dn, alice.password);
  expect(sockbufMetrics(d.sockbuf)?.pdusIn).toBe(1);
  d.sockbuf.removeIo(sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION);
  await expect(d.compare(alice.dn, 'uid', 'alice')).resolves.toBe(true);
  expect(sockbufIoDebug.name).toBe('debug');
});
