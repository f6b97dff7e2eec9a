/**
 * The tls layer against the testkit's real slapd: ldaps:// handshake and a
 * simple bind, StartTLS (extended request, then the layer installed
 * mid-stream, then a bind), a client certificate seen by SASL EXTERNAL, and
 * every verification failure against servers presenting the bad
 * certificates. The LDAP messages are built with @lber/ber's ber_printf.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { LBER_USE_DER, berAllocT, berFlatten, berInit, berPrintf, berScanf } from '@lber/ber';
import type { BerScanfBytes, BerScanfInt, BerScanfTag } from '@lber/ber';
import { LBER_SB_OPT_HAS_IO, SockbufError, TlsError, berSockbufFree, sockbufIoTls, tlsConnect, tlsPeerKeyHash } from '@lber/sockbuf';
import type { Sockbuf, TlsErrorCode } from '@lber/sockbuf';
import { startSlapd, useSlapd } from '@lber/testkit';
import type { SlapdServer } from '@lber/testkit';
import { readExactly, tcpSockbuf, writeAll } from './helpers.js';

const slapd = useSlapd();
const sockets: net.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

async function connectTcp(port: number): Promise<Sockbuf> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return tcpSockbuf(socket);
}

/** Encodes one LDAPMessage with ber_printf. */
function message(fmt: string, ...args: Array<number | bigint | string>): Buffer {
  const ber = berAllocT(LBER_USE_DER);
  expect(berPrintf(ber, fmt, ...args)).toBeGreaterThan(0);
  const out = berFlatten(ber);
  if (out === null) throw new Error('ber_flatten failed');
  return out;
}

/**
 * LDAPMessage ::= SEQUENCE { messageID, protocolOp BindRequest ::=
 *   [APPLICATION 0] SEQUENCE { version INTEGER, name LDAPDN,
 *   authentication CHOICE { simple [0] OCTET STRING, ... } } }
 */
const simpleBind = (id: number, dn: string, password: string): Buffer => message('{it{ists}}', id, 0x60n, 3, dn, 0x80n, password);

/** BindRequest with sasl [3] SaslCredentials { mechanism "EXTERNAL", credentials "" (no authzid) }. */
const externalBind = (id: number): Buffer => message('{it{ist{ss}}}', id, 0x60n, 3, '', 0xa3n, 'EXTERNAL', '');

/** ExtendedRequest ::= [APPLICATION 23] SEQUENCE { requestName [0] LDAPOID, ... } */
const extended = (id: number, oid: string): Buffer => message('{it{ts}}', id, 0x77n, 0x80n, oid);

const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';
const WHOAMI_OID = '1.3.6.1.4.1.4203.1.11.3';

interface LdapResult {
  id: number;
  op: bigint;
  resultCode: number;
  diagnostic: string;
  raw: Buffer;
}

/** Reads one LDAPMessage (definite length) and decodes its LDAPResult with ber_scanf. */
async function readResult(sb: Sockbuf): Promise<LdapResult> {
  const head = await readExactly(sb, 2);
  let len = head[1]!;
  let lenBytes: Buffer = Buffer.alloc(0);
  if (len & 0x80) {
    lenBytes = await readExactly(sb, len & 0x7f);
    len = lenBytes.readUIntBE(0, lenBytes.length);
  }
  const body = await readExactly(sb, len);
  const raw = Buffer.concat([head, lenBytes, body]);
  const ber = berInit(raw);
  if (ber === null) throw new Error('ber_init failed');
  const res = berScanf(ber, '{it{eaa');
  const [id, op, code, , diag] = res.out as [BerScanfInt, BerScanfTag, BerScanfInt, BerScanfBytes, BerScanfBytes];
  return { id: id.value ?? -1, op: op.tag ?? -1n, resultCode: code.value ?? -1, diagnostic: diag.value?.toString() ?? '', raw };
}

async function request(sb: Sockbuf, pdu: Buffer): Promise<LdapResult> {
  await writeAll(sb, pdu);
  return readResult(sb);
}

test('ldaps://: the handshake verifies slapd with the CA, then a simple bind succeeds (and a wrong password does not)', async () => {
  const s = slapd();
  const sb = await connectTcp(s.ldapsPort);
  const session = await tlsConnect(sb, { host: s.host, ca: s.caCert, debugPrefix: 'tls_' });
  expect(session.authorized).toBe(true);
  expect(session.getPeerCertificate().subject.CN).toBe('localhost');
  const ok = await request(sb, simpleBind(1, s.rootDn, s.rootPassword));
  expect(ok).toMatchObject({ id: 1, op: 0x61n, resultCode: 0 });
  const bad = await request(sb, simpleBind(2, s.rootDn, 'not the password'));
  expect(bad).toMatchObject({ id: 2, op: 0x61n, resultCode: 49 });
  berSockbufFree(sb);
});

