/**
 * Virtual List View (draft-ietf-ldapext-ldapv3-vlv-09): a window of a
 * sorted result set, by position or by value. It needs a server-side sort
 * request control on the same search.
 */
import { BerTags } from '@lber/ber';
import type { Control } from '../protocol/controls.js';
import { encodeError } from '../protocol/errors.js';
import { checkMaxInt, checkReadInt, copyBytes, decodeValue, encodeValue, invalidValue, toBuffer } from './ber.js';
import { defineControl } from './registry.js';

/** LDAP_CONTROL_VLVREQUEST */
export const VLV_REQUEST_OID = '2.16.840.1.113730.3.4.9';
/** LDAP_CONTROL_VLVRESPONSE */
export const VLV_RESPONSE_OID = '2.16.840.1.113730.3.4.10';

const TAG_BY_OFFSET = 0xa0; // [0] constructed
const TAG_GREATER_THAN_OR_EQUAL = 0x81; // [1] primitive

/** The target entry of a VLV request. */
export type VlvTarget =
  /** byOffset: the `offset`-th entry (1-based) of a list the client thinks holds `contentCount` entries (0: unknown). */
  | { byOffset: { offset: number; contentCount: number } }
  /** greaterThanOrEqual: the first entry whose sort key is at least this value. */
  | { greaterThanOrEqual: Buffer };

/** The VLV request value. */
export interface VlvRequest {
  /** Entries before the target to return. */
  beforeCount: number;
  /** Entries after the target to return. */
  afterCount: number;
  target: VlvTarget;
  /** contextID from the previous response, when there was one. */
  contextID?: Buffer | undefined;
}

/**
 * The VLV request control.
 *
 * ```asn1
 * VirtualListViewRequest ::= SEQUENCE {
 *         beforeCount    INTEGER (0..maxInt),
 *         afterCount     INTEGER (0..maxInt),
 *         target       CHOICE {
 *                        byOffset        [0] SEQUENCE {
 *                             offset          INTEGER (1 .. maxInt),
 *                             contentCount    INTEGER (0 .. maxInt) },
 *                        greaterThanOrEqual [1] AssertionValue },
 *         contextID     OCTET STRING OPTIONAL }
 * ```
 *
 * @see ldap_create_vlv_control_value
 */
export const vlvRequest = defineControl<VlvRequest>({
  oid: VLV_REQUEST_OID,
  name: 'vlvRequest',
  encode(value) {
    checkMaxInt('vlvRequest beforeCount', value.beforeCount);
    checkMaxInt('vlvRequest afterCount', value.afterCount);
    const target = value.target;
    if ('byOffset' in target) {
      // offset 0 is what libldap writes for "before the first"; the draft's range is 1..maxInt but servers accept 0
      checkMaxInt('vlvRequest offset', target.byOffset.offset);
      checkMaxInt('vlvRequest contentCount', target.byOffset.contentCount);
    } else if (!(target.greaterThanOrEqual instanceof Uint8Array)) {
      encodeError('vlvRequest: target must be byOffset or greaterThanOrEqual');
    }
    return encodeValue((w) => {
      w.startSequence();
      w.writeInt(value.beforeCount);
      w.writeInt(value.afterCount);
      if ('byOffset' in target) {
        w.startSequence(TAG_BY_OFFSET);
        w.writeInt(target.byOffset.offset);
        w.writeInt(target.byOffset.contentCount);
        w.endSequence();
      } else {
        w.writeOctetString(target.greaterThanOrEqual, TAG_GREATER_THAN_OR_EQUAL);
      }
      if (value.contextID !== undefined) w.writeOctetString(value.contextID);
      w.endSequence();
    });
  },
  decode: (value) =>
    decodeValue('vlvRequest', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const beforeCount = checkReadInt('vlvRequest', 'beforeCount', r.readInt(), r.offset);
      const afterCount = checkReadInt('vlvRequest', 'afterCount', r.readInt(), r.offset);
      let target: VlvTarget;
      const tag = r.peekTag();
      if (tag === TAG_BY_OFFSET) {
        r.enter(TAG_BY_OFFSET);
        const offset = checkReadInt('vlvRequest', 'offset', r.readInt(), r.offset);
        const contentCount = checkReadInt('vlvRequest', 'contentCount', r.readInt(), r.offset);
        r.leave();
        target = { byOffset: { offset, contentCount } };
      } else if (tag === TAG_GREATER_THAN_OR_EQUAL) {
        target = { greaterThanOrEqual: copyBytes(r.readOctetString(TAG_GREATER_THAN_OR_EQUAL)) };
      } else {
        return invalidValue('vlvRequest', `target tag 0x${tag.toString(16)} is neither byOffset [0] nor greaterThanOrEqual [1]`, r.offset);
      }
      const result: VlvRequest = { beforeCount, afterCount, target };
      if (r.hasMore()) result.contextID = copyBytes(r.readOctetString());
      r.leave();
      return result;
    }),
});

