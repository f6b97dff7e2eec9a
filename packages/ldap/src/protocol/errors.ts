/**
 * The protocol codecs' errors, in the package's error family (../errors.ts):
 *
 * - a received PDU that is not a well-formed LDAPMessage throws an
 *   {@link LdapProtocolError}: an LdapConnectionError with code
 *   `DECODE_ERROR`, the byte offset in the PDU where decoding failed, and
 *   the BER error (if any) as `cause`;
 * - a request that cannot be encoded (a value out of range) throws an
 *   LdapError with code `BAD_ARGUMENT`.
 */
import { LdapConnectionError, ldapBadArgument, type LdapErrorOptions } from '../errors.js';

/** A received PDU that does not decode (code `DECODE_ERROR`). */
export class LdapProtocolError extends LdapConnectionError {
  override name = 'LdapProtocolError';
  constructor(
    message: string,
    /** Offset into the PDU where the problem was found (-1 when unknown). */
    readonly offset: number,
    options?: LdapErrorOptions,
  ) {
    super('DECODE_ERROR', offset >= 0 ? `${message} (at offset ${offset})` : message, options);
  }
}

/** Throws an LdapProtocolError (DECODE_ERROR) at `offset`. */
export function decodeError(message: string, offset: number, cause?: unknown): never {
  throw new LdapProtocolError(message, offset, cause === undefined ? undefined : { cause });
}

/** Throws an LdapError with code BAD_ARGUMENT. */
export function encodeError(message: string): never {
  throw ldapBadArgument(message);
}
