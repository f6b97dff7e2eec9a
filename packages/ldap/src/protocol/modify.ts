/**
 * Modify (RFC 4511 section 4.6), with the increment operation of RFC 4525.
 */
import { BerTags, type BerReader, type BerWriter } from '@lber/ber';
import { readAttribute, writeAttribute, type AttributeInput, type PartialAttribute } from './attribute.js';
import { encodeError } from './errors.js';
import { readResultOp, writeResultOp, type LdapResult } from './result.js';
import { LDAP_MAX_INT, LdapOp } from './tags.js';

/** ModifyRequest change operations (LDAP_MOD_ADD, _DELETE, _REPLACE, _INCREMENT). */
export const ModifyOperation = {
  add: 0,
  delete: 1,
  replace: 2,
  /** RFC 4525 */
  increment: 3,
} as const;

/**
 * One change.
 *
 * ```asn1
 * change SEQUENCE {
 *      operation       ENUMERATED {
 *           add     (0),
 *           delete  (1),
 *           replace (2),
 *           ...,
 *           increment (3) -- RFC 4525
 *      },
 *      modification    PartialAttribute }
 * ```
 */
export interface Change<A = AttributeInput> {
  /** One of {@link ModifyOperation}. */
  operation: number;
  modification: A;
}

/**
 * ```asn1
 * ModifyRequest ::= [APPLICATION 6] SEQUENCE {
 *      object          LDAPDN,
 *      changes         SEQUENCE OF change SEQUENCE {
 *           operation       ENUMERATED { ... },
 *           modification    PartialAttribute } }
 * ```
 */
export interface ModifyRequest {
  type: 'modifyRequest';
  object: string;
  changes: ReadonlyArray<Change<AttributeInput | PartialAttribute>>;
}

/**
 * ```asn1
 * ModifyResponse ::= [APPLICATION 7] LDAPResult
 * ```
 */
export interface ModifyResponse extends LdapResult {
  type: 'modifyResponse';
}

/**
 * Writes a ModifyRequest protocolOp, as libldap's `{s{` + `{e{s[V]N}N}`
 * per change.
 *
 * @see ldap_modify_ext
 */
export function writeModifyRequest(w: BerWriter, op: ModifyRequest): void {
  w.startSequence(LdapOp.modifyRequest);
  w.writeString(op.object);
  w.startSequence();
  for (const change of op.changes) {
    const operation = change.operation;
    if (!Number.isInteger(operation) || operation < 0 || operation > LDAP_MAX_INT) encodeError(`modify operation ${operation} is not a valid ENUMERATED value`);
    w.startSequence();
    w.writeEnum(operation);
    writeAttribute(w, change.modification);
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
}

/** Reads a ModifyRequest protocolOp. */
export function readModifyRequest(r: BerReader): ModifyRequest {
  r.enter(LdapOp.modifyRequest);
  const object = r.readString();
  const changes: Array<Change<PartialAttribute>> = [];
  r.enter(BerTags.SEQUENCE);
  while (r.hasMore()) {
    r.enter(BerTags.SEQUENCE);
    const operation = r.readEnum();
    const modification = readAttribute(r);
    r.leave();
    changes.push({ operation, modification });
  }
  r.leave();
  r.leave();
  return { type: 'modifyRequest', object, changes };
}

/** Writes a ModifyResponse protocolOp. */
export function writeModifyResponse(w: BerWriter, op: ModifyResponse): void {
  writeResultOp(w, LdapOp.modifyResponse, op);
}

/** Reads a ModifyResponse protocolOp. */
export function readModifyResponse(r: BerReader): ModifyResponse {
  return readResultOp(r, LdapOp.modifyResponse, 'modifyResponse');
}
