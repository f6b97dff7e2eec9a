/**
 * Password Modify (RFC 3062): change (or have the server generate) a
 * user's password.
 */
import { BerTags } from '@lber/ber';
import type { ExtendedOptions } from '../client/ops/extended.js';
import { copyBytes, decodeValue, encodeValue, invalidValue, toBuffer } from '../controls/ber.js';
import { defineExtendedOperation, runExtended, type ExtendedClient, type ExtendedOperationResult } from './operation.js';

/** LDAP_EXOP_MODIFY_PASSWD */
export const PASSWORD_MODIFY_OID = '1.3.6.1.4.1.4203.1.11.1';

/** The request: every field optional. */
export interface PasswordModifyRequest {
  /** userIdentity: whose password (a DN for slapd); the bound user when absent. */
  userIdentity?: string | Uint8Array | undefined;
  /** oldPasswd: the current password. */
  oldPassword?: string | Uint8Array | undefined;
  /** newPasswd: the new password; absent asks the server to generate one. */
  newPassword?: string | Uint8Array | undefined;
}

/** The response. */
export interface PasswordModifyResponse {
  /** genPasswd: the password the server generated, when it did. */
  genPassword?: Buffer | undefined;
}

const TAG_USER_IDENTITY = 0x80;
const TAG_OLD_PASSWD = 0x81;
const TAG_NEW_PASSWD = 0x82;
const TAG_GEN_PASSWD = 0x80;

/**
 * Password Modify.
 *
 * ```asn1
 * PasswdModifyRequestValue ::= SEQUENCE {
 *   userIdentity    [0]  OCTET STRING OPTIONAL
 *   oldPasswd       [1]  OCTET STRING OPTIONAL
 *   newPasswd       [2]  OCTET STRING OPTIONAL }
 *
 * PasswdModifyResponseValue ::= SEQUENCE {
 *   genPasswd       [0]     OCTET STRING OPTIONAL }
 * ```
 *
 * The request value is always sent (an empty SEQUENCE when every field is
 * absent), as libldap does.
 *
 * @see ldap_passwd
 * @see ldap_parse_passwd
 */
export const passwordModifyOperation = defineExtendedOperation<PasswordModifyRequest, PasswordModifyResponse>({
  oid: PASSWORD_MODIFY_OID,
  name: 'passwordModify',
  encode: (request) =>
    encodeValue((w) => {
      w.startSequence();
      if (request.userIdentity !== undefined) w.writeOctetString(toBuffer(request.userIdentity), TAG_USER_IDENTITY);
      if (request.oldPassword !== undefined) w.writeOctetString(toBuffer(request.oldPassword), TAG_OLD_PASSWD);
      if (request.newPassword !== undefined) w.writeOctetString(toBuffer(request.newPassword), TAG_NEW_PASSWD);
      w.endSequence();
    }),
  decodeRequest: (value) =>
    decodeValue('passwordModify request', value, (r) => {
      const request: PasswordModifyRequest = {};
      r.enter(BerTags.SEQUENCE);
      if (r.peekTag() === TAG_USER_IDENTITY) request.userIdentity = copyBytes(r.readOctetString(TAG_USER_IDENTITY));
      if (r.peekTag() === TAG_OLD_PASSWD) request.oldPassword = copyBytes(r.readOctetString(TAG_OLD_PASSWD));
      if (r.peekTag() === TAG_NEW_PASSWD) request.newPassword = copyBytes(r.readOctetString(TAG_NEW_PASSWD));
      if (r.hasMore()) invalidValue('passwordModify request', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
      r.leave();
      return request;
    }),
  decode({ responseValue }) {
    if (responseValue === undefined) return {};
    return decodeValue('passwordModify response', responseValue, (r) => {
      const response: PasswordModifyResponse = {};
      r.enter(BerTags.SEQUENCE);
      if (r.peekTag() === TAG_GEN_PASSWD) response.genPassword = copyBytes(r.readOctetString(TAG_GEN_PASSWD));
      if (r.hasMore()) invalidValue('passwordModify response', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
      r.leave();
      return response;
    });
  },
  encodeResponse(response) {
    if (response.genPassword === undefined) return {};
    const gen = response.genPassword;
    return {
      responseValue: encodeValue((w) => {
        w.startSequence();
        w.writeOctetString(gen, TAG_GEN_PASSWD);
        w.endSequence();
      }),
    };
  },
});

/**
 * Changes a password; without `newPassword` the server generates one and
 * the result's `value.genPassword` holds it.
 *
 * @see ldap_passwd_s
 */
export function passwordModify(client: ExtendedClient, request: PasswordModifyRequest = {}, options?: ExtendedOptions): Promise<ExtendedOperationResult<PasswordModifyResponse>> {
  return runExtended(client, passwordModifyOperation, request, options);
}
