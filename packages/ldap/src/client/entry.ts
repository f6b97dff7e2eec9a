/**
 * A search result entry as the client hands it out: the DN, the attributes
 * with their values as Buffers (never text-decoded behind the caller's
 * back, so binary values such as jpegPhoto or certificates come through
 * intact), and string helpers for the attributes that are text.
 */
import { findAttribute, valueToString, valuesToStrings } from '../protocol/attribute.js';
import type { PartialAttribute } from '../protocol/attribute.js';
import type { Control } from '../protocol/controls.js';
import type { SearchResultEntry } from '../protocol/search.js';

/**
 * One entry (RFC 4511 SearchResultEntry). Attribute names are matched
 * case-insensitively by the helpers; values are views into the received
 * PDU (copy them with `Buffer.from` to keep a few values of many entries).
 */
export class SearchEntry {
  /** Tells entries from references and intermediate responses in a search stream. */
  readonly type = 'entry' as const;

  constructor(
    /** objectName: the entry's DN. */
    readonly dn: string,
    /** The attributes in the order the server sent them. */
    readonly attributes: readonly PartialAttribute[],
    /** Controls of the SearchResultEntry message. */
    readonly controls: readonly Control[] = [],
  ) {}

  /** Builds an entry from the decoded protocolOp. */
  static from(op: SearchResultEntry, controls: readonly Control[]): SearchEntry {
    return new SearchEntry(op.objectName, op.attributes, controls);
  }

  /** The attribute of that description, or undefined. */
  attribute(type: string): PartialAttribute | undefined {
    return findAttribute(this.attributes, type);
  }

  /** True when the entry has the attribute. */
  has(type: string): boolean {
    return this.attribute(type) !== undefined;
  }

  /** The values of an attribute as Buffers (empty when absent). */
  buffers(type: string): Buffer[] {
    return this.attribute(type)?.values ?? [];
  }

  /** The first value as a Buffer, or undefined. */
  buffer(type: string): Buffer | undefined {
    return this.attribute(type)?.values[0];
  }

  /** The values of an attribute decoded as UTF-8 (empty when absent). */
  strings(type: string): string[] {
    const a = this.attribute(type);
    return a === undefined ? [] : valuesToStrings(a.values);
  }

  /** The first value decoded as UTF-8, or undefined. */
  string(type: string): string | undefined {
    const v = this.attribute(type)?.values[0];
    return v === undefined ? undefined : valueToString(v);
  }

  /** Attribute descriptions, as sent. */
  get types(): string[] {
    return this.attributes.map((a) => a.type);
  }

  /**
   * A plain object `{ dn, <type>: string[] }`, every value decoded as UTF-8
   * (only for attributes known to be text; binary values would be mangled).
   */
  toObject(): Record<string, string[] | string> {
    const out: Record<string, string[] | string> = { dn: this.dn };
    for (const a of this.attributes) out[a.type] = valuesToStrings(a.values);
    return out;
  }
}
