/**
 * Password policy (draft-behera-ldap-password-policy-10): the request
 * control (no value) asks the server to say, on a bind, modify or password
 * change, why it failed or what the user should know (grace binds left,
 * time before expiry).
 */
import { BerTags } from '@lber/ber';
import type { Control } from '../protocol/controls.js';
import { encodeError } from '../protocol/errors.js';
import { checkMaxInt, checkReadInt, decodeValue, encodeValue, invalidValue } from './ber.js';
import { defineControl } from './registry.js';

/** LDAP_CONTROL_PASSWORDPOLICYREQUEST / RESPONSE (one OID both ways). */
export const PASSWORD_POLICY_OID = '1.3.6.1.4.1.42.2.27.8.5.1';

/** The error enumeration, by name (libldap's PP_*). */
export const PasswordPolicyError = {
  passwordExpired: 0,
  accountLocked: 1,
  changeAfterReset: 2,
  passwordModNotAllowed: 3,
  mustSupplyOldPassword: 4,
  insufficientPasswordQuality: 5,
  passwordTooShort: 6,
  passwordTooYoung: 7,
  passwordInHistory: 8,
} as const;

export type PasswordPolicyErrorName = keyof typeof PasswordPolicyError;

const ERROR_NAMES = Object.keys(PasswordPolicyError) as PasswordPolicyErrorName[];

/** The decoded response. */
export interface PasswordPolicyResponse {
  /** timeBeforeExpiration: seconds until the password expires. */
  timeBeforeExpiration?: number | undefined;
  /** graceAuthNsRemaining: binds left with the expired password. */
  graceAuthNsRemaining?: number | undefined;
  /** error, by name. */
  error?: PasswordPolicyErrorName | undefined;
  /** error, as the number sent (also for numbers outside the enumeration, when `error` is undefined). */
  errorCode?: number | undefined;
}

const TAG_WARNING = 0xa0; // [0] constructed (explicit: a CHOICE)
const TAG_ERROR = 0x81; // [1] primitive ENUMERATED
const TAG_TIME_BEFORE_EXPIRATION = 0x80; // [0] primitive INTEGER
const TAG_GRACE_AUTHNS_REMAINING = 0x81; // [1] primitive INTEGER

/**
 * The password policy control. The request has no value; the response:
 *
 * ```asn1
 * PasswordPolicyResponseValue ::= SEQUENCE {
 *    warning [0] CHOICE {
 *       timeBeforeExpiration [0] INTEGER (0 .. maxInt),
 *       graceAuthNsRemaining [1] INTEGER (0 .. maxInt) } OPTIONAL,
 *    error   [1] ENUMERATED {
 *       passwordExpired             (0),
 *       accountLocked               (1),
 *       changeAfterReset            (2),
 *       passwordModNotAllowed       (3),
 *       mustSupplyOldPassword       (4),
 *       insufficientPasswordQuality (5),
 *       passwordTooShort            (6),
 *       passwordTooYoung            (7),
 *       passwordInHistory           (8) } OPTIONAL }
 * ```
 *
 * @see ldap_create_passwordpolicy_control
 * @see ldap_parse_passwordpolicy_control
 */
