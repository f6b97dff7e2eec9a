/**
 * Extended operations (RFC 4511 4.12) with raw values; typed ones
 * (WhoAmI, Password Modify) come with the next issue.
 */
import type { LdapConnection } from '../connection.js';
import { exchange } from '../operation.js';
import type { OperationOptions } from '../operation.js';
import { checkResult, resultOf } from '../result.js';
import type { LdapOperationResult } from '../result.js';

/** A successful extended operation's result. */
export interface ExtendedResult extends LdapOperationResult {
  /** responseName, when the server sent one. */
  responseName?: string | undefined;
  /** responseValue (a view into the PDU), when the server sent one. */
  responseValue?: Buffer | undefined;
}

export interface ExtendedOptions extends OperationOptions {
  /** False for operations that must not be abandoned (StartTLS). Default true. */
  abandonable?: boolean;
}

/**
 * Sends ExtendedRequest `oid` with `value` and resolves with the response
 * on success; rejects with LdapResultError otherwise.
 *
 * @see ldap_extended_operation_s
 */
export async function extended(conn: LdapConnection, oid: string, value?: Uint8Array | string, options: ExtendedOptions = {}): Promise<ExtendedResult> {
  const requestValue = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const message = await exchange(
    conn,
    { operation: `extended ${oid}`, request: { type: 'extendedReq', requestName: oid, requestValue }, expect: 'extendedResp', abandonable: options.abandonable ?? true },
    options,
  );
  const result: ExtendedResult = resultOf(message);
  result.responseName = message.protocolOp.responseName;
  result.responseValue = message.protocolOp.responseValue;
  return checkResult(result, `extended ${oid}`);
}
