/**
 * One library, one round of the BER benchmark (see run.ts), in a process
 * of its own so no library runs in a heap another one filled:
 *
 *   node --import tsx --conditions lber-source bench/worker.ts <library> <messages>
 *
 * Builds the stream, checks that the library decodes the same entries and
 * encodes the same bytes, warms up with one untimed pass of each timing,
 * then times three things in CPU seconds of the process (all threads, so
 * GC threads count): decode streamed to a consumer, encode, and decode
 * into entry objects that are all kept. Prints `RESULT <json>`.
 */
import { fileURLToPath } from 'node:url';
import { BerWriter } from '@lber/ber';
import { SpanEntry, decodeAsn1js, decodeLber, decodeLberSpans, decodeLdapjs, encodeAsn1js, encodeLber, encodeLdapjs, makeEntries, type Entry } from './entries.js';

/** The libraries (and lber's two entry shapes) the run compares. */
export const LIBRARIES = ['lber', 'lber-spans', 'ldapjs', 'asn1js'] as const;
export type LibraryName = (typeof LIBRARIES)[number];

/** Entries per CPU-second of each timing. */
export interface WorkerResult {
  library: LibraryName;
  messages: number;
  decode: number;
  decodeKept: number;
  /** NaN where the row has no encoder of its own (lber's offsets entries). */
  encode: number;
}

/** What a decoder hands the consumer: Buffer-valued entries, or lber's offsets entries. */
type Decoded = Entry | SpanEntry;
const asEntry = (e: Decoded): Entry => (e instanceof SpanEntry ? e.toEntry() : e);

interface Library {
  decode: (stream: Buffer, limit: number, sink: (entry: Decoded) => void) => number;
  encode?: (entry: Entry) => Buffer;
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a.messageId !== b.messageId || a.dn !== b.dn || a.attributes.length !== b.attributes.length) return false;
  return a.attributes.every((attr, i) => {
    const other = b.attributes[i]!;
    return attr.type === other.type && attr.values.length === other.values.length && attr.values.every((v, j) => v.equals(other.values[j]!));
  });
}

function cpuSeconds(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function run(name: LibraryName, messages: number): WorkerResult {
  const entries = makeEntries(messages);
  const writer = new BerWriter({ initialSize: 4096 });
  const encoded = entries.map((e) => encodeLber(writer, e));
  const stream = Buffer.concat(encoded);
  const library: Library = {
    lber: { decode: decodeLber, encode: (e: Entry) => encodeLber(writer, e) },
    'lber-spans': { decode: decodeLberSpans },
    ldapjs: { decode: decodeLdapjs, encode: encodeLdapjs },
    asn1js: { decode: decodeAsn1js, encode: encodeAsn1js },
  }[name];

  // the same entries out of the decoder, the same bytes out of the encoder
  let index = 0;
  library.decode(stream, messages, (entry) => {
    if (index % 97 === 0 || index === messages - 1) {
      if (!sameEntry(asEntry(entry), entries[index]!)) throw new Error(`${name}: entry ${index} differs`);
    }
    index++;
  });
  if (index !== messages) throw new Error(`${name}: decoded ${index} entries, expected ${messages}`);
  const encode = library.encode;
  if (encode !== undefined) {
    for (let i = 0; i < messages; i += 97) {
      if (!encode(entries[i]!).equals(encoded[i]!)) throw new Error(`${name}: encodes entry ${i} differently`);
    }
  }

  // the consumer reads the length of every value, as an application reads its values
  let bytes = 0;
  const consume = (entry: Decoded): void => {
    if (entry instanceof SpanEntry) bytes += entry.valueBytes();
    else for (const attr of entry.attributes) for (const v of attr.values) bytes += v.length;
  };
  const timeDecode = (): number => cpuSeconds(() => library.decode(stream, messages, consume));
  const timeEncode = (): number =>
    cpuSeconds(() => {
      for (let i = 0; i < messages; i++) bytes += encode!(entries[i]!).length;
    });
  const timeDecodeKept = (): number => {
    const kept: Decoded[] = [];
    const seconds = cpuSeconds(() =>
      library.decode(stream, messages, (entry) => {
        consume(entry);
        kept.push(entry);
      }),
    );
    if (kept.length !== messages) throw new Error(`${name}: kept ${kept.length} entries`);
    return seconds;
  };

  // one untimed pass of each (the JIT's warm-up), then the timed ones
  timeDecode();
  if (encode !== undefined) timeEncode();
  timeDecodeKept();
  const decode = messages / timeDecode();
  const encodeRate = encode !== undefined ? messages / timeEncode() : NaN;
  const decodeKept = messages / timeDecodeKept();
  if (bytes === 0) throw new Error(`${name}: no value was read`);
  return { library: name, messages, decode, decodeKept, encode: encodeRate };
}

// run.ts imports the names above; the work runs only when this is the script
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, count] = process.argv.slice(2);
  if (!LIBRARIES.includes(name as LibraryName)) throw new Error(`worker: unknown library ${name}`);
  const result = run(name as LibraryName, Number(count));
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}
