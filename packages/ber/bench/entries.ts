/**
 * The benchmark's data and codecs (see run.ts): the entry generator and, for
 * each library, a framer/decoder of a stream of SearchResultEntry messages
 * and an encoder of one entry.
 */
import { createRequire } from 'node:module';
import * as asn1js from 'asn1js';
import type { BerWriter } from '@lber/ber';
import { BerReader, berElementSize } from '@lber/ber';
import { mulberry32 } from '@lber/testkit';

export interface Attribute {
  type: string;
  values: Buffer[];
}
export interface Entry {
  messageId: number;
  dn: string;
  attributes: Attribute[];
}

// @ldapjs/asn1 ships no types: the part of its API used here.
interface LdapjsReader {
  readonly offset: number;
  readonly length: number;
  readSequence(tag?: number): number | null;
  readInt(tag?: number): number | null;
  readString(tag?: number, asBuffer?: false): string | null;
  readString(tag: number, asBuffer: true): Buffer | null;
}
interface LdapjsWriter {
  readonly buffer: Buffer;
  startSequence(tag?: number): void;
  endSequence(): void;
  writeInt(value: number, tag?: number): void;
  writeString(value: string, tag?: number): void;
  writeBuffer(value: Buffer, tag: number): void;
}
interface LdapjsAsn1 {
  BerReader: new (data: Buffer) => LdapjsReader;
  BerWriter: new (options?: { size?: number }) => LdapjsWriter;
}
const ldapjs = createRequire(import.meta.url)('@ldapjs/asn1') as LdapjsAsn1;

const SEARCH_RES_ENTRY = 0x64; // [APPLICATION 4] constructed
const SEQUENCE = 0x30;
const SET = 0x31;
const OCTET_STRING = 0x04;

// ---------------------------------------------------------------- the data

const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Zoë', 'José', 'Søren', 'Ärni', 'Chloé', 'Đorđe'];
const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Müller', 'García', 'Kierkegaard', 'Łukasiewicz', 'Dvořák', '山田'];
const CITIES = ['Paris', 'Zürich', 'Kraków', 'São Paulo', 'Reykjavík', 'Boston', '東京', 'Berlin', 'Århus', 'Lyon'];
const TITLES = ['Engineer', 'Senior Engineer', 'Ingénieure principale', 'Manager', 'Directeur général', 'Analyst', 'Architect'];
const DEPARTMENTS = ['R&D', 'Sales', 'Support', 'Opérations', 'Finance'];

export function makeEntries(count: number): Entry[] {
  const random = mulberry32(0x1dab);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const text = (s: string): Buffer => Buffer.from(s, 'utf8');
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const uid = `user${String(i).padStart(6, '0')}`;
    const attributes: Attribute[] = [
      { type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'].map(text) },
      { type: 'uid', values: [text(uid)] },
      { type: 'cn', values: [text(`${first} ${last}`)] },
      { type: 'sn', values: [text(last)] },
      { type: 'givenName', values: [text(first)] },
      { type: 'mail', values: [text(`${uid}@example.com`)] },
      {
        type: 'telephoneNumber',
        values: random() < 0.4 ? [text(`+1 555 ${1000 + (i % 9000)}`), text(`+33 1 42 68 ${10 + (i % 90)} ${10 + (i % 89)}`)] : [text(`+1 555 ${1000 + (i % 9000)}`)],
      },
      { type: 'title', values: [text(pick(TITLES))] },
      { type: 'l', values: [text(pick(CITIES))] },
      { type: 'departmentNumber', values: [text(pick(DEPARTMENTS))] },
      { type: 'employeeNumber', values: [text(String(100000 + i))] },
      { type: 'description', values: [text(`Compte créé pour ${first} ${last} — équipe ${pick(DEPARTMENTS)}`)] },
      { type: 'manager', values: [text(`uid=user${String(i % 977).padStart(6, '0')},ou=People,dc=example,dc=com`)] },
    ];
    if (i % 10 === 0) {
      const photo = Buffer.alloc(120);
      for (let b = 0; b < photo.length; b++) photo[b] = Math.floor(random() * 256);
      attributes.push({ type: 'jpegPhoto', values: [photo] });
    }
    entries.push({ messageId: i + 1, dn: `uid=${uid},ou=People,dc=example,dc=com`, attributes });
  }
  return entries;
}

