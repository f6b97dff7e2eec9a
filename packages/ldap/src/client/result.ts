/**
 * What operations resolve with: the LDAPResult of the final response with
 * its response controls, on success; an {@link LdapResultError} carrying the
 * same fields otherwise. One shape for every operation.
 */
import { LdapResultCode, LdapResultError, ldapResultCodeName } from '../errors.js';
import type { LdapResultErrorControl } from '../errors.js';
import type { Control } from '../protocol/controls.js';
import type { LdapMessage } from '../protocol/message.js';
import type { LdapResult } from '../protocol/result.js';

/** The outcome of an operation, as the server stated it (RFC 4511 4.1.9 and 4.1.11). */
export interface LdapOperationResult {
  /** The message id the operation used. */
  messageId: number;
  resultCode: number;
  /** The result code's name (`success`, `compareTrue`, ...). */
  resultName: string;
  matchedDN: string;
  diagnosticMessage: string;
  /** Referral URIs (resultCode referral), else empty. */
  referrals: readonly string[];
  /** Response controls (values are views into the received PDU). */
  controls: readonly Control[];
}

const NO_REFERRALS: readonly string[] = Object.freeze([]);

/** The result fields of a final response message. */
export function resultOf(message: LdapMessage<LdapResult>): LdapOperationResult {
  const op = message.protocolOp;
  return {
    messageId: message.messageID,
    resultCode: op.resultCode,
    resultName: ldapResultCodeName(op.resultCode),
    matchedDN: op.matchedDN,
    diagnosticMessage: op.diagnosticMessage,
    referrals: op.referral ?? NO_REFERRALS,
    controls: message.controls,
  };
}

/** Response controls in the shape {@link LdapResultError} carries. */
export function errorControls(controls: readonly Control[]): LdapResultErrorControl[] {
  return controls.map((c) => ({ oid: c.type, critical: c.criticality, value: c.value }));
}

/** The LdapResultError for a result (with the operation's name for the message). */
export function resultError(result: LdapOperationResult, operation: string): LdapResultError {
  return new LdapResultError({
    resultCode: result.resultCode,
    matchedDN: result.matchedDN,
    diagnosticMessage: result.diagnosticMessage,
    referrals: result.referrals,
    controls: errorControls(result.controls),
    operation,
  });
}

/**
 * The result when its code is one of `ok` (default: success), else throws
 * the LdapResultError.
 */
export function checkResult(result: LdapOperationResult, operation: string, ok: readonly number[] = [LdapResultCode.success]): LdapOperationResult {
  if (!ok.includes(result.resultCode)) throw resultError(result, operation);
  return result;
}
