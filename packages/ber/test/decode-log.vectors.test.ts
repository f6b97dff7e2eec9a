/**
 * log.json vectors of kind "scanf": the trace ber_scanf prints (its format,
 * then a dump of the element) for a BerElement allocated while the global
 * debug level was `debug_level`, and the scan's result.
 */
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { lberOptions, type LogPrintFn } from '@lber/sockbuf';
import { bytes, formatTag, loadVectors, VectorTally, type BytesSpec, type VectorBase } from '@lber/testkit';
import { BerElement, berInit2, berScanf } from '@lber/ber';

interface ScanfLogVector extends VectorBase {
  kind: string;
  input: BytesSpec;
  fmt: string;
  debug_level: number;
  rc: string;
  log: string[];
}

const file = loadVectors<ScanfLogVector>('log.json');
const vectors = file.vectors.filter((v) => v.kind === 'scanf');
const tally = new VectorTally('log.json (scanf)');

const savedPrint: LogPrintFn = lberOptions.logPrint;
const savedDebug = lberOptions.debug;
afterEach(() => {
  lberOptions.logPrint = savedPrint;
  lberOptions.debug = savedDebug;
});

describe('ber_scanf trace', () => {
  test.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const lines: string[] = [];
    lberOptions.debug = v.debug_level;
    const ber = new BerElement();
    berInit2(ber, bytes(v.input), 0);
    lberOptions.debug = 0;
    lberOptions.logPrint = (message) => {
      lines.push(message);
    };
    const r = berScanf(ber, v.fmt);
    expect(formatTag(r.tag)).toBe(v.rc);
    expect(lines).toEqual(v.log);
    tally.matchedExactly();
  });
});

afterAll(() => {
  const counts = tally.report();
  expect(counts.exact).toBe(vectors.length);
  expect(vectors.length).toBeGreaterThan(0);
});