export const passwordPolicy = defineControl<undefined, PasswordPolicyResponse>({
  oid: PASSWORD_POLICY_OID,
  name: 'passwordPolicy',
  encode: () => undefined,
  decodeRequest(value) {
    if (value !== undefined) invalidValue('passwordPolicy', `the request control has no value, but ${value.length} bytes came`);
    return undefined;
  },
  encodeResponse(value) {
    if (value.timeBeforeExpiration !== undefined && value.graceAuthNsRemaining !== undefined) {
      encodeError('passwordPolicy: the warning is one of timeBeforeExpiration and graceAuthNsRemaining, not both');
    }
    const code = value.errorCode ?? (value.error === undefined ? undefined : PasswordPolicyError[value.error]);
    return encodeValue((w) => {
      w.startSequence();
      if (value.timeBeforeExpiration !== undefined) {
        checkMaxInt('timeBeforeExpiration', value.timeBeforeExpiration);
        w.startSequence(TAG_WARNING);
        w.writeInt(value.timeBeforeExpiration, TAG_TIME_BEFORE_EXPIRATION);
        w.endSequence();
      } else if (value.graceAuthNsRemaining !== undefined) {
        checkMaxInt('graceAuthNsRemaining', value.graceAuthNsRemaining);
        w.startSequence(TAG_WARNING);
        w.writeInt(value.graceAuthNsRemaining, TAG_GRACE_AUTHNS_REMAINING);
        w.endSequence();
      }
      if (code !== undefined) w.writeEnum(code, TAG_ERROR);
      w.endSequence();
    });
  },
  decode: (value) =>
    decodeValue('passwordPolicy', value, (r) => {
      const result: PasswordPolicyResponse = {};
      r.enter(BerTags.SEQUENCE);
      if (r.peekTag() === TAG_WARNING) {
        r.enter(TAG_WARNING);
        const tag = r.peekTag();
        if (tag === TAG_TIME_BEFORE_EXPIRATION) {
          result.timeBeforeExpiration = checkReadInt('passwordPolicy', 'timeBeforeExpiration', r.readInt(TAG_TIME_BEFORE_EXPIRATION), r.offset);
        } else if (tag === TAG_GRACE_AUTHNS_REMAINING) {
          result.graceAuthNsRemaining = checkReadInt('passwordPolicy', 'graceAuthNsRemaining', r.readInt(TAG_GRACE_AUTHNS_REMAINING), r.offset);
        } else {
          invalidValue('passwordPolicy', `warning tag 0x${tag.toString(16)} is neither [0] nor [1]`, r.offset);
        }
        if (r.hasMore()) invalidValue('passwordPolicy', 'more than one warning', r.offset);
        r.leave();
      }
      if (r.peekTag() === TAG_ERROR) {
        const code = r.readEnum(TAG_ERROR);
        result.errorCode = code;
        result.error = ERROR_NAMES[code];
      }
      if (r.hasMore()) invalidValue('passwordPolicy', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
      r.leave();
      return result;
    }),
});

/** The password policy request control (not critical: servers without the overlay then simply ignore it). */
export function passwordPolicyControl(critical = false): Control {
  return { type: PASSWORD_POLICY_OID, criticality: critical };
}

/** LDAP_CONTROL_X_PASSWORD_EXPIRED (Netscape): the password has expired and must be changed. */
export const PASSWORD_EXPIRED_OID = '2.16.840.1.113730.3.4.4';
/** LDAP_CONTROL_X_PASSWORD_EXPIRING (Netscape): seconds before expiry, as a decimal string. */
export const PASSWORD_EXPIRING_OID = '2.16.840.1.113730.3.4.5';

function decimalControl(oid: string, name: string) {
  return defineControl<number>({
    oid,
    name,
    encode(seconds) {
      checkMaxInt(name, seconds);
      return Buffer.from(String(seconds), 'ascii');
    },
    decode(value) {
      if (value === undefined) return invalidValue(name, 'the control has no value');
      const text = value.toString('latin1');
      if (!/^[0-9]{1,10}$/.test(text)) invalidValue(name, `value ${JSON.stringify(text)} is not a decimal number`);
      return Number(text);
    },
  });
}

/**
 * The Netscape password expired response control (draft-vchu-ldap-pwd-policy):
 * the value is the string "0".
 *
 * ```asn1
 * -- controlValue: "0" (an OCTET STRING holding decimal digits)
 * ```
 */
export const passwordExpired = decimalControl(PASSWORD_EXPIRED_OID, 'passwordExpired');

/**
 * The Netscape password expiring response control: seconds until expiry.
 *
 * ```asn1
 * -- controlValue: the number of seconds, as decimal digits in an OCTET STRING
 * ```
 */
export const passwordExpiring = decimalControl(PASSWORD_EXPIRING_OID, 'passwordExpiring');
