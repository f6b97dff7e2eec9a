/**
 * The SASL binds the tools offer with `-Y` (what libldap does through
 * Cyrus SASL for ldapsearch & co.): EXTERNAL, PLAIN and SCRAM-SHA-1/-256/
 * -512 (RFC 5802 / RFC 7677), over the client's exchange of BindRequests.
 * None of them negotiates a security layer (SSF 0).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { LdapResultCode, exchange, resultOf, saslBindRequest } from '@lber/ldap';
import type { LdapClient, LdapOperationResult, Control } from '@lber/ldap';

/** What a SASL bind needs from the command line. */
export interface SaslParams {
  mech: string;
  /** -U */
  authcid?: string | undefined;
  /** -X */
  authzid?: string | undefined;
  /** -w / -W / -y */
  password?: Buffer | undefined;
  /** -R */
  realm?: string | undefined;
  /** -D (sent as the bind name, as libldap does) */
  dn?: string | undefined;
  controls?: readonly Control[] | undefined;
  /** The URL scheme of the connection (EXTERNAL's identity over ldapi:// is the peer credentials). */
  scheme?: string | undefined;
}

/** A bind that did not succeed for a reason of the client's (unknown mechanism, a bad server answer). */
export class SaslLocalError extends Error {
  constructor(
    /** libldap's code for it (LDAP_AUTH_UNKNOWN -6, LDAP_LOCAL_ERROR -2, ...). */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Mechanism {
  /** The initial response (null: none). */
  start(): Buffer | null;
  step(challenge: Buffer): Buffer;
  verify(serverData: Buffer | undefined): void;
  /** The name Cyrus reports as SASL_USERNAME. */
  username: string;
}

const SCRAM_HASHES: Record<string, string> = { 'SCRAM-SHA-1': 'sha1', 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' };

/** The mechanisms this CLI speaks. */
export const SASL_MECHANISMS: readonly string[] = ['EXTERNAL', 'PLAIN', ...Object.keys(SCRAM_HASHES)];

function saslname(s: string): string {
  return s.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function scram(hash: string, authcid: string, authzid: string | undefined, password: Buffer): Mechanism {
  const nonce = randomBytes(18).toString('base64');
  const gs2 = `n,${authzid !== undefined ? `a=${saslname(authzid)}` : ''},`;
  const bare = `n=${saslname(authcid)},r=${nonce}`;
  let serverSignature: Buffer | undefined;
  return {
    username: authcid,
    start: () => Buffer.from(gs2 + bare, 'utf8'),
    step(challenge) {
      const first = challenge.toString('utf8');
      const attrs = new Map(first.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)] as const));
      const r = attrs.get('r');
      const s = attrs.get('s');
      const i = Number(attrs.get('i'));
      if (r === undefined || s === undefined || !r.startsWith(nonce) || !Number.isSafeInteger(i) || i < 1) {
        throw new SaslLocalError(-2, 'SCRAM: bad server-first-message');
      }
      const salted = pbkdf2Sync(password, Buffer.from(s, 'base64'), i, createHash(hash).digest().length, hash);
      const clientKey = createHmac(hash, salted).update('Client Key').digest();
      const storedKey = createHash(hash).update(clientKey).digest();
      const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${r}`;
      const authMessage = `${bare},${first},${withoutProof}`;
      const signature = createHmac(hash, storedKey).update(authMessage).digest();
      const proof = Buffer.alloc(clientKey.length);
      for (let k = 0; k < proof.length; k++) proof[k] = clientKey[k]! ^ signature[k]!;
      const serverKey = createHmac(hash, salted).update('Server Key').digest();
      serverSignature = createHmac(hash, serverKey).update(authMessage).digest();
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
    },
    verify(serverData) {
      const text = serverData?.toString('utf8') ?? '';
      const v = text.startsWith('v=') ? Buffer.from(text.slice(2), 'base64') : undefined;
      if (serverSignature === undefined || v === undefined || v.length !== serverSignature.length || !timingSafeEqual(v, serverSignature)) {
        throw new SaslLocalError(-2, 'SCRAM: the server signature does not verify');
      }
    },
  };
}

function mechanism(p: SaslParams, defaultUser: string): Mechanism {
  const mech = p.mech.toUpperCase();
  const authcid = p.authcid ?? defaultUser;
  if (mech === 'EXTERNAL') {
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    return {
      username: p.scheme === 'ldapi' && uid !== undefined && gid !== undefined ? `gidNumber=${gid}+uidNumber=${uid},cn=peercred,cn=external,cn=auth` : '',
      start: () => (p.authzid !== undefined ? Buffer.from(p.authzid, 'utf8') : Buffer.alloc(0)),
      step: () => {
        throw new SaslLocalError(-2, 'EXTERNAL takes no challenge');
      },
      verify: () => undefined,
    };
  }
  const password = p.password ?? Buffer.alloc(0);
  if (mech === 'PLAIN') {
    return {
      username: authcid,
      start: () => Buffer.concat([Buffer.from(`${p.authzid ?? ''}\0${authcid}\0`, 'utf8'), password]),
      step: () => {
        throw new SaslLocalError(-2, 'PLAIN takes no challenge');
      },
      verify: () => undefined,
    };
  }
  const hash = SCRAM_HASHES[mech];
  if (hash !== undefined) return scram(hash, authcid, p.authzid, password);
  throw new SaslLocalError(-6, `SASL mechanism ${p.mech} is not supported by this client (it has ${SASL_MECHANISMS.join(', ')})`);
}

/** The outcome of a SASL bind. */
export interface SaslBindOutcome {
  result: LdapOperationResult;
  /** SASL_USERNAME as Cyrus would report it. */
  username: string;
}

/**
 * Runs the SASL bind; resolves with the final result whatever its code
 * (the caller reports non-success), rejects with SaslLocalError or the
 * client's connection errors.
 *
 * @see ldap_sasl_interactive_bind
 */
export async function saslBind(client: LdapClient, p: SaslParams, defaultUser: string): Promise<SaslBindOutcome> {
  const m = mechanism(p, defaultUser);
  let creds: Buffer | null = m.start();
  for (;;) {
    const request = saslBindRequest(p.mech.toUpperCase(), creds ?? undefined, p.dn ?? '');
    const message = await exchange(client.connection, { operation: 'bind', request, expect: 'bindResponse', abandonable: false }, { controls: p.controls });
    const result = resultOf(message);
    const serverCreds = message.protocolOp.serverSaslCreds;
    if (result.resultCode === LdapResultCode.saslBindInProgress) {
      creds = m.step(serverCreds === undefined ? Buffer.alloc(0) : Buffer.from(serverCreds));
      continue;
    }
    if (result.resultCode === LdapResultCode.success) m.verify(serverCreds === undefined ? undefined : Buffer.from(serverCreds));
    return { result, username: m.username };
  }
}
