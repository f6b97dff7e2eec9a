/**
 * Extended operations (RFC 4511 section 4.12) and intermediate responses
 * (section 4.13). Values stay raw; typed extended operations come later.
 */
import type { BerReader, BerWriter } from '@lber/ber';
import { readResultComponents, writeResultComponents, type LdapResult } from './result.js';
import { LdapOp, LdapTag } from './tags.js';

/**
 * ```asn1
 * ExtendedRequest ::= [APPLICATION 23] SEQUENCE {
 *      requestName      [0] LDAPOID,
 *      requestValue     [1] OCTET STRING OPTIONAL }
 * ```
 */
export interface ExtendedRequest {
  type: 'extendedReq';
  requestName: string;
  requestValue?: Uint8Array;
}

/**
 * ```asn1
 * ExtendedResponse ::= [APPLICATION 24] SEQUENCE {
 *      COMPONENTS OF LDAPResult,
 *      responseName     [10] LDAPOID OPTIONAL,
 *      responseValue    [11] OCTET STRING OPTIONAL }
 * ```
 *
 * With messageID 0 it is an unsolicited notification (the Notice of
 * Disconnection has responseName NOTICE_OF_DISCONNECTION_OID).
 */
export interface ExtendedResponse extends LdapResult {
  type: 'extendedResp';
  responseName?: string;
  /** A view into the PDU, when present. */
  responseValue?: Buffer;
}

/**
 * ```asn1
 * IntermediateResponse ::= [APPLICATION 25] SEQUENCE {
 *         responseName     [0] LDAPOID OPTIONAL,
 *         responseValue    [1] OCTET STRING OPTIONAL }
 * ```
 */
export interface IntermediateResponse {
  type: 'intermediateResponse';
  responseName?: string;
  /** A view into the PDU, when present. */
  responseValue?: Buffer;
}

/**
 * Writes an ExtendedRequest protocolOp, as libldap's `{tstON}` or
 * `{tsN}`.
 *
 * @see ldap_extended_operation
 */
export function writeExtendedRequest(w: BerWriter, op: ExtendedRequest): void {
  w.startSequence(LdapOp.extendedReq);
  w.writeString(op.requestName, LdapTag.exopReqOid);
  if (op.requestValue !== undefined) w.writeOctetString(op.requestValue, LdapTag.exopReqValue);
  w.endSequence();
}

/** Reads an ExtendedRequest protocolOp. */
export function readExtendedRequest(r: BerReader): ExtendedRequest {
  r.enter(LdapOp.extendedReq);
  const requestName = r.readString(LdapTag.exopReqOid);
  const requestValue = r.peekTag() === LdapTag.exopReqValue ? r.readOctetString(LdapTag.exopReqValue) : undefined;
  r.leave();
  return { type: 'extendedReq', requestName, requestValue };
}

/** Writes an ExtendedResponse protocolOp. */
export function writeExtendedResponse(w: BerWriter, op: ExtendedResponse): void {
  w.startSequence(LdapOp.extendedResp);
  writeResultComponents(w, op);
  if (op.responseName !== undefined) w.writeString(op.responseName, LdapTag.exopResOid);
  if (op.responseValue !== undefined) w.writeOctetString(op.responseValue, LdapTag.exopResValue);
  w.endSequence();
}

/** Reads an ExtendedResponse protocolOp. @see ldap_parse_extended_result */
export function readExtendedResponse(r: BerReader): ExtendedResponse {
  r.enter(LdapOp.extendedResp);
  const op: ExtendedResponse = readResultComponents(r, 'extendedResp');
  op.responseName = r.peekTag() === LdapTag.exopResOid ? r.readString(LdapTag.exopResOid) : undefined;
  op.responseValue = r.peekTag() === LdapTag.exopResValue ? r.readOctetString(LdapTag.exopResValue) : undefined;
  r.leave();
  return op;
}

/** Writes an IntermediateResponse protocolOp. */
export function writeIntermediateResponse(w: BerWriter, op: IntermediateResponse): void {
  w.startSequence(LdapOp.intermediateResponse);
  if (op.responseName !== undefined) w.writeString(op.responseName, LdapTag.imResOid);
  if (op.responseValue !== undefined) w.writeOctetString(op.responseValue, LdapTag.imResValue);
  w.endSequence();
}

/** Reads an IntermediateResponse protocolOp. @see ldap_parse_intermediate */
export function readIntermediateResponse(r: BerReader): IntermediateResponse {
  r.enter(LdapOp.intermediateResponse);
  const responseName = r.peekTag() === LdapTag.imResOid ? r.readString(LdapTag.imResOid) : undefined;
  const responseValue = r.peekTag() === LdapTag.imResValue ? r.readOctetString(LdapTag.imResValue) : undefined;
  r.leave();
  return { type: 'intermediateResponse', responseName, responseValue };
}
