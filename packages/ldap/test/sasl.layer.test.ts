/**
 * The DIGEST-MD5 security layers on live connections to slapd: searches
 * and modifies through auth-int and auth-conf; libldap's debug layer under
 * the SASL layer showing the framed, signed bytes; frames replayed,
 * altered or corrupted in flight (through the testkit's FaultProxy)
 * closing the connection with a typed error; what a rebind does to the
 * layer.
 */
import { FaultProxy, useSlapd } from '@lber/testkit';
import type { FaultProxyOptions, SlapdServer } from '@lber/testkit';
import { LBER_SBIOD_LEVEL_APPLICATION, LDAP_DEBUG_PACKETS, SockbufError, lberOptions } from '@lber/sockbuf';
import type { SockbufIO } from '@lber/sockbuf';
import {
  LDAP_DEBUG_LAYER_LEVEL,
  LdapConnectionError,
  LdapResultError,
  SaslError,
  connect,
  digestMd5,
  plain,
  saslBind,
  saslLayerState,
  saslRemoveSecurityLayer,
  saslSecurityLayerOf,
} from '@lber/ldap';
import type { DigestCipher, DigestQop, LdapClient } from '@lber/ldap';

const slapd = useSlapd();
const clients: LdapClient[] = [];
const proxies: FaultProxy[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of proxies.splice(0)) await p.close();
});

async function open(url: string, options: Parameters<typeof connect>[1] = {}): Promise<LdapClient> {
  const c = await connect(url, options);
  clients.push(c);
  return c;
}

async function proxy(s: SlapdServer, options: Omit<FaultProxyOptions, 'target'> = {}): Promise<FaultProxy> {
  const p = await FaultProxy.start({ target: { host: s.host, port: s.port }, ...options });
  proxies.push(p);
  return p;
}

async function whoAmI(c: LdapClient): Promise<string> {
  return (await c.extended('1.3.6.1.4.1.4203.1.11.3')).responseValue?.toString('utf8') ?? '';
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function creds(s: SlapdServer, uid: string): { username: string; password: string; dn: string } {
  const u = s.users.find((x) => x.uid === uid)!;
  return { username: u.uid, password: u.password, dn: u.dn };
}

function bindDigest(c: LdapClient, s: SlapdServer, uid: string, qop: DigestQop = 'auth-int', cipher?: DigestCipher): ReturnType<typeof saslBind> {
  const { username, password } = creds(s, uid);
  return saslBind(c, digestMd5({ username, password, qop, ...(cipher === undefined ? {} : { ciphers: [cipher] }) }));
}

function stackOf(c: LdapClient): string[] {
  return c.sockbuf.stack().map(([io, level]) => `${io.name ?? '?'}@${level === LDAP_DEBUG_LAYER_LEVEL ? 'max' : level}`);
}

/** A layer that records what passes under the SASL layer (the bytes on the wire, above TCP). */
class Tap {
  read: Buffer[] = [];
  written: Buffer[] = [];
  reset(): void {
    this.read = [];
    this.written = [];
  }
  get readBytes(): Buffer {
    return Buffer.concat(this.read);
  }
  get writtenBytes(): Buffer {
    return Buffer.concat(this.written);
  }
}
const tapIo: SockbufIO<Tap, Tap> = {
  name: 'tap',
  setup(sbiod, arg) {
    sbiod.pvt = arg;
    return 0;
  },
  read(sbiod, buf, off, len) {
    const n = sbiod.readNext(buf, off, len);
    if (n > 0) sbiod.pvt!.read.push(Buffer.from(buf.subarray(off, off + n)));
    return n;
  },
  write(sbiod, buf, off, len) {
    const n = sbiod.writeNext(buf, off, len);
    if (n > 0) sbiod.pvt!.written.push(Buffer.from(buf.subarray(off, off + n)));
    return n;
  },
};

/** Splits a stream of 4-byte-length frames. */
function frames(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off + 4 <= stream.length) {
    const len = stream.readUInt32BE(off);
    out.push(stream.subarray(off, off + 4 + len));
    off += 4 + len;
  }
  expect(off).toBe(stream.length);
  return out;
}

/** Waits for the client's close event and returns its reason. */
function closed(c: LdapClient): Promise<LdapConnectionError | undefined> {
  return new Promise((resolve) => {
    if (c.closed) resolve(c.connection.reason);
    else c.once('close', resolve);
  });
}

/** The SaslError at the bottom of a connection error's cause chain. */
function saslCause(error: unknown): SaslError | undefined {
  let e: unknown = error;
  while (e instanceof Error) {
    if (e instanceof SaslError) return e;
    e = e.cause;
  }
  return undefined;
}

