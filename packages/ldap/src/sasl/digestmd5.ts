/**
 * DIGEST-MD5 (RFC 2831; historic since RFC 6331, still deployed): the
 * challenge/response with qop `auth`, `auth-int` and `auth-conf`, the
 * server's `rspauth` checked, and the security layers of sections 2.3
 * (integrity) and 2.4 (confidentiality).
 *
 * Ciphers for auth-conf: `3des` and `des` run on Node's `des-ede-cbc`
 * (OpenSSL 3's default provider has no single DES, but two-key EDE with
 * K1 = K2 is single DES), `rc4`, `rc4-56` and `rc4-40` on a small RC4 in
 * this file (OpenSSL 3 moved RC4 to the legacy provider).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cipher, Decipher } from 'node:crypto';
import { SaslError } from './errors.js';
import type { SaslContext, SaslMechanism, SaslSecurityLayer } from './mechanism.js';
import { secretBytes } from './simple.js';
import type { SaslPasswordCredentials } from './simple.js';

const NAME = 'DIGEST-MD5';

/** Quality of protection (RFC 2831 2.1.1 `qop-options`). */
export type DigestQop = 'auth' | 'auth-int' | 'auth-conf';

/** auth-conf ciphers (RFC 2831 2.1.1 `cipher-opts`). */
export type DigestCipher = '3des' | 'des' | 'rc4' | 'rc4-56' | 'rc4-40';

/** Ciphers this implementation runs, strongest first (the default preference). */
export const DIGEST_MD5_CIPHERS: readonly DigestCipher[] = ['rc4', '3des', 'des', 'rc4-56', 'rc4-40'];

/** Default maxbuf announced for incoming frames. */
export const DIGEST_MD5_DEFAULT_MAXBUF = 65536;

/** Options of {@link digestMd5}. */
export interface DigestMd5Options extends SaslPasswordCredentials {
  /** The realm; default: the first the server offers (or none). */
  realm?: string;
  /** The qop wanted, or a list in order of preference. Default `auth`. */
  qop?: DigestQop | readonly DigestQop[];
  /** auth-conf ciphers in order of preference. Default {@link DIGEST_MD5_CIPHERS}. */
  ciphers?: readonly DigestCipher[];
  /** The largest incoming frame this client accepts (maxbuf it announces). Default 65536. */
  maxBuffer?: number;
  /** The client nonce; random by default. Tests pin it. */
  cnonce?: string;
  /** digest-uri; default `<service>/<host>` from the bind's context. */
  digestUri?: string;
}

/** A parsed challenge (RFC 2831 2.1.1). */
export interface DigestChallenge {
  realms: string[];
  nonce: string;
  qop: string[];
  maxbuf: number;
  charset: string | undefined;
  algorithm: string;
  ciphers: string[];
  stale: boolean;
}

function fail(code: 'SASL_PROTOCOL' | 'SASL_SERVER_SIGNATURE' | 'SASL_NOT_OFFERED' | 'SASL_BAD_ARGUMENT' | 'SASL_UNSUPPORTED', text: string): never {
  throw new SaslError(code, `${NAME}: ${text}`, { mechanism: NAME });
}

/**
 * Splits a digest-challenge (or response) into directives: `token=token`
 * or `token="quoted \" string"`, separated by commas with optional
 * whitespace; empty elements are allowed. Repeated directives keep every
 * value.
 */
export function parseDigestDirectives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let i = 0;
  const n = text.length;
  const skip = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  };
  while (i < n) {
    skip();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (i >= n) break;
    const start = i;
    while (i < n && /[!#-'*+\-.0-9A-Z^-z|~]/.test(text[i]!)) i++;
    const key = text.slice(start, i).toLowerCase();
    if (key === '') fail('SASL_PROTOCOL', `malformed challenge at offset ${i}: ${JSON.stringify(text)}`);
    skip();
    if (text[i] !== '=') fail('SASL_PROTOCOL', `directive ${key} has no "=" in ${JSON.stringify(text)}`);
    i++;
    skip();
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) fail('SASL_PROTOCOL', `unterminated quoted value of ${key}`);
    } else {
      const vs = i;
      while (i < n && text[i] !== ',' && text[i] !== ' ' && text[i] !== '\t') i++;
      value = text.slice(vs, i);
    }
    const list = out.get(key);
    if (list === undefined) out.set(key, [value]);
    else list.push(value);
    skip();
    if (i < n && text[i] !== ',') fail('SASL_PROTOCOL', `junk after directive ${key} in ${JSON.stringify(text)}`);
  }
  return out;
}

