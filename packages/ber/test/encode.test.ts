/**
 * The encoder through its public API: the individual ber_put_* calls,
 * sequence back-patching in BER and DER mode, the `!` hook's pending-tag
 * rules, argument checking, and a differential test against asn1js.
 */
import { describe, expect, test } from '@jest/globals';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import {
  BerError,
  LBER_DEFAULT,
  LBER_USE_DER,
  MAXINT_BERSIZE,
  berAllocT,
  berFlatten2,
  berPrintf,
  berPutBerval,
  berPutBitstring,
  berPutBoolean,
  berPutEnum,
  berPutInt,
  berPutNull,
  berPutOstring,
  berPutSeq,
  berPutSet,
  berPutString,
  berStartSeq,
  berStartSet,
  type BerElement,
  type BerPrintfArg,
} from '@lber/ber';

function flat(ber: BerElement): string {
  const out = berFlatten2(ber, 0);
  if (out === null) throw new Error('sequence still open');
  return out.toString('hex');
}

/** One ber_printf call on a fresh element; its rc and the encoding. */
function printf(options: number, fmt: string, ...args: BerPrintfArg[]): { rc: number; hex: string } {
  const ber = berAllocT(options);
  const rc = berPrintf(ber, fmt, ...args);
  return { rc, hex: flat(ber) };
}

describe('ber_put_int / ber_put_enum', () => {
  // Minimal two's complement: the boundaries where one more octet is needed.
  test.each([
    [0, '020100'],
    [127, '02017f'],
    [128, '02020080'],
    [-128, '020180'],
    [-129, '0202ff7f'],
    [32767, '02027fff'],
    [32768, '0203008000'],
    [-32769, '0203ff7fff'],
    [8388608, '020400800000'],
    [2147483647, '02047fffffff'],
    [-2147483648, '020480000000'],
  ])('%d', (num, expected) => {
    const ber = berAllocT(0);
    expect(berPutInt(ber, num)).toBe(expected.length / 2);
    expect(flat(ber)).toBe(expected);
  });

  test('a value up to 2^32-1 wraps to 32 bits as a C int argument does', () => {
    const ber = berAllocT(0);
    berPutInt(ber, 0xffff_ffff);
    expect(flat(ber)).toBe('0201ff');
  });

  test('enumerated with its default and an explicit tag', () => {
    const ber = berAllocT(0);
    expect(berPutEnum(ber, 3)).toBe(3);
    expect(berPutEnum(ber, 3, 0x8an)).toBe(3);
    expect(flat(ber)).toBe('0a01038a0103');
  });

  test.each([1.5, Number.NaN, 2 ** 40, -(2 ** 31) - 1])('%p is refused with a BerError', (bad) => {
    const ber = berAllocT(0);
    expect(() => berPutInt(ber, bad)).toThrow(BerError);
    expect(berFlatten2(ber, 0)?.length).toBe(0);
  });
});

