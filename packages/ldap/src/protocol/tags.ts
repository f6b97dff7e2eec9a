/**
 * LDAPv3 tags (RFC 4511 section 4) as the raw identifier octets the
 * @lber/ber reader and writer use. The names are libldap's
 * (`LDAP_REQ_*`, `LDAP_RES_*`, `LDAP_TAG_*` in ldap.h), camel-cased.
 */

/** protocolOp tags: `[APPLICATION n]`, constructed unless noted. */
export const LdapOp = {
  /** BindRequest [APPLICATION 0] (LDAP_REQ_BIND) */
  bindRequest: 0x60,
  /** BindResponse [APPLICATION 1] (LDAP_RES_BIND) */
  bindResponse: 0x61,
  /** UnbindRequest [APPLICATION 2] NULL, primitive (LDAP_REQ_UNBIND) */
  unbindRequest: 0x42,
  /** SearchRequest [APPLICATION 3] (LDAP_REQ_SEARCH) */
  searchRequest: 0x63,
  /** SearchResultEntry [APPLICATION 4] (LDAP_RES_SEARCH_ENTRY) */
  searchResEntry: 0x64,
  /** SearchResultDone [APPLICATION 5] (LDAP_RES_SEARCH_RESULT) */
  searchResDone: 0x65,
  /** ModifyRequest [APPLICATION 6] (LDAP_REQ_MODIFY) */
  modifyRequest: 0x66,
  /** ModifyResponse [APPLICATION 7] (LDAP_RES_MODIFY) */
  modifyResponse: 0x67,
  /** AddRequest [APPLICATION 8] (LDAP_REQ_ADD) */
  addRequest: 0x68,
  /** AddResponse [APPLICATION 9] (LDAP_RES_ADD) */
  addResponse: 0x69,
  /** DelRequest [APPLICATION 10] LDAPDN, primitive (LDAP_REQ_DELETE) */
  delRequest: 0x4a,
  /** DelResponse [APPLICATION 11] (LDAP_RES_DELETE) */
  delResponse: 0x6b,
  /** ModifyDNRequest [APPLICATION 12] (LDAP_REQ_MODDN) */
  modDNRequest: 0x6c,
  /** ModifyDNResponse [APPLICATION 13] (LDAP_RES_MODDN) */
  modDNResponse: 0x6d,
  /** CompareRequest [APPLICATION 14] (LDAP_REQ_COMPARE) */
  compareRequest: 0x6e,
  /** CompareResponse [APPLICATION 15] (LDAP_RES_COMPARE) */
  compareResponse: 0x6f,
  /** AbandonRequest [APPLICATION 16] MessageID, primitive (LDAP_REQ_ABANDON) */
  abandonRequest: 0x50,
  /** SearchResultReference [APPLICATION 19] (LDAP_RES_SEARCH_REFERENCE) */
  searchResRef: 0x73,
  /** ExtendedRequest [APPLICATION 23] (LDAP_REQ_EXTENDED) */
  extendedReq: 0x77,
  /** ExtendedResponse [APPLICATION 24] (LDAP_RES_EXTENDED) */
  extendedResp: 0x78,
  /** IntermediateResponse [APPLICATION 25] (LDAP_RES_INTERMEDIATE) */
  intermediateResponse: 0x79,
} as const;
export type LdapOpName = keyof typeof LdapOp;

/** Context tags inside the messages. */
export const LdapTag = {
  /** LDAPMessage controls [0] Controls (LDAP_TAG_CONTROLS) */
  controls: 0xa0,
  /** LDAPResult referral [3] Referral (LDAP_TAG_REFERRAL) */
  referral: 0xa3,
  /** AuthenticationChoice simple [0] OCTET STRING (LDAP_AUTH_SIMPLE) */
  authSimple: 0x80,
  /** AuthenticationChoice sasl [3] SaslCredentials (LDAP_AUTH_SASL) */
  authSasl: 0xa3,
  /** BindResponse serverSaslCreds [7] (LDAP_TAG_SASL_RES_CREDS) */
  saslResCreds: 0x87,
  /** ModifyDNRequest newSuperior [0] (LDAP_TAG_NEWSUPERIOR) */
  newSuperior: 0x80,
  /** ExtendedRequest requestName [0] (LDAP_TAG_EXOP_REQ_OID) */
  exopReqOid: 0x80,
  /** ExtendedRequest requestValue [1] (LDAP_TAG_EXOP_REQ_VALUE) */
  exopReqValue: 0x81,
  /** ExtendedResponse responseName [10] (LDAP_TAG_EXOP_RES_OID) */
  exopResOid: 0x8a,
  /** ExtendedResponse responseValue [11] (LDAP_TAG_EXOP_RES_VALUE) */
  exopResValue: 0x8b,
  /** IntermediateResponse responseName [0] (LDAP_TAG_IM_RES_OID) */
  imResOid: 0x80,
  /** IntermediateResponse responseValue [1] (LDAP_TAG_IM_RES_VALUE) */
  imResValue: 0x81,
} as const;

/** The LDAP version a BindRequest carries (LDAP_VERSION3). */
export const LDAP_VERSION3 = 3;

/** Largest MessageID and limit value: `maxInt INTEGER ::= 2147483647`. */
export const LDAP_MAX_INT = 0x7fff_ffff;

/** ExtendedResponse name of the Notice of Disconnection (RFC 4511 4.4.1), sent with messageID 0. */
export const NOTICE_OF_DISCONNECTION_OID = '1.3.6.1.4.1.1466.20036';