/** Parses and checks a digest-challenge. */
export function parseDigestChallenge(challenge: Buffer | string): DigestChallenge {
  const text = typeof challenge === 'string' ? challenge : challenge.toString('utf8');
  const d = parseDigestDirectives(text);
  const one = (key: string): string | undefined => {
    const v = d.get(key);
    if (v !== undefined && v.length > 1) fail('SASL_PROTOCOL', `directive ${key} appears more than once`);
    return v?.[0];
  };
  const nonce = one('nonce');
  if (nonce === undefined || nonce === '') fail('SASL_PROTOCOL', 'the challenge has no nonce');
  const algorithm = one('algorithm');
  if (algorithm !== 'md5-sess') fail('SASL_PROTOCOL', `algorithm must be md5-sess, not ${JSON.stringify(algorithm)}`);
  const maxbufText = one('maxbuf');
  let maxbuf = DIGEST_MD5_DEFAULT_MAXBUF;
  if (maxbufText !== undefined) {
    if (!/^[0-9]{1,8}$/.test(maxbufText)) fail('SASL_PROTOCOL', `bad maxbuf ${JSON.stringify(maxbufText)}`);
    maxbuf = Number(maxbufText);
    if (maxbuf <= 16 || maxbuf > 16777215) fail('SASL_PROTOCOL', `maxbuf ${maxbuf} outside 17..16777215`);
  }
  const list = (key: string): string[] => (one(key) ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  const qop = list('qop');
  return {
    realms: d.get('realm') ?? [],
    nonce,
    qop: qop.length === 0 ? ['auth'] : qop,
    maxbuf,
    charset: one('charset'),
    algorithm,
    ciphers: list('cipher'),
    stale: one('stale') === 'true',
  };
}

/** Latin-1 bytes when every character fits (RFC 2831 2.1.2.1), else UTF-8. */
function hashText(text: string, utf8: boolean): Buffer {
  if (utf8) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return Buffer.from(text, 'utf8');
  }
  return Buffer.from(text, 'latin1');
}

function md5(...parts: Array<Buffer | string>): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Inputs of the response computation (RFC 2831 2.1.2.1). */
export interface DigestResponseInput {
  username: string;
  realm: string;
  password: string | Uint8Array;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: DigestQop;
  digestUri: string;
  authzid?: string | undefined;
  /** The server sent charset=utf-8 (then Latin-1-representable strings are hashed as Latin-1). */
  utf8?: boolean;
}

/** The response value, the rspauth the server must send back, and H(A1) (the layer keys' root). */
export interface DigestResponseValues {
  response: string;
  rspauth: string;
  ha1: Buffer;
}

/** Computes `response-value` and the expected `rspauth` (RFC 2831 2.1.2.1 and 2.1.3). */
export function digestMd5ResponseValue(input: DigestResponseInput): DigestResponseValues {
  const utf8 = input.utf8 ?? true;
  const password = typeof input.password === 'string' ? hashText(input.password, utf8) : secretBytes(input.password);
  const inner = md5(hashText(input.username, utf8), ':', hashText(input.realm, utf8), ':', password);
  const a1Parts: Array<Buffer | string> = [inner, ':', input.nonce, ':', input.cnonce];
  if (input.authzid !== undefined && input.authzid !== '') a1Parts.push(':', Buffer.from(input.authzid, 'utf8'));
  const ha1 = md5(...a1Parts);
  const hexHa1 = ha1.toString('hex');
  const zero = input.qop === 'auth' ? '' : ':00000000000000000000000000000000';
  const kd = (a2: string): string => md5(hexHa1, ':', input.nonce, ':', input.nc, ':', input.cnonce, ':', input.qop, ':', md5(a2).toString('hex')).toString('hex');
  return {
    response: kd(`AUTHENTICATE:${input.digestUri}${zero}`),
    rspauth: kd(`:${input.digestUri}${zero}`),
    ha1,
  };
}