describe('operations through the DIGEST-MD5 layers', () => {
  test('auth-int: search and modify go through the layer, every PDU one signed frame', async () => {
    const s = slapd();
    const bob = creds(s, 'bob');
    const c = await open(s.url);
    const tap = new Tap();
    c.sockbuf.addIo(tapIo, LBER_SBIOD_LEVEL_APPLICATION, tap);
    const r = await bindDigest(c, s, 'bob');
    expect(r.securityLayer?.name).toBe('DIGEST-MD5 auth-int');
    expect(stackOf(c)).toEqual(['sasl_generic@30', 'tap@30', 'tcp@10']);
    tap.reset();

    const people = await c.searchAll(`ou=people,${s.suffix}`, { filter: '(objectClass=inetOrgPerson)', attributes: ['cn'] });
    expect(people.entries.map((e) => e.dn).sort()).toEqual(s.users.map((u) => u.dn).sort());
    await c.modify(bob.dn, [{ operation: 'replace', modification: { type: 'description', values: ['changed through the integrity layer'] } }]);
    const back = await c.searchAll(bob.dn, { scope: 'base', attributes: ['description'] });
    expect(back.entries[0]?.string('description')).toBe('changed through the integrity layer');

    const st = saslLayerState(c.sockbuf)!;
    // search (1 request), modify (1), search (1)
    expect(st.framesOut).toBe(3);
    // the server sends each PDU in its own frame: 4 entries + done, modify response, entry + done
    expect(st.framesIn).toBe(8);
    const inFrames = frames(tap.readBytes);
    const outFrames = frames(tap.writtenBytes);
    expect(inFrames.length).toBe(8);
    expect(outFrames.length).toBe(3);
    inFrames.forEach((f, i) => {
      expect(f.readUInt16BE(f.length - 6)).toBe(1);
      expect(f.readUInt32BE(f.length - 4)).toBe(i);
      expect(f[4]).toBe(0x30); // an LDAPMessage in clear (integrity only)
    });
    outFrames.forEach((f, i) => expect(f.readUInt32BE(f.length - 4)).toBe(i));
  });

  test.each(['rc4', 'des', 'rc4-56', 'rc4-40'] as DigestCipher[])('auth-conf (%s): the same operations, and nothing readable on the wire', async (cipher) => {
    const s = slapd();
    const bob = creds(s, 'bob');
    const c = await open(s.url);
    const tap = new Tap();
    c.sockbuf.addIo(tapIo, LBER_SBIOD_LEVEL_APPLICATION, tap);
    const r = await bindDigest(c, s, 'bob', 'auth-conf', cipher);
    expect(r.securityLayer?.name).toBe(`DIGEST-MD5 auth-conf (${cipher})`);
    tap.reset();
    const people = await c.searchAll(`ou=people,${s.suffix}`, { filter: '(uid=*)', attributes: ['cn'] });
    expect(people.entries.length).toBe(s.users.length);
    await c.modify(bob.dn, [{ operation: 'replace', modification: { type: 'description', values: [`sealed with ${cipher}`] } }]);
    expect((await c.searchAll(bob.dn, { scope: 'base' })).entries[0]?.string('description')).toBe(`sealed with ${cipher}`);
    expect(tap.readBytes.includes(Buffer.from('Alice Archer'))).toBe(false);
    expect(tap.writtenBytes.includes(Buffer.from(`sealed with ${cipher}`))).toBe(false);
    expect(frames(tap.readBytes).length).toBeGreaterThan(4);
  });
});

