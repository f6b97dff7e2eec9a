/**
 * "Who am I?" (RFC 4532): the authorization identity the server associates
 * with the connection.
 */
import type { ExtendedOptions } from '../client/ops/extended.js';
import { LdapProtocolError } from '../protocol/errors.js';
import { defineExtendedOperation, runExtended, type ExtendedClient } from './operation.js';

/** LDAP_EXOP_WHO_AM_I */
export const WHO_AM_I_OID = '1.3.6.1.4.1.4203.1.11.3';

/**
 * WhoAmI. The request has no value; the response value is the authzId
 * (empty for anonymous).
 *
 * ```asn1
 * -- ExtendedRequest:  requestName 1.3.6.1.4.1.4203.1.11.3, no requestValue
 * -- ExtendedResponse: no responseName; responseValue authzId
 * authzId    = dnAuthzId / uAuthzId     -- "dn:..." or "u:..."
 * ```
 *
 * @see ldap_whoami_s
 */
export const whoAmIOperation = defineExtendedOperation<undefined, string>({
  oid: WHO_AM_I_OID,
  name: 'whoAmI',
  encode: () => undefined,
  decode: ({ responseValue }) => responseValue?.toString('utf8') ?? '',
  decodeRequest(value) {
    if (value !== undefined) throw new LdapProtocolError('whoAmI: the request has no value', -1);
    return undefined;
  },
  encodeResponse: (authzId) => ({ responseValue: Buffer.from(authzId, 'utf8') }),
});

/** The authzId the server has for this connection (`dn:...`, `u:...`, or '' when anonymous). @see ldap_whoami_s */
export async function whoAmI(client: ExtendedClient, options?: ExtendedOptions): Promise<string> {
  return (await runExtended(client, whoAmIOperation, undefined, options)).value;
}
