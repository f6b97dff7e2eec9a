/**
 * Fuzzing the decoder: random and mutated inputs through ber_scanf, the
 * ber_get_* calls and the first/next element loop. Every call must give
 * liblber's error return (LBER_DEFAULT, -1) or a typed BerError, never an
 * uncaught RangeError / TypeError (even after options put the end or the
 * cursor past the input), never write into the input, and every loop must
 * end.
 *
 * The generator is seeded (LBER_FUZZ_SEED, default below) so a failure can
 * be replayed; the seed is printed with each failure.
 */
import { describe, expect, test } from '@jest/globals';
import { bytes, loadVectors, type BytesSpec, type VectorBase, mulberry32 } from '@lber/testkit';
import {
  BerElement,
  BerError,
  LBER_BV_ALLOC,
  LBER_BV_NOTERM,
  LBER_BV_STRING,
  LBER_DEFAULT,
  LBER_OPT_BER_BYTES_TO_WRITE,
  LBER_OPT_BER_REMAINING_BYTES,
  LBER_OPT_BER_TOTAL_BYTES,
  berFirstElement,
  berGetBitstringa,
  berGetBoolean,
  berGetInt,
  berGetNull,
  berGetOption,
  berGetStringa,
  berGetStringal,
  berGetStringb,
  berGetStringbv,
  berGetTag,
  berInit2,
  berNextElement,
  berPeekElement,
  berPeekTag,
  berRead,
  berScanf,
  berSetOption,
  berSkipData,
  berSkipElement,
  berSkipRaw,
  berSkipTag,
  type BerScanfArg,
} from '@lber/ber';

const SEED = Number(process.env['LBER_FUZZ_SEED'] ?? 0x5eed1234);
const INPUTS = 100_000;

const corpus: Buffer[] = loadVectors<VectorBase & { input: BytesSpec }>('decode.json')
  .vectors.map((v) => bytes(v.input))
  .filter((b) => b.length > 0 && b.length < 2048);

/** Formats from the vectors and LDAP, plus every format character alone. */
const FORMATS = [
  '{i{imm}}',
  '{i{emm}}',
  '{i{meeiibm{W}}}',
  '{iV}',
  '{mm}',
  '{m{W}}',
  '{m{M}}',
  '{v}',
  '{V}',
  'W',
  'M',
  '{lix}',
  '{tT}',
  '{s}',
  '{!x}',
  '[oO]',
  '{aA}',
  '{B}',
  'n',
  'x{x}x',
  '}]',
  ...'aAbBeilmMnoOstTvVWx!{}[]'.split(''),
];
const FORMAT_CHARS = 'aAbBeilmMnoOstTvVWx!{}[]';

/** A few random edits of a corpus input. */
function mutate(next: () => number, base: Buffer): Buffer {
  const out = Buffer.from(base);
  const edits = 1 + Math.floor(next() * 4);
  let data = out;
  for (let e = 0; e < edits; e++) {
    const kind = Math.floor(next() * 6);
    const at = Math.floor(next() * Math.max(1, data.length));
    switch (kind) {
      case 0: // flip a byte
        if (data.length > 0) data[at] = Math.floor(next() * 256);
        break;
      case 1: // truncate
        data = data.subarray(0, at);
        break;
      case 2: // extreme length octets
        if (data.length > 1) data[Math.min(at, data.length - 1)] = [0x80, 0x84, 0x88, 0x89, 0xff, 0x7f, 0x00][Math.floor(next() * 7)] ?? 0x80;
        break;
      case 3: // insert random bytes
        data = Buffer.concat([data.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(next() * 4) }, () => Math.floor(next() * 256))), data.subarray(at)]);
        break;
      case 4: // delete a byte
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + 1)]);
        break;
      default: // a NUL somewhere (exercises the STRING checks)
        if (data.length > 0) data[at] = 0;
        break;
    }
  }
  return data;
}

function randomInput(next: () => number): Buffer {
  const r = next();
  if (r < 0.3 || corpus.length === 0) {
    return Buffer.from(Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 256)));
  }
  const base = corpus[Math.floor(next() * corpus.length)] ?? Buffer.alloc(0);
  return r < 0.4 ? base : mutate(next, base);
}

function randomFormat(next: () => number): string {
  if (next() < 0.7) return FORMATS[Math.floor(next() * FORMATS.length)] ?? 'x';
  const n = 1 + Math.floor(next() * 8);
  let f = '';
  for (let i = 0; i < n; i++) f += next() < 0.02 ? 'z' : (FORMAT_CHARS[Math.floor(next() * FORMAT_CHARS.length)] ?? 'x');
  return f;
}