function quoted(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

// ------------------------------------------------------------ the layers

const SIGN_C2S = 'Digest session key to client-to-server signing key magic constant';
const SIGN_S2C = 'Digest session key to server-to-client signing key magic constant';
const SEAL_C2S = 'Digest H(A1) to client-to-server sealing key magic constant';
const SEAL_S2C = 'Digest H(A1) to server-to-client sealing key magic constant';

/** Key material of a layer, derived from H(A1) (RFC 2831 2.3 and 2.4), exposed for tests. */
export interface DigestLayerKeys {
  kic: Buffer;
  kis: Buffer;
  kcc?: Buffer;
  kcs?: Buffer;
}

const CIPHER_KEY_BYTES: Record<DigestCipher, number> = { '3des': 16, des: 16, rc4: 16, 'rc4-56': 7, 'rc4-40': 5 };

export function digestMd5LayerKeys(ha1: Buffer, cipher?: DigestCipher): DigestLayerKeys {
  const keys: DigestLayerKeys = { kic: md5(ha1, SIGN_C2S), kis: md5(ha1, SIGN_S2C) };
  if (cipher !== undefined) {
    const n = CIPHER_KEY_BYTES[cipher];
    keys.kcc = md5(ha1.subarray(0, n), SEAL_C2S);
    keys.kcs = md5(ha1.subarray(0, n), SEAL_S2C);
  }
  return keys;
}

/** 7 key bytes spread over 8, one parity bit each (the DES key layout Cyrus SASL uses). */
function desKey(k: Buffer, at: number): Buffer {
  const b = (i: number): number => k[at + i]!;
  return Buffer.from([
    b(0),
    ((b(0) << 7) | (b(1) >> 1)) & 0xff,
    ((b(1) << 6) | (b(2) >> 2)) & 0xff,
    ((b(2) << 5) | (b(3) >> 3)) & 0xff,
    ((b(3) << 4) | (b(4) >> 4)) & 0xff,
    ((b(4) << 3) | (b(5) >> 5)) & 0xff,
    ((b(5) << 2) | (b(6) >> 6)) & 0xff,
    (b(6) << 1) & 0xff,
  ]);
}

/** RC4, small and stateful (one per direction; the keystream runs on across frames). */
class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;
  constructor(key: Buffer) {
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      j = (j + s[k]! + key[k % key.length]!) & 0xff;
      const t = s[k]!;
      s[k] = s[j]!;
      s[j] = t;
    }
  }
  update(data: Buffer): Buffer {
    const s = this.s;
    const out = Buffer.allocUnsafe(data.length);
    let i = this.i;
    let j = this.j;
    for (let k = 0; k < data.length; k++) {
      i = (i + 1) & 0xff;
      j = (j + s[i]!) & 0xff;
      const t = s[i]!;
      s[i] = s[j]!;
      s[j] = t;
      out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }
}

interface StreamCipher {
  readonly block: number;
  update(data: Buffer): Buffer;
}

function blockCipher(c: Cipher | Decipher): StreamCipher {
  c.setAutoPadding(false);
  return { block: 8, update: (data) => c.update(data) };
}

