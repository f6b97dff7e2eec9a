/**
 * SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), without channel
 * binding (gs2 flag `n`). The client proves it knows the password without
 * sending it, and the server proves it knows the salted password: the bind
 * fails with SASL_SERVER_SIGNATURE when the server's `v=` does not match.
 *
 * ```
 * client-first   n,[a=authzid],n=user,r=cnonce
 * server-first   r=cnonce+snonce,s=salt,i=iterations
 * client-final   c=base64(gs2-header),r=nonce,p=base64(ClientKey XOR ClientSignature)
 * server-final   v=base64(ServerSignature)      (or e=error)
 * ```
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SaslError } from './errors.js';
import type { SaslContext, SaslMechanism } from './mechanism.js';
import { secretBytes } from './simple.js';
import type { SaslPasswordCredentials } from './simple.js';

/** The hash behind a SCRAM variant. */
export type ScramHash = 'sha1' | 'sha256' | 'sha512';

const SCRAM_NAMES: Record<ScramHash, string> = { sha1: 'SCRAM-SHA-1', sha256: 'SCRAM-SHA-256', sha512: 'SCRAM-SHA-512' };

/** Refuse server-first messages asking for more work than this (a hostile server could stall us). */
export const SCRAM_MAX_ITERATIONS = 10_000_000;

/** Options of {@link scram}. */
export interface ScramOptions extends SaslPasswordCredentials {
  /** The client nonce (printable ASCII without `,`); random by default. Tests pin it. */
  clientNonce?: string;
  /** Fewest iterations accepted from the server (RFC 5802 asks for at least 4096; default 4096). */
  minIterations?: number;
}

/**
 * SASLprep (RFC 4013), as far as Node can do it without tables: the
 * non-ASCII spaces become a space, the "mapped to nothing" characters go,
 * and the result is NFKC. Control characters are refused.
 */
export function saslPrep(text: string): string {
  let mapped = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (NON_ASCII_SPACE.has(cp) || (cp >= 0x2000 && cp <= 0x200b)) mapped += ' ';
    else if (!MAPPED_TO_NOTHING.has(cp) && !(cp >= 0x180b && cp <= 0x180d) && !(cp >= 0xfe00 && cp <= 0xfe0f)) mapped += ch;
  }
  mapped = mapped.normalize('NFKC');
  for (const ch of mapped) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) throw new SaslError('SASL_BAD_ARGUMENT', 'SASLprep: the string contains a control character');
  }
  return mapped;
}

/** RFC 3454 C.1.2, less the U+2000..U+200B range tested apart. */
const NON_ASCII_SPACE = new Set([0x00a0, 0x1680, 0x202f, 0x205f, 0x3000]);
/** RFC 3454 B.1, less the variation-selector ranges tested apart. */
const MAPPED_TO_NOTHING = new Set([0x00ad, 0x034f, 0x1806, 0x200c, 0x200d, 0x2060, 0xfeff]);

/** `=` and `,` escaped as RFC 5802's saslname wants. */
export function scramName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Splits `a=1,b=2` into its attributes (values may contain `=`). */
function attributes(message: string, name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new SaslError('SASL_PROTOCOL', `${name}: malformed attribute ${JSON.stringify(part)} in ${JSON.stringify(message)}`, { mechanism: name });
    if (!out.has(part[0]!)) out.set(part[0]!, part.slice(2));
  }
  return out;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The keys of one exchange (RFC 5802 section 3), exposed for tests. */
