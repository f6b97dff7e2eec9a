/**
 * The LDIF error: bad LDIF input (with the line it was found on), a `:<`
 * URL value that cannot or may not be read, an input limit passed, or a
 * record the writer cannot express.
 *
 * It stands apart from {@link LdapError} only because that family's `code`
 * union (errors.ts) has no LDIF codes yet; it carries the same shape: a
 * stable `code`, a message, and `cause` when it wraps another error.
 */

/** Stable codes of {@link LdifError}. */
export type LdifErrorCode =
  | 'LDIF_SYNTAX' // a line or a record that is not RFC 2849 LDIF
  | 'LDIF_BASE64' // a `::` value that is not valid base64
  | 'LDIF_VERSION' // a version line other than `version: 1`
  | 'LDIF_URL' // a `:<` value: URLs disabled, a scheme other than file:, or the file could not be read
  | 'LDIF_LIMIT' // a logical line longer than the reader's maxLineLength
  | 'LDIF_ARGUMENT'; // the writer was given something LDIF cannot carry (e.g. a newline in an attribute name)

/** Options of the {@link LdifError} constructor. */
export interface LdifErrorOptions {
  cause?: unknown;
}

/**
 * Bad LDIF, or LDIF that could not be read or written.
 *
 * ```ts
 * try { for await (const record of readLdif(stream)) ... }
 * catch (e) { if (e instanceof LdifError) console.error(`line ${e.line}: ${e.reason}`); }
 * ```
 */
export class LdifError extends Error {
  override name = 'LdifError';
  constructor(
    /** A stable string to match on (see {@link LdifErrorCode}). */
    readonly code: LdifErrorCode,
    /** What went wrong, without the line number. */
    readonly reason: string,
    /**
     * The 1-based number of the (first physical) line the problem was
     * found on; 0 for writer errors, which have no line.
     */
    readonly line: number,
    options?: LdifErrorOptions,
  ) {
    super(line > 0 ? `${reason} (line ${line})` : reason, options);
  }
}