test('StartTLS: the extended request in clear, the layer installed mid-stream, then a bind', async () => {
  const s = slapd();
  const sb = await connectTcp(s.port);
  // Confidentiality is required for nothing here, so a bind in clear works too.
  expect((await request(sb, simpleBind(1, s.users[0]!.dn, s.users[0]!.password))).resultCode).toBe(0);
  const started = await request(sb, extended(2, STARTTLS_OID));
  expect(started).toMatchObject({ id: 2, op: 0x78n, resultCode: 0 });
  expect(sb.ctrl(LBER_SB_OPT_HAS_IO, sockbufIoTls)).toBe(0);
  const session = await tlsConnect(sb, { host: 'localhost', ca: s.caCert });
  expect(session.encrypted).toBe(true);
  expect(sb.ctrl(LBER_SB_OPT_HAS_IO, sockbufIoTls)).toBe(1);
  expect(await request(sb, simpleBind(3, s.rootDn, s.rootPassword))).toMatchObject({ id: 3, op: 0x61n, resultCode: 0 });
  berSockbufFree(sb);
});

test('a client certificate is presented when slapd asks: SASL EXTERNAL binds as its mapped identity', async () => {
  const s = slapd();
  const sb = await connectTcp(s.ldapsPort);
  await tlsConnect(sb, { host: s.host, ca: s.caCert, cert: readFileSync(s.certs.client.cert), key: readFileSync(s.certs.client.key) });
  expect(await request(sb, externalBind(1))).toMatchObject({ id: 1, op: 0x61n, resultCode: 0 });
  const who = await request(sb, extended(2, WHOAMI_OID));
  expect(who.resultCode).toBe(0);
  expect(who.raw.toString('utf8').toLowerCase()).toContain(`dn:${s.clientCertDn}`.toLowerCase());
  berSockbufFree(sb);
});

test('a pinned public key: the right one connects, another one fails with TLS_PIN_MISMATCH', async () => {
  const s = slapd();
  const good = tlsPeerKeyHash(readFileSync(s.certs.server.good.cert));
  const sb = await connectTcp(s.ldapsPort);
  await tlsConnect(sb, { host: s.host, ca: s.caCert, pinnedPublicKey: good });
  expect((await request(sb, simpleBind(1, s.rootDn, s.rootPassword))).resultCode).toBe(0);
  berSockbufFree(sb);
  // The testkit's server certificates may share one key: pin a fresh one.
  const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = `sha256:${crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64')}`;
  const bad = await connectTcp(s.ldapsPort);
  await expectTlsFailure(bad, tlsConnect(bad, { host: s.host, ca: s.caCert, pinnedPublicKey: other }), 'TLS_PIN_MISMATCH');
  berSockbufFree(bad);
});

async function expectTlsFailure(sb: Sockbuf, handshake: Promise<unknown>, code: TlsErrorCode): Promise<void> {
  const err = await handshake.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TlsError);
  expect((err as TlsError).code).toBe(code);
  expect(sb.stack()).toEqual([]);
  expect(() => sb.write(Buffer.from([0x30, 0x00]), 0, 2)).toThrow(SockbufError);
}

describe.each<['wrongHost' | 'expired' | 'unknownCa', TlsErrorCode]>([
  ['wrongHost', 'TLS_HOSTNAME_MISMATCH'],
  ['expired', 'TLS_CERT_EXPIRED'],
  ['unknownCa', 'TLS_CERT_UNTRUSTED'],
])('slapd presenting the %s certificate', (kind, code) => {
  let bad: SlapdServer | undefined;
  beforeAll(async () => {
    bad = await startSlapd({ serverCert: kind });
  }, 60000);
  afterAll(async () => {
    await bad?.stop();
  });

  test(`ldaps:// fails with ${code}; nothing is left open`, async () => {
    const sb = await connectTcp(bad!.ldapsPort);
    await expectTlsFailure(sb, tlsConnect(sb, { host: bad!.host, ca: bad!.caCert, debugPrefix: 'tls_' }), code);
    berSockbufFree(sb);
  });

  test(`StartTLS fails with ${code}; the Sockbuf is closed, not left in clear`, async () => {
    const sb = await connectTcp(bad!.port);
    expect((await request(sb, extended(1, STARTTLS_OID))).resultCode).toBe(0);
    await expectTlsFailure(sb, tlsConnect(sb, { host: 'localhost', ca: bad!.caCert }), code);
    berSockbufFree(sb);
  });
});