// ---------------------------------------------------------------- lber

export function encodeLber(w: BerWriter, e: Entry): Buffer {
  w.reset();
  w.startSequence(SEQUENCE);
  w.writeInt(e.messageId);
  w.startSequence(SEARCH_RES_ENTRY);
  w.writeString(e.dn);
  w.startSequence(SEQUENCE);
  for (const a of e.attributes) {
    w.startSequence(SEQUENCE);
    w.writeString(a.type);
    w.startSequence(SET);
    for (const v of a.values) w.writeOctetString(v);
    w.endSequence();
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.toBuffer();
}

const reader = new BerReader();

/**
 * lber's framing and message header, shared by both lber decoders:
 * frames each message in place, reads its id and DN, and lets `entry`
 * read the attribute list (the reader is inside it) into an entry.
 */
function decodeLberWith<E>(stream: Buffer, limit: number, sink: (entry: E) => void, entry: (r: BerReader, messageId: number, dn: string) => E): number {
  const r = reader;
  let count = 0;
  let at = 0;
  while (at < stream.length && count < limit) {
    const size = berElementSize(stream, at);
    if (size < 0) throw new Error('truncated stream');
    r.reset(stream, at, at + size);
    at += size;
    r.enter(SEQUENCE);
    const messageId = r.readInt();
    r.enter(SEARCH_RES_ENTRY);
    const dn = r.readString();
    r.enter(SEQUENCE);
    sink(entry(r, messageId, dn));
    count++;
  }
  return count;
}

export function decodeLber(stream: Buffer, limit: number, sink: (entry: Entry) => void): number {
  return decodeLberWith(stream, limit, sink, (r, messageId, dn) => {
    const attributes = new Array<Attribute>(r.countElements());
    for (let i = 0; i < attributes.length; i++) {
      r.enter(SEQUENCE);
      const type = r.readInternedString();
      const values = r.readOctetStringList(SET);
      r.leave();
      attributes[i] = { type, values };
    }
    return { messageId, dn, attributes };
  });
}

/**
 * lber's offsets entry, as BerReader's span calls give it: the message's
 * bytes, the attribute types, and for each attribute its value count then
 * the start and end of each value in `buf`. No view per value is made
 * while decoding: {@link SpanEntry.toEntry} makes them when asked.
 */
export class SpanEntry {
  constructor(
    readonly messageId: number,
    readonly dn: string,
    readonly buf: Buffer,
    readonly types: string[],
    readonly spans: number[],
  ) {}

  /** Bytes in all values (what the consumer reads, as it reads `length` of each Buffer). */
  valueBytes(): number {
    const s = this.spans;
    let bytes = 0;
    for (let k = 0; k < s.length; ) {
      const count = s[k++]!;
      for (let j = 0; j < count; j++, k += 2) bytes += s[k + 1]! - s[k]!;
    }
    return bytes;
  }

  /** The Buffer-valued entry: views into `buf`, made now. */
  toEntry(): Entry {
    const s = this.spans;
    const attributes: Attribute[] = [];
    let k = 0;
    for (const type of this.types) {
      const count = s[k++]!;
      const values: Buffer[] = [];
      for (let j = 0; j < count; j++, k += 2) values.push(this.buf.subarray(s[k], s[k + 1]));
      attributes.push({ type, values });
    }
    return { messageId: this.messageId, dn: this.dn, attributes };
  }
}

const spanScratch: number[] = [];
const typeScratch: string[] = [];

export function decodeLberSpans(stream: Buffer, limit: number, sink: (entry: SpanEntry) => void): number {
  return decodeLberWith(stream, limit, sink, (r, messageId, dn) => {
    // gathered in scratch arrays, then copied out at their exact size: one
    // allocation each instead of the growth steps of push
    const spans = spanScratch;
    const types = typeScratch;
    spans.length = 0;
    types.length = 0;
    while (r.offset < r.limit) {
      r.enter(SEQUENCE);
      types.push(r.readInternedString());
      const slot = spans.length;
      spans.push(0);
      spans[slot] = r.readOctetStringSpans(spans, SET);
      r.leave();
    }
    return new SpanEntry(messageId, dn, stream, types.slice(), spans.slice());
  });
}

// ---------------------------------------------------------------- @ldapjs/asn1

export function encodeLdapjs(e: Entry): Buffer {
  const w = new ldapjs.BerWriter();
  w.startSequence(SEQUENCE);
  w.writeInt(e.messageId);
  w.startSequence(SEARCH_RES_ENTRY);
  w.writeString(e.dn);
  w.startSequence(SEQUENCE);
  for (const a of e.attributes) {
    w.startSequence(SEQUENCE);
    w.writeString(a.type);
    w.startSequence(SET);
    for (const v of a.values) w.writeBuffer(v, OCTET_STRING);
    w.endSequence();
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

export function decodeLdapjs(stream: Buffer, limit: number, sink: (entry: Entry) => void): number {
  let count = 0;
  let at = 0;
  while (at < stream.length && count < limit) {
    // frame as ldapjs's client does: read the outer header, check it is whole
    const r = new ldapjs.BerReader(stream.subarray(at));
    if (r.readSequence(SEQUENCE) === null) throw new Error('truncated stream');
    const end = r.offset + r.length;
    at += end;
    const messageId = r.readInt() ?? -1;
    r.readSequence(SEARCH_RES_ENTRY);
    const dn = r.readString() ?? '';
    r.readSequence(SEQUENCE);
    const attributesEnd = r.offset + r.length;
    const attributes: Attribute[] = [];
    while (r.offset < attributesEnd) {
      r.readSequence(SEQUENCE);
      const type = r.readString() ?? '';
      r.readSequence(SET);
      const valuesEnd = r.offset + r.length;
      const values: Buffer[] = [];
      while (r.offset < valuesEnd) values.push(r.readString(OCTET_STRING, true) ?? Buffer.alloc(0));
      attributes.push({ type, values });
    }
    sink({ messageId, dn, attributes });
    count++;
  }
  return count;
}

// ---------------------------------------------------------------- asn1js

export function encodeAsn1js(e: Entry): Buffer {
  const message = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: e.messageId }),
      new asn1js.Constructed({
        idBlock: { tagClass: 2, tagNumber: 4 },
        value: [
          new asn1js.OctetString({ valueHex: Buffer.from(e.dn, 'utf8') }),
          new asn1js.Sequence({
            value: e.attributes.map(
              (a) =>
                new asn1js.Sequence({
                  value: [new asn1js.OctetString({ valueHex: Buffer.from(a.type, 'utf8') }), new asn1js.Set({ value: a.values.map((v) => new asn1js.OctetString({ valueHex: v })) })],
                }),
            ),
          }),
        ],
      }),
    ],
  });
  return Buffer.from(message.toBER());
}

