/**
 * Add (RFC 4511 4.7): resolves with the result on success, rejects with
 * LdapResultError (e.g. entryAlreadyExists) otherwise.
 */
import type { AttributeInput, AttributeValueInput } from '../../protocol/attribute.js';
import type { LdapConnection } from '../connection.js';
import { exchange } from '../operation.js';
import type { OperationOptions } from '../operation.js';
import { checkResult, resultOf } from '../result.js';
import type { LdapOperationResult } from '../result.js';

/** Attributes of a new entry: a list, or an object of type to value(s). */
export type EntryAttributes = readonly AttributeInput[] | Readonly<Record<string, AttributeValueInput | readonly AttributeValueInput[]>>;

/** The attributes as the protocol's list. */
export function attributeList(attributes: EntryAttributes): AttributeInput[] {
  if (Array.isArray(attributes)) return attributes as AttributeInput[];
  const out: AttributeInput[] = [];
  for (const [type, value] of Object.entries(attributes as Record<string, AttributeValueInput | readonly AttributeValueInput[]>)) {
    out.push({ type, values: Array.isArray(value) ? (value as AttributeValueInput[]) : [value as AttributeValueInput] });
  }
  return out;
}

/**
 * Adds the entry `dn`.
 *
 * @see ldap_add_ext
 */
export async function add(conn: LdapConnection, dn: string, attributes: EntryAttributes, options: OperationOptions = {}): Promise<LdapOperationResult> {
  const message = await exchange(conn, { operation: 'add', request: { type: 'addRequest', entry: dn, attributes: attributeList(attributes) }, expect: 'addResponse' }, options);
  return checkResult(resultOf(message), 'add');
}
