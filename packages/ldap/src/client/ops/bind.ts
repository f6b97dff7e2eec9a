/**
 * Bind (RFC 4511 4.2, RFC 4513 5.1): simple and anonymous. A DN with an
 * empty password is an unauthenticated bind (RFC 4513 5.1.2), which
 * servers may treat as anonymous and which usually means a missing
 * password: it is refused unless `allowUnauthenticated: true`.
 */
import { LdapError } from '../../errors.js';
import { simpleBindRequest } from '../../protocol/bind.js';
import type { LdapConnection } from '../connection.js';
import { exchange } from '../operation.js';
import type { OperationOptions } from '../operation.js';
import { checkResult, resultOf } from '../result.js';
import type { LdapOperationResult } from '../result.js';

export interface BindOptions extends OperationOptions {
  /** Send a bind with a DN and an empty password (RFC 4513 unauthenticated bind) instead of refusing it. */
  allowUnauthenticated?: boolean;
}

/** A successful bind's result, with serverSaslCreds when the server sent them. */
export interface BindResult extends LdapOperationResult {
  serverSaslCreds?: Buffer | undefined;
}

/**
 * Simple bind as `dn` with `password`; both empty (or omitted) is an
 * anonymous bind. Rejects with LdapResultError (e.g. invalidCredentials)
 * when the server says no.
 *
 * @see ldap_sasl_bind
 * @see ldap_simple_bind_s
 */
export async function bind(conn: LdapConnection, dn = '', password: string | Uint8Array = '', options: BindOptions = {}): Promise<BindResult> {
  const empty = typeof password === 'string' ? password === '' : password.length === 0;
  if (dn !== '' && empty && options.allowUnauthenticated !== true) {
    throw new LdapError('BAD_ARGUMENT', `bind: an empty password with the DN ${JSON.stringify(dn)} is an unauthenticated bind; pass allowUnauthenticated: true to send it`);
  }
  const message = await exchange(conn, { operation: 'bind', request: simpleBindRequest(dn, password), expect: 'bindResponse', abandonable: false }, options);
  const result: BindResult = resultOf(message);
  result.serverSaslCreds = message.protocolOp.serverSaslCreds;
  checkResult(result, 'bind');
  return result;
}
