/**
 * Controls without a value: ManageDsaIT (RFC 3296), subtree delete
 * (draft-armijo-ldap-treedelete, 1.2.840.113556.1.4.805), relax rules
 * (draft-zeilenga-ldap-relax, 1.3.6.1.4.1.4203.666.5.12) and dontUseCopy
 * (RFC 6171). Each codec's value is `undefined`; a controlValue present on
 * the wire is a DECODE_ERROR.
 */
import type { Control } from '../protocol/controls.js';
import { invalidValue } from './ber.js';
import { defineControl, type ControlCodec } from './registry.js';

/** Defines the codec of a control that has no value. */
export function valuelessControl(oid: string, name: string, mustBeCritical = false): ControlCodec<undefined> {
  return defineControl<undefined>({
    oid,
    name,
    mustBeCritical,
    encode: () => undefined,
    decode(value) {
      if (value !== undefined) invalidValue(name, `the control has no value, but ${value.length} bytes came`);
      return undefined;
    },
  });
}

/** LDAP_CONTROL_MANAGEDSAIT */
export const MANAGE_DSA_IT_OID = '2.16.840.1.113730.3.4.2';
/** LDAP_CONTROL_X_TREE_DELETE */
export const SUBTREE_DELETE_OID = '1.2.840.113556.1.4.805';
/** LDAP_CONTROL_RELAX */
export const RELAX_RULES_OID = '1.3.6.1.4.1.4203.666.5.12';
/** LDAP_CONTROL_DONTUSECOPY */
export const DONT_USE_COPY_OID = '1.3.6.1.1.22';

/**
 * ManageDsaIT (RFC 3296 section 3): the server treats referral objects as
 * ordinary entries instead of returning referrals. "The controlValue is
 * absent."
 *
 * ```asn1
 * -- controlType 2.16.840.1.113730.3.4.2, no controlValue
 * ```
 */
export const manageDsaIT = valuelessControl(MANAGE_DSA_IT_OID, 'manageDsaIT');

/**
 * Subtree delete (draft-armijo-ldap-treedelete): a DeleteRequest removes
 * the entry and everything below it. No value.
 *
 * ```asn1
 * -- controlType 1.2.840.113556.1.4.805, no controlValue
 * ```
 */
export const subtreeDelete = valuelessControl(SUBTREE_DELETE_OID, 'subtreeDelete');

/**
 * Relax rules (draft-zeilenga-ldap-relax): lets an administrator make
 * changes the schema or policy would refuse (e.g. set operational
 * attributes that are normally NO-USER-MODIFICATION). No value.
 *
 * ```asn1
 * -- controlType 1.3.6.1.4.1.4203.666.5.12, no controlValue
 * ```
 */
export const relaxRules = valuelessControl(RELAX_RULES_OID, 'relaxRules');

/**
 * Don't Use Copy (RFC 6171 section 3): read from the authoritative copy,
 * not a shadow. "The controlValue is absent"; the criticality "MUST be
 * TRUE".
 *
 * ```asn1
 * -- controlType 1.3.6.1.1.22, no controlValue, criticality TRUE
 * ```
 */
export const dontUseCopy = valuelessControl(DONT_USE_COPY_OID, 'dontUseCopy', true);

/** A ManageDsaIT request control (not critical unless asked). */
export function manageDsaITControl(critical = false): Control {
  return { type: MANAGE_DSA_IT_OID, criticality: critical };
}

/** A subtree delete request control. */
export function subtreeDeleteControl(critical = false): Control {
  return { type: SUBTREE_DELETE_OID, criticality: critical };
}

/** A relax rules request control (critical by default: without it the change would be refused anyway). */
export function relaxRulesControl(critical = true): Control {
  return { type: RELAX_RULES_OID, criticality: critical };
}

/** A dontUseCopy request control (always critical, RFC 6171). */
export function dontUseCopyControl(): Control {
  return { type: DONT_USE_COPY_OID, criticality: true };
}
