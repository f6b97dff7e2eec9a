/**
 * Compare (RFC 4511 section 4.10).
 */
import { BerTags, type BerReader, type BerWriter } from '@lber/ber';
import { writeValue, type AttributeValueInput } from './attribute.js';
import { readResultOp, writeResultOp, type LdapResult } from './result.js';
import { LdapOp } from './tags.js';

/**
 * ```asn1
 * AttributeValueAssertion ::= SEQUENCE {
 *      attributeDesc   AttributeDescription,
 *      assertionValue  AssertionValue }
 *
 * AssertionValue ::= OCTET STRING
 * ```
 */
export interface AttributeValueAssertion {
  attributeDesc: string;
  /** A string (written as UTF-8) or bytes; decoded requests give a view. */
  assertionValue: AttributeValueInput;
}

/**
 * ```asn1
 * CompareRequest ::= [APPLICATION 14] SEQUENCE {
 *      entry           LDAPDN,
 *      ava             AttributeValueAssertion }
 * ```
 */
export interface CompareRequest {
  type: 'compareRequest';
  entry: string;
  ava: AttributeValueAssertion;
}

/**
 * ```asn1
 * CompareResponse ::= [APPLICATION 15] LDAPResult
 * ```
 *
 * resultCode is compareTrue (6) or compareFalse (5) when the comparison
 * was made.
 */
export interface CompareResponse extends LdapResult {
  type: 'compareResponse';
}

/**
 * Writes a CompareRequest protocolOp, as libldap's `{s{sON}N}`.
 *
 * @see ldap_compare_ext
 */
export function writeCompareRequest(w: BerWriter, op: CompareRequest): void {
  w.startSequence(LdapOp.compareRequest);
  w.writeString(op.entry);
  w.startSequence();
  w.writeString(op.ava.attributeDesc);
  writeValue(w, op.ava.assertionValue);
  w.endSequence();
  w.endSequence();
}

/** Reads a CompareRequest protocolOp. */
export function readCompareRequest(r: BerReader): CompareRequest {
  r.enter(LdapOp.compareRequest);
  const entry = r.readString();
  r.enter(BerTags.SEQUENCE);
  const attributeDesc = r.readString();
  const assertionValue = r.readOctetString();
  r.leave();
  r.leave();
  return { type: 'compareRequest', entry, ava: { attributeDesc, assertionValue } };
}

/** Writes a CompareResponse protocolOp. */
export function writeCompareResponse(w: BerWriter, op: CompareResponse): void {
  writeResultOp(w, LdapOp.compareResponse, op);
}

/** Reads a CompareResponse protocolOp. */
export function readCompareResponse(r: BerReader): CompareResponse {
  return readResultOp(r, LdapOp.compareResponse, 'compareResponse');
}
