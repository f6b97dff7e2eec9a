/**
 * Modify DN (RFC 4511 4.9): rename and move; resolves with the result on
 * success, rejects with LdapResultError otherwise.
 */
import type { LdapConnection } from '../connection.js';
import { exchange } from '../operation.js';
import type { OperationOptions } from '../operation.js';
import { checkResult, resultOf } from '../result.js';
import type { LdapOperationResult } from '../result.js';

export interface ModifyDNOptions extends OperationOptions {
  /** Delete the old RDN's values from the entry (default true). */
  deleteOldRdn?: boolean;
  /** Move the entry under this parent. */
  newSuperior?: string;
}

/**
 * Renames the entry `dn` to `newRdn` (and moves it under `newSuperior`).
 *
 * @see ldap_rename
 */
export async function modifyDN(conn: LdapConnection, dn: string, newRdn: string, options: ModifyDNOptions = {}): Promise<LdapOperationResult> {
  const request = { type: 'modDNRequest' as const, entry: dn, newrdn: newRdn, deleteoldrdn: options.deleteOldRdn ?? true, newSuperior: options.newSuperior };
  const message = await exchange(conn, { operation: 'modifyDN', request, expect: 'modDNResponse' }, options);
  return checkResult(resultOf(message), 'modifyDN');
}
