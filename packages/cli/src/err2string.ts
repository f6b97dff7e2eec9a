/**
 * libldap's result and API error codes with the exact English text of
 * ldap_err2string (error.c, 2.5.13): the tools print these in `result: 0
 * Success` and in every `ldap_xxx: Invalid credentials (49)` line.
 */

/** libldap's client-side (API) error codes, all negative. */
export const LdapApiError = {
  SERVER_DOWN: -1,
  LOCAL_ERROR: -2,
  ENCODING_ERROR: -3,
  DECODING_ERROR: -4,
  TIMEOUT: -5,
  AUTH_UNKNOWN: -6,
  FILTER_ERROR: -7,
  USER_CANCELLED: -8,
  PARAM_ERROR: -9,
  NO_MEMORY: -10,
  CONNECT_ERROR: -11,
  NOT_SUPPORTED: -12,
  CONTROL_NOT_FOUND: -13,
  NO_RESULTS_RETURNED: -14,
  MORE_RESULTS_TO_RETURN: -15,
  CLIENT_LOOP: -16,
  REFERRAL_LIMIT_EXCEEDED: -17,
  X_CONNECTING: -18,
} as const;

const MESSAGES = new Map<number, string>([
  [0, 'Success'],
  [1, 'Operations error'],
  [2, 'Protocol error'],
  [3, 'Time limit exceeded'],
  [4, 'Size limit exceeded'],
  [5, 'Compare False'],
  [6, 'Compare True'],
  [7, 'Authentication method not supported'],
  [8, 'Strong(er) authentication required'],
  [10, 'Referral'],
  [11, 'Administrative limit exceeded'],
  [12, 'Critical extension is unavailable'],
  [13, 'Confidentiality required'],
  [14, 'SASL bind in progress'],
  [16, 'No such attribute'],
  [17, 'Undefined attribute type'],
  [18, 'Inappropriate matching'],
  [19, 'Constraint violation'],
  [20, 'Type or value exists'],
  [21, 'Invalid syntax'],
  [32, 'No such object'],
  [33, 'Alias problem'],
  [34, 'Invalid DN syntax'],
  [36, 'Alias dereferencing problem'],
  [48, 'Inappropriate authentication'],
  [49, 'Invalid credentials'],
  [50, 'Insufficient access'],
  [51, 'Server is busy'],
  [52, 'Server is unavailable'],
  [53, 'Server is unwilling to perform'],
  [54, 'Loop detected'],
  [64, 'Naming violation'],
  [65, 'Object class violation'],
  [66, 'Operation not allowed on non-leaf'],
  [67, 'Operation not allowed on RDN'],
  [68, 'Already exists'],
  [69, 'Cannot modify object class'],
  [71, 'Operation affects multiple DSAs'],
  [76, 'Virtual List View error'],
  [80, 'Other (e.g., implementation specific) error'],
  [9, 'Partial results and referral received'],
  [35, 'Entry is a leaf'],
  [70, 'Results too large'],
  [0x76, 'Cancelled'],
  [0x77, 'No Operation to Cancel'],
  [0x78, 'Too Late to Cancel'],
  [0x79, 'Cannot Cancel'],
  [0x7a, 'Assertion Failed'],
  [0x410f, 'Assertion Failed (X)'],
  [0x7b, 'Proxied Authorization Denied'],
  [0x2f, 'Proxy Authorization Failure (X)'],
  [0x1000, 'Content Sync Refresh Required'],
  [0x4100, 'Content Sync Refresh Required (X)'],
  [0x410e, 'No Operation (X)'],
  [0x71, 'LCUP Resources Exhausted'],
  [0x72, 'LCUP Security Violation'],
  [0x73, 'LCUP Invalid Data'],
  [0x74, 'LCUP Unsupported Scheme'],
  [0x75, 'LCUP Reload Required'],
  [0x4120, 'TXN specify okay'],
  [0x4121, 'TXN ID is invalid'],
  [-1, "Can't contact LDAP server"],
  [-2, 'Local error'],
  [-3, 'Encoding error'],
  [-4, 'Decoding error'],
  [-5, 'Timed out'],
  [-6, 'Unknown authentication method'],
  [-7, 'Bad search filter'],
  [-8, 'User cancelled operation'],
  [-9, 'Bad parameter to an ldap routine'],
  [-10, 'Out of memory'],
  [-11, 'Connect error'],
  [-12, 'Not Supported'],
  [-13, 'Control not found'],
  [-14, 'No results returned'],
  [-15, 'More results to return'],
  [-16, 'Client Loop'],
  [-17, 'Referral Limit Exceeded'],
  [-18, 'Connecting (X)'],
]);

/**
 * The text libldap gives a result or API error code.
 *
 * @see ldap_err2string
 */
export function ldapErr2string(err: number): string {
  const m = MESSAGES.get(err);
  if (m !== undefined) return m;
  if (err < 0) return 'Unknown API error';
  if (err >= 0x1000 && err <= 0x3fff) return 'Unknown (extension) error';
  if (err >= 0x4000 && err <= 0xffff) return 'Unknown (private extension) error';
  return 'Unknown error';
}

export { ldapErr2string as ldap_err2string };
