/**
 * The tls layer over real loopback sockets against a node tls.Server, with
 * certificates made by openssl at test time: handshake and echo through
 * tcp + debug + tls + debug, StartTLS mid-stream, every verification
 * failure (typed, layer removed, Sockbuf closed), client certificates,
 * SNI, pinning, plaintext injection refused, backpressure.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import {
  LBER_SBIOD_LEVEL_APPLICATION,
  LBER_SBIOD_LEVEL_PROVIDER,
  LBER_SBIOD_LEVEL_TRANSPORT,
  LBER_SB_OPT_DATA_READY,
  LBER_SB_OPT_GET_SSL,
  LBER_SB_OPT_HAS_IO,
  LBER_SB_OPT_NEEDS_READ,
  LDAP_DEBUG_PACKETS,
  SB_WOULD_BLOCK,
  SockbufError,
  TlsError,
  berSockbufAddIo,
  berSockbufFree,
  lberOptions,
  sockbufIoDebug,
  sockbufIoReadahead,
  sockbufIoTls,
  tlsConnect,
  tlsHandshake,
  tlsPeerKeyHash,
  tlsSessionOf,
  tlsStateOf,
} from '@lber/sockbuf';
import type { SbOut, Sockbuf, TlsErrorCode } from '@lber/sockbuf';
import { nextEvent, readExactly, readSome, tcpSockbuf, tick, writeAll } from './helpers.js';
import { makeTlsMaterial, startTlsServer } from './tls.fixtures.js';
import type { KeyPair, TlsMaterial, TlsServerHandle } from './tls.fixtures.js';

let m: TlsMaterial;
beforeAll(() => {
  m = makeTlsMaterial();
});
afterAll(() => {
  m.cleanup();
});

let server: TlsServerHandle | null = null;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (server !== null) await server.close();
  server = null;
});

function echoServer(pair: KeyPair, extra: tls.TlsOptions = {}): Promise<TlsServerHandle> {
  return startTlsServer({ ...pair, ...extra }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
}

async function connectTcp(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Asserts that the handshake failed with `code` and left nothing open in clear. */
async function expectFailure(sb: Sockbuf, handshake: Promise<unknown>, code: TlsErrorCode): Promise<TlsError> {
  const err = await handshake.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TlsError);
  const tlsErr = err as TlsError;
  expect(tlsErr.code).toBe(code);
  expect(sb.ctrl(LBER_SB_OPT_HAS_IO, sockbufIoTls)).toBe(0);
  expect(sb.stack()).toEqual([]);
  expect(tlsSessionOf(sb)).toBeNull();
  expect(() => sb.read(Buffer.alloc(4), 0, 4)).toThrow(SockbufError);
  expect(() => sb.write(Buffer.from('x'), 0, 1)).toThrow(SockbufError);
  return tlsErr;
}

const random = (n: number): Buffer => crypto.randomBytes(n);

