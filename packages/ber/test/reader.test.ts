import { describe, expect, test } from '@jest/globals';
import { BER_ANY_TAG, BerError, BerReader, BerTagClass, BerTags, berElementSize, berTag, berTagParts, type BerErrorCode } from '@lber/ber';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function failure(run: () => unknown): { code: BerErrorCode; offset: number } {
  try {
    run();
  } catch (err) {
    if (err instanceof BerError) return { code: err.code, offset: err.offset };
    throw err;
  }
  throw new Error('expected a BerError');
}

// 30 13                      LDAPMessage SEQUENCE, 19 bytes
//    02 01 01                 messageID 1
//    60 0e                    [APPLICATION 0] BindRequest
//       02 01 03              version 3
//       04 04 63 6e 3d 78     name "cn=x"
//       80 03 70 77 64        [0] simple "pwd"
const bindRequest = hex('3013020101600e0201030404636e3d788003707764');

describe('decoding whole messages', () => {
  test('a BindRequest', () => {
    const r = new BerReader().reset(bindRequest);
    expect(r.enter()).toBe(21);
    expect(r.readInt()).toBe(1);
    expect(r.peekTag()).toBe(0x60);
    r.enter(0x60);
    expect(r.readInt()).toBe(3);
    expect(r.readString()).toBe('cn=x');
    expect(r.peekTag()).toBe(0x80);
    expect(r.readOctetString(0x80).toString()).toBe('pwd');
    expect(r.hasMore()).toBe(false);
    expect(r.peekTag()).toBe(-1);
    r.leave();
    r.leave();
    expect(r.offset).toBe(21);
    expect(r.depth).toBe(0);
  });

  // 30 2a                                   LDAPMessage, 42 bytes
  //    02 01 07                             messageID 7
  //    64 25                                [APPLICATION 4] SearchResultEntry
  //       04 07 63 6e 3d 63 c3 a9 64        objectName "cn=céd"
  //       30 1a                             attributes
  //          30 18                          PartialAttribute
  //             04 02 63 6e                 type "cn"
  //             31 12                       vals SET OF
  //                04 05 63 c3 a9 64 21     "céd!"
  //                04 03 61 62 63           "abc"
  //                04 04 00 01 fe ff        binary
  const entry = hex(
    '302a020107' + '6425' + '0407636e3d63c3a964' + '301a' + '3018' + '0402636e' + '3112' + '040563c3a96421' + '0403616263' + '04040001feff',
  );

  test('a SearchResultEntry with multi-valued, non-ASCII and binary values', () => {
    const r = new BerReader().reset(entry);
    r.enter();
    expect(r.readInt()).toBe(7);
    r.enter(berTag(BerTagClass.APPLICATION, true, 4));
    expect(r.readString()).toBe('cn=céd');
    r.enter();
    const attrs: Array<[string, string[]]> = [];
    while (r.hasMore()) {
      r.enter();
      const type = r.readString();
      const vals: string[] = [];
      r.enter(BerTags.SET);
      while (r.hasMore()) vals.push(r.readOctetString().toString('hex'));
      r.leave();
      r.leave();
      attrs.push([type, vals]);
    }
    r.leave();
    r.leave();
    r.leave();
    expect(attrs).toEqual([['cn', ['63c3a96421', '616263', '0001feff']]]);
    expect(r.offset).toBe(entry.length);
  });

  test('octet strings are views into the input, not copies', () => {
    const r = new BerReader().reset(bindRequest);
    r.enter();
    r.skip();
    r.enter(0x60);
    r.skip();
    const name = r.readOctetString();
    expect(name.buffer).toBe(bindRequest.buffer);
    expect(name.byteOffset).toBe(bindRequest.byteOffset + 12);
  });

  test('spans: the offsets of the values, the same bytes as the views, nothing allocated per value', () => {
    const r = new BerReader().reset(entry);
    r.enter();
    r.readInt();
    r.enter(berTag(BerTagClass.APPLICATION, true, 4));
    const dnStart = r.readOctetStringSpan();
    expect(entry.toString('utf8', dnStart, r.offset)).toBe('cn=céd');
    r.enter();
    r.enter();
    r.readString();
    const spans: number[] = [];
    expect(r.readOctetStringSpans(spans)).toBe(3);
    expect(spans).toHaveLength(6);
    const values = [0, 2, 4].map((i) => entry.subarray(spans[i], spans[i + 1]).toString('hex'));
    expect(values).toEqual(['63c3a96421', '616263', '0001feff']);
    r.leave();
    r.leave();
    r.leave();
    r.leave();
    expect(r.offset).toBe(entry.length);
    // a member with another tag is refused, with its offset
    const bad = Buffer.from([0x31, 0x05, 0x04, 0x01, 0x61, 0x02, 0x00]);
    expect(() => new BerReader().reset(bad).readOctetStringSpans([])).toThrow(expect.objectContaining({ code: 'BER_BAD_TAG', offset: 5 }));
  });

  test('leave skips what was not read; skip and readRaw move over whole elements', () => {
    const r = new BerReader().reset(Buffer.concat([bindRequest, hex('020105')]));
    r.enter();
    r.leave();
    expect(r.readInt()).toBe(5);
    r.reset(bindRequest);
    expect(r.readRaw().equals(bindRequest)).toBe(true);
    r.reset(bindRequest, 2, 21);
    expect(r.skip()).toBe(0x02);
    expect(r.lastTag).toBe(0x02);
    expect(r.remaining).toBe(16);
  });

  test('BER_ANY_TAG accepts any tag and records it in lastTag', () => {
    const r = new BerReader().reset(hex('8a0105 9f1f0100 7f2200'));
    expect(r.readInt(BER_ANY_TAG)).toBe(5);
    expect(r.lastTag).toBe(0x8a);
    expect(r.readInt(BER_ANY_TAG)).toBe(0);
    expect(r.lastTag).toBe(0x9f1f);
    expect(r.enter(BER_ANY_TAG)).toBe(10);
    expect(r.lastTag).toBe(0x7f22);
  });

  test('booleans, nulls, enums and every integer width', () => {
    const r = new BerReader().reset(hex('0101ff 010100 0500 0a0102 0201ff 02020080 0207e0000000000001 02071fffffffffffff'));
    expect(r.readBoolean()).toBe(true);
    expect(r.readBoolean()).toBe(false);
    r.readNull();
    expect(r.readEnum()).toBe(2);
    expect(r.readInt()).toBe(-1);
    expect(r.readInt()).toBe(128);
    expect(r.readInt()).toBe(Number.MIN_SAFE_INTEGER);
    expect(r.readInt()).toBe(Number.MAX_SAFE_INTEGER);
    expect(r.hasMore()).toBe(false);
  });

  test('readString turns invalid UTF-8 into U+FFFD and keeps long strings', () => {
    const r = new BerReader().reset(hex('0402ff41'));
    expect(r.readString()).toBe('\ufffdA');
    const long = 'x'.repeat(300) + 'ü';
    const body = Buffer.from(long);
    r.reset(Buffer.concat([hex('048201'), Buffer.from([body.length - 256]), body]));
    expect(r.readString()).toBe(long);
  });

  test('a reader over a plain Uint8Array hands out Buffers', () => {
    const r = new BerReader().reset(new Uint8Array([4, 2, 0x68, 0x69]));
    const value = r.readOctetString();
    expect(Buffer.isBuffer(value)).toBe(true);
    expect(value.toString()).toBe('hi');
  });
});

