/**
 * SASL mechanisms and the security layer without a server: the RFC test
 * vectors (SCRAM-SHA-1 RFC 5802 section 5, SCRAM-SHA-256 RFC 7677 section
 * 3, DIGEST-MD5 RFC 2831 section 4, CRAM-MD5 RFC 2195 section 2), the
 * messages PLAIN and EXTERNAL send, challenge parsing, and the DIGEST-MD5
 * layer against a server-side copy of itself: framing, MACs, sequence
 * numbers, ciphers, tampering, replay, maxbuf, removal.
 */
import {
  LBER_SBIOD_LEVEL_APPLICATION,
  LBER_SBIOD_LEVEL_PROVIDER,
  LBER_SB_OPT_DATA_READY,
  SB_WOULD_BLOCK,
  Sockbuf,
  SockbufError,
  berSockbufRemoveIo,
} from '@lber/sockbuf';
import type { SockbufIO } from '@lber/sockbuf';
import {
  SaslError,
  cramMd5,
  cramMd5Response,
  digestMd5,
  digestMd5Layer,
  digestMd5ResponseValue,
  external,
  parseDigestChallenge,
  parseDigestDirectives,
  plain,
  saslLayerInstall,
  saslLayerState,
  scram,
  scramSha1,
  scramSha256,
  sockbufIoSaslGeneric,
} from '@lber/ldap';
import type { DigestCipher, SaslContext, SaslSecurityLayer } from '@lber/ldap';

