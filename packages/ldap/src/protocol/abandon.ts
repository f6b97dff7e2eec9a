/**
 * Abandon (RFC 4511 section 4.11).
 */
import type { BerReader, BerWriter } from '@lber/ber';
import { encodeError } from './errors.js';
import { LDAP_MAX_INT, LdapOp } from './tags.js';

/**
 * ```asn1
 * AbandonRequest ::= [APPLICATION 16] MessageID
 * ```
 *
 * There is no response.
 */
export interface AbandonRequest {
  type: 'abandonRequest';
  /** The MessageID of the operation to abandon. */
  idToAbandon: number;
}

/** Writes an AbandonRequest protocolOp: a primitive `[APPLICATION 16]` INTEGER, as libldap's `ti`. @see ldap_abandon_ext */
export function writeAbandonRequest(w: BerWriter, op: AbandonRequest): void {
  const id = op.idToAbandon;
  if (!Number.isInteger(id) || id < 0 || id > LDAP_MAX_INT) encodeError(`MessageID ${id} is not in 0..maxInt`);
  w.writeInt(id, LdapOp.abandonRequest);
}

/** Reads an AbandonRequest protocolOp. */
export function readAbandonRequest(r: BerReader): AbandonRequest {
  return { type: 'abandonRequest', idToAbandon: r.readInt(LdapOp.abandonRequest) };
}
