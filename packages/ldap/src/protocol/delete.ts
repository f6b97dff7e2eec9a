/**
 * Delete (RFC 4511 section 4.8).
 */
import type { BerReader, BerWriter } from '@lber/ber';
import { readResultOp, writeResultOp, type LdapResult } from './result.js';
import { LdapOp } from './tags.js';

/**
 * ```asn1
 * DelRequest ::= [APPLICATION 10] LDAPDN
 * ```
 */
export interface DelRequest {
  type: 'delRequest';
  /** The DN of the entry to delete. */
  entry: string;
}

/**
 * ```asn1
 * DelResponse ::= [APPLICATION 11] LDAPResult
 * ```
 */
export interface DelResponse extends LdapResult {
  type: 'delResponse';
}

/**
 * Writes a DelRequest protocolOp: the DN as a primitive
 * `[APPLICATION 10]` string, as libldap's `ts`.
 *
 * @see ldap_delete_ext
 */
export function writeDelRequest(w: BerWriter, op: DelRequest): void {
  w.writeString(op.entry, LdapOp.delRequest);
}

/** Reads a DelRequest protocolOp. */
export function readDelRequest(r: BerReader): DelRequest {
  return { type: 'delRequest', entry: r.readString(LdapOp.delRequest) };
}

/** Writes a DelResponse protocolOp. */
export function writeDelResponse(w: BerWriter, op: DelResponse): void {
  writeResultOp(w, LdapOp.delResponse, op);
}

/** Reads a DelResponse protocolOp. */
export function readDelResponse(r: BerReader): DelResponse {
  return readResultOp(r, LdapOp.delResponse, 'delResponse');
}