describe('malformed input', () => {
  const cases: Array<[string, string, (r: BerReader) => unknown, BerErrorCode, number]> = [
    ['empty input', '', (r) => r.readTag(), 'BER_TRUNCATED', 0],
    ['a high tag cut short', '1f81', (r) => r.readTag(), 'BER_TRUNCATED', 0],
    ['a tag beyond 2^53', '3fffffffffffffff7f00', (r) => r.readTag(), 'BER_BAD_TAG', 0],
    ['no length', '04', (r) => r.readOctetString(), 'BER_TRUNCATED', 1],
    ['length octets cut short', '048201', (r) => r.readOctetString(), 'BER_TRUNCATED', 1],
    ['an indefinite length', '3080020100 0000', (r) => r.enter(), 'BER_BAD_LENGTH', 1],
    ['nine length octets', '0489000000000000000001 00', (r) => r.readOctetString(), 'BER_BAD_LENGTH', 1],
    ['contents cut short', '040548656c6c', (r) => r.readOctetString(), 'BER_TRUNCATED', 1],
    ['a length above the limit', '0484ffffffff', (r) => r.readOctetString(), 'BER_LENGTH_LIMIT', 1],
    ['an element overrunning its parent', '3003040500 000000', (r) => (r.enter(), r.readOctetString()), 'BER_BAD_LENGTH', 3],
    ['the wrong tag', '020101', (r) => r.readOctetString(), 'BER_BAD_TAG', 0],
    ['entering a primitive element', '0403616263', (r) => r.enter(BER_ANY_TAG), 'BER_BAD_TAG', 0],
    ['an empty INTEGER', '0200', (r) => r.readInt(), 'BER_BAD_VALUE', 2],
    ['an 8-octet INTEGER', '02080000000000000001', (r) => r.readInt(), 'BER_BAD_VALUE', 2],
    ['a 7-octet INTEGER beyond 2^53', '02072000000000000000', (r) => r.readInt(), 'BER_BAD_VALUE', 2],
    ['a two-octet BOOLEAN', '01020001', (r) => r.readBoolean(), 'BER_BAD_VALUE', 2],
    ['a NULL with contents', '050100', (r) => r.readNull(), 'BER_BAD_VALUE', 2],
    ['leave without enter', '0500', (r) => r.leave(), 'BER_BAD_ARGUMENT', 0],
  ];
  test.each(cases)('%s: %s', (_name, input, run, expected, offset) => {
    const r = new BerReader().reset(hex(input));
    expect(failure(() => run(r))).toEqual({ code: expected, offset });
  });

  test('the nesting limit', () => {
    const nested = hex('30 06 30 04 30 02 30 00');
    const r = new BerReader({ maxDepth: 3 }).reset(nested);
    r.enter();
    r.enter();
    r.enter();
    expect(failure(() => r.enter())).toEqual({ code: 'BER_DEPTH_LIMIT', offset: 6 });
    expect(() => new BerReader({ maxDepth: 4 }).reset(nested).enter()).not.toThrow();
  });

  test('the length limit is an option', () => {
    const r = new BerReader({ maxLength: 3 }).reset(hex('0403616263 0404 61626364'));
    expect(r.readString()).toBe('abc');
    expect(failure(() => r.readString())).toEqual({ code: 'BER_LENGTH_LIMIT', offset: 6 });
  });

  test('bad options and ranges are typed errors', () => {
    expect(failure(() => new BerReader({ maxDepth: -1 })).code).toBe('BER_BAD_ARGUMENT');
    expect(failure(() => new BerReader({ maxLength: 1.5 })).code).toBe('BER_BAD_ARGUMENT');
    expect(failure(() => new BerReader().reset(bindRequest, 5, 100)).code).toBe('BER_BAD_ARGUMENT');
  });

  test('a failed peek leaves the cursor where it was', () => {
    const r = new BerReader().reset(hex('1f'));
    expect(failure(() => r.peekTag()).code).toBe('BER_TRUNCATED');
    expect(r.offset).toBe(0);
  });
});

