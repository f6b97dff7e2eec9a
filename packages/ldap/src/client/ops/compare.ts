/**
 * Compare (RFC 4511 4.10): true for compareTrue, false for compareFalse;
 * any other result code rejects with LdapResultError.
 */
import { LdapResultCode } from '../../errors.js';
import type { AttributeValueInput } from '../../protocol/attribute.js';
import type { LdapConnection } from '../connection.js';
import { exchange } from '../operation.js';
import type { OperationOptions } from '../operation.js';
import { checkResult, resultOf } from '../result.js';

/**
 * Asks whether the entry `dn` has `attribute` with `value`.
 *
 * @see ldap_compare_ext
 */
export async function compare(conn: LdapConnection, dn: string, attribute: string, value: AttributeValueInput, options: OperationOptions = {}): Promise<boolean> {
  const message = await exchange(
    conn,
    { operation: 'compare', request: { type: 'compareRequest', entry: dn, ava: { attributeDesc: attribute, assertionValue: value } }, expect: 'compareResponse' },
    options,
  );
  const result = checkResult(resultOf(message), 'compare', [LdapResultCode.compareTrue, LdapResultCode.compareFalse]);
  return result.resultCode === LdapResultCode.compareTrue;
}
