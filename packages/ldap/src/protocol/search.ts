/**
 * Search (RFC 4511 section 4.5): the SearchRequest and the three responses,
 * SearchResultEntry, SearchResultReference and SearchResultDone. Decoding
 * entries is the client's hot path: one object per entry and per
 * attribute, one Buffer view per value, nothing else.
 */
import { BerTags, type BerReader, type BerWriter } from '@lber/ber';
import { writeAttribute, type PartialAttribute, type AttributeInput } from './attribute.js';
import { encodeError } from './errors.js';
import { readResultOp, readUris, writeResultOp, type LdapResult } from './result.js';
import { LDAP_MAX_INT, LdapOp } from './tags.js';

/** SearchRequest scope (LDAP_SCOPE_*); subordinateSubtree is draft-sermersheim-ldap-subordinate-scope. */
export const SearchScope = {
  baseObject: 0,
  singleLevel: 1,
  wholeSubtree: 2,
  subordinateSubtree: 3,
} as const;

/** SearchRequest derefAliases (LDAP_DEREF_*). */
export const DerefAliases = {
  neverDerefAliases: 0,
  derefInSearching: 1,
  derefFindingBaseObj: 2,
  derefAlways: 3,
} as const;

/**
 * Writes one complete, encoded Filter element. filter.ts provides these
 * for parsed filters; a Uint8Array holding an encoded Filter works too.
 */
export type FilterWriter = (w: BerWriter) => void;

/**
 * ```asn1
 * SearchRequest ::= [APPLICATION 3] SEQUENCE {
 *      baseObject      LDAPDN,
 *      scope           ENUMERATED {
 *           baseObject              (0),
 *           singleLevel             (1),
 *           wholeSubtree            (2),
 *           ...  },
 *      derefAliases    ENUMERATED {
 *           neverDerefAliases       (0),
 *           derefInSearching        (1),
 *           derefFindingBaseObj     (2),
 *           derefAlways             (3) },
 *      sizeLimit       INTEGER (0 ..  maxInt),
 *      timeLimit       INTEGER (0 ..  maxInt),
 *      typesOnly       BOOLEAN,
 *      filter          Filter,
 *      attributes      AttributeSelection }
 *
 * AttributeSelection ::= SEQUENCE OF selector LDAPString
 * ```
 */
export interface SearchRequest {
  type: 'searchRequest';
  baseObject: string;
  /** One of {@link SearchScope}. */
  scope: number;
  /** One of {@link DerefAliases} (default neverDerefAliases). */
  derefAliases?: number;
  /** Most entries to return, 0 for no limit (default 0). */
  sizeLimit?: number;
  /** Most seconds to search, 0 for no limit (default 0). */
  timeLimit?: number;
  /** Return attribute descriptions only, no values (default false). */
  typesOnly?: boolean;
  /** The Filter: a writer of the encoded element, or its bytes (decoded requests give a view). */
  filter: FilterWriter | Uint8Array;
  /** Attribute selectors (default none: all user attributes). */
  attributes?: readonly string[];
}

/**
 * ```asn1
 * SearchResultEntry ::= [APPLICATION 4] SEQUENCE {
 *      objectName      LDAPDN,
 *      attributes      PartialAttributeList }
 *
 * PartialAttributeList ::= SEQUENCE OF
 *                      partialAttribute PartialAttribute
 * ```
 */
export interface SearchResultEntry {
  type: 'searchResEntry';
  objectName: string;
  /** Values are views into the PDU: never text-decoded here (see valuesToStrings). */
  attributes: PartialAttribute[];
}

/** A SearchResultEntry to encode (values may be strings). */
export interface SearchResultEntryInput {
  type: 'searchResEntry';
  objectName: string;
  attributes: readonly AttributeInput[];
}

/**
 * ```asn1
 * SearchResultReference ::= [APPLICATION 19] SEQUENCE
 *                           SIZE (1..MAX) OF uri URI
 * ```
 */
export interface SearchResultReference {
  type: 'searchResRef';
  uris: string[];
}

/**
 * ```asn1
 * SearchResultDone ::= [APPLICATION 5] LDAPResult
 * ```
 */
export interface SearchResultDone extends LdapResult {
  type: 'searchResDone';
}

function checkLimit(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > LDAP_MAX_INT) encodeError(`${name} ${value} is not in 0..maxInt`);
  return value;
}