describe('the debug layer under the SASL layer', () => {
  const saved = { debug: lberOptions.debug, logPrint: lberOptions.logPrint };
  afterEach(() => {
    lberOptions.debug = saved.debug;
    lberOptions.logPrint = saved.logPrint;
  });

  /** The bytes of the hex dump that follows the first line starting with `head`. */
  function dumpAfter(log: string[], head: string): Buffer {
    const at = log.findIndex((l) => l.startsWith(head));
    expect(at).toBeGreaterThanOrEqual(0);
    const hex: string[] = [];
    for (let i = at + 1; i < log.length && /^ {2}[0-9a-f]{4}: /.test(log[i]!); i++) {
      hex.push(...log[i]!.slice(9, 57).trim().split(/\s+/).filter((x) => x !== ''));
    }
    return Buffer.from(hex.join(''), 'hex');
  }

  test('"sasl_generic_" logs the frame: length, the PDU "ldap_" logged in clear, MAC, type 1, sequence number', async () => {
    const s = slapd();
    const log: string[] = [];
    lberOptions.logPrint = (m) => log.push(m);
    const c = await open(s.url, { debug: LDAP_DEBUG_PACKETS });
    await bindDigest(c, s, 'bob');
    expect(stackOf(c)).toEqual(['debug@max', 'sasl_generic@30', 'debug@30', 'tcp@10', 'debug@10']);
    log.length = 0;
    expect(await whoAmI(c)).toBe(`dn:${creds(s, 'bob').dn}`);

    const clearOut = dumpAfter(log, 'ldap_write: want=');
    const framedOut = dumpAfter(log, 'sasl_generic_write: want=');
    expect(log.find((l) => l.startsWith('sasl_generic_write: want='))).toBe(`sasl_generic_write: want=${clearOut.length + 20}, written=${clearOut.length + 20}\n`);
    expect(framedOut.readUInt32BE(0)).toBe(clearOut.length + 16);
    expect(framedOut.subarray(4, 4 + clearOut.length)).toEqual(clearOut);
    expect(framedOut.subarray(framedOut.length - 6).toString('hex')).toBe('000100000000'); // type 1, first frame after the bind

    // reading: the header first (4 bytes), then the frame's contents
    expect(log).toContain('sasl_generic_read: want=4, got=4\n');
    const clearIn = dumpAfter(log, 'ldap_read: want=');
    expect(clearIn[0]).toBe(0x30);
    const framedIn = dumpAfter(log, `sasl_generic_read: want=${clearIn.length + 16}`);
    expect(framedIn.subarray(0, 2)).toEqual(clearIn.subarray(0, 2));
    expect(framedIn.subarray(framedIn.length - 6).toString('hex')).toBe('000100000000');
  });
});

describe('tampering, replay and corruption', () => {
  async function throughProxy(s: SlapdServer): Promise<{ c: LdapClient; p: FaultProxy; tap: Tap }> {
    const p = await proxy(s);
    const c = await open(p.url('ldap'));
    const tap = new Tap();
    c.sockbuf.addIo(tapIo, LBER_SBIOD_LEVEL_APPLICATION, tap);
    await bindDigest(c, s, 'bob');
    tap.reset();
    expect(await whoAmI(c)).toBe(`dn:${creds(s, 'bob').dn}`);
    return { c, p, tap };
  }

  test('a server frame replayed by the proxy is SASL_SEQUENCE: the connection closes', async () => {
    const s = slapd();
    const { c, p, tap } = await throughProxy(s);
    const last = frames(tap.readBytes).at(-1)!;
    const reason = closed(c);
    p.inject('serverToClient', last);
    const error = await reason;
    expect(error).toBeInstanceOf(LdapConnectionError);
    expect(error).toMatchObject({ code: 'IO_ERROR' });
    expect(error?.cause).toBeInstanceOf(SockbufError);
    expect(saslCause(error)).toMatchObject({ code: 'SASL_SEQUENCE', mechanism: 'DIGEST-MD5' });
    expect(await rejection(whoAmI(c))).toBe(error);
  });

  test('a frame with one byte flipped, sent by the proxy, is SASL_INTEGRITY', async () => {
    const s = slapd();
    const { c, p, tap } = await throughProxy(s);
    const forged = Buffer.from(frames(tap.readBytes).at(-1)!);
    forged[8] = forged[8]! ^ 0x01;
    const pending = whoAmI(c).catch((e: unknown) => e);
    const reason = closed(c);
    p.inject('serverToClient', forged);
    const error = await reason;
    expect(saslCause(error)).toMatchObject({ code: 'SASL_INTEGRITY' });
    expect(await pending).toBe(error);
  });

  test('a byte inserted by the proxy inside a frame in flight is detected', async () => {
    const s = slapd();
    // First run: how many bytes the server sends for the bind and one WhoAmI (the sizes do not vary).
    const first = await throughProxy(s);
    const upTo = first.p.forwarded('serverToClient');
    // Second run, same exchange: a byte goes into the middle of the second WhoAmI response.
    const p = await proxy(s, { serverToClient: { inject: [{ afterBytes: upTo + 10, bytes: Buffer.from([0x42]) }] } });
    const c = await open(p.url('ldap'));
    await bindDigest(c, s, 'bob');
    expect(await whoAmI(c)).toBe(`dn:${creds(s, 'bob').dn}`);
    const error = await rejection(whoAmI(c));
    expect(error).toBeInstanceOf(LdapConnectionError);
    expect(['SASL_INTEGRITY', 'SASL_SEQUENCE', 'SASL_FRAME_TOO_LARGE']).toContain(saslCause(error)?.code);
    expect(c.closed).toBe(true);
  });

  test('slapd checks our frames too: a forged client frame makes it close the connection', async () => {
    const s = slapd();
    const { c, p, tap } = await throughProxy(s);
    const forged = Buffer.from(frames(tap.writtenBytes).at(-1)!);
    forged[8] = forged[8]! ^ 0x01;
    const reason = closed(c);
    p.inject('clientToServer', forged);
    expect(await reason).toMatchObject({ code: 'CLOSED_BY_SERVER' });
  });
});