describe('primitive elements', () => {
  test('boolean: any nonzero or true is ff', () => {
    const ber = berAllocT(0);
    berPutBoolean(ber, true);
    berPutBoolean(ber, false);
    berPutBoolean(ber, -7);
    expect(flat(ber)).toBe('0101ff0101000101ff');
  });

  test('null, with a multi-octet raw tag', () => {
    const ber = berAllocT(0);
    expect(berPutNull(ber)).toBe(2);
    expect(berPutNull(ber, 0xbf8100n)).toBe(4);
    expect(flat(ber)).toBe('0500bf810000');
  });

  test('-1n is (ber_tag_t) -1, so LBER_DEFAULT: the type default', () => {
    const ber = berAllocT(0);
    berPutInt(ber, 1, -1n);
    expect(flat(ber)).toBe('020101');
  });

  test('a value that is not bytes throws BER_BAD_ARGUMENT', () => {
    const ber = berAllocT(0);
    expect(() => berPutOstring(ber, 5 as unknown as string)).toThrow(expect.objectContaining({ code: 'BER_BAD_ARGUMENT' }));
    expect(() => berPutNull(ber, 'x' as unknown as bigint)).toThrow(expect.objectContaining({ code: 'BER_BAD_ARGUMENT' }));
  });

  test('tag 0 is the single octet 00', () => {
    const ber = berAllocT(0);
    berPutNull(ber, 0n);
    expect(flat(ber)).toBe('0000');
  });

  test('ostring: explicit length takes a prefix; a length past the data is refused', () => {
    const ber = berAllocT(0);
    expect(berPutOstring(ber, Buffer.from('abcdef'), 2)).toBe(4);
    expect(berPutOstring(ber, Buffer.from('ab'), 3)).toBe(-1);
    expect(berPutOstring(ber, 'xy', -1)).toBe(-1);
    expect(berPutOstring(ber, 'x', MAXINT_BERSIZE + 1)).toBe(-1);
    expect(flat(ber)).toBe('04026162');
  });

  test('string stops at the first NUL, as strlen does', () => {
    const ber = berAllocT(0);
    expect(berPutString(ber, 'ab\0cd')).toBe(4);
    expect(berPutString(ber, Uint8Array.of(0x78, 0, 0x79))).toBe(3);
    expect(flat(ber)).toBe('040261620401' + '78');
  });

  test('a JS string is encoded as UTF-8', () => {
    const ber = berAllocT(0);
    berPutOstring(ber, 'é');
    expect(flat(ber)).toBe('0402c3a9');
  });

  test('berval null and empty give an empty OCTET STRING', () => {
    const ber = berAllocT(0);
    berPutBerval(ber, null);
    berPutBerval(ber, new Uint8Array(0), 0x80n);
    expect(flat(ber)).toBe('04008000');
  });

  test('bit string: unused-bit count, octets copied as given', () => {
    const ber = berAllocT(0);
    expect(berPutBitstring(ber, Uint8Array.of(0xff, 0xff), 9)).toBe(5);
    expect(berPutBitstring(ber, new Uint8Array(0), 0)).toBe(3);
    expect(berPutBitstring(ber, Uint8Array.of(0xff), 9)).toBe(-1);
    expect(flat(ber)).toBe('030307ffff' + '030100');
  });
});

describe('sequences and sets', () => {
  test('BER nests with four-octet lengths everywhere', () => {
    const ber = berAllocT(0);
    expect(berStartSeq(ber)).toBe(0);
    expect(berStartSet(ber, 0xa0n)).toBe(0);
    berPutInt(ber, 1);
    expect(berPutSet(ber)).toBe(9);
    expect(berPutSeq(ber)).toBe(15);
    expect(flat(ber)).toBe('308400000009' + 'a08400000003' + '020101');
  });

  test('DER nests with minimal lengths', () => {
    const ber = berAllocT(LBER_USE_DER);
    berStartSeq(ber);
    berStartSet(ber);
    berPutInt(ber, 1);
    expect(berPutSet(ber)).toBe(5);
    expect(berPutSeq(ber)).toBe(7);
    expect(flat(ber)).toBe('3005' + '3103' + '020101');
  });

  test('an open sequence holds the tag length and the enclosing offset in its reserved octets', () => {
    const ber = berAllocT(0);
    berStartSeq(ber, 0xbf1fn);
    berStartSeq(ber);
    const buf = ber.buf ?? Buffer.alloc(0);
    // outer: tag bf 1f, then [taglen 2][offset 0 LE]; inner: 30, [1][offset 2 LE]
    expect(buf.subarray(0, ber.sosPtr).toString('hex')).toBe('bf1f' + '0200000000' + '30' + '0102000000');
    expect(ber.ptr).toBe(0);
    expect(ber.len).toBe(8);
  });

  test('a multi-octet tag counts in the returned length', () => {
    expect(printf(LBER_USE_DER, 't{i}', 0xbf1fn, 1)).toEqual({ rc: 6, hex: 'bf1f03020101' });
  });

  test('closing with nothing open is -1', () => {
    const ber = berAllocT(0);
    expect(berPutSeq(ber)).toBe(-1);
    expect(berPutSet(ber)).toBe(-1);
  });

  test('DER compaction across buffer growth keeps every byte', () => {
    const ber = berAllocT(LBER_USE_DER);
    berStartSeq(ber);
    const chunk = Buffer.alloc(1000, 0x41);
    for (let i = 0; i < 20; i++) berPutOstring(ber, chunk);
    berStartSeq(ber);
    berPutNull(ber);
    berPutSeq(ber);
    expect(berPutSeq(ber)).toBe(4 + 20 * 1004 + 4);
    const out = berFlatten2(ber, 1) ?? Buffer.alloc(0);
    expect(out.subarray(0, 8).toString('hex')).toBe('30824e74' + '048203e8');
    expect(out.length).toBe(4 + 20 * 1004 + 4);
    expect(out.subarray(out.length - 4).toString('hex')).toBe('30020500');
  });
});