/** A cheap assertion for the hot loop (jest's expect costs microseconds per call). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant failed: ${what}`);
}

function argsFor(fmt: string, next: () => number): BerScanfArg[] {
  const args: BerScanfArg[] = [];
  for (const c of fmt) {
    if (c === '!') args.push((b: BerElement, mode: 0 | 1) => (mode === 0 ? berGetInt(b).tag : 0));
    else if (c === 's') args.push(new Uint8Array(Math.floor(next() * 16)));
  }
  return args;
}

/** Runs one random decoding operation on `ber`. */
function step(ber: BerElement, next: () => number): void {
  const op = Math.floor(next() * 22);
  switch (op) {
    case 0:
    case 1:
    case 2:
    case 3: {
      const fmt = randomFormat(next);
      try {
        const r = berScanf(ber, fmt, ...argsFor(fmt, next));
        check(typeof r.tag === 'bigint', 'scanf tag is a bigint');
      } catch (e) {
        // Only an unknown format character may throw.
        if (!(e instanceof BerError) || e.code !== 'BER_BAD_FORMAT') throw e;
      }
      break;
    }
    case 4:
      berGetInt(ber);
      break;
    case 5:
      berGetBoolean(ber);
      break;
    case 6:
      berGetNull(ber);
      break;
    case 7:
      berGetStringbv(ber, [0, LBER_BV_ALLOC, LBER_BV_NOTERM, LBER_BV_STRING, LBER_BV_ALLOC | LBER_BV_STRING][Math.floor(next() * 5)] ?? 0);
      break;
    case 8:
      berGetStringa(ber);
      break;
    case 9:
      berGetStringal(ber);
      break;
    case 10:
      berGetStringb(ber, new Uint8Array(Math.floor(next() * 12)));
      break;
    case 11:
      berGetBitstringa(ber);
      break;
    case 12:
      berGetTag(ber);
      break;
    case 13:
      berPeekTag(ber);
      berPeekElement(ber);
      break;
    case 14:
      berSkipTag(ber);
      break;
    case 15:
      berSkipElement(ber);
      break;
    case 16:
      berSkipRaw(ber);
      break;
    case 17: {
      // The LDAP loop; it must end within one step per remaining octet.
      const first = berFirstElement(ber);
      let tag = first.tag;
      let rounds = 0;
      const bound = (ber.buf?.length ?? 0) + 2;
      while (tag !== LBER_DEFAULT) {
        check(++rounds <= bound, 'first/next loop ends');
        if (berSkipElement(ber).tag === LBER_DEFAULT) break;
        tag = berNextElement(ber, first.last ?? 0).tag;
      }
      break;
    }
    case 18:
      berSkipData(ber, Math.floor(next() * 8));
      break;
    case 19:
      berRead(ber, new Uint8Array(Math.floor(next() * 8)));
      break;
    case 20: {
      const opt = [LBER_OPT_BER_REMAINING_BYTES, LBER_OPT_BER_TOTAL_BYTES, LBER_OPT_BER_BYTES_TO_WRITE][Math.floor(next() * 3)] ?? LBER_OPT_BER_TOTAL_BYTES;
      const r = berSetOption(ber, opt, Math.floor(next() * ((ber.buf?.length ?? 0) + 4)));
      check(r.rc === 0 || r.rc === -1, 'option rc');
      break;
    }
    default:
      berGetOption(ber, LBER_OPT_BER_REMAINING_BYTES);
      break;
  }
}

describe('decoder fuzz', () => {
  test(`${INPUTS} random and mutated inputs (seed ${SEED})`, () => {
    const next = mulberry32(SEED);
    let calls = 0;
    for (let n = 0; n < INPUTS; n++) {
      const input = randomInput(next);
      const original = Buffer.from(input);
      const ber = new BerElement();
      berInit2(ber, input, 0);
      const steps = 1 + Math.floor(next() * 6);
      try {
        for (let s = 0; s < steps; s++) {
          step(ber, next);
          calls++;
          // The cursor never leaves the buffer by more than liblber's own arithmetic allows.
          check(Number.isSafeInteger(ber.ptr) && ber.ptr >= 0, 'cursor is an offset');
          check(Number.isSafeInteger(ber.end) && ber.end >= 0, 'end is an offset');
        }
      } catch (e) {
        throw new Error(`seed ${SEED}, input #${n} ${original.toString('hex')}: ${String(e)}`, { cause: e });
      }
      // Decoding never writes into the caller's input.
      if (!input.equals(original)) throw new Error(`seed ${SEED}, input #${n} ${original.toString('hex')} was modified`);
    }
    expect(calls).toBeGreaterThanOrEqual(INPUTS);
  });
});
