/**
 * Benchmark: decoding and encoding LDAP SearchResultEntry messages with
 * @lber/ber's BerReader/BerWriter, @ldapjs/asn1 and asn1js, in one run.
 *
 *   npm run bench -w @lber/ber
 *
 * The stream is made in memory: 100,000 messages
 *
 *   LDAPMessage ::= SEQUENCE { messageID INTEGER,
 *     protocolOp [APPLICATION 4] SEQUENCE {          -- SearchResultEntry
 *       objectName LDAPDN,
 *       attributes SEQUENCE OF SEQUENCE { type AttributeDescription,
 *                                         vals SET OF OCTET STRING } } }
 *
 * with about 13 attribute types each, some multi-valued, some non-ASCII
 * UTF-8, and a binary value on every tenth entry. Each library frames and
 * decodes the whole stream into an array of entry objects
 * `{ messageId, dn, attributes: { type, values: Buffer[] }[] }` (the
 * "decode" column), decodes it again handing each entry to a consumer that
 * reads every value and keeps none (the "streamed" column, as a client's
 * search iterator works, where less of the time is garbage collection), and
 * encodes the same entry objects back into messages (one Buffer per
 * message). Rates are per CPU-second of the process (all threads, so GC
 * threads count), each timing starts after a full GC, and rounds alternate
 * the libraries, keeping the best of each (five rounds), so a busy machine skews less. asn1js is much
 * slower, so it runs on the first 10,000 messages and its rate is given per
 * second like the others. Every library must decode the same entries and
 * encode the same bytes; the run checks that on a sample.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BerWriter } from '@lber/ber';
import { SpanEntry, decodeAsn1js, decodeLber, decodeLberSpans, decodeLdapjs, encodeAsn1js, encodeLber, encodeLdapjs, makeEntries, type Entry } from './entries.js';

/**
 * A full garbage collection between timings, so each one starts from the
 * same heap (the usual trick to reach V8's gc() without --expose-gc).
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** CPU seconds (user and system, all threads) of `fn`: steadier than wall time on a shared machine. */
function cpuSeconds(fn: () => void): number {
  collectGarbage();
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const MESSAGES = 100_000;
const ASN1JS_MESSAGES = 10_000;

// ---------------------------------------------------------------- the run

function sameEntry(a: Entry, b: Entry): boolean {
  if (a.messageId !== b.messageId || a.dn !== b.dn || a.attributes.length !== b.attributes.length) return false;
  return a.attributes.every((attr, i) => {
    const other = b.attributes[i]!;
    return attr.type === other.type && attr.values.length === other.values.length && attr.values.every((v, j) => v.equals(other.values[j]!));
  });
}

/** What a decoder hands the consumer: Buffer-valued entries, or lber's offsets entries. */
type Decoded = Entry | SpanEntry;
const asEntry = (e: Decoded): Entry => (e instanceof SpanEntry ? e.toEntry() : e);

function check(name: string, got: Decoded[], expected: Entry[]): void {
  if (got.length !== expected.length) throw new Error(`${name}: decoded ${got.length} entries, expected ${expected.length}`);
  for (let i = 0; i < got.length; i += 97) {
    if (!sameEntry(asEntry(got[i]!), expected[i]!)) throw new Error(`${name}: entry ${i} differs`);
  }
  if (!sameEntry(asEntry(got[got.length - 1]!), expected[expected.length - 1]!)) throw new Error(`${name}: the last entry differs`);
}

const started = performance.now();
const entries = makeEntries(MESSAGES);
const writer = new BerWriter({ initialSize: 4096 });
const messages = entries.map((e) => encodeLber(writer, e));
const stream = Buffer.concat(messages);
const avg = stream.length / MESSAGES;
process.stdout.write(`stream: ${MESSAGES} SearchResultEntry messages, ${stream.length} bytes (${avg.toFixed(0)} bytes per message)\n`);

// the same bytes from every encoder, the same entries from every decoder
for (let i = 0; i < MESSAGES; i += 997) {
  const lber = messages[i]!;
  if (!encodeLdapjs(entries[i]!).equals(lber)) throw new Error(`@ldapjs/asn1 encodes entry ${i} differently`);
  if (!encodeAsn1js(entries[i]!).equals(lber)) throw new Error(`asn1js encodes entry ${i} differently`);
}

interface Library {
  name: string;
  /** Messages it runs on (asn1js: a subset, its rates are still per second). */
  messages: number;
  decode: (stream: Buffer, limit: number, sink: (entry: Decoded) => void) => number;
  /** Absent where the row is another decoding of a library already listed. */
  encode?: (entry: Entry) => Buffer;
}
interface Row {
  lib: Library;
  decode: number;
  decodeKept: number;
  encode: number;
}

const libraries: Library[] = [
  { name: 'lber (BerReader/BerWriter)', messages: MESSAGES, decode: decodeLber, encode: (e) => encodeLber(writer, e) },
  { name: 'lber, offsets entries (BerReader spans)', messages: MESSAGES, decode: decodeLberSpans },
  { name: '@ldapjs/asn1 (BerReader/BerWriter)', messages: MESSAGES, decode: decodeLdapjs, encode: encodeLdapjs },
  { name: 'asn1js (fromBER/toBER)', messages: ASN1JS_MESSAGES, decode: decodeAsn1js, encode: encodeAsn1js },
];
const expectedBytes = (count: number): number => messages.slice(0, count).reduce((n, m) => n + m.length, 0);

/**
 * Decoding hands each entry to a consumer, as a client's search iterator
 * does; the consumer reads every value and keeps a sample of entries for
 * the checks. One timing of the decode of the whole stream, in seconds.
 */
function timeDecode(lib: Library, kept?: Decoded[]): number {
  let bytes = 0;
  let index = 0;
  let count = 0;
  const seconds = cpuSeconds(() => {
    count = lib.decode(stream, lib.messages, (entry) => {
      if (entry instanceof SpanEntry) bytes += entry.valueBytes();
      else for (const attr of entry.attributes) for (const v of attr.values) bytes += v.length;
      if (kept !== undefined) kept.push(entry);
      else if (index % 97 === 0) sample.push(entry);
      index++;
    });
  });
  if (count !== lib.messages || bytes === 0) throw new Error(`${lib.name}: decoded ${count} entries`);
  return seconds;
}
const sample: Decoded[] = [];

function timeEncode(lib: Library): number {
  const encode = lib.encode;
  if (encode === undefined) return NaN;
  let bytes = 0;
  const seconds = cpuSeconds(() => {
    for (let i = 0; i < lib.messages; i++) bytes += encode(entries[i]!).length;
  });
  if (bytes !== expectedBytes(lib.messages)) throw new Error(`${lib.name}: encoded ${bytes} bytes`);
  return seconds;
}

const rows: Row[] = libraries.map((lib) => ({ lib, decode: 0, decodeKept: 0, encode: 0 }));
// then rounds that alternate the libraries, so a busy machine slows all alike; best of each
const ROUNDS = 5;
for (let round = 0; round < ROUNDS; round++) {
  for (const row of rows) {
    if (row.lib.messages < MESSAGES && round > 0) continue; // asn1js: one round
    // streamed to a consumer, as a client's search iterator hands them out
    sample.length = 0;
    row.decode = Math.max(row.decode, row.lib.messages / timeDecode(row.lib));
    for (let i = 0; i < sample.length; i++) {
      if (!sameEntry(asEntry(sample[i]!), entries[i * 97]!)) throw new Error(`${row.lib.name}: sampled entry ${i * 97} differs`);
    }
    if (row.lib.encode !== undefined) row.encode = Math.max(row.encode, row.lib.messages / timeEncode(row.lib));
    // into an array of entry objects, all kept: allocation and GC weigh most here
    const kept: Decoded[] = [];
    row.decodeKept = Math.max(row.decodeKept, row.lib.messages / timeDecode(row.lib, kept));
    if (round === 0) check(row.lib.name, kept, entries.slice(0, row.lib.messages));
    kept.length = 0;
  }
}

const base = rows.find((r) => r.lib.name.startsWith('@ldapjs'))!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratio = (n: number, d: number): string => `${(n / d).toFixed(2)}x`;
const lines = [
  '| library | messages | decode entries/s | encode entries/s | decode vs @ldapjs/asn1 | encode vs @ldapjs/asn1 | decode streamed to a consumer, entries/s (vs @ldapjs/asn1) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.lib.name} | ${fmt(r.lib.messages)}${r.lib.messages < MESSAGES ? ' (subset; rates per second)' : ''} | ${fmt(r.decodeKept)} | ${r.lib.encode === undefined ? '-' : fmt(r.encode)} | ${ratio(r.decodeKept, base.decodeKept)} | ${r.lib.encode === undefined ? '-' : ratio(r.encode, base.encode)} | ${fmt(r.decode)} (${ratio(r.decode, base.decode)}) |`,
  ),
];
process.stdout.write(`\n${lines.join('\n')}\n\n`);
process.stdout.write(
  `node ${process.version}, rates per CPU-second, best of ${ROUNDS} alternating rounds (asn1js: 1), a full GC before each timing, ${((performance.now() - started) / 1000).toFixed(1)} s in all; ` +
    'every decoder checked against the source entries, every encoder against the same bytes\n',
);

const [lber, lberSpans] = rows as [Row, Row];
const floor = 3;
for (const [what, mine, theirs] of [
  ['decode, lber offsets entries', lberSpans.decodeKept, base.decodeKept],
  ['decode, lber Buffer-per-value entries', lber.decodeKept, base.decodeKept],
  ['encode', lber.encode, base.encode],
] as const) {
  process.stdout.write(`floor ${floor}x ${what}: ${mine >= floor * theirs ? 'met' : 'MISSED'} (${ratio(mine, theirs)})\n`);
}
