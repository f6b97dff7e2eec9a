/**
 * Controls (RFC 4511 section 4.1.11), carried by every request and every
 * response in the LDAPMessage envelope. Values stay raw here: the registry
 * of typed control codecs comes later; paged.ts holds the paged-results
 * codec search paging needs.
 */
import { BerTags, type BerReader, type BerWriter } from '@lber/ber';
import { LdapTag } from './tags.js';

/**
 * One control.
 *
 * ```asn1
 * Control ::= SEQUENCE {
 *      controlType             LDAPOID,
 *      criticality             BOOLEAN DEFAULT FALSE,
 *      controlValue            OCTET STRING OPTIONAL }
 * ```
 */
export interface Control {
  /** controlType: the control's OID. */
  type: string;
  /** criticality: whether the operation must fail when the peer does not know the control. */
  criticality: boolean;
  /** controlValue: the raw value (a view into the PDU when decoded), absent when the control has none. */
  value?: Buffer;
}

/** The controls of a message that carries none (shared and frozen: never allocated per message). */
export const NO_CONTROLS: readonly Control[] = Object.freeze([]);

/**
 * Writes `controls [0] Controls` unless `controls` is empty, as libldap's
 * ldap_int_put_controls does: the criticality only when true, the value
 * only when present.
 *
 * ```asn1
 * Controls ::= SEQUENCE OF control Control
 * ```
 *
 * @see ldap_int_put_controls
 * @see ldap_pvt_put_control
 */
export function writeControls(w: BerWriter, controls: readonly Control[] | undefined): void {
  if (controls === undefined || controls.length === 0) return;
  w.startSequence(LdapTag.controls);
  for (const control of controls) writeControl(w, control);
  w.endSequence();
}

/** Writes one Control SEQUENCE. @see ldap_pvt_put_control */
export function writeControl(w: BerWriter, control: Control): void {
  w.startSequence();
  w.writeString(control.type);
  if (control.criticality) w.writeBoolean(true);
  if (control.value !== undefined) w.writeOctetString(control.value);
  w.endSequence();
}

/**
 * Reads `controls [0] Controls` at the cursor (the caller has peeked the
 * [0] tag). Values are views into the PDU.
 */
export function readControls(r: BerReader): Control[] {
  const controls: Control[] = [];
  r.enter(LdapTag.controls);
  while (r.hasMore()) {
    r.enter(BerTags.SEQUENCE);
    const type = r.readString();
    let criticality = false;
    let tag = r.peekTag();
    if (tag === BerTags.BOOLEAN) {
      criticality = r.readBoolean();
      tag = r.peekTag();
    }
    if (tag === BerTags.OCTET_STRING) {
      controls.push({ type, criticality, value: r.readOctetString() });
    } else {
      controls.push({ type, criticality });
    }
    r.leave();
  }
  r.leave();
  return controls;
}