const ctx = (over: Partial<SaslContext> = {}): SaslContext => ({ service: 'ldap', host: 'localhost', authzid: undefined, scheme: 'ldap', ...over });
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** What `fn` throws or rejects with (mechanism methods may do either). */
async function rejection(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('SCRAM test vectors', () => {
  test('SCRAM-SHA-1, RFC 5802 section 5', async () => {
    const m = scramSha1({ username: 'user', password: 'pencil', clientNonce: 'fyko+d2lbbFgONRv9qkxdawL' });
    expect(m.name).toBe('SCRAM-SHA-1');
    expect(String(await m.start(ctx()))).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    const final = await m.step(b('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'), ctx());
    expect(Buffer.from(final).toString()).toBe('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    await expect(Promise.resolve(m.verify?.(b('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='), ctx()))).resolves.toBeUndefined();
  });

  test('SCRAM-SHA-256, RFC 7677 section 3', async () => {
    const m = scramSha256({ username: 'user', password: 'pencil', clientNonce: 'rOprNGfwEbeRWgbNEkqO' });
    expect(m.name).toBe('SCRAM-SHA-256');
    expect(String(await m.start(ctx()))).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = await m.step(b('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'), ctx());
    expect(Buffer.from(final).toString()).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    await expect(Promise.resolve(m.verify?.(b('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='), ctx()))).resolves.toBeUndefined();
  });

  test('a server signature that does not match fails with SASL_SERVER_SIGNATURE', async () => {
    const m = scramSha1({ username: 'user', password: 'pencil', clientNonce: 'fyko+d2lbbFgONRv9qkxdawL' });
    await m.start(ctx());
    await m.step(b('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'), ctx());
    const wrong = await rejection(() => m.verify?.(b('v=rmF9pqV8S7suAoZWja4dJRkFsKA='), ctx()));
    expect(wrong).toBeInstanceOf(SaslError);
    expect(wrong).toMatchObject({ code: 'SASL_SERVER_SIGNATURE', mechanism: 'SCRAM-SHA-1' });
    const none = await rejection(() => m.verify?.(undefined, ctx()));
    expect(none).toMatchObject({ code: 'SASL_SERVER_SIGNATURE' });
  });

  test('server-first messages that must be refused', async () => {
    const cases: Array<[string, string]> = [
      ['r=otherNonce123,s=QSXCR+Q6sek8bf92,i=4096', 'does not extend'],
      ['r=abcdef,s=QSXCR+Q6sek8bf92,i=4096', 'does not extend'], // equal to the client nonce: no server part
      ['r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=100', 'iteration count'],
      ['r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=x', 'bad iteration'],
      ['r=abcdefXYZ,i=4096', 'lacks'],
      ['m=ext,r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=4096', 'extension'],
      ['e=other-error', 'other-error'],
      ['garbage', 'malformed'],
    ];
    for (const [serverFirst, text] of cases) {
      const m = scram('sha256', { username: 'u', password: 'p', clientNonce: 'abcdef' });
      await m.start(ctx());
      const error = await rejection(() => m.step(b(serverFirst), ctx()));
      expect(error).toBeInstanceOf(SaslError);
      expect(error).toMatchObject({ code: 'SASL_PROTOCOL' });
      expect((error as Error).message).toContain(text);
    }
  });

  test('authzid goes in the gs2 header, names are escaped', async () => {
    const m = scramSha256({ username: 'a=b,c', password: 'p', clientNonce: 'nonce' });
    expect(String(await m.start(ctx({ authzid: 'u:x,y' })))).toBe('n,a=u:x=2Cy,n=a=3Db=2Cc,r=nonce');
    const final = Buffer.from(await m.step(b('r=nonceSERVER,s=c2FsdA==,i=4096'), ctx())).toString();
    expect(final.startsWith(`c=${Buffer.from('n,a=u:x=2Cy,').toString('base64')},r=nonceSERVER,p=`)).toBe(true);
  });
});

describe('DIGEST-MD5', () => {
  // RFC 2831 section 4: the IMAP example and the ACAP example.
  test('response-value and rspauth of the RFC 2831 examples', () => {
    const imap = digestMd5ResponseValue({ username: 'chris', realm: 'elwood.innosoft.com', password: 'secret', nonce: 'OA6MG9tEQGm2hh', cnonce: 'OA6MHXh6VqTrRk', nc: '00000001', qop: 'auth', digestUri: 'imap/elwood.innosoft.com' });
    expect(imap.response).toBe('d388dad90d4bbd760a152321f2143af7');
    expect(imap.rspauth).toBe('ea40f60335c427b5527b84dbabcdfffd');
    const acap = digestMd5ResponseValue({ username: 'chris', realm: 'elwood.innosoft.com', password: 'secret', nonce: 'OA9BSXrbuRhWay', cnonce: 'OA9BSuZWMSpW8m', nc: '00000001', qop: 'auth', digestUri: 'acap/elwood.innosoft.com' });
    expect(acap.response).toBe('6084c6db3fede7352c551284490fd0fc');
    expect(acap.rspauth).toBe('2f0b3d7c3c2e486600ef710726aa2eae');
  });

  test('the mechanism answers the RFC 2831 challenge with the RFC response and accepts its rspauth', async () => {
    const m = digestMd5({ username: 'chris', password: 'secret', cnonce: 'OA6MHXh6VqTrRk' });
    const c = ctx({ service: 'imap', host: 'elwood.innosoft.com' });
    expect(await m.start(c)).toBeNull();
    const response = Buffer.from(await m.step(b('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8'), c)).toString();
    const d = parseDigestDirectives(response);
    expect(Object.fromEntries([...d].map(([k, v]) => [k, v[0]]))).toEqual({
      username: 'chris',
      realm: 'elwood.innosoft.com',
      nonce: 'OA6MG9tEQGm2hh',
      cnonce: 'OA6MHXh6VqTrRk',
      nc: '00000001',
      qop: 'auth',
      charset: 'utf-8',
      'digest-uri': 'imap/elwood.innosoft.com',
      response: 'd388dad90d4bbd760a152321f2143af7',
    });
    // rspauth as a challenge (RFC 2831 flow) gets an empty answer
    expect(Buffer.from(await m.step(b('rspauth=ea40f60335c427b5527b84dbabcdfffd'), c)).length).toBe(0);
    await m.verify?.(undefined, c);
    expect(m.securityLayer?.()).toBeNull();
  });

  test('a wrong rspauth is SASL_SERVER_SIGNATURE', async () => {
    const m = digestMd5({ username: 'chris', password: 'secret', cnonce: 'OA6MHXh6VqTrRk' });
    const c = ctx({ service: 'imap', host: 'elwood.innosoft.com' });
    await m.start(c);
    await m.step(b('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8'), c);
    const error = await rejection(() => m.verify?.(b('rspauth=ea40f60335c427b5527b84dbabcdfff0'), c));
    expect(error).toMatchObject({ code: 'SASL_SERVER_SIGNATURE', mechanism: 'DIGEST-MD5' });
  });

  test('challenge parsing: quoting, repeated realms, lists, defaults and errors', () => {
    const c = parseDigestChallenge('realm="a",realm="b\\"c", nonce="n,1" ,qop="auth, auth-int",cipher="rc4,3des",maxbuf=1024,algorithm=md5-sess,,');
    expect(c).toEqual({ realms: ['a', 'b"c'], nonce: 'n,1', qop: ['auth', 'auth-int'], maxbuf: 1024, charset: undefined, algorithm: 'md5-sess', ciphers: ['rc4', '3des'], stale: false });
    expect(parseDigestChallenge('nonce=x,algorithm=md5-sess')).toMatchObject({ qop: ['auth'], maxbuf: 65536, realms: [] });
    for (const bad of ['nonce=x', 'algorithm=md5-sess', 'nonce="x,algorithm=md5-sess', 'nonce=x,nonce=y,algorithm=md5-sess', 'nonce=x,algorithm=md5-sess,maxbuf=16', '=x', 'nonce x']) {
      const error = thrown(() => parseDigestChallenge(bad));
      expect(error).toBeInstanceOf(SaslError);
      expect(error).toMatchObject({ code: 'SASL_PROTOCOL' });
    }
  });

  test('qop and cipher negotiation', async () => {
    const challenge = b('nonce="n",qop="auth,auth-int,auth-conf",cipher="rc4-40,des",maxbuf=4096,algorithm=md5-sess');
    const conf = digestMd5({ username: 'u', password: 'p', qop: ['auth-conf', 'auth'] });
    await conf.start(ctx());
    const r = Buffer.from(await conf.step(challenge, ctx())).toString();
    expect(r).toContain('qop=auth-conf');
    expect(r).toContain('cipher=des');
    expect(conf.negotiated).toEqual({ qop: 'auth-conf', cipher: 'des' });
    const none = digestMd5({ username: 'u', password: 'p', qop: 'auth-conf', ciphers: ['3des'] });
    await none.start(ctx());
    expect(await rejection(() => none.step(challenge, ctx()))).toMatchObject({ code: 'SASL_NOT_OFFERED' });
    const onlyAuth = digestMd5({ username: 'u', password: 'p', qop: 'auth-int' });
    await onlyAuth.start(ctx());
    expect(await rejection(() => onlyAuth.step(b('nonce="n",algorithm=md5-sess'), ctx()))).toMatchObject({ code: 'SASL_NOT_OFFERED' });
  });
});

describe('PLAIN, EXTERNAL, CRAM-MD5', () => {
  test('CRAM-MD5, RFC 2195 section 2', async () => {
    const challenge = b('<1896.697170952@postoffice.reston.mci.net>');
    expect(cramMd5Response('tim', 'tanstaaftanstaaf', challenge).toString()).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
    const m = cramMd5({ username: 'tim', password: 'tanstaaftanstaaf' });
    expect(await m.start(ctx())).toBeNull();
    expect(Buffer.from(await m.step(challenge, ctx())).toString()).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
    expect(await rejection(() => m.step(challenge, ctx()))).toMatchObject({ code: 'SASL_PROTOCOL' });
    expect(await rejection(() => cramMd5({ username: 'tim', password: 'x' }).start(ctx({ authzid: 'u:bob' })))).toMatchObject({ code: 'SASL_BAD_ARGUMENT' });
  });

  test('PLAIN: authzid NUL authcid NUL password (RFC 4616)', async () => {
    const m = plain({ username: 'bob', password: 'bob-secret' });
    expect(Buffer.from((await m.start(ctx()))!).toString('hex')).toBe(Buffer.from('\0bob\0bob-secret').toString('hex'));
    expect(Buffer.from((await m.start(ctx({ authzid: 'dn:uid=x' })))!).toString()).toBe('dn:uid=x\0bob\0bob-secret');
    expect(await rejection(() => plain({ username: 'bob', password: 'a\0b' }).start(ctx()))).toMatchObject({ code: 'SASL_BAD_ARGUMENT' });
    expect(thrown(() => plain({ username: '', password: 'x' }))).toMatchObject({ code: 'SASL_BAD_ARGUMENT' });
  });

  test('EXTERNAL: the authzid or an empty response', async () => {
    const m = external();
    expect(Buffer.from((await m.start(ctx()))!).length).toBe(0);
    expect(Buffer.from((await m.start(ctx({ authzid: 'dn:cn=x' })))!).toString()).toBe('dn:cn=x');
    expect(await rejection(() => m.step(b('x'), ctx()))).toMatchObject({ code: 'SASL_PROTOCOL' });
  });
});

// ------------------------------------------------------------------ layer

const HA1 = Buffer.from('a2549853149b0536f01f0b850c643c57', 'hex');

function pair(qop: 'auth-int' | 'auth-conf', cipher?: DigestCipher, maxbuf = 65536): { client: ReturnType<typeof digestMd5Layer>; server: ReturnType<typeof digestMd5Layer> } {
  const base = { qop, ha1: HA1, sendMaxbuf: maxbuf, recvMaxbuf: maxbuf, ...(cipher === undefined ? {} : { cipher }) };
  return { client: digestMd5Layer(base), server: digestMd5Layer({ ...base, server: true }) };
}

describe('DIGEST-MD5 security layer (RFC 2831 2.3 and 2.4)', () => {
  test('auth-int frames: message, 10-byte HMAC, type 0x0001, sequence number', () => {
    const { client, server } = pair('auth-int');
    const msg = b('hello');
    const f0 = client.encode(msg, 0, msg.length);
    expect(f0.length).toBe(5 + 16);
    expect(f0.subarray(0, 5)).toEqual(msg);
    expect(f0.subarray(15, 21).toString('hex')).toBe('000100000000');
    const f1 = client.encode(msg, 0, msg.length);
    expect(f1.subarray(15, 21).toString('hex')).toBe('000100000001');
    expect(f1.subarray(5, 15)).not.toEqual(f0.subarray(5, 15)); // the MAC covers the sequence number
    expect(server.decode(f0)).toEqual(msg);
    expect(server.decode(f1)).toEqual(msg);
    expect(server.seqIn).toBe(2);
    // and the other direction uses the other key
    const back = server.encode(msg, 0, msg.length);
    expect(back.subarray(5, 15)).not.toEqual(f0.subarray(5, 15));
    expect(client.decode(back)).toEqual(msg);
  });

  test('a flipped byte anywhere is SASL_INTEGRITY or SASL_SEQUENCE; a replay is SASL_SEQUENCE', () => {
    const msg = b('0123456789abcdef');
    for (let i = 0; i < msg.length + 16; i++) {
      const { client, server } = pair('auth-int');
      const f = Buffer.from(client.encode(msg, 0, msg.length));
      f[i] = f[i]! ^ 0x01;
      const error = thrown(() => server.decode(f));
      expect(error).toBeInstanceOf(SaslError);
      expect(['SASL_INTEGRITY', 'SASL_SEQUENCE']).toContain((error as SaslError).code);
    }
    const { client, server } = pair('auth-int');
    const f = client.encode(msg, 0, msg.length);
    server.decode(f);
    expect(thrown(() => server.decode(f))).toMatchObject({ code: 'SASL_SEQUENCE' });
    expect(thrown(() => server.decode(Buffer.alloc(10)))).toMatchObject({ code: 'SASL_INTEGRITY' });
  });

  test.each(['3des', 'des', 'rc4', 'rc4-56', 'rc4-40'] as DigestCipher[])('auth-conf with %s round-trips, chains across frames and detects tampering', (cipher) => {
    const { client, server } = pair('auth-conf', cipher);
    const msgs = [b(''), b('x'), b('exactly 14 b.'), Buffer.alloc(1000, 7)];
    for (const m of msgs) {
      const f = client.encode(m, 0, m.length);
      expect(f.subarray(0, f.length - 6).includes(m.length > 0 ? m : Buffer.alloc(0))).toBe(m.length === 0);
      if (cipher === '3des' || cipher === 'des') expect((f.length - 6) % 8).toBe(0);
      expect(server.decode(f)).toEqual(m);
      const r = server.encode(m, 0, m.length);
      expect(client.decode(r)).toEqual(m);
    }
    const m = b('the same message');
    const f1 = client.encode(m, 0, m.length);
    const f2 = client.encode(m, 0, m.length);
    expect(f1.subarray(0, 8)).not.toEqual(f2.subarray(0, 8));
    server.decode(f1);
    const bad = Buffer.from(f2);
    bad[3] = bad[3]! ^ 0x80;
    expect(thrown(() => server.decode(bad))).toMatchObject({ code: 'SASL_INTEGRITY' });
  });
});

/** An in-memory provider: `input` is what the peer sent, `output` what was written. */
class Memory {
  input: Buffer[] = [];
  output: Buffer[] = [];
  blockWrites = false;
  ended = false;
}
const memoryIo: SockbufIO<Memory, Memory> = {
  setup(sbiod, arg) {
    sbiod.pvt = arg;
    return 0;
  },
  read(sbiod, buf, off, len) {
    const m = sbiod.pvt!;
    const head = m.input[0];
    if (head === undefined) return m.ended ? 0 : SB_WOULD_BLOCK;
    const n = Math.min(len, head.length);
    head.copy(buf, off, 0, n);
    if (n === head.length) m.input.shift();
    else m.input[0] = head.subarray(n);
    return n;
  },
  write(sbiod, buf, off, len) {
    const m = sbiod.pvt!;
    if (m.blockWrites) return SB_WOULD_BLOCK;
    const n = Math.min(len, 7); // short writes
    m.output.push(Buffer.from(buf.subarray(off, off + n)));
    return n;
  },
};

function stackOver(ops: SaslSecurityLayer): { sb: Sockbuf; mem: Memory } {
  const sb = new Sockbuf();
  const mem = new Memory();
  sb.addIo(memoryIo, LBER_SBIOD_LEVEL_PROVIDER, mem);
  expect(saslLayerInstall(sb, ops)).toBe(0);
  return { sb, mem };
}

function frameOf(payload: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(payload.length, 0);
  return Buffer.concat([h, payload]);
}

function readAll(sb: Sockbuf, max = 1 << 20): Buffer {
  const out: Buffer[] = [];
  const buf = Buffer.alloc(3);
  for (let total = 0; total < max; ) {
    const n = sb.read(buf, 0, buf.length);
    if (n <= 0) break;
    out.push(Buffer.from(buf.subarray(0, n)));
    total += n;
  }
  return Buffer.concat(out);
}

describe('sockbufIoSaslGeneric', () => {
  test('reads frames fed one byte at a time, in 3-byte reads; writes survive short writes', () => {
    const { client, server } = pair('auth-int');
    const { sb, mem } = stackOver(client);
    expect(sb.stack().map(([io, level]) => `${io.name ?? '?'}@${level}`)).toEqual(['sasl_generic@30', 'undefined@10'.replace('undefined', '?')]);
    const texts = ['first message', 'second, a bit longer message', 'x'];
    const wire = Buffer.concat(texts.map((t) => frameOf(server.encode(b(t), 0, t.length))));
    const got: Buffer[] = [];
    const buf = Buffer.alloc(3);
    for (const byte of wire) {
      mem.input.push(Buffer.from([byte]));
      for (;;) {
        const n = sb.read(buf, 0, 3);
        if (n === SB_WOULD_BLOCK) break;
        got.push(Buffer.from(buf.subarray(0, n)));
      }
    }
    expect(Buffer.concat(got).toString()).toBe(texts.join(''));
    expect(saslLayerState(sb)!.framesIn).toBe(3);
    // a write is one frame; its bytes leave in 7-byte pieces (the layer keeps the rest)
    const data = b('a request of some length');
    let off = 0;
    while (off < data.length) {
      const n = sb.write(data, off, data.length - off);
      if (n > 0) off += n;
    }
    while (sb.write(Buffer.alloc(0), 0, 0) === SB_WOULD_BLOCK) {
      /* flushing */
    }
    const sent = Buffer.concat(mem.output);
    expect(sent.readUInt32BE(0)).toBe(sent.length - 4);
    expect(server.decode(sent.subarray(4)).toString()).toBe('a request of some length');
  });

  test('a tampered frame is an EIO whose cause is the SaslError', () => {
    const { client, server } = pair('auth-int');
    const { sb, mem } = stackOver(client);
    const f = frameOf(server.encode(b('payload'), 0, 7));
    f[6] = f[6]! ^ 0xff;
    mem.input.push(f);
    const error = thrown(() => readAll(sb));
    expect(error).toBeInstanceOf(SockbufError);
    expect(error).toMatchObject({ code: 'EIO' });
    expect((error as Error).cause).toBeInstanceOf(SaslError);
    expect((error as Error).cause).toMatchObject({ code: 'SASL_INTEGRITY' });
  });

  test('a frame above maxbuf is refused before it is read', () => {
    const { client } = pair('auth-int', undefined, 100);
    const { sb, mem } = stackOver(client);
    mem.input.push(Buffer.from([0, 0, 0, 101]));
    const error = thrown(() => sb.read(Buffer.alloc(10), 0, 10));
    expect((error as Error).cause).toMatchObject({ code: 'SASL_FRAME_TOO_LARGE' });
  });

  test('writes are cut at the server maxbuf', () => {
    const { client, server } = pair('auth-int', undefined, 200);
    const { sb, mem } = stackOver(client);
    const data = Buffer.alloc(250, 1);
    const n = sb.write(data, 0, data.length);
    expect(n).toBe(100); // maxbuf 200 minus libldap's 100-byte margin
    while (sb.write(data, 0, 0) === SB_WOULD_BLOCK) {
      /* flushing */
    }
    const sent = Buffer.concat(mem.output);
    expect(sent.readUInt32BE(0)).toBe(116);
    expect(server.decode(sent.subarray(4)).length).toBe(100);
  });

  test('removal is refused mid-frame and allowed between frames; DATA_READY while decoded bytes wait', () => {
    const { client, server } = pair('auth-int');
    const { sb, mem } = stackOver(client);
    const f = frameOf(server.encode(b('abcdef'), 0, 6));
    mem.input.push(f.subarray(0, 10));
    expect(sb.read(Buffer.alloc(100), 0, 100)).toBe(SB_WOULD_BLOCK);
    expect(berSockbufRemoveIo(sb, sockbufIoSaslGeneric, LBER_SBIOD_LEVEL_APPLICATION)).toBe(-1);
    mem.input.push(f.subarray(10));
    expect(sb.read(Buffer.alloc(2), 0, 2)).toBe(2);
    expect(sb.ctrl(LBER_SB_OPT_DATA_READY, null)).toBe(1);
    expect(berSockbufRemoveIo(sb, sockbufIoSaslGeneric, LBER_SBIOD_LEVEL_APPLICATION)).toBe(-1);
    expect(sb.read(Buffer.alloc(10), 0, 10)).toBe(4);
    expect(sb.ctrl(LBER_SB_OPT_DATA_READY, null)).toBe(0);
    expect(berSockbufRemoveIo(sb, sockbufIoSaslGeneric, LBER_SBIOD_LEVEL_APPLICATION)).toBe(0);
    expect(saslLayerState(sb)).toBeUndefined();
  });

  test('end of stream inside a frame is an I/O error, between frames it is EOF', () => {
    const { client, server } = pair('auth-int');
    const a = stackOver(client);
    a.mem.input.push(frameOf(server.encode(b('abc'), 0, 3)).subarray(0, 8));
    a.mem.ended = true;
    expect(thrown(() => readAll(a.sb))).toMatchObject({ code: 'EIO' });
    const p2 = pair('auth-int');
    const c = stackOver(p2.client);
    c.mem.input.push(frameOf(p2.server.encode(b('abc'), 0, 3)));
    c.mem.ended = true;
    expect(readAll(c.sb).toString()).toBe('abc');
    expect(c.sb.read(Buffer.alloc(4), 0, 4)).toBe(0);
  });
});
