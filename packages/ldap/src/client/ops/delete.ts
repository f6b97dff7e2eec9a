/**
 * Delete (RFC 4511 4.8): resolves with the result on success, rejects with
 * LdapResultError (e.g. noSuchObject, notAllowedOnNonLeaf) otherwise.
 */
import type { LdapConnection } from '../connection.js';
import { exchange } from '../operation.js';
import type { OperationOptions } from '../operation.js';
import { checkResult, resultOf } from '../result.js';
import type { LdapOperationResult } from '../result.js';

/**
 * Deletes the entry `dn`.
 *
 * @see ldap_delete_ext
 */
export async function del(conn: LdapConnection, dn: string, options: OperationOptions = {}): Promise<LdapOperationResult> {
  const message = await exchange(conn, { operation: 'delete', request: { type: 'delRequest', entry: dn }, expect: 'delResponse' }, options);
  return checkResult(resultOf(message), 'delete');
}
