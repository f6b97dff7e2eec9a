/**
 * Errors of the SASL framework: one class, {@link SaslError}, with a stable
 * `code`. A bind the server refuses is not one of these: that stays an
 * {@link LdapResultError} (invalidCredentials, authMethodNotSupported ...).
 * A SaslError means the client itself stopped the exchange, or the security
 * layer found a frame it cannot accept.
 */

/** Stable codes of {@link SaslError}. */
export type SaslErrorCode =
  | 'SASL_BAD_ARGUMENT' // an option or a mechanism the framework cannot use
  | 'SASL_NOT_OFFERED' // the server does not offer the mechanism (or none of the wanted ones)
  | 'SASL_PROTOCOL' // the server's challenge or final data does not parse, or comes at the wrong time
  | 'SASL_SERVER_SIGNATURE' // mutual authentication failed: the server could not prove it knows the password
  | 'SASL_BIND_BUSY' // other operations are outstanding, or another SASL bind is running
  | 'SASL_INTEGRITY' // a security-layer frame whose MAC does not verify (tampered)
  | 'SASL_SEQUENCE' // a security-layer frame with the wrong sequence number (replayed, dropped or reordered)
  | 'SASL_FRAME_TOO_LARGE' // a security-layer frame above the negotiated maximum buffer size
  | 'SASL_UNSUPPORTED'; // something this implementation does not do (a cipher Node's crypto lacks)

/** A SASL failure found by the client. */
export class SaslError extends Error {
  override name = 'SaslError';
  constructor(
    /** A stable string to match on. */
    readonly code: SaslErrorCode,
    message: string,
    options?: { cause?: unknown; mechanism?: string },
  ) {
    super(message, options);
    this.mechanism = options?.mechanism;
  }
  /** The mechanism that failed, when known. */
  readonly mechanism: string | undefined;
}
