/**
 * log.json vectors of kind "bprint" (ber_bprint) and "dump" (ber_dump after
 * ber_init2 and ber_skip_data). The other kinds of log.json are covered by
 * the tests of the modules that emit them.
 */
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { berBprint, lberOptions, type LogPrintFn } from '@lber/sockbuf';
import { bytes, loadVectors, VectorTally, type BytesSpec, type VectorBase } from '@lber/testkit';
import { BerElement, berDump, berInit2 } from '@lber/ber';

interface BprintVector extends VectorBase {
  kind: 'bprint';
  input: BytesSpec;
  log?: string[];
  log_count?: number;
  log_excerpt?: Array<[number, string]>;
}

interface DumpVector extends VectorBase {
  kind: 'dump';
  input: BytesSpec;
  skip: number;
  inout: number;
  log: string[];
}

type LogVector = BprintVector | DumpVector | (VectorBase & { kind: 'get_next' | 'scanf' | 'printf' | 'write_nonzero' });

const file = loadVectors<LogVector>('log.json');
const bprintVectors = file.vectors.filter((v): v is BprintVector => v.kind === 'bprint');
const dumpVectors = file.vectors.filter((v): v is DumpVector => v.kind === 'dump');
const tally = new VectorTally('log.json (bprint, dump)');

/** Departure: liblber's ber_dump(ber, 0) reads past the end of the buffer. */
const DUMP_OVERREAD = 'ber_dump stops at the end of the buffer';

const savedPrint: LogPrintFn = lberOptions.logPrint;
afterEach(() => {
  lberOptions.logPrint = savedPrint;
});

function capture(run: () => void): string[] {
  const lines: string[] = [];
  lberOptions.logPrint = (message) => {
    lines.push(message);
  };
  try {
    run();
  } finally {
    lberOptions.logPrint = savedPrint;
  }
  return lines;
}

describe('ber_bprint', () => {
  test.each(bprintVectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const input = bytes(v.input);
    const lines = capture(() => berBprint(input));
    if (v.log !== undefined) {
      expect(lines).toEqual(v.log);
    } else {
      expect(lines.length).toBe(v.log_count);
      expect(v.log_excerpt?.length ?? 0).toBeGreaterThan(0);
      for (const [index, line] of v.log_excerpt ?? []) expect(lines[index]).toBe(line);
    }
    tally.matchedExactly();
  });
});

describe('ber_dump', () => {
  test.each(dumpVectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const input = bytes(v.input);
    const ber = new BerElement();
    berInit2(ber, input, 0);
    ber.ptr += v.skip;
    const lines = capture(() => berDump(ber, v.inout));
    const len = v.inout === 1 ? input.length - v.skip : v.skip;
    if (v.skip + len <= input.length) {
      expect(lines).toEqual(v.log);
      tally.matchedExactly();
      return;
    }
    // liblber dumped bytes beyond its buffer; the port dumps those in it.
    expect(lines[0]).toBe(v.log[0]);
    const inBuffer = capture(() => berBprint(input, v.skip));
    expect(lines.slice(1)).toEqual(inBuffer);
    const hexOf = (dump: string[]): string =>
      dump
        .map((line) => line.slice(9, 57).replace(/ /g, ''))
        .join('');
    expect(hexOf(v.log.slice(1)).slice(0, 2 * (input.length - v.skip))).toBe(hexOf(inBuffer));
    tally.matchedUnderDeparture(DUMP_OVERREAD);
  });

  test('the over-read departure: ber_dump(ber, 0) past the middle stops at the end of the buffer', () => {
    const ber = new BerElement();
    berInit2(ber, Buffer.from('3013020101600e0201030404636e3d788003707764', 'hex'), 0);
    ber.ptr = 20;
    expect(capture(() => berDump(ber, 0))).toEqual([
      'ber_dump: buf=<buf> ptr=<buf+20> end=<buf+21> len=20\n',
      '  0000:  64                                                 d                 \n',
    ]);
  });

  test('an element without a buffer prints (nil) pointers and an empty dump', () => {
    expect(capture(() => berDump(new BerElement(), 1))).toEqual(['ber_dump: buf=(nil) ptr=(nil) end=(nil) len=0\n', '\n']);
  });
});

afterAll(() => {
  const counts = tally.report();
  expect(tally.total).toBe(bprintVectors.length + dumpVectors.length);
  expect(counts.exact + Object.values(counts.departures).reduce((a, b) => a + b, 0)).toBe(tally.total);
});
