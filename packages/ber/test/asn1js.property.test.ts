import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import * as asn1js from 'asn1js';
import { BerError, BerTagClass, BerWriter, decodeBerNode, encodeBerNode, fromAsn1js, toAsn1js, type BerNode, type BerTagClassValue } from '@lber/ber';

/** A comparable form of a tree: content octets as hex. */
type Plain = { c: number; k: boolean; n: number; v: string | Plain[] };
function plain(node: BerNode): Plain {
  return {
    c: node.tagClass,
    k: node.constructed,
    n: node.tagNumber,
    v: Array.isArray(node.value) ? node.value.map(plain) : Buffer.from(node.value).toString('hex'),
  };
}

function minimalInt(value: number): Uint8Array {
  const w = new BerWriter();
  w.writeInt(value);
  return w.view().subarray(2);
}

const nonUniversal = fc.constantFrom<BerTagClassValue>(BerTagClass.APPLICATION, BerTagClass.CONTEXT, BerTagClass.PRIVATE);
const tagNumber = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 31, max: 2 ** 28 }));
const leaf = (tagClass: BerTagClassValue, n: number, value: Uint8Array): BerNode => ({ tagClass, constructed: false, tagNumber: n, value });

// universal leaves with content asn1js accepts for that type, and any tagged leaf
const primitive: fc.Arbitrary<BerNode> = fc.oneof(
  fc.record({ tagClass: nonUniversal, tagNumber, value: fc.uint8Array({ maxLength: 40 }) }).map((r) => leaf(r.tagClass, r.tagNumber, r.value)),
  fc.uint8Array({ maxLength: 300 }).map((v) => leaf(BerTagClass.UNIVERSAL, 4, v)),
  fc.integer().map((i) => leaf(BerTagClass.UNIVERSAL, 2, minimalInt(i))),
  fc.boolean().map((b) => leaf(BerTagClass.UNIVERSAL, 1, Uint8Array.of(b ? 0xff : 0))),
  fc.constant(leaf(BerTagClass.UNIVERSAL, 5, new Uint8Array(0))),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => leaf(BerTagClass.UNIVERSAL, 12, Buffer.from(s, 'utf8'))),
);

const tree = fc.letrec<{ node: BerNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc
      .record({
        tagClass: fc.oneof(nonUniversal, fc.constant<BerTagClassValue>(BerTagClass.UNIVERSAL)),
        tagNumber,
        children: fc.array(tie('node'), { maxLength: 5 }),
      })
      .map(({ tagClass, tagNumber: n, children }) => ({
        tagClass,
        constructed: true,
        // universal constructed elements are SEQUENCE or SET
        tagNumber: tagClass === BerTagClass.UNIVERSAL ? 16 + (n % 2) : n,
        value: children,
      })),
  ),
})).node;

describe('BerNode and asn1js agree', () => {
  test('encodeBerNode gives the same bytes as asn1js toBER', () => {
    fc.assert(
      fc.property(tree, (node) => {
        const ours = encodeBerNode(node);
        const theirs = Buffer.from(toAsn1js(node).toBER());
        expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      }),
      { numRuns: 400 },
    );
  });

  test('trees round-trip through our reader and through asn1js fromBER', () => {
    fc.assert(
      fc.property(tree, (node) => {
        const bytes = encodeBerNode(node);
        expect(plain(decodeBerNode(bytes))).toEqual(plain(node));
        const parsed = asn1js.fromBER(bytes, { parseEmbedded: false });
        expect(parsed.offset).toBe(bytes.length);
        expect(plain(fromAsn1js(parsed.result))).toEqual(plain(node));
        expect(plain(fromAsn1js(toAsn1js(node)))).toEqual(plain(node));
      }),
      { numRuns: 400 },
    );
  });

  test('writing into a shared writer appends and returns a view of the element', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 4 }), (nodes) => {
        const w = new BerWriter({ initialSize: 8 });
        const views = nodes.map((n) => Buffer.from(encodeBerNode(n, w)).toString('hex'));
        expect(w.view().toString('hex')).toBe(views.join(''));
        expect(views).toEqual(nodes.map((n) => encodeBerNode(n).toString('hex')));
      }),
      { numRuns: 100 },
    );
  });
});

describe('the bridge by hand', () => {
  // 30 06            SEQUENCE
  //    02 01 05      INTEGER 5
  //    80 01 ff      [0] primitive ff
  test('asn1js typed objects become trees', () => {
    const seq = new asn1js.Sequence({
      value: [new asn1js.Integer({ value: 5 }), new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: Uint8Array.of(0xff) })],
    });
    expect(plain(fromAsn1js(seq))).toEqual({
      c: 0,
      k: true,
      n: 16,
      v: [
        { c: 0, k: false, n: 2, v: '05' },
        { c: 0x80, k: false, n: 0, v: 'ff' },
      ],
    });
  });

  test('errors are BerErrors with codes', () => {
    const code = (run: () => unknown): string => {
      try {
        run();
      } catch (err) {
        if (err instanceof BerError) return err.code;
        throw err;
      }
      return 'no error';
    };
    expect(code(() => encodeBerNode({ tagClass: 0, constructed: true, tagNumber: 16, value: new Uint8Array(1) }))).toBe('BER_BAD_ARGUMENT');
    expect(code(() => toAsn1js({ tagClass: 0, constructed: false, tagNumber: 4, value: [] }))).toBe('BER_BAD_ARGUMENT');
    expect(code(() => decodeBerNode(Buffer.from('020101ff', 'hex')))).toBe('BER_BAD_LENGTH');
    expect(code(() => decodeBerNode(Buffer.alloc(0)))).toBe('BER_TRUNCATED');
    const indefinite = new asn1js.Sequence({ lenBlock: { isIndefiniteForm: true }, value: [new asn1js.Null()] });
    expect(code(() => fromAsn1js(indefinite))).toBe('BER_BAD_LENGTH');
    let deep: BerNode = { tagClass: 0, constructed: false, tagNumber: 5, value: new Uint8Array(0) };
    for (let i = 0; i < 300; i++) deep = { tagClass: 0x80, constructed: true, tagNumber: 1, value: [deep] };
    expect(code(() => encodeBerNode(deep))).toBe('BER_DEPTH_LIMIT');
    expect(code(() => toAsn1js(deep))).toBe('BER_DEPTH_LIMIT');
  });
});