test('handshake and echo through tcp + debug + tls + debug: ciphertext below, plaintext above, no lost bytes', async () => {
  server = await echoServer(m.server);
  const sb = tcpSockbuf(await connectTcp(server.port));
  berSockbufAddIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_APPLICATION, 'ldap_');
  const lines: string[] = [];
  const savedSink = lberOptions.logPrint;
  lberOptions.logPrint = (msg) => lines.push(msg);
  sb.debug = LDAP_DEBUG_PACKETS;
  try {
    const session = await tlsConnect(sb, { host: 'localhost', ca: m.ca, debugPrefix: 'tls_' });
    expect(sb.stack().map(([io, level]) => [io.name, level])).toEqual([
      ['debug', LBER_SBIOD_LEVEL_APPLICATION],
      ['tls', LBER_SBIOD_LEVEL_TRANSPORT],
      ['debug', LBER_SBIOD_LEVEL_TRANSPORT],
      ['tcp', LBER_SBIOD_LEVEL_PROVIDER],
    ]);
    expect(session.authorized).toBe(true);
    // A layer in between: the ciphertext goes through it, never around it.
    expect(tlsStateOf(sb)!.direct).toBe(false);
    const hello = Buffer.from('hello, directory');
    await writeAll(sb, hello);
    expect((await readExactly(sb, hello.length)).equals(hello)).toBe(true);
    // Each hex dump belongs to the header line before it.
    const dumps = new Map<string, string>([['ldap_', ''], ['tls_', '']]);
    let owner = '';
    for (const line of lines) {
      const prefix = /^(ldap_|tls_)(read|write):/.exec(line);
      if (prefix !== null) owner = prefix[1]!;
      else if (owner !== '') dumps.set(owner, dumps.get(owner)! + line);
    }
    const text = lines.join('');
    expect(text).toContain(`ldap_write: want=${hello.length}, written=${hello.length}`);
    expect(text).toMatch(/tls_write: want=\d+, written=\d+/);
    expect(text).toMatch(/tls_read: want=\d+, got=\d+/);
    const plainHex = hello.subarray(0, 8).toString('hex').replace(/(..)/g, '$1 ').trim();
    expect(dumps.get('ldap_')).toContain(plainHex);
    expect(dumps.get('tls_')!.length).toBeGreaterThan(0);
    expect(dumps.get('tls_')).not.toContain(plainHex);
  } finally {
    lberOptions.logPrint = savedSink;
    sb.debug = 0;
  }
  // A megabyte each way, written in odd-sized pieces, read back exactly.
  const data = random(1024 * 1024 + 17);
  const reading = readExactly(sb, data.length);
  for (let off = 0; off < data.length; off += 70001) await writeAll(sb, data.subarray(off, off + 70001));
  expect((await reading).equals(data)).toBe(true);
  const st = tlsStateOf(sb)!;
  expect(st.bytesOut).toBe(data.length + 16);
  expect(st.bytesIn).toBe(data.length + 16);
  berSockbufFree(sb);
});

test('GET_SSL gives the session; NEEDS_READ and would-block while the handshake runs; DATA_READY when plaintext is queued', async () => {
  server = await echoServer(m.server);
  const sb = tcpSockbuf(await connectTcp(server.port));
  expect(berSockbufAddIo(sb, sockbufIoTls, LBER_SBIOD_LEVEL_TRANSPORT, { host: '127.0.0.1', ca: m.ca })).toBe(0);
  const buf = Buffer.alloc(16);
  expect(sb.read(buf, 0, 16)).toBe(SB_WOULD_BLOCK);
  expect(sb.ctrl(LBER_SB_OPT_NEEDS_READ, null)).toBe(1);
  expect(sb.write(Buffer.from('early'), 0, 5)).toBe(SB_WOULD_BLOCK);
  const writable = nextEvent(sb, ['writable']);
  const session = await tlsHandshake(sb);
  await writable;
  const out: SbOut<unknown> = { value: null };
  expect(sb.ctrl(LBER_SB_OPT_GET_SSL, out)).toBe(1);
  expect(out.value).toBe(session);
  expect(out.value).toBeInstanceOf(tls.TLSSocket);
  const s = out.value as tls.TLSSocket;
  expect(s.getProtocol()).toMatch(/^TLSv1\.[23]$/);
  expect(s.getCipher().name.length).toBeGreaterThan(0);
  expect(s.getPeerCertificate().subject.CN).toBe('localhost');
  expect(sb.ctrl(LBER_SB_OPT_NEEDS_READ, null)).toBe(0);
  expect(sb.ctrl(LBER_SB_OPT_DATA_READY, null)).toBe(0);
  await writeAll(sb, Buffer.from('ping'));
  await nextEvent(sb, ['readable']);
  await tick();
  expect(sb.ctrl(LBER_SB_OPT_DATA_READY, null)).toBe(1);
  expect(sb.read(buf, 0, 16)).toBe(4);
  expect(buf.subarray(0, 4).toString()).toBe('ping');
  expect(sb.ctrl(LBER_SB_OPT_DATA_READY, null)).toBe(0);
  expect(sb.read(buf, 0, 16)).toBe(SB_WOULD_BLOCK);
  expect(sb.ctrl(LBER_SB_OPT_NEEDS_READ, null)).toBe(1);
  berSockbufFree(sb);
});