function octets(block: asn1js.AsnType | undefined): Buffer {
  if (!(block instanceof asn1js.OctetString)) throw new Error('expected an OCTET STRING');
  const view = block.valueBlock.valueHexView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function children(block: asn1js.AsnType | undefined): asn1js.AsnType[] {
  if (!(block instanceof asn1js.Constructed)) throw new Error('expected a constructed element');
  return block.valueBlock.value;
}

export function decodeAsn1js(stream: Buffer, limit: number, sink: (entry: Entry) => void): number {
  let count = 0;
  let at = 0;
  while (at < stream.length && count < limit) {
    const size = berElementSize(stream, at); // asn1js has no framing of its own
    const parsed = asn1js.fromBER(stream.subarray(at, at + size), { parseEmbedded: false, copyInput: false });
    if (parsed.offset === -1) throw new Error(`asn1js: ${parsed.result.error}`);
    at += size;
    const [id, op] = children(parsed.result);
    if (!(id instanceof asn1js.Integer)) throw new Error('expected an INTEGER');
    const [name, attrs] = children(op);
    const attributes = children(attrs).map((attr) => {
      const [type, vals] = children(attr);
      return { type: octets(type).toString('utf8'), values: children(vals).map(octets) };
    });
    sink({ messageId: id.valueBlock.valueDec, dn: octets(name).toString('utf8'), attributes });
    count++;
  }
  return count;
}
