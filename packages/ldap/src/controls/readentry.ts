/**
 * Read Entry controls (RFC 4527): the entry as it was before an update
 * (pre-read) or as it is after it (post-read), returned with the result.
 */
import { BerTags } from '@lber/ber';
import type { Control } from '../protocol/controls.js';
import { readSearchResultEntry, writeSearchResultEntry, type SearchResultEntry } from '../protocol/search.js';
import { SearchEntry } from '../client/entry.js';
import { copyBytes, decodeValue, encodeValue } from './ber.js';
import { defineControl, type ControlCodec } from './registry.js';

/** LDAP_CONTROL_PRE_READ */
export const PRE_READ_OID = '1.3.6.1.1.13.1';
/** LDAP_CONTROL_POST_READ */
export const POST_READ_OID = '1.3.6.1.1.13.2';

function readEntryCodec(oid: string, name: string): ControlCodec<readonly string[], SearchEntry> {
  return defineControl<readonly string[], SearchEntry>({
    oid,
    name,
    encode: (attributes) =>
      encodeValue((w) => {
        w.startSequence();
        for (const a of attributes) w.writeString(a);
        w.endSequence();
      }),
    decodeRequest: (value) =>
      decodeValue(name, value, (r) => {
        const attributes: string[] = [];
        r.enter(BerTags.SEQUENCE);
        while (r.hasMore()) attributes.push(r.readString());
        r.leave();
        return attributes;
      }),
    decode: (value) =>
      decodeValue(name, value, (r) => {
        const op: SearchResultEntry = readSearchResultEntry(r);
        // copies: the entry outlives the PDU it came in
        const attributes = op.attributes.map((a) => ({ type: a.type, values: a.values.map(copyBytes) }));
        return new SearchEntry(op.objectName, attributes);
      }),
    encodeResponse: (entry) => encodeValue((w) => writeSearchResultEntry(w, { type: 'searchResEntry', objectName: entry.dn, attributes: entry.attributes })),
  });
}

/**
 * Pre-read (RFC 4527 section 3.1): on a modify, delete or modifyDN, the
 * target entry as it was before the update, with the attributes asked for
 * (`*`, `+` and names as in a search; an empty list means all user
 * attributes).
 *
 * ```asn1
 * -- request controlValue
 * AttributeSelection ::= SEQUENCE OF selector LDAPString
 * -- response controlValue
 * SearchResultEntry ::= [APPLICATION 4] SEQUENCE {
 *      objectName      LDAPDN,
 *      attributes      PartialAttributeList }
 * ```
 */
export const preRead = readEntryCodec(PRE_READ_OID, 'preRead');

/**
 * Post-read (RFC 4527 section 3.2): on an add, modify or modifyDN, the
 * entry as it is after the update. Same values as {@link preRead}.
 *
 * ```asn1
 * -- request controlValue
 * AttributeSelection ::= SEQUENCE OF selector LDAPString
 * -- response controlValue
 * SearchResultEntry ::= [APPLICATION 4] SEQUENCE {
 *      objectName      LDAPDN,
 *      attributes      PartialAttributeList }
 * ```
 */
export const postRead = readEntryCodec(POST_READ_OID, 'postRead');

/** A pre-read request control. */
export function preReadControl(attributes: readonly string[] = [], critical = false): Control {
  return { type: PRE_READ_OID, criticality: critical, value: preRead.encode(attributes) };
}

/** A post-read request control. */
export function postReadControl(attributes: readonly string[] = [], critical = false): Control {
  return { type: POST_READ_OID, criticality: critical, value: postRead.encode(attributes) };
}