/** The two directions' ciphers: CBC state (or the RC4 keystream) carries over from frame to frame, as in Cyrus SASL. */
function makeCiphers(cipher: DigestCipher, kcc: Buffer, kcs: Buffer): { enc: StreamCipher; dec: StreamCipher } {
  if (cipher === 'rc4' || cipher === 'rc4-56' || cipher === 'rc4-40') {
    const enc = new Rc4(kcc);
    const dec = new Rc4(kcs);
    return { enc: { block: 1, update: (d) => enc.update(d) }, dec: { block: 1, update: (d) => dec.update(d) } };
  }
  const key = (k: Buffer): Buffer => (cipher === '3des' ? Buffer.concat([desKey(k, 0), desKey(k, 7)]) : Buffer.concat([desKey(k, 0), desKey(k, 0)]));
  try {
    return {
      enc: blockCipher(createCipheriv('des-ede-cbc', key(kcc), kcc.subarray(8, 16))),
      dec: blockCipher(createDecipheriv('des-ede-cbc', key(kcs), kcs.subarray(8, 16))),
    };
  } catch (error) {
    throw new SaslError('SASL_UNSUPPORTED', `${NAME}: cipher ${cipher} needs des-ede-cbc, which this Node's crypto does not offer`, { cause: error, mechanism: NAME });
  }
}

/** Options of {@link digestMd5Layer}. */
export interface DigestLayerOptions {
  qop: 'auth-int' | 'auth-conf';
  cipher?: DigestCipher;
  ha1: Buffer;
  /** The server's maxbuf: largest frame contents it accepts. */
  sendMaxbuf: number;
  /** This side's maxbuf: largest frame contents accepted. */
  recvMaxbuf: number;
  /** Swap directions (a server-side layer; tests use it as the peer). */
  server?: boolean;
}

/**
 * The DIGEST-MD5 security layer: each frame's contents are
 * `message, HMAC-MD5(Ki, seq, message)[0..9], 0x0001, seq` (auth-int) or
 * `CIPHER(message, padding, MAC[0..9]), 0x0001, seq` (auth-conf), with a
 * 4-byte sequence number per direction starting at 0.
 */
