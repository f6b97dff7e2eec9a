/**
 * LDAPResult (RFC 4511 section 4.1.9), the common part of every response
 * that ends an operation.
 */
import { type BerReader, type BerWriter } from '@lber/ber';
import { LdapTag } from './tags.js';

/**
 * The result fields.
 *
 * ```asn1
 * LDAPResult ::= SEQUENCE {
 *      resultCode         ENUMERATED {
 *           success                      (0),
 *           ...  },
 *      matchedDN          LDAPDN,
 *      diagnosticMessage  LDAPString,
 *      referral           [3] Referral OPTIONAL }
 *
 * Referral ::= SEQUENCE SIZE (1..MAX) OF uri URI
 * URI ::= LDAPString
 * ```
 */
export interface LdapResult {
  resultCode: number;
  matchedDN: string;
  diagnosticMessage: string;
  /** referral [3]: the URIs to try, only with resultCode referral (10). */
  referral?: string[];
}

/** Writes the LDAPResult components (inside the caller's open element). */
export function writeResultComponents(w: BerWriter, result: LdapResult): void {
  w.writeEnum(result.resultCode);
  w.writeString(result.matchedDN);
  w.writeString(result.diagnosticMessage);
  if (result.referral !== undefined) {
    w.startSequence(LdapTag.referral);
    for (const uri of result.referral) w.writeString(uri);
    w.endSequence();
  }
}

/** Reads `SEQUENCE OF LDAPString` (Referral, SearchResultReference) inside an entered element. */
export function readUris(r: BerReader): string[] {
  const uris: string[] = [];
  while (r.hasMore()) uris.push(r.readString());
  return uris;
}

/**
 * Reads the LDAPResult components inside the caller's entered element and
 * returns them with the response's `type` (every field present, so every
 * response object has one shape). Stops before any component that follows
 * (serverSaslCreds, responseName, ...).
 */
export function readResultComponents<T extends string>(r: BerReader, type: T): LdapResult & { type: T } {
  const resultCode = r.readEnum();
  const matchedDN = r.readString();
  const diagnosticMessage = r.readString();
  let referral: string[] | undefined;
  if (r.peekTag() === LdapTag.referral) {
    r.enter(LdapTag.referral);
    referral = readUris(r);
    r.leave();
  }
  return { type, resultCode, matchedDN, diagnosticMessage, referral };
}

/** Reads a response that is exactly an LDAPResult under `tag`. */
export function readResultOp<T extends string>(r: BerReader, tag: number, type: T): LdapResult & { type: T } {
  r.enter(tag);
  const result = readResultComponents(r, type);
  r.leave();
  return result;
}

/** Writes a response that is exactly an LDAPResult under `tag`. */
export function writeResultOp(w: BerWriter, tag: number, result: LdapResult): void {
  w.startSequence(tag);
  writeResultComponents(w, result);
  w.endSequence();
}
