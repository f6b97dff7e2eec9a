/**
 * Unbind (RFC 4511 section 4.3).
 */
import type { BerReader, BerWriter } from '@lber/ber';
import { LdapOp } from './tags.js';

/**
 * ```asn1
 * UnbindRequest ::= [APPLICATION 2] NULL
 * ```
 *
 * There is no response: the client closes the connection after sending it.
 */
export interface UnbindRequest {
  type: 'unbindRequest';
}

/** Writes an UnbindRequest protocolOp (`42 00`), as libldap's `tn`. @see ldap_send_unbind */
export function writeUnbindRequest(w: BerWriter, _op?: UnbindRequest): void {
  w.writeNull(LdapOp.unbindRequest);
}

/** Reads an UnbindRequest protocolOp. */
export function readUnbindRequest(r: BerReader): UnbindRequest {
  r.readNull(LdapOp.unbindRequest);
  return { type: 'unbindRequest' };
}
