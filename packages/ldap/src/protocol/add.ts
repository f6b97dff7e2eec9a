/**
 * Add (RFC 4511 section 4.7).
 */
import type { BerReader, BerWriter } from '@lber/ber';
import { readAttributeList, writeAttributeList, type AttributeInput, type PartialAttribute } from './attribute.js';
import { readResultOp, writeResultOp, type LdapResult } from './result.js';
import { LdapOp } from './tags.js';

/**
 * ```asn1
 * AddRequest ::= [APPLICATION 8] SEQUENCE {
 *      entry           LDAPDN,
 *      attributes      AttributeList }
 *
 * AttributeList ::= SEQUENCE OF attribute Attribute
 * ```
 */
export interface AddRequest {
  type: 'addRequest';
  entry: string;
  attributes: ReadonlyArray<AttributeInput | PartialAttribute>;
}

/**
 * ```asn1
 * AddResponse ::= [APPLICATION 9] LDAPResult
 * ```
 */
export interface AddResponse extends LdapResult {
  type: 'addResponse';
}

/**
 * Writes an AddRequest protocolOp, as libldap's `{s{` + `{s[V]N}` per
 * attribute.
 *
 * @see ldap_add_ext
 */
export function writeAddRequest(w: BerWriter, op: AddRequest): void {
  w.startSequence(LdapOp.addRequest);
  w.writeString(op.entry);
  writeAttributeList(w, op.attributes);
  w.endSequence();
}

/** Reads an AddRequest protocolOp. */
export function readAddRequest(r: BerReader): AddRequest {
  r.enter(LdapOp.addRequest);
  const entry = r.readString();
  const attributes = readAttributeList(r);
  r.leave();
  return { type: 'addRequest', entry, attributes };
}

/** Writes an AddResponse protocolOp. */
export function writeAddResponse(w: BerWriter, op: AddResponse): void {
  writeResultOp(w, LdapOp.addResponse, op);
}

/** Reads an AddResponse protocolOp. */
export function readAddResponse(r: BerReader): AddResponse {
  return readResultOp(r, LdapOp.addResponse, 'addResponse');
}
