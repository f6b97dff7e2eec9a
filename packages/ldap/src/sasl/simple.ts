/**
 * The mechanisms that fit in one message or one challenge: EXTERNAL
 * (RFC 4422 appendix A), PLAIN (RFC 4616) and CRAM-MD5 (RFC 2195).
 */
import { createHmac } from 'node:crypto';
import { SaslError } from './errors.js';
import type { SaslContext, SaslMechanism, SaslOutput } from './mechanism.js';

/** Password material: text (UTF-8) or bytes. */
export type SaslSecret = string | Uint8Array;

export function secretBytes(secret: SaslSecret): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
}

function noChallenge(name: string): never {
  throw new SaslError('SASL_PROTOCOL', `${name}: the server sent a challenge, but the mechanism has no second step`, { mechanism: name });
}

/**
 * EXTERNAL: the identity the server already knows from the transport (the
 * peer credentials of an ldapi:// socket, the client certificate of a TLS
 * session). The one message is the authzid, or empty to act as the
 * authenticated identity (libldap sends an empty one too).
 */
export function external(): SaslMechanism {
  return {
    name: 'EXTERNAL',
    start: (ctx: SaslContext): SaslOutput => Buffer.from(ctx.authzid ?? '', 'utf8'),
    step: () => noChallenge('EXTERNAL'),
  };
}

/** Credentials of the password mechanisms. */
export interface SaslPasswordCredentials {
  /** The authentication identity (authcid): a user name such as `bob`, not a DN. */
  username: string;
  password: SaslSecret;
}

function checkCredentials(name: string, creds: SaslPasswordCredentials): void {
  if (typeof creds.username !== 'string' || creds.username === '') throw new SaslError('SASL_BAD_ARGUMENT', `${name}: a username is needed`, { mechanism: name });
  if (creds.username.includes('\0')) throw new SaslError('SASL_BAD_ARGUMENT', `${name}: the username contains NUL`, { mechanism: name });
}

/**
 * PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd` in the initial
 * response. The password travels in clear: use it over TLS or ldapi://.
 */
export function plain(creds: SaslPasswordCredentials): SaslMechanism {
  checkCredentials('PLAIN', creds);
  return {
    name: 'PLAIN',
    start(ctx) {
      const authzid = ctx.authzid ?? '';
      if (authzid.includes('\0')) throw new SaslError('SASL_BAD_ARGUMENT', 'PLAIN: the authzid contains NUL', { mechanism: 'PLAIN' });
      const password = secretBytes(creds.password);
      if (password.includes(0)) throw new SaslError('SASL_BAD_ARGUMENT', 'PLAIN: the password contains NUL', { mechanism: 'PLAIN' });
      return Buffer.concat([Buffer.from(`${authzid}\0${creds.username}\0`, 'utf8'), password]);
    },
    step: () => noChallenge('PLAIN'),
  };
}

/**
 * The CRAM-MD5 response to `challenge` (RFC 2195): the user name, a space,
 * and the lowercase hex of HMAC-MD5 keyed with the password over the
 * challenge.
 */
export function cramMd5Response(username: string, password: SaslSecret, challenge: Uint8Array): Buffer {
  const digest = createHmac('md5', secretBytes(password)).update(challenge).digest('hex');
  return Buffer.from(`${username} ${digest}`, 'utf8');
}

/**
 * CRAM-MD5 (RFC 2195): the server speaks first with a challenge; one
 * response. No authzid (the mechanism has none) and no mutual
 * authentication.
 */
export function cramMd5(creds: SaslPasswordCredentials): SaslMechanism {
  checkCredentials('CRAM-MD5', creds);
  let answered = false;
  return {
    name: 'CRAM-MD5',
    start(ctx) {
      if (ctx.authzid !== undefined && ctx.authzid !== '') throw new SaslError('SASL_BAD_ARGUMENT', 'CRAM-MD5 cannot carry an authzid', { mechanism: 'CRAM-MD5' });
      answered = false;
      return null;
    },
    step(challenge) {
      if (answered) noChallenge('CRAM-MD5');
      answered = true;
      return cramMd5Response(creds.username, creds.password, challenge);
    },
  };
}