describe('rebinding', () => {
  test('a rebind that negotiates a new layer removes the old one (ber_sockbuf_remove_io) and installs the new', async () => {
    const s = slapd();
    const c = await open(s.url);
    await bindDigest(c, s, 'bob');
    const old = saslLayerState(c.sockbuf)!;
    expect(await whoAmI(c)).toBe(`dn:${creds(s, 'bob').dn}`);
    const oldOut = old.framesOut;
    const r = await bindDigest(c, s, 'alice');
    // the rebind itself went through the old layer
    expect(old.framesOut).toBe(oldOut + 2);
    const now = saslLayerState(c.sockbuf)!;
    expect(now).not.toBe(old);
    expect(saslSecurityLayerOf(c)).toBe(r.securityLayer);
    expect(stackOf(c)).toEqual(['sasl_generic@30', 'tcp@10']);
    expect(await whoAmI(c)).toBe(`dn:${creds(s, 'alice').dn}`);
    expect(old.framesOut).toBe(oldOut + 2);
    expect(now.framesOut).toBe(1);
    expect((r.securityLayer as unknown as { seqOut: number }).seqOut).toBe(1);
  });

  test('auth-int replaced by auth-conf, then by auth-int again', async () => {
    const s = slapd();
    const c = await open(s.url);
    await bindDigest(c, s, 'bob');
    await bindDigest(c, s, 'alice', 'auth-conf', 'rc4');
    expect(saslSecurityLayerOf(c)?.name).toBe('DIGEST-MD5 auth-conf (rc4)');
    expect(await whoAmI(c)).toBe(`dn:${creds(s, 'alice').dn}`);
    await bindDigest(c, s, 'carol');
    expect(saslSecurityLayerOf(c)?.name).toBe('DIGEST-MD5 auth-int');
    expect(await whoAmI(c)).toBe(`dn:${creds(s, 'carol').dn}`);
  });

  test('a rebind without a layer (PLAIN, simple, a failed one) keeps it, on both sides', async () => {
    const s = slapd();
    const c = await open(s.url);
    await bindDigest(c, s, 'bob');
    const st = saslLayerState(c.sockbuf)!;
    const alice = creds(s, 'alice');
    await saslBind(c, plain({ username: alice.username, password: alice.password }));
    expect(saslLayerState(c.sockbuf)).toBe(st);
    expect(await whoAmI(c)).toBe(`dn:${alice.dn}`);
    await c.bind(creds(s, 'carol').dn, creds(s, 'carol').password);
    expect(await whoAmI(c)).toBe(`dn:${creds(s, 'carol').dn}`);
    const failed = await rejection(saslBind(c, plain({ username: 'bob', password: 'wrong' })));
    expect(failed).toBeInstanceOf(LdapResultError);
    expect(await whoAmI(c)).toBe('');
    expect(saslLayerState(c.sockbuf)).toBe(st);
    // PLAIN, simple bind, failed PLAIN, three WhoAmIs: all framed
    expect(st.framesOut).toBe(6);
  });

  test('slapd keeps its layer after a rebind without one: taking ours off then breaks the connection', async () => {
    const s = slapd();
    const c = await open(s.url);
    await bindDigest(c, s, 'bob');
    const alice = creds(s, 'alice');
    await saslBind(c, plain({ username: alice.username, password: alice.password }));
    saslRemoveSecurityLayer(c);
    expect(stackOf(c)).toEqual(['tcp@10']);
    const error = await rejection(whoAmI(c));
    expect(error).toBeInstanceOf(LdapConnectionError);
    expect(c.closed).toBe(true);
  });

  test('a new connection after the layered one talks in clear', async () => {
    const s = slapd();
    const c = await open(s.url);
    await bindDigest(c, s, 'bob');
    await c.unbind();
    const d = await open(s.url);
    const tap = new Tap();
    d.sockbuf.addIo(tapIo, LBER_SBIOD_LEVEL_APPLICATION, tap);
    await saslBind(d, digestMd5({ username: 'bob', password: creds(s, 'bob').password, qop: 'auth' }));
    tap.reset();
    expect(await whoAmI(d)).toBe(`dn:${creds(s, 'bob').dn}`);
    expect(tap.readBytes[0]).toBe(0x30);
    expect(saslSecurityLayerOf(d)).toBeUndefined();
  });
});
