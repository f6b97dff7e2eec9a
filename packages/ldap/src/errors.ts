/**
 * Errors of @lber/ldap, in one file (STYLE.md habit 9).
 *
 * Every error thrown or rejected by the package is an {@link LdapError}
 * with a stable `code` string users can match on, and `cause` when it wraps
 * another error. The families:
 *
 * - {@link LdapResultError} (`LDAP_RESULT`): the server answered with a
 *   result code other than success; ONE class for every result code, which
 *   it carries with its RFC 4511 name ({@link ldapResultCodeName}).
 * - {@link LdapSyntaxError} and its three flavours {@link LdapDnError}
 *   (`DN_SYNTAX`), {@link LdapFilterError} (`FILTER_SYNTAX`,
 *   `FILTER_DEPTH`) and {@link LdapUrlError} (`URL_SYNTAX`): a string that
 *   does not parse, with the input and the position of the problem.
 * - {@link LdapConnectionError}: the connection failed or went away
 *   (`DECODE_ERROR`, `IO_ERROR`, `CLOSED_BY_SERVER`,
 *   `NOTICE_OF_DISCONNECTION`, `TIMEOUT`, `CONNECT_FAILED`, `TLS_FAILED`,
 *   `ABORTED`, ...).
 */

/** Stable codes of {@link LdapConnectionError}. */
export type LdapConnectionErrorCode =
  | 'DECODE_ERROR' // a PDU that does not frame or decode as an LDAPMessage
  | 'IO_ERROR' // the socket (or a layer) reported an error
  | 'CLOSED_BY_SERVER' // the peer closed the connection
  | 'NOTICE_OF_DISCONNECTION' // RFC 4511 4.4.1 unsolicited notification
  | 'TIMEOUT' // a connect or operation time limit passed
  | 'CONNECT_FAILED' // no URL could be connected to
  | 'TLS_FAILED' // TLS handshake (ldaps:// or StartTLS) failed
  | 'ABORTED' // the caller's AbortSignal fired
  | 'PDU_TOO_LARGE' // an incoming PDU above the configured maximum
  | 'PROTOCOL_ERROR' // a well-formed PDU the client cannot accept (unknown id, wrong type)
  | 'CLOSED'; // the client was closed (unbind/close) while the operation was pending

/** Stable codes of the syntax errors. */
export type LdapSyntaxErrorCode =
  | 'DN_SYNTAX' // an RFC 4514 string DN that does not parse
  | 'FILTER_SYNTAX' // an RFC 4515 string filter (or a Filter PDU) that does not parse
  | 'FILTER_DEPTH' // a filter nested deeper than the configured maximum
  | 'URL_SYNTAX'; // an RFC 4516 LDAP URL that does not parse

/** Every stable code of {@link LdapError}. */
export type LdapErrorCode = 'LDAP_RESULT' | 'BAD_ARGUMENT' | LdapSyntaxErrorCode | LdapConnectionErrorCode;

/** Options accepted by every error constructor. */
export interface LdapErrorOptions {
  cause?: unknown;
}

