/**
 * The SASL mechanism interface (RFC 4422 section 3): what a mechanism says
 * first, how it answers each challenge, how it checks the server's final
 * data, and which security layer it leaves behind. The framework
 * ({@link saslBind}) carries the messages in BindRequests and BindResponses
 * (RFC 4513 5.2) and installs the layer; a mechanism never sees the
 * connection.
 *
 * Implement one:
 *
 * ```ts
 * const anonymous: SaslMechanism = {
 *   name: 'ANONYMOUS',
 *   start: () => Buffer.from('trace@example.com'),
 *   step: () => { throw new SaslError('SASL_PROTOCOL', 'ANONYMOUS takes no challenge'); },
 * };
 * await saslBind(client, anonymous);
 * ```
 */

/** What the framework tells a mechanism about the exchange. */
export interface SaslContext {
  /** The registered service name: `ldap` (RFC 4513 5.2.1.2). */
  readonly service: string;
  /** The server's host name as the client names it (DIGEST-MD5's digest-uri, GSSAPI's principal). */
  readonly host: string;
  /** The authorization identity asked for (`dn:...` or `u:...`, RFC 4513 5.2.1.8), or undefined to act as the authenticated identity. */
  readonly authzid: string | undefined;
  /** The URL scheme of the connection (`ldap`, `ldaps`, `ldapi`). */
  readonly scheme: string;
}

/**
 * One outgoing message. `null` means "no credentials field at all", which
 * differs from an empty one (RFC 4513 5.2.1.2: EXTERNAL with no authzid
 * still sends an empty initial response in libldap, PLAIN must send one).
 */
export type SaslOutput = Uint8Array | null;

/**
 * A negotiated security layer (RFC 4422 section 3.7): each buffer of
 * protected data travels as a 4-byte big-endian length and that many
 * octets. The framework wraps it in a Sockbuf layer (see
 * `sockbufIoSaslGeneric`); this object only transforms one message at a
 * time, as libldap's `sb_sasl_generic_ops` encode/decode do.
 */
export interface SaslSecurityLayer {
  /** For diagnostics, e.g. `DIGEST-MD5 auth-int`. */
  readonly name: string;
  /** Largest clear message per outgoing frame (from the peer's maxbuf). */
  readonly maxSend: number;
  /** Largest incoming frame contents (the maxbuf this side announced). */
  readonly maxRecv: number;
  /** Protects `buf[off, off+len)`: returns the frame contents (without the 4-byte length). */
  encode(buf: Buffer, off: number, len: number): Buffer;
  /** Checks and unwraps one frame's contents; throws a {@link SaslError} (SASL_INTEGRITY, SASL_SEQUENCE ...) when it does not verify. */
  decode(frame: Buffer): Buffer;
}

/**
 * A client mechanism. Methods may be async (a password prompt, a key
 * derivation off the main thread).
 */
export interface SaslMechanism {
  /** The registered name sent in the BindRequest (`SCRAM-SHA-256`). */
  readonly name: string;
  /** The initial response, or null when the mechanism speaks second (or has none). Called once per bind. */
  start(context: SaslContext): SaslOutput | Promise<SaslOutput>;
  /** Answers one server challenge (the serverSaslCreds of a saslBindInProgress response). */
  step(challenge: Buffer, context: SaslContext): Uint8Array | Promise<Uint8Array>;
  /**
   * Called once the server says success, with the serverSaslCreds of that
   * response (undefined when there were none): mutual authentication
   * (SCRAM's server signature, DIGEST-MD5's rspauth) is checked here. Throw
   * a {@link SaslError} to fail the bind: the framework then closes the
   * connection, since the server considers it authenticated.
   */
  verify?(serverData: Buffer | undefined, context: SaslContext): void | Promise<void>;
  /** After a verified success: the security layer to install, or null for none. */
  securityLayer?(): SaslSecurityLayer | null;
}
