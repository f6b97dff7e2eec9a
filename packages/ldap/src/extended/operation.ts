/**
 * Typed extended operations (RFC 4511 section 4.12): an
 * {@link ExtendedOperation} says how its request value is written and its
 * response read; {@link runExtended} sends it through the client's raw
 * `extended()` and returns the typed response with the LDAPResult.
 *
 * ```ts
 * const echo = defineExtendedOperation<string, string>({
 *   oid: '1.3.6.1.4.1.99999.2', name: 'echo',
 *   encode: (s) => Buffer.from(s),
 *   decode: ({ responseValue }) => responseValue?.toString() ?? '',
 * });
 * const { value } = await runExtended(client, echo, 'hello');
 * ```
 */
import type { ExtendedOptions, ExtendedResult } from '../client/ops/extended.js';

/** The parts of an ExtendedResponse an operation decodes. */
export interface ExtendedResponseParts {
  responseName?: string | undefined;
  responseValue?: Buffer | undefined;
}

/** How one extended operation's request and response are written and read. */
export interface ExtendedOperation<Req, Res> {
  /** requestName. */
  readonly oid: string;
  /** A short name for messages and docs. */
  readonly name: string;
  /** Request to requestValue (undefined: no value). Throws LdapError BAD_ARGUMENT for a request it cannot encode. */
  encode(request: Req): Buffer | undefined;
  /** The successful response to the typed value; throws LdapProtocolError DECODE_ERROR when malformed. */
  decode(response: ExtendedResponseParts): Res;
  /** The request read back (servers, tests). */
  decodeRequest?(value: Buffer | undefined): Req;
  /** The response written (servers, tests). */
  encodeResponse?(value: Res): ExtendedResponseParts;
  /** False for operations that must not be abandoned (StartTLS). Default true. */
  readonly abandonable?: boolean;
}

/** Defines an extended operation (identity helper that fixes the types). */
export function defineExtendedOperation<Req, Res>(op: ExtendedOperation<Req, Res>): ExtendedOperation<Req, Res> {
  return Object.freeze({ ...op });
}

/** What {@link runExtended} needs of a client: its raw `extended()`. */
export interface ExtendedClient {
  extended(oid: string, value?: Uint8Array | string, options?: ExtendedOptions): Promise<ExtendedResult>;
}

/** A successful typed extended operation: the LDAPResult, the raw response, and `value`. */
export interface ExtendedOperationResult<Res> extends ExtendedResult {
  value: Res;
}

/**
 * Sends `op` with `request` and resolves with the decoded response. Server
 * errors reject with LdapResultError (its `controls` carry the response
 * controls, e.g. a password policy response); a response that does not
 * decode rejects with LdapProtocolError DECODE_ERROR.
 *
 * @see ldap_extended_operation_s
 */
export async function runExtended<Req, Res>(client: ExtendedClient, op: ExtendedOperation<Req, Res>, request: Req, options: ExtendedOptions = {}): Promise<ExtendedOperationResult<Res>> {
  const value = op.encode(request);
  const result = await client.extended(op.oid, value, { abandonable: op.abandonable ?? true, ...options });
  return { ...result, value: op.decode(result) };
}
