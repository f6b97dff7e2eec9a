/**
 * Request controls that change how the server checks an operation:
 * proxied authorization v2 (RFC 4370) and assertion (RFC 4528).
 */
import type { Control } from '../protocol/controls.js';
import { filterFromBer, filterToBer, type Filter } from '../filter.js';
import { LdapFilterError } from '../errors.js';
import { LdapProtocolError } from '../protocol/errors.js';
import { invalidValue } from './ber.js';
import { defineControl } from './registry.js';

/** LDAP_CONTROL_PROXY_AUTHZ */
export const PROXIED_AUTHZ_OID = '2.16.840.1.113730.3.4.18';
/** LDAP_CONTROL_ASSERT */
export const ASSERTION_OID = '1.3.6.1.1.12';

/**
 * Proxied Authorization v2 (RFC 4370 section 3): the operation runs with
 * the authorization identity `authzId` (`dn:...`, `u:...`, or empty for
 * anonymous). The value is the authzId itself, not BER-wrapped; the
 * criticality "MUST be TRUE".
 *
 * ```asn1
 * -- controlValue: authzId (RFC 4513 section 5.2.1.8), or empty
 * authzId    = dnAuthzId / uAuthzId
 * dnAuthzId  = "dn:" distinguishedName
 * uAuthzId   = "u:" userid
 * ```
 */
export const proxiedAuthorization = defineControl<string>({
  oid: PROXIED_AUTHZ_OID,
  name: 'proxiedAuthorization',
  mustBeCritical: true,
  encode: (authzId) => Buffer.from(authzId, 'utf8'),
  decode: (value) => (value === undefined ? invalidValue('proxiedAuthorization', 'the control has no value') : value.toString('utf8')),
});

/** A proxied authorization control (critical, as RFC 4370 requires). */
export function proxiedAuthorizationControl(authzId: string): Control {
  return { type: PROXIED_AUTHZ_OID, criticality: true, value: Buffer.from(authzId, 'utf8') };
}

/**
 * Assertion (RFC 4528 section 3): the operation is performed only when the
 * target entry matches the filter; otherwise it fails with
 * assertionFailed (122). The value is a BER Filter.
 *
 * ```asn1
 * -- controlValue: an encoded Filter (RFC 4511 section 4.5.1)
 * Filter ::= CHOICE {
 *      and             [0] SET SIZE (1..MAX) OF filter Filter,
 *      or              [1] SET SIZE (1..MAX) OF filter Filter,
 *      not             [2] Filter,
 *      equalityMatch   [3] AttributeValueAssertion,
 *      substrings      [4] SubstringFilter,
 *      greaterOrEqual  [5] AttributeValueAssertion,
 *      lessOrEqual     [6] AttributeValueAssertion,
 *      present         [7] AttributeDescription,
 *      approxMatch     [8] AttributeValueAssertion,
 *      extensibleMatch [9] MatchingRuleAssertion,
 *      ...  }
 * ```
 *
 * @see ldap_create_assertion_control_value
 */
export const assertion = defineControl<Filter>({
  oid: ASSERTION_OID,
  name: 'assertion',
  encode: (filter) => filterToBer(filter),
  decode(value) {
    if (value === undefined) invalidValue('assertion', 'the control has no value');
    try {
      return filterFromBer(value);
    } catch (error) {
      if (error instanceof LdapFilterError) throw new LdapProtocolError(`assertion: ${error.reason}`, error.position, { cause: error });
      throw error;
    }
  },
});

/** An assertion control from a filter string or tree (critical by default, as ldapmodify -e !assert= sends it). */
export function assertionControl(filter: string | Filter, critical = true): Control {
  return { type: ASSERTION_OID, criticality: critical, value: filterToBer(filter) };
}
