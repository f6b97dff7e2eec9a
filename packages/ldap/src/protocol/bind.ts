/**
 * Bind (RFC 4511 section 4.2): simple, anonymous and SASL requests, and the
 * BindResponse with its serverSaslCreds.
 */
import { BerTags, type BerReader, type BerWriter } from '@lber/ber';
import { encodeError } from './errors.js';
import { readResultComponents, writeResultComponents, type LdapResult } from './result.js';
import { LDAP_VERSION3, LdapOp, LdapTag } from './tags.js';

/**
 * ```asn1
 * AuthenticationChoice ::= CHOICE {
 *      simple                  [0] OCTET STRING,
 *                              -- 1 and 2 reserved
 *      sasl                    [3] SaslCredentials,
 *      ...  }
 *
 * SaslCredentials ::= SEQUENCE {
 *      mechanism               LDAPString,
 *      credentials             OCTET STRING OPTIONAL }
 * ```
 */
export type BindAuthentication =
  | { type: 'simple'; password: string | Uint8Array }
  | { type: 'sasl'; mechanism: string; credentials?: Uint8Array };

/**
 * ```asn1
 * BindRequest ::= [APPLICATION 0] SEQUENCE {
 *      version                 INTEGER (1 ..  127),
 *      name                    LDAPDN,
 *      authentication          AuthenticationChoice }
 * ```
 */
export interface BindRequest {
  type: 'bindRequest';
  /** The protocol version (default 3). */
  version?: number;
  /** The DN to bind as ('' for anonymous and usually for SASL). */
  name: string;
  authentication: BindAuthentication;
}

/**
 * ```asn1
 * BindResponse ::= [APPLICATION 1] SEQUENCE {
 *      COMPONENTS OF LDAPResult,
 *      serverSaslCreds    [7] OCTET STRING OPTIONAL }
 * ```
 */
export interface BindResponse extends LdapResult {
  type: 'bindResponse';
  /** serverSaslCreds [7]: a view into the PDU, when present. */
  serverSaslCreds?: Buffer;
}

/** A simple bind request (RFC 4513 5.1.3 name/password authentication). */
export function simpleBindRequest(name: string, password: string | Uint8Array): BindRequest {
  return { type: 'bindRequest', name, authentication: { type: 'simple', password } };
}

/** An anonymous bind request: simple with an empty name and password (RFC 4513 5.1.1). */
export function anonymousBindRequest(): BindRequest {
  return simpleBindRequest('', '');
}

/** A SASL bind request (RFC 4513 5.2). */
export function saslBindRequest(mechanism: string, credentials?: Uint8Array, name = ''): BindRequest {
  const authentication: BindAuthentication = credentials === undefined ? { type: 'sasl', mechanism } : { type: 'sasl', mechanism, credentials };
  return { type: 'bindRequest', name, authentication };
}

/**
 * Writes a BindRequest protocolOp, as libldap's `{istON}` (simple) or
 * `{ist{sON}N}` (SASL; credentials only when given).
 *
 * @see ldap_sasl_bind
 */
export function writeBindRequest(w: BerWriter, op: BindRequest): void {
  const version = op.version ?? LDAP_VERSION3;
  if (!Number.isInteger(version) || version < 1 || version > 127) encodeError(`bind version ${version} is not in 1..127`);
  w.startSequence(LdapOp.bindRequest);
  w.writeInt(version);
  w.writeString(op.name);
  const auth = op.authentication;
  if (auth.type === 'simple') {
    if (typeof auth.password === 'string') w.writeString(auth.password, LdapTag.authSimple);
    else w.writeOctetString(auth.password, LdapTag.authSimple);
  } else {
    w.startSequence(LdapTag.authSasl);
    w.writeString(auth.mechanism);
    if (auth.credentials !== undefined) w.writeOctetString(auth.credentials);
    w.endSequence();
  }
  w.endSequence();
}

/** Reads a BindRequest protocolOp (the password and credentials come back as views). */
export function readBindRequest(r: BerReader): BindRequest {
  r.enter(LdapOp.bindRequest);
  const version = r.readInt();
  const name = r.readString();
  let authentication: BindAuthentication;
  if (r.peekTag() === LdapTag.authSimple) {
    authentication = { type: 'simple', password: r.readOctetString(LdapTag.authSimple) };
  } else {
    r.enter(LdapTag.authSasl);
    const mechanism = r.readString();
    authentication = r.peekTag() === BerTags.OCTET_STRING ? { type: 'sasl', mechanism, credentials: r.readOctetString() } : { type: 'sasl', mechanism };
    r.leave();
  }
  r.leave();
  return { type: 'bindRequest', version, name, authentication };
}

/** Writes a BindResponse protocolOp. */
export function writeBindResponse(w: BerWriter, op: BindResponse): void {
  w.startSequence(LdapOp.bindResponse);
  writeResultComponents(w, op);
  if (op.serverSaslCreds !== undefined) w.writeOctetString(op.serverSaslCreds, LdapTag.saslResCreds);
  w.endSequence();
}

/** Reads a BindResponse protocolOp. @see ldap_parse_sasl_bind_result */
export function readBindResponse(r: BerReader): BindResponse {
  r.enter(LdapOp.bindResponse);
  const op: BindResponse = readResultComponents(r, 'bindResponse');
  op.serverSaslCreds = r.peekTag() === LdapTag.saslResCreds ? r.readOctetString(LdapTag.saslResCreds) : undefined;
  r.leave();
  return op;
}