/** The root of the @lber/ldap error family. */
export class LdapError extends Error {
  override name = 'LdapError';
  constructor(
    /** A stable string to match on (see {@link LdapErrorCode}). */
    readonly code: LdapErrorCode,
    message: string,
    options?: LdapErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * RFC 4511 section 4.1.9 result codes, and the common extensions
 * (RFC 3909 cancel, RFC 4528 assertion, RFC 4370 proxied authorization,
 * RFC 4533 content sync, RFC 5805 transactions, OpenLDAP's own), by name.
 */
export const LdapResultCode = {
  success: 0,
  operationsError: 1,
  protocolError: 2,
  timeLimitExceeded: 3,
  sizeLimitExceeded: 4,
  compareFalse: 5,
  compareTrue: 6,
  authMethodNotSupported: 7,
  strongerAuthRequired: 8,
  partialResults: 9, // LDAPv2+, not LDAPv3
  referral: 10,
  adminLimitExceeded: 11,
  unavailableCriticalExtension: 12,
  confidentialityRequired: 13,
  saslBindInProgress: 14,
  noSuchAttribute: 16,
  undefinedAttributeType: 17,
  inappropriateMatching: 18,
  constraintViolation: 19,
  attributeOrValueExists: 20,
  invalidAttributeSyntax: 21,
  noSuchObject: 32,
  aliasProblem: 33,
  invalidDNSyntax: 34,
  isLeaf: 35, // not LDAPv3
  aliasDereferencingProblem: 36,
  proxiedAuthorizationFailure: 47, // OpenLDAP LDAP_X_PROXY_AUTHZ_FAILURE
  inappropriateAuthentication: 48,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
  loopDetect: 54,
  namingViolation: 64,
  objectClassViolation: 65,
  notAllowedOnNonLeaf: 66,
  notAllowedOnRDN: 67,
  entryAlreadyExists: 68,
  objectClassModsProhibited: 69,
  resultsTooLarge: 70, // CLDAP
  affectsMultipleDSAs: 71,
  virtualListViewError: 76, // draft-ietf-ldapext-ldapv3-vlv
  other: 80,
  resourcesExhausted: 113, // RFC 3928 (LCUP)
  securityViolation: 114,
  invalidData: 115,
  unsupportedScheme: 116,
  reloadRequired: 117,
  canceled: 118, // RFC 3909
  noSuchOperation: 119,
  tooLate: 120,
  cannotCancel: 121,
  assertionFailed: 122, // RFC 4528
  authorizationDenied: 123, // RFC 4370
  syncRefreshRequired: 4096, // RFC 4533 e-syncRefreshRequired
  noOperation: 0x410e, // OpenLDAP LDAP_X_NO_OPERATION
  noReferralsFound: 0x4110,
  cannotChain: 0x4111,
  invalidReference: 0x4112,
  txnSpecifyOkay: 0x4120, // RFC 5805
  txnIdInvalid: 0x4121,
} as const;

export type LdapResultCodeName = keyof typeof LdapResultCode;

const RESULT_CODE_NAMES = new Map<number, LdapResultCodeName>();
for (const [name, value] of Object.entries(LdapResultCode)) RESULT_CODE_NAMES.set(value, name as LdapResultCodeName);

/**
 * The name of an LDAP result code (`49` gives `invalidCredentials`), or
 * `unknown(N)` for a code outside the table.
 */
export function ldapResultCodeName(resultCode: number): string {
  return RESULT_CODE_NAMES.get(resultCode) ?? `unknown(${resultCode})`;
}

/** A response control as carried by {@link LdapResultError} (RFC 4511 4.1.11). */
export interface LdapResultErrorControl {
  /** controlType, an OID */
  readonly oid: string;
  readonly critical: boolean;
  /** controlValue, absent when the PDU has none */
  readonly value?: Buffer | undefined;
}

/** What a server said in an LDAPResult (RFC 4511 section 4.1.9). */
export interface LdapResultFields {
  resultCode: number;
  matchedDN?: string;
  diagnosticMessage?: string;
  referrals?: readonly string[];
  controls?: readonly LdapResultErrorControl[];
  /** The operation that failed, e.g. `bind`, `search` (for the message). */
  operation?: string;
}

/**
 * A server result other than success: one class for every result code.
 *
 * ```ts
 * try { await client.bind(dn, pw); }
 * catch (e) { if (e instanceof LdapResultError && e.resultName === 'invalidCredentials') ... }
 * ```
 */
export class LdapResultError extends LdapError {
  override name = 'LdapResultError';
  readonly resultCode: number;
  /** The result code's name from {@link LdapResultCode}, or `unknown(N)`. */
  readonly resultName: string;
  readonly matchedDN: string;
  readonly diagnosticMessage: string;
  readonly referrals: readonly string[];
  readonly controls: readonly LdapResultErrorControl[];
  readonly operation: string | undefined;

  constructor(fields: LdapResultFields, options?: LdapErrorOptions) {
    const resultName = ldapResultCodeName(fields.resultCode);
    const what = fields.operation !== undefined ? `${fields.operation}: ` : '';
    const diag = fields.diagnosticMessage ? `: ${fields.diagnosticMessage}` : '';
    super('LDAP_RESULT', `${what}${resultName} (${fields.resultCode})${diag}`, options);
    this.resultCode = fields.resultCode;
    this.resultName = resultName;
    this.matchedDN = fields.matchedDN ?? '';
    this.diagnosticMessage = fields.diagnosticMessage ?? '';
    this.referrals = fields.referrals ?? [];
    this.controls = fields.controls ?? [];
    this.operation = fields.operation;
  }
}

/** Shows where in `input` the problem is: the input quoted on its own line, a caret under the position. */
function pointAt(input: string, position: number): string {
  if (input.length > 200) return `\n  ${JSON.stringify(`${input.slice(0, 200)}...`)}`;
  const line = `\n  ${JSON.stringify(input)}`;
  if (position < 0 || position > input.length) return line;
  const column = JSON.stringify(input.slice(0, position)).length - 1;
  return `${line}\n  ${' '.repeat(column)}^`;
}

/**
 * A string (DN, filter or URL) that does not parse: carries the input and
 * the position (a UTF-16 index into `input`) where the problem was found.
 */
export class LdapSyntaxError extends LdapError {
  override name = 'LdapSyntaxError';
  constructor(
    code: LdapSyntaxErrorCode,
    /** What went wrong, without the position. */
    readonly reason: string,
    /** The string that failed to parse. */
    readonly input: string,
    /** Index into `input` of the offending character (input.length for "ended early"). */
    readonly position: number,
    options?: LdapErrorOptions,
  ) {
    super(code, `${reason} at position ${position}${pointAt(input, position)}`, options);
  }
}

/** An RFC 4514 distinguished name that does not parse (code `DN_SYNTAX`). */
export class LdapDnError extends LdapSyntaxError {
  override name = 'LdapDnError';
  constructor(reason: string, input: string, position: number, options?: LdapErrorOptions) {
    super('DN_SYNTAX', reason, input, position, options);
  }
}

/**
 * An RFC 4515 filter that does not parse (`FILTER_SYNTAX`) or nests deeper
 * than allowed (`FILTER_DEPTH`). For a BER Filter that does not decode,
 * `input` is the hex of the PDU and `position` a byte offset.
 */
export class LdapFilterError extends LdapSyntaxError {
  override name = 'LdapFilterError';
  constructor(reason: string, input: string, position: number, options?: LdapErrorOptions & { code?: 'FILTER_SYNTAX' | 'FILTER_DEPTH' }) {
    super(options?.code ?? 'FILTER_SYNTAX', reason, input, position, options);
  }
}

/** libldap's LDAP_URL_ERR_* reasons (ldap.h), as strings. */
export type LdapUrlErrorReason =
  | 'BADSCHEME' // does not begin with ldap://, ldaps:// or ldapi://
  | 'BADENCLOSURE' // `<` without the closing `>`
  | 'BADURL' // anything else wrong (bad escape, extra `?`, bad port)
  | 'BADHOST' // the host part is bad
  | 'BADATTRS' // bad attribute list
  | 'BADSCOPE' // unknown scope
  | 'BADFILTER' // bad or missing filter
  | 'BADEXTS'; // bad or missing extensions

/** An RFC 4516 LDAP URL that does not parse (code `URL_SYNTAX`). */
export class LdapUrlError extends LdapSyntaxError {
  override name = 'LdapUrlError';
  constructor(
    /** Which part was wrong, as libldap's LDAP_URL_ERR_* names it. */
    readonly urlReason: LdapUrlErrorReason,
    reason: string,
    input: string,
    position: number,
    options?: LdapErrorOptions,
  ) {
    super('URL_SYNTAX', reason, input, position, options);
  }
}

/**
 * The connection failed or ended; every pending operation is rejected with
 * one of these, whose `code` says why.
 */
export class LdapConnectionError extends LdapError {
  override name = 'LdapConnectionError';
  constructor(
    code: LdapConnectionErrorCode,
    message: string,
    options?: LdapErrorOptions & {
      /** The URL the connection was for, when known. */
      url?: string;
    },
  ) {
    super(code, message, options);
    this.url = options?.url;
  }
  readonly url: string | undefined;
}

/** A caller-supplied argument the API refuses (code `BAD_ARGUMENT`). */
export function ldapBadArgument(message: string): LdapError {
  return new LdapError('BAD_ARGUMENT', message);
}
