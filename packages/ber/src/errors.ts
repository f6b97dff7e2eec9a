/**
 * Errors of @lber/ber. One root class with a stable `code` string users can
 * match on, and the byte offset in the input where the problem was found.
 * liblber-named functions keep liblber's return conventions (LBER_DEFAULT,
 * -1); the idiomatic reader/writer and framing throw these.
 */
export type BerErrorCode =
  | 'BER_TRUNCATED' // the input ends inside an element
  | 'BER_BAD_TAG' // a tag longer than liblber accepts, or the wrong tag
  | 'BER_BAD_LENGTH' // indefinite, over-long or impossible length octets
  | 'BER_LENGTH_LIMIT' // a declared length above the configured maximum
  | 'BER_DEPTH_LIMIT' // nesting deeper than the configured maximum
  | 'BER_BAD_VALUE' // content octets that do not decode (e.g. an INTEGER over 4 octets)
  | 'BER_BAD_FORMAT' // an unknown ber_printf / ber_scanf format character
  | 'BER_BAD_ARGUMENT' // a caller-supplied argument liblber would reject
  | 'BER_INCOMPLETE'; // an open sequence or set where a finished element is needed

export class BerError extends Error {
  override name = 'BerError';
  constructor(
    readonly code: BerErrorCode,
    message: string,
    /** Offset into the input where the problem was found, when known. */
    readonly offset = -1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
