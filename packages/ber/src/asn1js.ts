/**
 * A generic BER element tree, its encoding and decoding with the typed
 * writer and reader, and the bridge to and from asn1js objects.
 *
 * A {@link BerNode} is one element: its class, constructed bit and tag
 * number, and either its content octets (primitive) or its child elements
 * (constructed). It keeps the bytes exactly, so a tree decoded from BER
 * encodes back to the same bytes as long as the input used minimal (DER)
 * lengths, which is what LDAP peers send.
 */
import * as asn1js from 'asn1js';
import { BerError } from './errors.js';
import { BER_ANY_TAG, BerReader, berTag, berTagParts, type BerReaderOptions, type BerTagClassValue } from './reader.js';
import { BerWriter } from './writer.js';

/** One BER element. */
export interface BerNode {
  /** `BerTagClass.UNIVERSAL` (0x00), `APPLICATION` (0x40), `CONTEXT` (0x80) or `PRIVATE` (0xc0). */
  tagClass: BerTagClassValue;
  /** Whether the element is constructed; then `value` holds its children. */
  constructed: boolean;
  tagNumber: number;
  /** Content octets (primitive) or child elements (constructed). */
  value: Uint8Array | BerNode[];
}

/** Deepest tree {@link encodeBerNode} and {@link toAsn1js} accept. */
export const BER_NODE_MAX_DEPTH = 256;

function checkNode(node: BerNode, depth: number): void {
  if (depth > BER_NODE_MAX_DEPTH) throw new BerError('BER_DEPTH_LIMIT', `a BerNode tree deeper than ${BER_NODE_MAX_DEPTH}`);
  if (node.constructed !== Array.isArray(node.value)) {
    throw new BerError('BER_BAD_ARGUMENT', node.constructed ? 'a constructed BerNode needs an array of children' : 'a primitive BerNode needs content octets');
  }
}

function writeNode(w: BerWriter, node: BerNode, depth: number): void {
  checkNode(node, depth);
  const tag = berTag(node.tagClass, node.constructed, node.tagNumber);
  if (Array.isArray(node.value)) {
    w.startSequence(tag);
    for (const child of node.value) writeNode(w, child, depth + 1);
    w.endSequence();
  } else {
    w.writeOctetString(node.value, tag);
  }
}

/**
 * Encodes a tree with minimal (DER) lengths. Pass a writer to append to it
 * (and reuse its buffer); without one, a copy of the encoding is returned.
 */
export function encodeBerNode(node: BerNode, writer?: BerWriter): Buffer {
  const w = writer ?? new BerWriter();
  const start = w.offset;
  writeNode(w, node, 0);
  return writer === undefined ? w.toBuffer() : w.buf.subarray(start, w.offset);
}

/** Reads the next element from `reader` as a tree (content octets are views into its input). */
export function readBerNode(reader: BerReader): BerNode {
  const at = reader.offset;
  const tag = reader.peekTag();
  if (tag < 0) throw new BerError('BER_TRUNCATED', 'no element to read', at);
  const { tagClass, constructed, tagNumber } = berTagParts(tag);
  if (!constructed) return { tagClass, constructed, tagNumber, value: reader.readOctetString(BER_ANY_TAG) };
  reader.enter(BER_ANY_TAG);
  const children: BerNode[] = [];
  while (reader.hasMore()) children.push(readBerNode(reader));
  reader.leave();
  return { tagClass, constructed, tagNumber, value: children };
}

/**
 * Decodes exactly one element filling `data` into a tree. Limits are the
 * reader's (nesting depth, declared length). Content octets are views into
 * `data`.
 */
export function decodeBerNode(data: Uint8Array, options?: BerReaderOptions): BerNode {
  const reader = new BerReader(options).reset(data);
  const node = readBerNode(reader);
  if (reader.hasMore()) throw new BerError('BER_BAD_LENGTH', `${reader.remaining} bytes after the element`, reader.offset);
  return node;
}

/** asn1js numbers its tag classes 1 to 4. */
function asn1jsClass(tagClass: BerTagClassValue): number {
  return (tagClass >> 6) + 1;
}

/**
 * A generic asn1js object for a tree: `asn1js.Constructed` and
 * `asn1js.Primitive` with the same tags and content octets, so its `toBER()`
 * gives the same bytes as {@link encodeBerNode}. For asn1js's typed
 * classes (Integer, OctetString, ...) parse those bytes with
 * `asn1js.fromBER` instead.
 */
export function toAsn1js(node: BerNode): asn1js.Constructed | asn1js.Primitive {
  return toAsn1jsAt(node, 0);
}

function toAsn1jsAt(node: BerNode, depth: number): asn1js.Constructed | asn1js.Primitive {
  checkNode(node, depth);
  berTag(node.tagClass, node.constructed, node.tagNumber); // the same limits as the writer
  const idBlock = { tagClass: asn1jsClass(node.tagClass), tagNumber: node.tagNumber };
  if (Array.isArray(node.value)) {
    return new asn1js.Constructed({ idBlock, value: node.value.map((child) => toAsn1jsAt(child, depth + 1)) });
  }
  const content = node.value;
  return new asn1js.Primitive({ idBlock, valueHex: content.slice() });
}

/**
 * The tree of any asn1js object, from its BER encoding (so every asn1js
 * class is covered exactly as asn1js encodes it). Indefinite lengths are
 * rejected with `BER_BAD_LENGTH`.
 */
export function fromAsn1js(object: asn1js.BaseBlock, options?: BerReaderOptions): BerNode {
  const encoded = object.toBER();
  if (encoded.byteLength === 0) {
    const reason = object.error === '' ? 'nothing to encode' : object.error;
    throw new BerError('BER_BAD_ARGUMENT', `asn1js could not encode the object: ${reason}`);
  }
  const bytes = new Uint8Array(encoded);
  return decodeBerNode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
}
