/**
 * log.json vectors of kind "printf" (ber_printf with the arguments 1, 2, 3
 * on a BerElement allocated at a given global debug level) and
 * "write_nonzero" (ber_write with a nonzero fourth argument): the return
 * value and every message liblber logged.
 */
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { lberOptions, type LogPrintFn } from '@lber/sockbuf';
import { VectorTally, loadVectors, type VectorBase } from '@lber/testkit';
import { berAllocT, berPrintf, berWrite } from '@lber/ber';

interface PrintfVector extends VectorBase {
  kind: 'printf';
  fmt: string;
  debug_level: number;
  rc: number;
  log: string[];
}

interface WriteNonzeroVector extends VectorBase {
  kind: 'write_nonzero';
  debug_level: number;
  rc: number;
  log: string[];
}

type LogVector = PrintfVector | WriteNonzeroVector | (VectorBase & { kind: 'bprint' | 'dump' | 'get_next' | 'scanf' });

const file = loadVectors<LogVector>('log.json');
const mine = file.vectors.filter((v): v is PrintfVector | WriteNonzeroVector => v.kind === 'printf' || v.kind === 'write_nonzero');
const tally = new VectorTally('log.json (printf, write_nonzero)');

const saved = { debug: lberOptions.debug, logPrint: lberOptions.logPrint };
afterEach(() => {
  lberOptions.debug = saved.debug;
  lberOptions.logPrint = saved.logPrint;
});

/** Runs `fn` with the global debug level set for allocation and the log captured. */
function capture(level: number, fn: () => number): { rc: number; log: string[] } {
  const log: string[] = [];
  const sink: LogPrintFn = (message) => {
    log.push(message);
  };
  lberOptions.debug = level;
  lberOptions.logPrint = sink;
  const rc = fn();
  return { rc, log };
}

describe('log.json printf and write_nonzero', () => {
  test.each(mine.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const got =
      v.kind === 'printf'
        ? capture(v.debug_level, () => {
            const ber = berAllocT(0);
            // ber_printf with the arguments 1, 2, 3; formats here only take ints.
            return berPrintf(ber, v.fmt, 1, 2, 3);
          })
        : capture(v.debug_level, () => berWrite(berAllocT(0), Buffer.from('abc'), 3, 1));
    expect(got).toEqual({ rc: v.rc, log: v.log });
    tally.matchedExactly();
  });

  afterAll(() => {
    const counts = tally.report();
    expect(tally.total).toBe(mine.length);
    expect(counts.exact).toBe(mine.length);
  });
});
