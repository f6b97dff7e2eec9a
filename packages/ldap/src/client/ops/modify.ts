/**
 * Modify (RFC 4511 4.6, with RFC 4525 increment): resolves with the result
 * on success, rejects with LdapResultError otherwise.
 */
import { LdapError } from '../../errors.js';
import type { AttributeInput } from '../../protocol/attribute.js';
import { ModifyOperation } from '../../protocol/modify.js';
import type { Change } from '../../protocol/modify.js';
import type { LdapConnection } from '../connection.js';
import { exchange } from '../operation.js';
import type { OperationOptions } from '../operation.js';
import { checkResult, resultOf } from '../result.js';
import type { LdapOperationResult } from '../result.js';

/** One change, by operation name. */
export interface ModifyChange {
  operation: 'add' | 'delete' | 'replace' | 'increment' | number;
  /** The attribute and its values (none: for delete, all values; for replace, remove the attribute). */
  modification: AttributeInput;
}

function operationNumber(op: ModifyChange['operation']): number {
  if (typeof op === 'number') return op;
  const n = (ModifyOperation as Record<string, number>)[op];
  if (n === undefined) throw new LdapError('BAD_ARGUMENT', `modify: unknown change operation ${JSON.stringify(op)}`);
  return n;
}

/**
 * Applies `changes` to the entry `dn`, in order, atomically.
 *
 * @see ldap_modify_ext
 */
export async function modify(conn: LdapConnection, dn: string, changes: readonly ModifyChange[], options: OperationOptions = {}): Promise<LdapOperationResult> {
  const list: Change[] = changes.map((c) => ({ operation: operationNumber(c.operation), modification: c.modification }));
  const message = await exchange(conn, { operation: 'modify', request: { type: 'modifyRequest', object: dn, changes: list }, expect: 'modifyResponse' }, options);
  return checkResult(resultOf(message), 'modify');
}
