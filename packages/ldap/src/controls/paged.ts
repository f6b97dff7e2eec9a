/**
 * Simple Paged Results (RFC 2696) in the registry, on the codec of
 * protocol/paged.ts (which the client's search loop uses directly).
 */
import { PAGED_RESULTS_OID, decodePagedResultsValue, encodePagedResultsValue, type PagedResultsValue } from '../protocol/paged.js';
import { invalidValue } from './ber.js';
import { defineControl } from './registry.js';

/**
 * The paged results control, the same value both ways: the page size
 * asked for (request) or the server's estimate of the total (response),
 * and the cookie (empty on the first request and on the last page).
 *
 * ```asn1
 * realSearchControlValue ::= SEQUENCE {
 *         size            INTEGER (0..maxInt),
 *                                 -- requested page size from client
 *                                 -- result set size estimate from server
 *         cookie          OCTET STRING }
 * ```
 *
 * @see ldap_create_page_control_value
 * @see ldap_parse_pageresponse_control
 */
export const pagedResults = defineControl<PagedResultsValue>({
  oid: PAGED_RESULTS_OID,
  name: 'pagedResults',
  encode: (value) => encodePagedResultsValue(value.size, value.cookie),
  decode: (value) => (value === undefined ? invalidValue('pagedResults', 'the control has no value') : decodePagedResultsValue(value)),
});