export interface ScramKeys {
  saltedPassword: Buffer;
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** SaltedPassword and the keys derived from it. */
export function scramKeys(hash: ScramHash, password: Buffer, salt: Buffer, iterations: number): ScramKeys {
  const size = createHash(hash).digest().length;
  const saltedPassword = pbkdf2Sync(password, salt, iterations, size, hash);
  const clientKey = createHmac(hash, saltedPassword).update('Client Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const serverKey = createHmac(hash, saltedPassword).update('Server Key').digest();
  return { saltedPassword, clientKey, storedKey, serverKey };
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * A SCRAM client mechanism for `hash` (`sha1`: SCRAM-SHA-1, `sha256`:
 * SCRAM-SHA-256, `sha512`: SCRAM-SHA-512). One object runs one exchange at
 * a time; `start` resets it.
 */
export function scram(hash: ScramHash, options: ScramOptions): SaslMechanism {
  const name = SCRAM_NAMES[hash];
  if (name === undefined) throw new SaslError('SASL_BAD_ARGUMENT', `SCRAM: unknown hash ${String(hash)}`);
  if (typeof options.username !== 'string' || options.username === '') throw new SaslError('SASL_BAD_ARGUMENT', `${name}: a username is needed`, { mechanism: name });
  if (options.clientNonce !== undefined && !PRINTABLE_NONCE.test(options.clientNonce)) throw new SaslError('SASL_BAD_ARGUMENT', `${name}: the client nonce must be printable ASCII without ","`, { mechanism: name });
  const minIterations = options.minIterations ?? 4096;
  function fail(code: 'SASL_PROTOCOL' | 'SASL_SERVER_SIGNATURE', text: string): never {
    throw new SaslError(code, `${name}: ${text}`, { mechanism: name });
  }

  let clientFirstBare = '';
  let gs2Header = '';
  let nonce = '';
  let expected: Buffer | null = null;
  let phase: 'idle' | 'first' | 'final' | 'done' = 'idle';

  const checkFinal = (data: Buffer | undefined): void => {
    if (phase === 'done') return;
    if (phase !== 'final' || expected === null) fail('SASL_PROTOCOL', 'the server ended the exchange before its final message');
    if (data === undefined || data.length === 0) fail('SASL_SERVER_SIGNATURE', 'the server sent no server-final message, so it did not prove that it knows the password');
    const attrs = attributes(data.toString('utf8'), name);
    const e = attrs.get('e');
    if (e !== undefined) fail('SASL_PROTOCOL', `the server reported ${JSON.stringify(e)}`);
    const v = attrs.get('v');
    if (v === undefined) fail('SASL_PROTOCOL', 'server-final has no v=');
    const got = Buffer.from(v, 'base64');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) fail('SASL_SERVER_SIGNATURE', 'the server signature does not match: the server does not know the password (or the exchange was altered)');
    phase = 'done';
  };

  return {
    name,
    start(ctx: SaslContext) {
      const cnonce = options.clientNonce ?? randomBytes(18).toString('base64');
      const authzid = ctx.authzid;
      gs2Header = `n,${authzid !== undefined && authzid !== '' ? `a=${scramName(saslPrep(authzid))}` : ''},`;
      clientFirstBare = `n=${scramName(saslPrep(options.username))},r=${cnonce}`;
      nonce = cnonce;
      expected = null;
      phase = 'first';
      return Buffer.from(gs2Header + clientFirstBare, 'utf8');
    },
    step(challenge) {
      if (phase === 'final') {
        // Some servers send server-final as a challenge and want an empty answer.
        checkFinal(challenge);
        return Buffer.alloc(0);
      }
      if (phase !== 'first') fail('SASL_PROTOCOL', 'unexpected challenge');
      const serverFirst = challenge.toString('utf8');
      const attrs = attributes(serverFirst, name);
      if (attrs.has('m')) fail('SASL_PROTOCOL', 'the server asks for an extension (m=) this client does not know');
      const e = attrs.get('e');
      if (e !== undefined) fail('SASL_PROTOCOL', `the server reported ${JSON.stringify(e)}`);
      const r = attrs.get('r');
      const s = attrs.get('s');
      const i = attrs.get('i');
      if (r === undefined || s === undefined || i === undefined) fail('SASL_PROTOCOL', `server-first lacks r=, s= or i=: ${JSON.stringify(serverFirst)}`);
      if (!r.startsWith(nonce) || r.length === nonce.length) fail('SASL_PROTOCOL', 'the server nonce does not extend the client nonce');
      if (!/^[0-9]{1,9}$/.test(i)) fail('SASL_PROTOCOL', `bad iteration count ${JSON.stringify(i)}`);
      const iterations = Number(i);
      if (iterations < minIterations || iterations > SCRAM_MAX_ITERATIONS) fail('SASL_PROTOCOL', `iteration count ${iterations} outside ${minIterations}..${SCRAM_MAX_ITERATIONS}`);
      const salt = Buffer.from(s, 'base64');
      if (salt.length === 0) fail('SASL_PROTOCOL', 'empty salt');
      const password = Buffer.from(saslPrep(secretBytes(options.password).toString('utf8')), 'utf8');
      const keys = scramKeys(hash, password, salt, iterations);
      const withoutProof = `c=${Buffer.from(gs2Header, 'utf8').toString('base64')},r=${r}`;
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const clientSignature = createHmac(hash, keys.storedKey).update(authMessage).digest();
      const proof = xor(keys.clientKey, clientSignature);
      expected = createHmac(hash, keys.serverKey).update(authMessage).digest();
      phase = 'final';
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
    },
    verify(serverData) {
      checkFinal(serverData);
    },
  };
}

/** SCRAM-SHA-1 (RFC 5802). */
export function scramSha1(options: ScramOptions): SaslMechanism {
  return scram('sha1', options);
}

/** SCRAM-SHA-256 (RFC 7677). */
export function scramSha256(options: ScramOptions): SaslMechanism {
  return scram('sha256', options);
}