function checkEnum(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > LDAP_MAX_INT) encodeError(`${name} ${value} is not a valid ENUMERATED value`);
  return value;
}

/**
 * Writes a SearchRequest protocolOp, as libldap's `{seeiib` + filter +
 * `{v}N}`.
 *
 * @see ldap_build_search_req
 */
export function writeSearchRequest(w: BerWriter, op: SearchRequest): void {
  w.startSequence(LdapOp.searchRequest);
  w.writeString(op.baseObject);
  w.writeEnum(checkEnum('scope', op.scope));
  w.writeEnum(checkEnum('derefAliases', op.derefAliases ?? DerefAliases.neverDerefAliases));
  w.writeInt(checkLimit('sizeLimit', op.sizeLimit ?? 0));
  w.writeInt(checkLimit('timeLimit', op.timeLimit ?? 0));
  w.writeBoolean(op.typesOnly ?? false);
  const filter = op.filter;
  if (typeof filter === 'function') {
    const before = w.offset;
    const depth = w.depth;
    filter(w);
    if (w.depth !== depth || w.offset === before) encodeError('the filter writer must write one complete element');
  } else {
    if (filter.length < 2) encodeError('an encoded filter must be one complete element');
    w.writeRaw(filter);
  }
  w.startSequence();
  const attributes = op.attributes;
  if (attributes !== undefined) for (const attribute of attributes) w.writeString(attribute);
  w.endSequence();
  w.endSequence();
}

/** Reads a SearchRequest protocolOp; the filter comes back as a view of its encoded element. */
export function readSearchRequest(r: BerReader): SearchRequest {
  r.enter(LdapOp.searchRequest);
  const baseObject = r.readString();
  const scope = r.readEnum();
  const derefAliases = r.readEnum();
  const sizeLimit = r.readInt();
  const timeLimit = r.readInt();
  const typesOnly = r.readBoolean();
  const filter = r.readRaw();
  const attributes: string[] = [];
  r.enter(BerTags.SEQUENCE);
  while (r.hasMore()) attributes.push(r.readString());
  r.leave();
  r.leave();
  return { type: 'searchRequest', baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly, filter, attributes };
}

/** Writes a SearchResultEntry protocolOp. */
export function writeSearchResultEntry(w: BerWriter, op: SearchResultEntryInput | SearchResultEntry): void {
  w.startSequence(LdapOp.searchResEntry);
  w.writeString(op.objectName);
  w.startSequence();
  for (const attribute of op.attributes) writeAttribute(w, attribute);
  w.endSequence();
  w.endSequence();
}

/**
 * Reads a SearchResultEntry protocolOp: the hot path. Attribute values are
 * `subarray` views into the PDU, in arrays sized exactly; attribute
 * descriptions come from the reader's intern cache when they repeat.
 */
export function readSearchResultEntry(r: BerReader): SearchResultEntry {
  r.enter(LdapOp.searchResEntry);
  const objectName = r.readString();
  const attributes: PartialAttribute[] = [];
  r.enter(BerTags.SEQUENCE);
  while (r.hasMore()) {
    r.enter(BerTags.SEQUENCE);
    // attribute descriptions repeat from entry to entry: interned in the reader
    const type = r.readInternedString();
    const values = r.readOctetStringList(BerTags.SET);
    r.leave();
    attributes.push({ type, values });
  }
  r.leave();
  r.leave();
  return { type: 'searchResEntry', objectName, attributes };
}

/** Writes a SearchResultReference protocolOp. */
export function writeSearchResultReference(w: BerWriter, op: SearchResultReference): void {
  w.startSequence(LdapOp.searchResRef);
  for (const uri of op.uris) w.writeString(uri);
  w.endSequence();
}

/** Reads a SearchResultReference protocolOp. */
export function readSearchResultReference(r: BerReader): SearchResultReference {
  r.enter(LdapOp.searchResRef);
  const uris = readUris(r);
  r.leave();
  return { type: 'searchResRef', uris };
}

/** Writes a SearchResultDone protocolOp. */
export function writeSearchResultDone(w: BerWriter, op: SearchResultDone): void {
  writeResultOp(w, LdapOp.searchResDone, op);
}

/** Reads a SearchResultDone protocolOp. */
export function readSearchResultDone(r: BerReader): SearchResultDone {
  return readResultOp(r, LdapOp.searchResDone, 'searchResDone');
}
