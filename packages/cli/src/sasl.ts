/**
 * The SASL binds the tools offer with `-Y` (what libldap does through
 * Cyrus SASL for ldapsearch & co.), on @lber/ldap's SASL framework and
 * mechanisms: EXTERNAL, PLAIN, SCRAM-SHA-1/-256/-512, CRAM-MD5 and
 * DIGEST-MD5. DIGEST-MD5 asks for the strongest protection the server
 * offers, as Cyrus does by default (auth-conf, then auth-int, then auth),
 * and the negotiated security layer is installed on the connection.
 */
import { LdapResultError, SaslError, cramMd5, digestMd5, external, plain, saslBind as saslBindWith, scram } from '@lber/ldap';
import type { Control, DigestCipher, LdapClient, LdapOperationResult, SaslMechanism } from '@lber/ldap';

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

const SCRAM_HASHES = { 'SCRAM-SHA-1': 'sha1', 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' } as const;

/** The mechanisms this CLI speaks. */
export const SASL_MECHANISMS: readonly string[] = ['EXTERNAL', 'PLAIN', ...Object.keys(SCRAM_HASHES), 'CRAM-MD5', 'DIGEST-MD5'];

/** The SSF Cyrus reports for a DIGEST-MD5 layer: 1 for integrity, the cipher's key bits for confidentiality. */
const CIPHER_SSF: Record<DigestCipher, number> = { rc4: 128, '3des': 112, des: 56, 'rc4-56': 56, 'rc4-40': 40 };

interface CliMechanism {
  mechanism: SaslMechanism;
  /** The name Cyrus reports as SASL_USERNAME. */
  username: string;
  /** The security strength factor once bound (0: no layer). */
  ssf(): number;
}

function mechanismFor(p: SaslParams, defaultUser: string): CliMechanism {
  const mech = p.mech.toUpperCase();
  const username = p.authcid ?? defaultUser;
  const password = p.password ?? Buffer.alloc(0);
  const none = (): number => 0;
  if (mech === 'EXTERNAL') {
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    const peer = p.scheme === 'ldapi' && uid !== undefined && gid !== undefined ? `gidNumber=${gid}+uidNumber=${uid},cn=peercred,cn=external,cn=auth` : '';
    return { mechanism: external(), username: peer, ssf: none };
  }
  if (mech === 'PLAIN') return { mechanism: plain({ username, password }), username, ssf: none };
  if (mech === 'CRAM-MD5') return { mechanism: cramMd5({ username, password }), username, ssf: none };
  if (mech in SCRAM_HASHES) return { mechanism: scram(SCRAM_HASHES[mech as keyof typeof SCRAM_HASHES], { username, password }), username, ssf: none };
  if (mech === 'DIGEST-MD5') {
    const digest = digestMd5({ username, password, ...(p.realm !== undefined ? { realm: p.realm } : {}), qop: ['auth-conf', 'auth-int', 'auth'] });
    const ssf = (): number => {
      const n = digest.negotiated;
      if (n === undefined || n.qop === 'auth') return 0;
      return n.qop === 'auth-int' ? 1 : CIPHER_SSF[n.cipher ?? 'rc4'];
    };
    return { mechanism: digest, username, ssf };
  }
  throw new SaslLocalError(-6, `SASL mechanism ${p.mech} is not supported by this client (it has ${SASL_MECHANISMS.join(', ')})`);
}

/** The outcome of a SASL bind. */
export interface SaslBindOutcome {
  /** The final result, or the server's refusal. */
  result: LdapOperationResult | LdapResultError;
  /** SASL_USERNAME as Cyrus would report it. */
  username: string;
  /** SASL_SSF: 0 without a security layer. */
  ssf: number;
}

/**
 * Runs the SASL bind; resolves with the final result whatever its code
 * (the caller reports non-success), rejects with SaslLocalError or the
 * client's connection errors.
 *
 * @see ldap_sasl_interactive_bind
 */
export async function saslBind(client: LdapClient, p: SaslParams, defaultUser: string): Promise<SaslBindOutcome> {
  const m = mechanismFor(p, defaultUser);
  try {
    const result = await saslBindWith(client, m.mechanism, {
      ...(p.authzid !== undefined ? { authzid: p.authzid } : {}),
      ...(p.dn !== undefined ? { dn: p.dn } : {}),
      ...(p.controls !== undefined ? { controls: p.controls } : {}),
    });
    return { result, username: m.username, ssf: m.ssf() };
  } catch (error) {
    // the server said no: the caller reports the result as it reports any
    if (error instanceof LdapResultError) return { result: error, username: m.username, ssf: 0 };
    if (error instanceof SaslError) throw new SaslLocalError(-2, error.message);
    throw error;
  }
}
