/**
 * Unbind (RFC 4511 4.3) and Abandon (4.11): the requests without a
 * response.
 */
import type { Control } from '../../protocol/controls.js';
import type { LdapConnection } from '../connection.js';
import { abortedError } from '../operation.js';

/**
 * Sends an UnbindRequest, writes it out, and closes the connection;
 * outstanding operations fail with code CLOSED. Resolves once done (also
 * when the connection was already gone).
 *
 * @see ldap_unbind_ext
 */
export function unbind(conn: LdapConnection, controls?: readonly Control[]): Promise<void> {
  if (conn.closed) return Promise.resolve();
  try {
    conn.send({ type: 'unbindRequest' }, controls);
    conn.flush();
  } catch {
    // closing anyway
  }
  conn.close();
  return Promise.resolve();
}

/**
 * Abandons the outstanding operation `messageId`: later responses to it
 * are dropped, the server is asked to stop, and the operation's promise
 * (or search iterator) rejects with code ABORTED. Returns false when the
 * id was not outstanding.
 *
 * @see ldap_abandon_ext
 */
export function abandon(conn: LdapConnection, messageId: number, controls?: readonly Control[]): boolean {
  const pending = conn.registry.get(messageId);
  if (pending === undefined) return false;
  conn.abandon(messageId, controls);
  pending.fail(abortedError(pending.operation, undefined, conn.url));
  return true;
}
