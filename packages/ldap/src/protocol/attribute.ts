/**
 * Attributes as requests carry them and as search entries return them,
 * and the helpers that read values as strings.
 */
import { BerTags, type BerReader, type BerWriter } from '@lber/ber';

/** An attribute value given to an encoder: a string (written as UTF-8) or bytes. */
export type AttributeValueInput = string | Uint8Array;

/**
 * An attribute given to an encoder (AddRequest, ModifyRequest).
 *
 * ```asn1
 * PartialAttribute ::= SEQUENCE {
 *      type       AttributeDescription,
 *      vals       SET OF value AttributeValue }
 *
 * Attribute ::= PartialAttribute(WITH COMPONENTS {
 *      ...,
 *      vals (SIZE(1..MAX))})
 * ```
 */
export interface AttributeInput {
  type: string;
  values: readonly AttributeValueInput[];
}

/**
 * A decoded attribute: the values are views into the received PDU, never
 * text-decoded (see {@link valuesToStrings}).
 *
 * ```asn1
 * PartialAttribute ::= SEQUENCE {
 *      type       AttributeDescription,
 *      vals       SET OF value AttributeValue }
 *
 * AttributeDescription ::= LDAPString
 * AttributeValue ::= OCTET STRING
 * ```
 */
export interface PartialAttribute {
  type: string;
  values: Buffer[];
}

/** Writes one value as an OCTET STRING (strings as UTF-8). */
export function writeValue(w: BerWriter, value: AttributeValueInput, tag: number = BerTags.OCTET_STRING): void {
  if (typeof value === 'string') w.writeString(value, tag);
  else w.writeOctetString(value, tag);
}

/** Writes a PartialAttribute SEQUENCE `{ type, SET OF value }`, as libldap's `{s[V]N}`. */
export function writeAttribute(w: BerWriter, attribute: AttributeInput): void {
  w.startSequence();
  w.writeString(attribute.type);
  w.startSet();
  for (const value of attribute.values) writeValue(w, value);
  w.endSequence();
  w.endSequence();
}

/** Writes `SEQUENCE OF Attribute`. */
export function writeAttributeList(w: BerWriter, attributes: readonly AttributeInput[]): void {
  w.startSequence();
  for (const attribute of attributes) writeAttribute(w, attribute);
  w.endSequence();
}

/** Reads one PartialAttribute; the values are views into the input. */
export function readAttribute(r: BerReader): PartialAttribute {
  r.enter(BerTags.SEQUENCE);
  const type = r.readInternedString();
  const values = r.readOctetStringList(BerTags.SET);
  r.leave();
  return { type, values };
}

/** Reads `SEQUENCE OF PartialAttribute`. */
export function readAttributeList(r: BerReader): PartialAttribute[] {
  const attributes: PartialAttribute[] = [];
  r.enter(BerTags.SEQUENCE);
  while (r.hasMore()) attributes.push(readAttribute(r));
  r.leave();
  return attributes;
}

/** A value decoded as UTF-8 (invalid sequences become U+FFFD). */
export function valueToString(value: Uint8Array): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

/** Values decoded as UTF-8 strings. */
export function valuesToStrings(values: readonly Uint8Array[]): string[] {
  const out = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = valueToString(values[i]!);
  return out;
}

/**
 * The attribute of that description in a list, compared
 * case-insensitively (ASCII), or undefined.
 */
export function findAttribute<A extends { type: string }>(attributes: readonly A[], type: string): A | undefined {
  const wanted = type.toLowerCase();
  for (const attribute of attributes) {
    if (attribute.type === type || attribute.type.toLowerCase() === wanted) return attribute;
  }
  return undefined;
}

/** The values of that attribute as UTF-8 strings (empty when absent). */
export function attributeStrings(attributes: readonly PartialAttribute[], type: string): string[] {
  const attribute = findAttribute(attributes, type);
  return attribute === undefined ? [] : valuesToStrings(attribute.values);
}