/** draft-ietf-ldapext-ldapv3-vlv-09 virtualListViewResult codes. */
export const VlvResultCode = {
  success: 0,
  operationsError: 1,
  timeLimitExceeded: 3,
  adminLimitExceeded: 11,
  inappropriateMatching: 18,
  insufficientAccessRights: 50,
  busy: 51,
  unwillingToPerform: 53,
  sortControlMissing: 60,
  offsetRangeError: 61,
  other: 80,
} as const;

/** The VLV response value. */
export interface VlvResponse {
  /** targetPosition: the target's position in the list (1-based). */
  targetPosition: number;
  /** contentCount: the server's count of the list. */
  contentCount: number;
  /** virtualListViewResult (see {@link VlvResultCode}). */
  virtualListViewResult: number;
  contextID?: Buffer | undefined;
}

/**
 * The VLV response control.
 *
 * ```asn1
 * VirtualListViewResponse ::= SEQUENCE {
 *         targetPosition    INTEGER (0 .. maxInt),
 *         contentCount     INTEGER (0 .. maxInt),
 *         virtualListViewResult ENUMERATED {
 *              success (0),
 *              operationsError (1),
 *              protocolError (3),
 *              unwillingToPerform (53),
 *              insufficientAccessRights (50),
 *              timeLimitExceeded (3),
 *              adminLimitExceeded (11),
 *              innapropriateMatching (18),
 *              sortControlMissing (60),
 *              offsetRangeError (61),
 *              other(80),
 *              ... },
 *         contextID     OCTET STRING OPTIONAL }
 * ```
 *
 * @see ldap_parse_vlvresponse_control
 */
export const vlvResponse = defineControl<VlvResponse>({
  oid: VLV_RESPONSE_OID,
  name: 'vlvResponse',
  encode(value) {
    checkMaxInt('vlvResponse targetPosition', value.targetPosition);
    checkMaxInt('vlvResponse contentCount', value.contentCount);
    return encodeValue((w) => {
      w.startSequence();
      w.writeInt(value.targetPosition);
      w.writeInt(value.contentCount);
      w.writeEnum(value.virtualListViewResult);
      if (value.contextID !== undefined) w.writeOctetString(value.contextID);
      w.endSequence();
    });
  },
  decode: (value) =>
    decodeValue('vlvResponse', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const targetPosition = checkReadInt('vlvResponse', 'targetPosition', r.readInt(), r.offset);
      const contentCount = checkReadInt('vlvResponse', 'contentCount', r.readInt(), r.offset);
      const result: VlvResponse = { targetPosition, contentCount, virtualListViewResult: r.readEnum() };
      if (r.hasMore()) result.contextID = copyBytes(r.readOctetString());
      r.leave();
      return result;
    }),
});

/** A VLV request control (`greaterThanOrEqual` may be given as a string). */
export function vlvRequestControl(
  request: Omit<VlvRequest, 'target'> & { target: VlvTarget | { greaterThanOrEqual: string | Uint8Array } },
  critical = false,
): Control {
  const t = request.target;
  const target: VlvTarget = 'byOffset' in t ? t : { greaterThanOrEqual: toBuffer(t.greaterThanOrEqual) };
  return { type: VLV_REQUEST_OID, criticality: critical, value: vlvRequest.encode({ ...request, target }) };
}