export function digestMd5Layer(options: DigestLayerOptions): SaslSecurityLayer & { readonly seqOut: number; readonly seqIn: number } {
  const conf = options.qop === 'auth-conf';
  if (conf && options.cipher === undefined) fail('SASL_BAD_ARGUMENT', 'auth-conf needs a cipher');
  const keys = digestMd5LayerKeys(options.ha1, conf ? options.cipher : undefined);
  const server = options.server === true;
  const signOut = server ? keys.kis : keys.kic;
  const signIn = server ? keys.kic : keys.kis;
  let ciphers: { enc: StreamCipher; dec: StreamCipher } | undefined;
  if (conf) {
    const kcc = keys.kcc!;
    const kcs = keys.kcs!;
    ciphers = server ? makeCiphers(options.cipher!, kcs, kcc) : makeCiphers(options.cipher!, kcc, kcs);
  }
  let seqOut = 0;
  let seqIn = 0;
  const seqBuf = Buffer.alloc(4);
  const mac = (key: Buffer, seq: number, buf: Buffer, off: number, len: number): Buffer => {
    seqBuf.writeUInt32BE(seq >>> 0, 0);
    return createHmac('md5', key).update(seqBuf).update(buf.subarray(off, off + len)).digest().subarray(0, 10);
  };
  // Overhead per frame: MAC 10 + type 2 + seq 4, plus up to 8 pad bytes.
  const overhead = conf ? 24 : 16;
  const name = conf ? `DIGEST-MD5 auth-conf (${options.cipher})` : 'DIGEST-MD5 auth-int';
  return {
    name,
    maxSend: Math.max(1, options.sendMaxbuf - Math.max(overhead, 100)),
    maxRecv: options.recvMaxbuf,
    get seqOut() {
      return seqOut;
    },
    get seqIn() {
      return seqIn;
    },
    encode(buf, off, len) {
      const seq = seqOut;
      seqOut = (seqOut + 1) >>> 0;
      const m = mac(signOut, seq, buf, off, len);
      if (!conf) {
        const out = Buffer.allocUnsafe(len + 16);
        buf.copy(out, 0, off, off + len);
        m.copy(out, len);
        out.writeUInt16BE(1, len + 10);
        out.writeUInt32BE(seq, len + 12);
        return out;
      }
      const enc = ciphers!.enc;
      const pad = enc.block === 1 ? 0 : enc.block - ((len + 10) % enc.block);
      const plain = Buffer.allocUnsafe(len + pad + 10);
      buf.copy(plain, 0, off, off + len);
      plain.fill(pad, len, len + pad);
      m.copy(plain, len + pad);
      const sealed = enc.update(plain);
      const out = Buffer.allocUnsafe(sealed.length + 6);
      sealed.copy(out, 0);
      out.writeUInt16BE(1, sealed.length);
      out.writeUInt32BE(seq, sealed.length + 2);
      return out;
    },
    decode(frame) {
      if (frame.length < 16) throw new SaslError('SASL_INTEGRITY', `a ${frame.length}-byte frame is too short to carry a MAC`, { mechanism: NAME });
      const type = frame.readUInt16BE(frame.length - 6);
      const seq = frame.readUInt32BE(frame.length - 4);
      if (type !== 1) throw new SaslError('SASL_INTEGRITY', `message type ${type}, not 1: the frame was altered`, { mechanism: NAME });
      let body: Buffer;
      let got: Buffer;
      if (!conf) {
        body = frame.subarray(0, frame.length - 16);
        got = frame.subarray(frame.length - 16, frame.length - 6);
      } else {
        const sealed = frame.subarray(0, frame.length - 6);
        const dec = ciphers!.dec;
        if (sealed.length % dec.block !== 0) throw new SaslError('SASL_INTEGRITY', `sealed part of ${sealed.length} bytes is not a whole number of blocks`, { mechanism: NAME });
        const plain = dec.update(sealed);
        got = plain.subarray(plain.length - 10);
        let end = plain.length - 10;
        if (dec.block > 1) {
          const pad = plain[end - 1] ?? 0;
          if (pad < 1 || pad > dec.block || pad > end) throw new SaslError('SASL_INTEGRITY', `bad padding ${pad}: the frame was altered`, { mechanism: NAME });
          for (let k = end - pad; k < end; k++) if (plain[k] !== pad) throw new SaslError('SASL_INTEGRITY', 'bad padding: the frame was altered', { mechanism: NAME });
          end -= pad;
        }
        body = plain.subarray(0, end);
      }
      const want = mac(signIn, seq, body, 0, body.length);
      if (!timingSafeEqual(want, got)) throw new SaslError('SASL_INTEGRITY', `the MAC of frame ${seq} does not verify: the frame was altered`, { mechanism: NAME });
      if (seq !== seqIn) throw new SaslError('SASL_SEQUENCE', `frame with sequence number ${seq} where ${seqIn} was due: replayed, reordered or dropped`, { mechanism: NAME });
      seqIn = (seqIn + 1) >>> 0;
      return Buffer.from(body);
    },
  };
}

// ------------------------------------------------------------ the mechanism

/**
 * A DIGEST-MD5 client mechanism. With qop `auth-int` or `auth-conf` the
 * bind leaves a security layer behind ({@link SaslMechanism.securityLayer}).
 */
