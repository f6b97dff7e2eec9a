/**
 * Server-side sorting of search results (RFC 2891): the request control
 * lists the sort keys, the response control says whether the server sorted.
 */
import { BerTags } from '@lber/ber';
import type { Control } from '../protocol/controls.js';
import { encodeError } from '../protocol/errors.js';
import { decodeValue, encodeValue, invalidValue } from './ber.js';
import { defineControl } from './registry.js';

/** LDAP_CONTROL_SORTREQUEST */
export const SORT_REQUEST_OID = '1.2.840.113556.1.4.473';
/** LDAP_CONTROL_SORTRESPONSE */
export const SORT_RESPONSE_OID = '1.2.840.113556.1.4.474';

/** One sort key. */
export interface SortKey {
  /** attributeType: the attribute description to sort on. */
  attributeType: string;
  /** orderingRule: a matching rule OID or name (the attribute's ORDERING rule when absent). */
  orderingRule?: string | undefined;
  /** reverseOrder: descending (default false). */
  reverseOrder?: boolean | undefined;
}

const TAG_ORDERING_RULE = 0x80; // [0] primitive
const TAG_REVERSE_ORDER = 0x81; // [1] primitive
const TAG_ATTRIBUTE_TYPE = 0x80; // [0] primitive, in SortResult

/**
 * The sort request control (1.2.840.113556.1.4.473).
 *
 * ```asn1
 * SortKeyList ::= SEQUENCE OF SEQUENCE {
 *            attributeType   AttributeDescription,
 *            orderingRule    [0] MatchingRuleId OPTIONAL,
 *            reverseOrder    [1] BOOLEAN DEFAULT FALSE }
 * ```
 *
 * `reverseOrder` FALSE is left out (DEFAULT), as libldap does.
 *
 * @see ldap_create_sort_control_value
 */
export const sortRequest = defineControl<readonly SortKey[]>({
  oid: SORT_REQUEST_OID,
  name: 'sortRequest',
  encode(keys) {
    if (keys.length === 0) encodeError('sortRequest: at least one sort key is needed');
    return encodeValue((w) => {
      w.startSequence();
      for (const key of keys) {
        if (key.attributeType === '') encodeError('sortRequest: empty attributeType');
        w.startSequence();
        w.writeString(key.attributeType);
        if (key.orderingRule !== undefined) w.writeString(key.orderingRule, TAG_ORDERING_RULE);
        if (key.reverseOrder === true) w.writeBoolean(true, TAG_REVERSE_ORDER);
        w.endSequence();
      }
      w.endSequence();
    });
  },
  decode: (value) =>
    decodeValue('sortRequest', value, (r) => {
      const keys: SortKey[] = [];
      r.enter(BerTags.SEQUENCE);
      while (r.hasMore()) {
        r.enter(BerTags.SEQUENCE);
        const key: SortKey = { attributeType: r.readString() };
        if (r.peekTag() === TAG_ORDERING_RULE) key.orderingRule = r.readString(TAG_ORDERING_RULE);
        key.reverseOrder = r.peekTag() === TAG_REVERSE_ORDER ? r.readBoolean(TAG_REVERSE_ORDER) : false;
        if (r.hasMore()) invalidValue('sortRequest', `unexpected tag 0x${r.peekTag().toString(16)} in a sort key`, r.offset);
        r.leave();
        keys.push(key);
      }
      r.leave();
      return keys;
    }),
});

/** RFC 2891 sortResult codes. */
export const SortResultCode = {
  success: 0,
  operationsError: 1,
  timeLimitExceeded: 3,
  strongAuthRequired: 8,
  adminLimitExceeded: 11,
  noSuchAttribute: 16,
  inappropriateMatching: 18,
  insufficientAccessRights: 50,
  busy: 51,
  unwillingToPerform: 53,
  other: 80,
} as const;

/** The sort response value. */
export interface SortResult {
  /** sortResult (see {@link SortResultCode}; 0 is success). */
  sortResult: number;
  /** attributeType: the key that failed, when the server names it. */
  attributeType?: string | undefined;
}

/**
 * The sort response control (1.2.840.113556.1.4.474).
 *
 * ```asn1
 * SortResult ::= SEQUENCE {
 *    sortResult  ENUMERATED {
 *        success                   (0), -- results are sorted
 *        operationsError           (1), -- server internal failure
 *        timeLimitExceeded         (3), -- timelimit reached before
 *                                       -- sorting was completed
 *        strongAuthRequired        (8), -- refused to return sorted
 *                                       -- results via insecure
 *                                       -- protocol
 *        adminLimitExceeded       (11), -- too many matching entries
 *                                       -- for the server to sort
 *        noSuchAttribute          (16), -- unrecognized attribute
 *                                       -- type in sort key
 *        inappropriateMatching    (18), -- unrecognized or
 *                                       -- inappropriate matching
 *                                       -- rule in sort key
 *        insufficientAccessRights (50), -- refused to return sorted
 *                                       -- results to this client
 *        busy                     (51), -- too busy to process
 *        unwillingToPerform       (53), -- unable to sort
 *        other                    (80)
 *        },
 *  attributeType [0] AttributeDescription OPTIONAL }
 * ```
 *
 * @see ldap_parse_sortresponse_control
 */
export const sortResponse = defineControl<SortResult>({
  oid: SORT_RESPONSE_OID,
  name: 'sortResponse',
  encode: (value) =>
    encodeValue((w) => {
      w.startSequence();
      w.writeEnum(value.sortResult);
      if (value.attributeType !== undefined) w.writeString(value.attributeType, TAG_ATTRIBUTE_TYPE);
      w.endSequence();
    }),
  decode: (value) =>
    decodeValue('sortResponse', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const result: SortResult = { sortResult: r.readEnum() };
      if (r.peekTag() === TAG_ATTRIBUTE_TYPE) result.attributeType = r.readString(TAG_ATTRIBUTE_TYPE);
      if (r.hasMore()) invalidValue('sortResponse', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
      r.leave();
      return result;
    }),
});

/**
 * A sort request control: keys as objects or as ldapsearch's `-E sss=`
 * strings (`cn`, `-cn` for reverse, `cn:caseIgnoreOrderingMatch`).
 *
 * @see ldap_create_sort_control
 */
export function sortRequestControl(keys: readonly (SortKey | string)[], critical = false): Control {
  const parsed = keys.map((k) => (typeof k === 'string' ? parseSortKey(k) : k));
  return { type: SORT_REQUEST_OID, criticality: critical, value: sortRequest.encode(parsed) };
}

/** Parses `[-]attribute[:orderingRule]`. @see ldap_create_sort_keylist */
export function parseSortKey(spec: string): SortKey {
  const reverseOrder = spec.startsWith('-');
  const rest = reverseOrder ? spec.slice(1) : spec;
  const colon = rest.indexOf(':');
  const attributeType = colon < 0 ? rest : rest.slice(0, colon);
  if (attributeType === '' || (colon >= 0 && colon === rest.length - 1)) encodeError(`sort key ${JSON.stringify(spec)}: expected [-]attribute[:orderingRule]`);
  return colon < 0 ? { attributeType, reverseOrder } : { attributeType, orderingRule: rest.slice(colon + 1), reverseOrder };
}