describe('ber_printf', () => {
  test('t applies to one element and is then reset', () => {
    expect(printf(0, 'tii', 0x80n, 1, 2)).toEqual({ rc: 3, hex: '800101' + '020102' });
  });

  test('t with LBER_DEFAULT uses the type default', () => {
    expect(printf(0, 'tn', LBER_DEFAULT)).toEqual({ rc: 2, hex: '0500' });
  });

  test('a pending t survives to the next call', () => {
    const ber = berAllocT(0);
    expect(berPrintf(ber, 't', 0x81n)).toBe(0);
    expect(ber.tag).toBe(0x81n);
    expect(berPrintf(ber, 'b', true)).toBe(3);
    expect(flat(ber)).toBe('8101ff');
  });

  test('N writes nothing, returns 0 and uses up the pending tag', () => {
    expect(printf(0, 'itNn', 1, 0x80n)).toEqual({ rc: 2, hex: '020101' + '0500' });
  });

  test('a hook that sets usertag keeps the pending tag for the next character', () => {
    const keep = (ber: BerElement): number => {
      ber.usertag = 1n;
      return 0;
    };
    expect(printf(0, 't!i', 0x85n, keep, 7)).toEqual({ rc: 3, hex: '850107' });
  });

  test('a hook that leaves usertag alone uses the tag up', () => {
    expect(printf(0, 't!i', 0x85n, () => 0, 7)).toEqual({ rc: 3, hex: '020107' });
  });

  test('usertag is cleared before each hook runs', () => {
    const ber = berAllocT(0);
    ber.usertag = 5n;
    let seen = -1n;
    berPrintf(ber, '!', (b: BerElement) => {
      seen = b.usertag;
      return 0;
    });
    expect(seen).toBe(0n);
  });

  test('the { callback, data } hook form passes its data', () => {
    const hook = { callback: (ber: BerElement, data: unknown): number => berPrintf(ber, 'i', data as number), data: 9 };
    expect(printf(0, '!', hook)).toEqual({ rc: 3, hex: '020109' });
  });

  test('only -1 stops the format; other negative results do not', () => {
    expect(printf(0, '!i', () => -2, 4)).toEqual({ rc: 3, hex: '020104' });
    expect(printf(0, '!i', () => -1, 4)).toEqual({ rc: -1, hex: '' });
  });

  test('o takes { data, len }; B and X take { data, bits }', () => {
    expect(printf(0, 'oBX', { data: 'abc', len: 1 }, { data: Uint8Array.of(0x80), bits: 1 }, { data: Uint8Array.of(0xc0), bits: 2 })).toEqual({
      rc: 4,
      hex: '040161' + '03020780' + '030206c0',
    });
  });

  test('v stops each string at NUL; V and W write bytes whole', () => {
    expect(printf(0, 'vVW', ['a\0b'], [Uint8Array.of(0, 1)], ['z'])).toEqual({ rc: 3, hex: '040161' + '04020001' + '04017a' });
  });

  test.each<[string, BerPrintfArg[]]>([
    ['i', []],
    ['i', ['1']],
    ['s', [1]],
    ['o', [{ data: 'x' } as unknown as BerPrintfArg]],
    ['B', [Uint8Array.of(1)]],
    ['t', ['0x80']],
    ['V', [[1] as unknown as BerPrintfArg]],
    ['!', [5]],
    ['O', [undefined as unknown as BerPrintfArg]],
  ])('%s with %p throws BER_BAD_ARGUMENT', (fmt, args) => {
    const ber = berAllocT(0);
    expect(() => berPrintf(ber, fmt, ...args)).toThrow(expect.objectContaining({ code: 'BER_BAD_ARGUMENT' }));
  });

  test('a tag above 64 bits is taken modulo 2^64 like a C ber_tag_t', () => {
    expect(printf(0, 'tn', 0x1_0000_0000_0000_0080n)).toEqual({ rc: 2, hex: '8000' });
  });
});

