import { describe, expect, test } from '@jest/globals';
import { BerError, BerReader, BerTagClass, BerWriter, berTag } from '@lber/ber';

function hexOf(w: BerWriter): string {
  return w.view().toString('hex');
}

function code(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof BerError) return err.code;
    throw err;
  }
  throw new Error('expected a BerError');
}

describe('golden LDAP messages', () => {
  // 30 13                      LDAPMessage SEQUENCE, 19 bytes
  //    02 01 01                 messageID 1
  //    60 0e                    [APPLICATION 0] BindRequest
  //       02 01 03              version 3
  //       04 04 63 6e 3d 78     name "cn=x"
  //       80 03 70 77 64        [0] simple "pwd"
  const bindRequest = '3013020101600e0201030404636e3d788003707764';

  test('a simple BindRequest', () => {
    const w = new BerWriter();
    w.startSequence();
    w.writeInt(1);
    w.startSequence(0x60);
    w.writeInt(3);
    w.writeString('cn=x');
    w.writeString('pwd', 0x80);
    w.endSequence();
    w.endSequence();
    expect(hexOf(w)).toBe(bindRequest);
  });

  // 30 36                                    LDAPMessage, 54 bytes
  //    02 01 02                              messageID 2
  //    63 31                                 [APPLICATION 3] SearchRequest, 49 bytes
  //       04 09 64 63 3d 65 78 61 6d 70 6c   baseObject "dc=exampl"
  //       0a 01 02                           scope wholeSubtree
  //       0a 01 00                           derefAliases neverDerefAliases
  //       02 01 00                           sizeLimit 0
  //       02 01 00                           timeLimit 0
  //       01 01 00                           typesOnly FALSE
  //       a3 0d                              filter [3] equalityMatch
  //          04 03 75 69 64                  attributeDesc "uid"
  //          04 06 6a 64 6f 65 73 21         assertionValue "jdoes!"
  //       30 06                              attributes
  //          04 01 2a                        "*"
  //          04 01 2b                        "+"
  const searchRequest =
    '3036020102' +
    '6331' +
    '0409' + '6463 3d65 7861 6d70 6c'.replace(/ /g, '') +
    '0a0102' + '0a0100' + '020100' + '020100' + '010100' +
    'a30d' + '0403756964' + '04066a646f657321' +
    '3006' + '04012a' + '04012b';

  test('a SearchRequest with enums, a boolean, a filter and attributes', () => {
    const w = new BerWriter();
    w.startSequence();
    w.writeInt(2);
    w.startSequence(berTag(BerTagClass.APPLICATION, true, 3));
    w.writeString('dc=exampl');
    w.writeEnum(2);
    w.writeEnum(0);
    w.writeInt(0);
    w.writeInt(0);
    w.writeBoolean(false);
    w.startSequence(0xa3);
    w.writeString('uid');
    w.writeString('jdoes!');
    w.endSequence();
    w.startSequence();
    w.writeString('*');
    w.writeString('+');
    w.endSequence();
    w.endSequence();
    w.endSequence();
    expect(hexOf(w)).toBe(searchRequest);
  });

  // 30 05            LDAPMessage
  //    02 01 03      messageID 3
  //    42 00         [APPLICATION 2] UnbindRequest (NULL, implicit)
  test('an UnbindRequest', () => {
    const w = new BerWriter();
    w.startSequence();
    w.writeInt(3);
    w.writeNull(0x42);
    w.endSequence();
    expect(hexOf(w)).toBe('30050201034200');
  });

  // 30 0c                                  LDAPMessage
  //    02 01 04                            messageID 4
  //    77 07                               [APPLICATION 23] ExtendedRequest
  //       80 05 31 2e 32 2e 33             [0] requestName "1.2.3"
  test('an ExtendedRequest with an implicit [0] OID', () => {
    const w = new BerWriter();
    w.startSequence();
    w.writeInt(4);
    w.startSequence(0x77);
    w.writeOctetString(Buffer.from('1.2.3'), 0x80);
    w.endSequence();
    w.endSequence();
    expect(hexOf(w)).toBe('300c02010477078005312e322e33');
  });
});

describe('lengths', () => {
  // 30 81 80   SEQUENCE, 128 bytes: one long-form length octet
  //    04 7e   OCTET STRING, 126 bytes of "a"
  test('a 128-byte sequence gets 81 80 (the contents are moved once)', () => {
    const w = new BerWriter({ initialSize: 16 });
    w.startSequence();
    w.writeString('a'.repeat(126));
    w.endSequence();
    expect(hexOf(w)).toBe('308180047e' + '61'.repeat(126));
  });

  // 30 82 01 04     SEQUENCE, 260 bytes
  //    04 82 01 00  OCTET STRING, 256 bytes of 00
  test('a 260-byte sequence gets 82 01 04', () => {
    const w = new BerWriter({ initialSize: 16 });
    w.startSequence();
    w.writeOctetString(new Uint8Array(256));
    w.endSequence();
    expect(hexOf(w)).toBe('3082010404820100' + '00'.repeat(256));
  });

  // 30 83 01 11 75     SEQUENCE, 70,005 bytes: three length octets, big-endian
  //    04 83 01 11 70  OCTET STRING, 70,000 bytes
  test('a 70,005-byte sequence gets 83 01 11 75', () => {
    const w = new BerWriter({ initialSize: 16 });
    w.startSequence();
    w.writeOctetString(new Uint8Array(70000).fill(0xab));
    w.endSequence();
    const out = w.toBuffer();
    expect(out.subarray(0, 10).toString('hex')).toBe('30830111750483011170');
    expect(out.length).toBe(10 + 70000);
  });

  // 30 84 00 00 00 03   SEQUENCE with liblber's BER-mode 4-octet length
  //    02 01 05         INTEGER 5
  test('the fixed4 length form is liblber BER mode', () => {
    const w = new BerWriter({ lengthForm: 'fixed4' });
    w.startSequence();
    w.writeInt(5);
    w.endSequence();
    expect(hexOf(w)).toBe('308400000003020105');
  });

  // 30 81 83          outer, 131 bytes (moved after the inner one was closed)
  //    31 81 80       inner SET, 128 bytes
  //       04 7e ...   126 bytes
  test('nested sequences that both need long lengths', () => {
    const w = new BerWriter({ initialSize: 1 });
    w.startSequence();
    w.startSet();
    w.writeString('b'.repeat(126));
    w.endSequence();
    w.endSequence();
    expect(hexOf(w)).toBe('308183318180047e' + '62'.repeat(126));
  });
});