describe('berElementSize (framing)', () => {
  const stream = Buffer.concat([bindRequest, hex('30050201034200'), hex('30820100 048200fc'), Buffer.alloc(0xfc)]);
  const sizes = [21, 7, 260];

  test('whole: sizes of back-to-back messages', () => {
    const got: number[] = [];
    for (let at = 0; at < stream.length; ) {
      const size = berElementSize(stream, at);
      got.push(size);
      at += size;
    }
    expect(got).toEqual(sizes);
  });

  test('split at every offset: -1 until the whole element is there', () => {
    let start = 0;
    for (const size of sizes) {
      for (let end = start; end < start + size; end++) expect(berElementSize(stream, start, end)).toBe(-1);
      expect(berElementSize(stream, start, start + size)).toBe(size);
      start += size;
    }
  });

  test('byte by byte through one growing window decodes the same messages', () => {
    const ids: number[] = [];
    const r = new BerReader();
    let start = 0;
    for (let end = 1; end <= stream.length; end++) {
      const size = berElementSize(stream, start, end);
      if (size < 0) continue;
      r.reset(stream, start, start + size);
      r.enter();
      ids.push(r.peekTag() === BerTags.INTEGER ? r.readInt() : -1);
      start += size;
    }
    expect(ids).toEqual([1, 3, -1]);
  });

  test('malformed headers and the limit', () => {
    expect(failure(() => berElementSize(hex('3080'))).code).toBe('BER_BAD_LENGTH');
    expect(failure(() => berElementSize(hex('30890000'))).code).toBe('BER_BAD_LENGTH');
    expect(failure(() => berElementSize(hex('30820100'), 0, 4, 255)).code).toBe('BER_LENGTH_LIMIT');
    expect(failure(() => berElementSize(hex('3fffffffffffffffff7f'))).code).toBe('BER_BAD_TAG');
    expect(berElementSize(hex('1f8181'))).toBe(-1);
  });
});

describe('tag helpers', () => {
  test.each([
    [BerTagClass.UNIVERSAL, true, 16, 0x30],
    [BerTagClass.APPLICATION, true, 4, 0x64],
    [BerTagClass.CONTEXT, false, 0, 0x80],
    [BerTagClass.CONTEXT, false, 31, 0x9f1f],
    [BerTagClass.PRIVATE, true, 128, 0xff8100],
    [BerTagClass.APPLICATION, false, 2 ** 20, 0x5fc08000],
  ])('class %i constructed %s number %i is %i', (tagClass, constructed, tagNumber, tag) => {
    expect(berTag(tagClass, constructed, tagNumber)).toBe(tag);
    expect(berTagParts(tag)).toEqual({ tagClass, constructed, tagNumber });
  });

  test('tag numbers whose octets do not fit in 2^53 are rejected', () => {
    expect(failure(() => berTag(BerTagClass.PRIVATE, true, 2 ** 45)).code).toBe('BER_BAD_TAG');
    expect(failure(() => berTag(BerTagClass.CONTEXT, false, -1)).code).toBe('BER_BAD_ARGUMENT');
    expect(failure(() => berTagParts(-5)).code).toBe('BER_BAD_TAG');
  });
});
