/**
 * oid.json: ber_encode_oid and ber_decode_oid, with the output buffer size
 * liblber's caller gave.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { VectorTally, bytes, hex, loadVectors, type VectorBase } from '@lber/testkit';
import { berDecodeOid, berEncodeOid } from '@lber/ber';

interface OidVector extends VectorBase {
  direction: 'encode' | 'decode';
  input: string;
  out_size: number;
  rc: number;
  output: string | null;
}

const file = loadVectors<OidVector>('oid.json');
const tally = new VectorTally('oid.json');

describe('oid.json', () => {
  test.each(file.vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    if (v.direction === 'encode') {
      const out = berEncodeOid(v.input, v.out_size);
      expect({ rc: out === null ? -1 : 0, output: out === null ? null : hex(out) }).toEqual({ rc: v.rc, output: v.output });
    } else {
      const out = berDecodeOid(bytes(v.input), v.out_size);
      expect({ rc: out === null ? -1 : 0, output: out }).toEqual({ rc: v.rc, output: v.output });
    }
    tally.matchedExactly();
  });

  afterAll(() => {
    const counts = tally.report();
    expect(tally.total).toBe(file.vectors.length);
    expect(counts.exact).toBe(file.vectors.length);
  });
});
