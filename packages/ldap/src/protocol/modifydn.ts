/**
 * Modify DN (RFC 4511 section 4.9).
 */
import { BerTags, type BerReader, type BerWriter } from '@lber/ber';
import { readResultOp, writeResultOp, type LdapResult } from './result.js';
import { LdapOp, LdapTag } from './tags.js';

/**
 * ```asn1
 * ModifyDNRequest ::= [APPLICATION 12] SEQUENCE {
 *      entry           LDAPDN,
 *      newrdn          RelativeLDAPDN,
 *      deleteoldrdn    BOOLEAN,
 *      newSuperior     [0] LDAPDN OPTIONAL }
 * ```
 */
export interface ModifyDNRequest {
  type: 'modDNRequest';
  entry: string;
  newrdn: string;
  deleteoldrdn: boolean;
  /** newSuperior [0]: the new parent, when the entry moves. */
  newSuperior?: string;
}

/**
 * ```asn1
 * ModifyDNResponse ::= [APPLICATION 13] LDAPResult
 * ```
 */
export interface ModifyDNResponse extends LdapResult {
  type: 'modDNResponse';
}

/**
 * Writes a ModifyDNRequest protocolOp, as libldap's `{ssbtsN}` or
 * `{ssbN}`.
 *
 * @see ldap_rename
 */
export function writeModifyDNRequest(w: BerWriter, op: ModifyDNRequest): void {
  w.startSequence(LdapOp.modDNRequest);
  w.writeString(op.entry);
  w.writeString(op.newrdn);
  w.writeBoolean(op.deleteoldrdn);
  if (op.newSuperior !== undefined) w.writeString(op.newSuperior, LdapTag.newSuperior);
  w.endSequence();
}

/** Reads a ModifyDNRequest protocolOp. */
export function readModifyDNRequest(r: BerReader): ModifyDNRequest {
  r.enter(LdapOp.modDNRequest);
  const entry = r.readString();
  const newrdn = r.readString(BerTags.OCTET_STRING);
  const deleteoldrdn = r.readBoolean();
  const newSuperior = r.peekTag() === LdapTag.newSuperior ? r.readString(LdapTag.newSuperior) : undefined;
  r.leave();
  return { type: 'modDNRequest', entry, newrdn, deleteoldrdn, newSuperior };
}

/** Writes a ModifyDNResponse protocolOp. */
export function writeModifyDNResponse(w: BerWriter, op: ModifyDNResponse): void {
  writeResultOp(w, LdapOp.modDNResponse, op);
}

/** Reads a ModifyDNResponse protocolOp. */
export function readModifyDNResponse(r: BerReader): ModifyDNResponse {
  return readResultOp(r, LdapOp.modDNResponse, 'modDNResponse');
}
