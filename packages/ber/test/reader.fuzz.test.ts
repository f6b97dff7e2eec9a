/**
 * Fuzzing the typed reader: random bytes, mutations of valid LDAP messages
 * and random valid trees. Every input must decode or throw a BerError;
 * any other exception (RangeError, TypeError, ...) or a slow input fails.
 *
 * The seed changes every run and is printed on failure; set
 * LBER_FUZZ_SEED to replay one.
 */
import { expect, test } from '@jest/globals';
import { BER_ANY_TAG, BerError, BerReader, BerWriter, berElementSize, berTagParts, decodeBerNode, encodeBerNode, type BerNode } from '@lber/ber';
import { mulberry32 } from '@lber/testkit';

const INPUTS_PER_KIND = 40_000;
const SLOW_INPUT_MS = 1000;
const seed = Number(process.env['LBER_FUZZ_SEED'] ?? Date.now() % 0x7fffffff);

const random = mulberry32(seed);
const int = (n: number): number => Math.floor(random() * n);

function randomBytes(max: number): Buffer {
  const out = Buffer.allocUnsafe(int(max + 1));
  for (let i = 0; i < out.length; i++) out[i] = int(256);
  return out;
}

/** A few valid LDAP-shaped messages to mutate. */
function seeds(): Buffer[] {
  const w = new BerWriter();
  const out: Buffer[] = [];
  for (let m = 0; m < 40; m++) {
    w.reset();
    w.startSequence();
    w.writeInt(int(2 ** 31));
    switch (m % 4) {
      case 0: // SearchResultEntry
        w.startSequence(0x64);
        w.writeString(`uid=u${m},dc=example,dc=com`);
        w.startSequence();
        for (let a = 0; a < 1 + int(4); a++) {
          w.startSequence();
          w.writeString(['cn', 'mail', 'objectClass', 'jpegPhoto'][a % 4]!);
          w.startSet();
          for (let v = 0; v < 1 + int(3); v++) w.writeOctetString(randomBytes(a === 3 ? 300 : 20));
          w.endSequence();
          w.endSequence();
        }
        w.endSequence();
        w.endSequence();
        break;
      case 1: // SearchResultDone with a referral and controls
        w.startSequence(0x65);
        w.writeEnum(int(80));
        w.writeString('');
        w.writeString('no such object');
        w.startSequence(0xa3);
        w.writeString('ldap://example.com/');
        w.endSequence();
        w.endSequence();
        w.startSequence(0xa0);
        w.startSequence();
        w.writeString('1.2.840.113556.1.4.319');
        w.writeBoolean(true);
        w.writeOctetString(randomBytes(12));
        w.endSequence();
        w.endSequence();
        break;
      case 2: // BindRequest
        w.startSequence(0x60);
        w.writeInt(3);
        w.writeString('cn=admin');
        w.writeOctetString(randomBytes(10), 0x80);
        w.endSequence();
        break;
      default: // UnbindRequest and a high-tag element
        w.writeNull(0x42);
        w.writeOctetString(randomBytes(5), 0x9f8101);
    }
    w.endSequence();
    out.push(w.toBuffer());
  }
  return out;
}

function mutate(input: Buffer, corpus: Buffer[]): Buffer {
  let out = Buffer.from(input);
  for (let k = 1 + int(4); k > 0; k--) {
    const at = int(out.length + 1);
    switch (int(8)) {
      case 0: // flip bits
        if (out.length > 0) out[at % out.length]! ^= 1 << int(8);
        break;
      case 1: // a random byte
        if (out.length > 0) out[at % out.length] = int(256);
        break;
      case 2: // an interesting length or tag octet
        if (out.length > 0) out[at % out.length] = [0x00, 0x7f, 0x80, 0x81, 0x84, 0x88, 0x89, 0xff, 0x1f, 0x3f, 0x30][int(11)]!;
        break;
      case 3: // truncate
        out = out.subarray(0, at);
        break;
      case 4: // delete a run
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + int(8))]);
        break;
      case 5: // insert random bytes
        out = Buffer.concat([out.subarray(0, at), randomBytes(6), out.subarray(at)]);
        break;
      case 6: // splice in part of another seed
        {
          const other = corpus[int(corpus.length)]!;
          const from = int(other.length);
          out = Buffer.concat([out.subarray(0, at), other.subarray(from, from + int(40)), out.subarray(at)]);
        }
        break;
      default: // a huge declared length
        out = Buffer.concat([out.subarray(0, at), Buffer.from([0x84, 0xff, 0xff, 0xff, 0xf0]), out.subarray(at)]);
    }
  }
  return out;
}

