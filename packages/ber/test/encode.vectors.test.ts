/**
 * encode.json: ber_printf calls on one BerElement from ber_alloc_t, then
 * ber_flatten2. Every call's rc and LBER_OPT_BER_BYTES_TO_WRITE, and the
 * final bytes, must match liblber's.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { VectorTally, bytes, loadVectors, vectorTag, type BytesSpec, type VectorBase } from '@lber/testkit';
import { LBER_USE_DER, berAllocT, berFlatten2, berPrintf, type BerElement, type BerPrintfArg } from '@lber/ber';

type VectorArg =
  | number
  | string
  | BytesSpec
  | null
  | BytesSpec[]
  | { data: BytesSpec; len: number }
  | { data: BytesSpec; bits: number }
  | { callback: 'printf_int' | 'printf_seq' | 'fail'; data: number };

interface EncodeVector extends VectorBase {
  options: 'BER' | 'DER';
  calls: { fmt: string; args: VectorArg[]; rc: number; bytes_to_write: number }[];
  flatten_rc: number;
  bytes: BytesSpec | null;
}

const file = loadVectors<EncodeVector>('encode.json');
const tally = new VectorTally('encode.json');

/** The format characters that take an argument, in order. */
function argChars(fmt: string): string[] {
  return [...fmt].filter((c) => 'beistoOBXvVW!'.includes(c));
}

function hookFor(name: string, data: number): (ber: BerElement) => number {
  switch (name) {
    case 'printf_int':
      return (ber) => berPrintf(ber, 'i', data);
    case 'printf_seq':
      return (ber) => berPrintf(ber, '{i}', data);
    case 'fail':
      return () => -1;
    default:
      throw new Error(`unknown callback ${name}`);
  }
}

/** Turns one vector argument into the port's argument for format character `c`. */
function convertArg(c: string, arg: VectorArg): BerPrintfArg {
  switch (c) {
    case 'b':
    case 'i':
    case 'e':
      return arg as number;
    case 't':
      return vectorTag(arg as string);
    case 's':
    case 'O':
      return arg === null ? null : bytes(arg as BytesSpec);
    case 'o': {
      if (typeof arg === 'object' && arg !== null && !Array.isArray(arg) && 'len' in arg) {
        return { data: bytes(arg.data), len: arg.len };
      }
      return bytes(arg as BytesSpec);
    }
    case 'B':
    case 'X': {
      const a = arg as { data: BytesSpec; bits: number };
      return { data: bytes(a.data), bits: a.bits };
    }
    case 'v':
    case 'V':
    case 'W':
      return arg === null ? null : (arg as BytesSpec[]).map((item) => bytes(item));
    case '!': {
      const a = arg as { callback: string; data: number };
      return hookFor(a.callback, a.data);
    }
    default:
      throw new Error(`no argument expected for ${c}`);
  }
}

/** LBER_OPT_BER_BYTES_TO_WRITE as options.c computes it: ber_ptr - ber_buf. */
function bytesToWrite(ber: BerElement): number {
  return ber.ptr;
}

describe('encode.json', () => {
  test.each(file.vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const ber = berAllocT(v.options === 'DER' ? LBER_USE_DER : 0);
    const got: { rc: number; bytes_to_write: number }[] = [];
    for (const call of v.calls) {
      const chars = argChars(call.fmt);
      const args = call.args.map((a, i) => convertArg(chars[i] ?? '', a));
      const rc = berPrintf(ber, call.fmt, ...args);
      got.push({ rc, bytes_to_write: bytesToWrite(ber) });
    }
    expect(got).toEqual(v.calls.map((c) => ({ rc: c.rc, bytes_to_write: c.bytes_to_write })));
    const flat = berFlatten2(ber, 0);
    expect(flat === null ? -1 : 0).toBe(v.flatten_rc);
    if (v.bytes === null) {
      expect(flat).toBeNull();
    } else {
      expect(flat).not.toBeNull();
      expect(Buffer.compare(flat ?? Buffer.alloc(0), bytes(v.bytes))).toBe(0);
    }
    tally.matchedExactly();
  });

  afterAll(() => {
    const counts = tally.report();
    expect(tally.total).toBe(file.vectors.length);
    expect(counts.exact).toBe(file.vectors.length);
  });
});