test.each([true, false])('bulk echo over tcp + tls with direct=%s (node:tls on the socket, or through the layers)', async (direct) => {
  server = await echoServer(m.server);
  const sb = tcpSockbuf(await connectTcp(server.port));
  await tlsConnect(sb, { host: 'localhost', ca: m.ca, direct });
  expect(tlsStateOf(sb)!.direct).toBe(direct);
  const data = random(2 * 1024 * 1024 + 3);
  const reading = readExactly(sb, data.length);
  for (let off = 0; off < data.length; off += 100003) await writeAll(sb, data.subarray(off, off + 100003));
  expect((await reading).equals(data)).toBe(true);
  berSockbufFree(sb);
});

test('StartTLS shape: plain traffic first, then TLS installed mid-stream on the live Sockbuf', async () => {
  const context = tls.createSecureContext(m.server);
  const seen: string[] = [];
  const plain = net.createServer((raw) => {
    raw.once('data', (chunk) => {
      seen.push(chunk.toString());
      raw.write('OK\n');
      const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
      secure.on('error', () => undefined);
      secure.pipe(secure);
    });
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  try {
    const sb = tcpSockbuf(await connectTcp((plain.address() as net.AddressInfo).port));
    await writeAll(sb, Buffer.from('STARTTLS\n'));
    expect((await readExactly(sb, 3)).toString()).toBe('OK\n');
    expect(sb.ctrl(LBER_SB_OPT_HAS_IO, sockbufIoTls)).toBe(0);
    await tlsConnect(sb, { host: 'localhost', ca: m.ca });
    expect(seen).toEqual(['STARTTLS\n']);
    const data = random(300000);
    const reading = readExactly(sb, data.length);
    await writeAll(sb, data);
    expect((await reading).equals(data)).toBe(true);
    berSockbufFree(sb);
  } finally {
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  }
});

test.each<[string, 'wrongHost' | 'expired' | 'unknownCa', string, TlsErrorCode, string]>([
  ['a certificate for another host name', 'wrongHost', '127.0.0.1', 'TLS_HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ['a certificate for another host name (SNI host)', 'wrongHost', 'localhost', 'TLS_HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ['an expired certificate', 'expired', 'localhost', 'TLS_CERT_EXPIRED', 'CERT_HAS_EXPIRED'],
  ['a certificate from an unknown CA', 'unknownCa', 'localhost', 'TLS_CERT_UNTRUSTED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
])('%s fails the handshake with its reason; the layer is removed and the Sockbuf closed', async (_name, which, host, code, nodeCode) => {
  server = await echoServer(m[which]);
  const socket = await connectTcp(server.port);
  const sb = tcpSockbuf(socket);
  const errors: unknown[] = [];
  sb.subscribe((type, e) => {
    if (type === 'error') errors.push(e);
  });
  const err = await expectFailure(sb, tlsConnect(sb, { host, ca: m.ca, debugPrefix: 'tls_' }), code);
  // The cause is node:tls's own error (from another realm under jest: match its shape).
  expect((err.cause as { code?: unknown }).code).toBe(nodeCode);
  expect(err.message).toMatch(/^TLS: can't connect: /);
  expect(socket.destroyed).toBe(true);
  expect(errors).toHaveLength(1);
  expect((errors[0] as SockbufError).cause).toBe(err);
  berSockbufFree(sb);
});

test('a pinned public key that does not match fails with TLS_PIN_MISMATCH after a verified handshake', async () => {
  server = await echoServer(m.server);
  const sb = tcpSockbuf(await connectTcp(server.port));
  const wrongPin = tlsPeerKeyHash(m.unknownCa.cert);
  const err = await expectFailure(sb, tlsConnect(sb, { host: 'localhost', ca: m.ca, pinnedPublicKey: wrongPin }), 'TLS_PIN_MISMATCH');
  expect(err.message).toContain('does not match');
  berSockbufFree(sb);
});

test('a matching pin (sha256 of the SPKI, or the whole SPKI) is accepted', async () => {
  server = await echoServer(m.server);
  for (const pin of [tlsPeerKeyHash(m.server.cert), tlsPeerKeyHash(m.server.cert, null)]) {
    const sb = tcpSockbuf(await connectTcp(server.port));
    const session = await tlsConnect(sb, { host: 'localhost', ca: m.ca, pinnedPublicKey: pin });
    expect(session.authorized).toBe(true);
    await writeAll(sb, Buffer.from('pinned'));
    expect((await readExactly(sb, 6)).toString()).toBe('pinned');
    berSockbufFree(sb);
  }
});

test('the pin is checked even with verification turned off explicitly', async () => {
  server = await echoServer(m.unknownCa);
  const ok = tcpSockbuf(await connectTcp(server.port));
  const session = await tlsConnect(ok, { host: 'localhost', rejectUnauthorized: false });
  expect(session.authorized).toBe(false);
  berSockbufFree(ok);
  const bad = tcpSockbuf(await connectTcp(server.port));
  await expectFailure(bad, tlsConnect(bad, { host: 'localhost', rejectUnauthorized: false, pinnedPublicKey: tlsPeerKeyHash(m.server.cert) }), 'TLS_PIN_MISMATCH');
  berSockbufFree(bad);
});

test('a client certificate is presented when the server asks for one', async () => {
  let peerCn: string | undefined;
  let peerAuthorized = false;
  server = await startTlsServer({ ...m.server, ca: m.ca, requestCert: true, rejectUnauthorized: true }, (s) => {
    const cn: unknown = s.getPeerCertificate().subject?.CN;
    peerCn = typeof cn === 'string' ? cn : undefined;
    peerAuthorized = s.authorized;
    s.on('error', () => undefined);
    s.pipe(s);
  });
  const sb = tcpSockbuf(await connectTcp(server.port));
  await tlsConnect(sb, { host: 'localhost', ca: m.ca, cert: m.client.cert, key: m.client.key });
  await writeAll(sb, Buffer.from('who'));
  expect((await readExactly(sb, 3)).toString()).toBe('who');
  expect(peerCn).toBe('lber client');
  expect(peerAuthorized).toBe(true);
  berSockbufFree(sb);
});

test('SNI carries a host name, never an IP address', async () => {
  const names: Array<string | false> = [];
  server = await startTlsServer({ ...m.server }, (s) => {
    names.push((s as tls.TLSSocket & { servername: string | false }).servername);
    s.on('error', () => undefined);
    s.pipe(s);
  });
  for (const host of ['localhost', '127.0.0.1']) {
    const sb = tcpSockbuf(await connectTcp(server.port));
    await tlsConnect(sb, { host, ca: m.ca });
    await writeAll(sb, Buffer.from('.'));
    await readExactly(sb, 1);
    berSockbufFree(sb);
  }
  expect(names).toEqual(['localhost', false]);
});

test('TLS 1.2 is the floor: a server that only speaks TLS 1.1 is refused', async () => {
  server = await echoServer(m.server, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  const sb = tcpSockbuf(await connectTcp(server.port));
  await expectFailure(sb, tlsConnect(sb, { host: 'localhost', ca: m.ca }), 'TLS_HANDSHAKE_FAILED');
  berSockbufFree(sb);
});

test('plaintext queued by the tcp provider before install is refused (StartTLS injection)', async () => {
  const context = tls.createSecureContext(m.server);
  const plain = net.createServer((raw) => {
    raw.once('data', () => {
      // The response and an attacker's bytes arrive together, in clear.
      raw.write('OK\nINJECTED-RESPONSE');
      const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
      secure.on('error', () => undefined);
    });
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  try {
    const sb = tcpSockbuf(await connectTcp((plain.address() as net.AddressInfo).port));
    await writeAll(sb, Buffer.from('STARTTLS\n'));
    expect((await readExactly(sb, 3)).toString()).toBe('OK\n');
    // Only what was asked for is read: the injected bytes wait below.
    await expectFailure(sb, tlsConnect(sb, { host: 'localhost', ca: m.ca }), 'TLS_PLAINTEXT_INJECTION');
    berSockbufFree(sb);
  } finally {
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  }
});

test('plaintext held by a readahead layer (DATA_READY below) is refused; add_io reports the failed setup', async () => {
  const plain = net.createServer((raw) => {
    raw.once('data', () => raw.write('OK\nINJECTED'));
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  try {
    const sb = tcpSockbuf(await connectTcp((plain.address() as net.AddressInfo).port));
    berSockbufAddIo(sb, sockbufIoReadahead, LBER_SBIOD_LEVEL_PROVIDER, null);
    await writeAll(sb, Buffer.from('STARTTLS\n'));
    const buf = Buffer.alloc(3);
    let got = 0;
    while (got < 3) got += await readSome(sb, buf, got, 3 - got);
    expect(buf.toString()).toBe('OK\n');
    expect(sb.ctrl(LBER_SB_OPT_DATA_READY, null)).toBe(1);
    expect(berSockbufAddIo(sb, sockbufIoTls, LBER_SBIOD_LEVEL_TRANSPORT, { host: 'localhost', ca: m.ca })).toBe(-1);
    await expectFailure(sb, tlsHandshake(sb), 'TLS_PLAINTEXT_INJECTION');
    berSockbufFree(sb);
  } finally {
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  }
});

test('the peer going away mid-handshake fails it; after the handshake, end of stream reads 0', async () => {
  const cut = net.createServer((raw) => raw.once('data', () => raw.destroy()));
  await new Promise<void>((resolve) => cut.listen(0, '127.0.0.1', resolve));
  try {
    const sb = tcpSockbuf(await connectTcp((cut.address() as net.AddressInfo).port));
    await expectFailure(sb, tlsConnect(sb, { host: 'localhost', ca: m.ca }), 'TLS_HANDSHAKE_FAILED');
    berSockbufFree(sb);
  } finally {
    await new Promise<void>((resolve) => cut.close(() => resolve()));
  }
  server = await startTlsServer({ ...m.server }, (s) => {
    s.on('error', () => undefined);
    s.end('bye');
  });
  const sb = tcpSockbuf(await connectTcp(server.port));
  await tlsConnect(sb, { host: 'localhost', ca: m.ca });
  expect((await readExactly(sb, 3)).toString()).toBe('bye');
  expect(await readSome(sb, Buffer.alloc(4), 0, 4)).toBe(0);
  berSockbufFree(sb);
});

test('a reader that stops reading bounds the plaintext queue; everything arrives once it reads again', async () => {
  const data = random(8 * 1024 * 1024);
  server = await startTlsServer({ ...m.server }, (s) => {
    s.on('error', () => undefined);
    s.end(data);
  });
  const sb = tcpSockbuf(await connectTcp(server.port));
  await tlsConnect(sb, { host: 'localhost', ca: m.ca, highWaterMark: 128 * 1024 });
  const st = tlsStateOf(sb)!;
  for (let i = 0; i < 30; i++) await new Promise((r) => setTimeout(r, 5));
  expect(st.paused).toBe(true);
  // At most one more TLS record (16 KiB) and Node's own buffers above the mark.
  expect(st.queued).toBeLessThan(128 * 1024 + 64 * 1024);
  const got = await readExactly(sb, data.length);
  expect(got.equals(data)).toBe(true);
  berSockbufFree(sb);
});

test('tlsHandshake without any tls layer rejects with a TlsError', async () => {
  const sb = tcpSockbuf(new net.Socket());
  await expect(tlsHandshake(sb)).rejects.toBeInstanceOf(TlsError);
  berSockbufFree(sb);
});

test('removing the layer mid-handshake rejects the handshake and the layer is gone', async () => {
  server = await echoServer(m.server);
  const sb = tcpSockbuf(await connectTcp(server.port));
  berSockbufAddIo(sb, sockbufIoTls, LBER_SBIOD_LEVEL_TRANSPORT, { host: 'localhost', ca: m.ca });
  const handshake = tlsHandshake(sb);
  expect(sb.removeIo(sockbufIoTls, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(0);
  await expect(handshake).rejects.toMatchObject({ code: 'TLS_HANDSHAKE_FAILED' });
  expect(sb.ctrl(LBER_SB_OPT_HAS_IO, sockbufIoTls)).toBe(0);
  berSockbufFree(sb);
});

test('bad options fail with TLS_BAD_OPTIONS and close the Sockbuf', async () => {
  server = await echoServer(m.server);
  const sb = tcpSockbuf(await connectTcp(server.port));
  await expectFailure(sb, tlsConnect(sb, { host: 'localhost', ca: m.ca, cert: 'not a certificate', key: 'nor a key' }), 'TLS_BAD_OPTIONS');
  berSockbufFree(sb);
});