describe('integers', () => {
  const cases: Array<[number, string]> = [
    [0, '020100'],
    [1, '020101'],
    [-1, '0201ff'],
    [127, '02017f'],
    [128, '02020080'],
    [-128, '020180'],
    [-129, '0202ff7f'],
    [255, '020200ff'],
    [256, '02020100'],
    [32767, '02027fff'],
    [32768, '0203008000'],
    [-32769, '0203ff7fff'],
    [2147483647, '02047fffffff'],
    [-2147483648, '020480000000'],
    [2147483648, '02050080000000'],
    [-2147483649, '0205ff7fffffff'],
    [Number.MAX_SAFE_INTEGER, '02071fffffffffffff'],
    [Number.MIN_SAFE_INTEGER, '0207e0000000000001'],
  ];
  test.each(cases)('%d encodes as %s and reads back', (value, expected) => {
    const w = new BerWriter();
    w.writeInt(value);
    expect(hexOf(w)).toBe(expected);
    expect(new BerReader().reset(w.view()).readInt()).toBe(value);
  });

  test('non-integers and unsafe integers are rejected', () => {
    const w = new BerWriter();
    expect(code(() => w.writeInt(1.5))).toBe('BER_BAD_ARGUMENT');
    expect(code(() => w.writeInt(2 ** 53))).toBe('BER_BAD_ARGUMENT');
    expect(code(() => w.writeInt(Number.NaN))).toBe('BER_BAD_ARGUMENT');
  });
});

describe('tags, strings and other values', () => {
  // 5f 64 01 ff    [APPLICATION 100] primitive BOOLEAN TRUE (high tag number form: 5f 64)
  // bf 81 00 00    [CONTEXT 128] constructed, empty (tag octets bf 81 00)
  test('high tag numbers', () => {
    const w = new BerWriter();
    w.writeBoolean(true, berTag(BerTagClass.APPLICATION, false, 100));
    w.startExplicit(128);
    w.endSequence();
    expect(hexOf(w)).toBe('5f6401ff' + 'bf810000');
  });

  // 04 0a 63 6e 3d c3 bc 6e 65 6d 61 6e   "cn=ü" + "neman" in UTF-8 (ü is c3 bc)
  test('non-ASCII UTF-8 strings, short and long', () => {
    const w = new BerWriter();
    w.writeString('cn=üneman');
    expect(hexOf(w)).toBe('040a636e3dc3bc6e656d616e');
    w.reset();
    const long = 'é'.repeat(100);
    w.writeString(long);
    expect(w.view().subarray(0, 3).toString('hex')).toBe('0481c8');
    expect(new BerReader().reset(w.view()).readString()).toBe(long);
  });

  // a0 05          [0] explicit
  //    02 01 07    INTEGER 7
  // 04 02 30 00    raw copy of an encoded element inside an OCTET STRING
  test('explicit tags and raw bytes', () => {
    const w = new BerWriter();
    w.startExplicit(0);
    w.writeInt(7);
    w.endSequence();
    w.writeRaw(Buffer.from('04023000', 'hex'));
    expect(hexOf(w)).toBe('a00302010704023000');
  });

  test('misuse gets typed errors', () => {
    const w = new BerWriter();
    expect(code(() => w.endSequence())).toBe('BER_INCOMPLETE');
    w.startSequence();
    expect(code(() => w.view())).toBe('BER_INCOMPLETE');
    expect(code(() => w.toBuffer())).toBe('BER_INCOMPLETE');
    expect(code(() => w.writeTag(-1))).toBe('BER_BAD_ARGUMENT');
    expect(code(() => w.writeTag(2 ** 60))).toBe('BER_BAD_ARGUMENT');
    expect(code(() => w.writeLength(-3))).toBe('BER_BAD_ARGUMENT');
    expect(code(() => new BerWriter({ initialSize: -1 }))).toBe('BER_BAD_ARGUMENT');
  });
});

describe('reuse', () => {
  test('reset keeps the grown buffer and toBuffer copies', () => {
    const w = new BerWriter({ initialSize: 4 });
    w.writeOctetString(new Uint8Array(1000));
    const grown = w.buf;
    expect(grown.length).toBeGreaterThanOrEqual(1004);
    const first = w.toBuffer();
    w.reset();
    w.writeInt(1);
    expect(w.buf).toBe(grown);
    expect(hexOf(w)).toBe('020101');
    expect(first.length).toBe(1004);
    expect(first.subarray(0, 4).toString('hex')).toBe('048203e8');
  });

  test('growth is about 1.5x per step', () => {
    const w = new BerWriter({ initialSize: 100 });
    w.writeRaw(new Uint8Array(100));
    w.writeRaw(new Uint8Array(1));
    expect(w.buf.length).toBe(150);
  });
});