function randomTree(depth: number): BerNode {
  const tagClass = ([0x00, 0x40, 0x80, 0xc0] as const)[int(4)]!;
  const tagNumber = random() < 0.9 ? int(31) : int(2 ** 21);
  if (depth > 0 && random() < 0.4) {
    const children: BerNode[] = [];
    for (let i = int(4); i > 0; i--) children.push(randomTree(depth - 1));
    return { tagClass, constructed: true, tagNumber, value: children };
  }
  return { tagClass, constructed: false, tagNumber, value: randomBytes(int(3) === 0 ? 200 : 8) };
}

/** Walks any input with the typed readers, choosing one by the tag found. */
function typedWalk(r: BerReader): void {
  while (r.hasMore()) {
    const tag = r.peekTag();
    const { tagClass, constructed, tagNumber } = berTagParts(tag);
    if (constructed) {
      if (tag === 0x31 && random() < 0.5) {
        if (random() < 0.5) r.readOctetStringList();
        else r.readOctetStringSpans([]);
        continue;
      }
      r.enter(BER_ANY_TAG);
      typedWalk(r);
      r.leave();
      continue;
    }
    if (tagClass !== 0) {
      if (random() < 0.5) r.readInternedString(BER_ANY_TAG);
      else r.skip();
      continue;
    }
    switch (tagNumber) {
      case 1:
        r.readBoolean();
        break;
      case 2:
        r.readInt();
        break;
      case 5:
        r.readNull();
        break;
      case 10:
        r.readEnum();
        break;
      case 4:
        r.readString();
        break;
      default:
        r.readRaw();
    }
  }
}

const reader = new BerReader({ maxDepth: 32, maxLength: 1 << 20 });

interface Tally {
  inputs: number;
  decoded: number;
  berErrors: number;
}
const tally: Tally = { inputs: 0, decoded: 0, berErrors: 0 };

function exercise(input: Buffer): void {
  tally.inputs++;
  const t0 = performance.now();
  for (const run of [
    () => decodeBerNode(input, { maxDepth: 32, maxLength: 1 << 20 }),
    () => typedWalk(reader.reset(input)),
    () => berElementSize(input, 0, input.length, 1 << 20),
  ]) {
    try {
      run();
      tally.decoded++;
    } catch (err) {
      if (!(err instanceof BerError)) {
        throw new Error(`seed ${seed}: input ${input.toString('hex')} threw ${String(err)}`, { cause: err });
      }
      tally.berErrors++;
    }
  }
  const ms = performance.now() - t0;
  if (ms > SLOW_INPUT_MS) throw new Error(`seed ${seed}: input ${input.toString('hex')} took ${ms.toFixed(0)} ms`);
}

test(`at least 100,000 inputs decode or throw BerError (seed ${seed})`, () => {
  const corpus = seeds();
  for (const s of corpus) exercise(s);
  for (let i = 0; i < INPUTS_PER_KIND; i++) exercise(mutate(corpus[int(corpus.length)]!, corpus));
  for (let i = 0; i < INPUTS_PER_KIND; i++) exercise(randomBytes(int(10) === 0 ? 400 : 24));
  for (let i = 0; i < INPUTS_PER_KIND / 2; i++) {
    const valid = encodeBerNode(randomTree(5));
    exercise(valid);
    exercise(mutate(valid, corpus));
  }
  expect(tally.inputs).toBeGreaterThanOrEqual(100_000);
  // the corpus must exercise both outcomes, or the fuzzing proves little
  expect(tally.decoded).toBeGreaterThan(tally.inputs / 10);
  expect(tally.berErrors).toBeGreaterThan(tally.inputs / 10);
}, 120_000);