export function digestMd5(options: DigestMd5Options): SaslMechanism & { readonly negotiated: { qop: DigestQop; cipher?: DigestCipher } | undefined } {
  if (typeof options.username !== 'string' || options.username === '') fail('SASL_BAD_ARGUMENT', 'a username is needed');
  const wanted: readonly DigestQop[] = options.qop === undefined ? ['auth'] : typeof options.qop === 'string' ? [options.qop] : options.qop;
  const maxBuffer = options.maxBuffer ?? DIGEST_MD5_DEFAULT_MAXBUF;
  if (!Number.isInteger(maxBuffer) || maxBuffer <= 16 || maxBuffer > 16777215) fail('SASL_BAD_ARGUMENT', `maxBuffer ${maxBuffer} outside 17..16777215`);
  let phase: 'idle' | 'challenge' | 'rspauth' | 'done' = 'idle';
  let rspauth = '';
  let layer: SaslSecurityLayer | null = null;
  let negotiated: { qop: DigestQop; cipher?: DigestCipher } | undefined;

  const checkRspauth = (data: Buffer): void => {
    const d = parseDigestDirectives(data.toString('utf8'));
    const got = d.get('rspauth')?.[0];
    if (got === undefined) fail('SASL_PROTOCOL', `expected rspauth, got ${JSON.stringify(data.toString('utf8'))}`);
    const a = Buffer.from(got.toLowerCase(), 'latin1');
    const b = Buffer.from(rspauth, 'latin1');
    if (a.length !== b.length || !timingSafeEqual(a, b)) fail('SASL_SERVER_SIGNATURE', 'rspauth does not match: the server does not know the password (or the exchange was altered)');
    phase = 'done';
  };

  return {
    name: NAME,
    get negotiated() {
      return negotiated;
    },
    start() {
      phase = 'challenge';
      layer = null;
      negotiated = undefined;
      return null;
    },
    step(challenge: Buffer, ctx: SaslContext) {
      if (phase === 'rspauth') {
        checkRspauth(challenge);
        return Buffer.alloc(0);
      }
      if (phase !== 'challenge') fail('SASL_PROTOCOL', 'unexpected challenge');
      const c = parseDigestChallenge(challenge);
      const qop = wanted.find((q) => c.qop.includes(q));
      if (qop === undefined) fail('SASL_NOT_OFFERED', `the server offers qop ${c.qop.join(',')}, none of ${wanted.join(',')}`);
      let cipher: DigestCipher | undefined;
      if (qop === 'auth-conf') {
        cipher = (options.ciphers ?? DIGEST_MD5_CIPHERS).find((x) => c.ciphers.includes(x));
        if (cipher === undefined) fail('SASL_NOT_OFFERED', `no common cipher for auth-conf: the server offers ${c.ciphers.join(',') || 'none'}`);
      }
      const realm = options.realm ?? c.realms[0] ?? '';
      const utf8 = c.charset?.toLowerCase() === 'utf-8';
      const cnonce = options.cnonce ?? randomBytes(16).toString('base64');
      const digestUri = options.digestUri ?? `${ctx.service}/${ctx.host}`;
      const nc = '00000001';
      const values = digestMd5ResponseValue({ username: options.username, realm, password: options.password, nonce: c.nonce, cnonce, nc, qop, digestUri, authzid: ctx.authzid, utf8 });
      rspauth = values.rspauth;
      const parts = [`username=${quoted(options.username)}`];
      if (realm !== '') parts.push(`realm=${quoted(realm)}`);
      parts.push(`nonce=${quoted(c.nonce)}`, `cnonce=${quoted(cnonce)}`, `nc=${nc}`, `qop=${qop}`);
      if (cipher !== undefined) parts.push(`cipher=${cipher}`);
      if (qop !== 'auth') parts.push(`maxbuf=${maxBuffer}`);
      if (utf8) parts.push('charset=utf-8');
      parts.push(`digest-uri=${quoted(digestUri)}`, `response=${values.response}`);
      if (ctx.authzid !== undefined && ctx.authzid !== '') parts.push(`authzid=${quoted(ctx.authzid)}`);
      negotiated = cipher === undefined ? { qop } : { qop, cipher };
      if (qop !== 'auth') {
        const layerOptions: DigestLayerOptions = { qop, ha1: values.ha1, sendMaxbuf: c.maxbuf, recvMaxbuf: maxBuffer };
        if (cipher !== undefined) layerOptions.cipher = cipher;
        layer = digestMd5Layer(layerOptions);
      }
      phase = 'rspauth';
      return Buffer.from(parts.join(','), 'utf8');
    },
    verify(serverData) {
      if (phase === 'done') return;
      if (phase !== 'rspauth') fail('SASL_PROTOCOL', 'the server ended the exchange before the digest response');
      if (serverData === undefined || serverData.length === 0) fail('SASL_SERVER_SIGNATURE', 'the server sent no rspauth, so it did not prove that it knows the password');
      checkRspauth(serverData);
    },
    securityLayer() {
      return phase === 'done' ? layer : null;
    },
  };
}
