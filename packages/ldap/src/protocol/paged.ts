/**
 * The Simple Paged Results control (RFC 2696), the one control codec the
 * search loop needs before the control registry exists.
 */
import { BerReader, BerTags, BerWriter, BerError } from '@lber/ber';
import type { Control } from './controls.js';
import { decodeError, encodeError } from './errors.js';
import { LDAP_MAX_INT } from './tags.js';

/** The control's OID (LDAP_CONTROL_PAGEDRESULTS). */
export const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/**
 * The control value, the same on the request (size asked for, cookie from
 * the previous page, empty on the first) and on the response (the
 * server's estimate of the total, 0 when unknown; the cookie for the next
 * page, empty on the last).
 *
 * ```asn1
 * realSearchControlValue ::= SEQUENCE {
 *         size            INTEGER (0..maxInt),
 *                                 -- requested page size from client
 *                                 -- result set size estimate from server
 *         cookie          OCTET STRING }
 * ```
 */
export interface PagedResultsValue {
  size: number;
  cookie: Buffer;
}

const EMPTY_COOKIE = Buffer.alloc(0);

/**
 * Encodes the control value, as libldap's `{iO}` (an absent cookie is
 * empty).
 *
 * @see ldap_create_page_control_value
 */
export function encodePagedResultsValue(size: number, cookie: Uint8Array = EMPTY_COOKIE): Buffer {
  if (!Number.isInteger(size) || size < 0 || size > LDAP_MAX_INT) encodeError(`page size ${size} is not in 0..maxInt`);
  const w = new BerWriter({ initialSize: 16 + cookie.length });
  w.startSequence();
  w.writeInt(size);
  w.writeOctetString(cookie);
  w.endSequence();
  return w.toBuffer();
}

/**
 * Decodes the control value; the cookie is a view into `value`. A
 * malformed value gives an LdapProtocolError DECODE_ERROR.
 *
 * @see ldap_parse_pageresponse_control
 */
export function decodePagedResultsValue(value: Uint8Array): PagedResultsValue {
  const r = new BerReader({ maxDepth: 1 }).reset(value);
  try {
    r.enter(BerTags.SEQUENCE);
    const size = r.readInt();
    const cookie = r.readOctetString();
    r.leave();
    if (r.offset !== value.length) decodeError('trailing bytes after the paged results value', r.offset);
    return { size, cookie };
  } catch (error) {
    if (error instanceof BerError) decodeError(`malformed paged results value: ${error.message}`, error.offset, error);
    throw error;
  }
}

/**
 * The request control (not critical by default, as ldapsearch sends it
 * unless `-E !pr=`).
 *
 * @see ldap_create_page_control
 */
export function pagedResultsControl(size: number, cookie?: Uint8Array, criticality = false): Control {
  return { type: PAGED_RESULTS_OID, criticality, value: encodePagedResultsValue(size, cookie) };
}

/**
 * The paged results value among response controls, or undefined when the
 * server sent none.
 */
export function findPagedResults(controls: readonly Control[]): PagedResultsValue | undefined {
  for (const control of controls) {
    if (control.type === PAGED_RESULTS_OID) {
      if (control.value === undefined) decodeError('paged results control without a value', -1);
      return decodePagedResultsValue(control.value);
    }
  }
  return undefined;
}