// ---------------------------------------------------------------------------
// differential: the same tree through ber_put_* and through asn1js

type Node = { kind: 'int'; value: number } | { kind: 'str'; value: Uint8Array } | { kind: 'seq'; items: Node[] };

const nodeArb: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer().map((value): Node => ({ kind: 'int', value })),
    fc.uint8Array({ maxLength: 300 }).map((value): Node => ({ kind: 'str', value })),
    fc.array(tie('node'), { maxLength: 6 }).map((items): Node => ({ kind: 'seq', items })),
  ),
})).node;

function encodePort(ber: BerElement, node: Node): void {
  if (node.kind === 'int') berPutInt(ber, node.value);
  else if (node.kind === 'str') berPutOstring(ber, node.value);
  else {
    berStartSeq(ber);
    for (const item of node.items) encodePort(ber, item);
    berPutSeq(ber);
  }
}

function toAsn1(node: Node): asn1js.BaseBlock {
  if (node.kind === 'int') return new asn1js.Integer({ value: node.value });
  if (node.kind === 'str') return new asn1js.OctetString({ valueHex: node.value });
  return new asn1js.Sequence({ value: node.items.map(toAsn1) });
}

/** The same tree with plain arrays, for toEqual. */
function normalize(node: Node): unknown {
  if (node.kind === 'int') return { int: node.value };
  if (node.kind === 'str') return { str: Buffer.from(node.value).toString('hex') };
  return { seq: node.items.map(normalize) };
}

function fromAsn1(block: asn1js.AsnType): unknown {
  if (block instanceof asn1js.Integer) return { int: Number(block.toBigInt()) };
  if (block instanceof asn1js.OctetString) return { str: Buffer.from(block.valueBlock.valueHexView).toString('hex') };
  if (block instanceof asn1js.Sequence) return { seq: block.valueBlock.value.map(fromAsn1) };
  throw new Error(`unexpected ${block.constructor.name}`);
}

describe('differential against asn1js', () => {
  test('DER output equals asn1js DER', () => {
    fc.assert(
      fc.property(fc.array(nodeArb, { minLength: 1, maxLength: 4 }), (nodes) => {
        const ber = berAllocT(LBER_USE_DER);
        for (const node of nodes) encodePort(ber, node);
        const expected = Buffer.concat(nodes.map((n) => Buffer.from(toAsn1(n).toBER(false))));
        expect(flat(ber)).toBe(expected.toString('hex'));
      }),
      { numRuns: 300 },
    );
  });

  test('BER output decodes with asn1js to the same tree', () => {
    fc.assert(
      fc.property(nodeArb, (node) => {
        const ber = berAllocT(0);
        encodePort(ber, node);
        const out = berFlatten2(ber, 1) ?? Buffer.alloc(0);
        const parsed = asn1js.fromBER(new Uint8Array(out));
        expect(parsed.offset).toBe(out.length);
        expect(fromAsn1(parsed.result)).toEqual(normalize(node));
      }),
      { numRuns: 200 },
    );
  });
});
