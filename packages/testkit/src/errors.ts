/**
 * The testkit's one error class. `code` says what went wrong; `log` carries
 * the tail of slapd's (or slapadd's) output when there is one.
 */
export type TestkitErrorCode =
  | 'SLAPD_MISSING'
  | 'SLAPD_START_FAILED'
  | 'SLAPD_TIMEOUT'
  | 'SLAPADD_FAILED'
  | 'OPENSSL_FAILED'
  | 'BAD_OPTION';

export class TestkitError extends Error {
  readonly code: TestkitErrorCode;
  /** The last lines of the server's log, or '' when there is none. */
  readonly log: string;

  constructor(code: TestkitErrorCode, message: string, options: { cause?: unknown; log?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TestkitError';
    this.code = code;
    this.log = options.log ?? '';
  }
}
