/**
 * Unit tests of the decoder and BerElement options through @lber/ber's
 * public API: each liblber behaviour the port keeps, and each place where
 * it departs (docs/porting-ber-decode.md).
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { lberOptions, LDAP_DEBUG_TRACE, type LogPrintFn } from '@lber/sockbuf';
import fc from 'fast-check';
import {
  BerElement,
  BerError,
  LBER_BV_ALLOC,
  LBER_BV_NOTERM,
  LBER_BV_STRING,
  LBER_DEFAULT,
  LBER_ERROR_NONE,
  LBER_ERROR_PARAM,
  LBER_OPT_BER_BYTES_TO_WRITE,
  LBER_OPT_BER_DEBUG,
  LBER_OPT_BER_MEMCTX,
  LBER_OPT_BER_OPTIONS,
  LBER_OPT_BER_REMAINING_BYTES,
  LBER_OPT_BER_TOTAL_BYTES,
  LBER_OPT_DEBUG_LEVEL,
  LBER_OPT_ERROR,
  LBER_OPT_LOG_PRINT_FN,
  LBER_OPT_MEMORY_INUSE,
  LBER_OPT_SUCCESS,
  berAllocT,
  berDecodeInt,
  berFirstElement,
  berFlatten,
  berGetBitstringa,
  berGetInt,
  berGetNull,
  berGetOption,
  berGetStringa,
  berGetStringaNull,
  berGetStringal,
  berGetStringb,
  berGetStringbv,
  berGetStringbvNull,
  berGetTag,
  berInit2,
  berNextElement,
  berPeekElement,
  berPeekTag,
  berPrintf,
  berRead,
  berScanf,
  berSetOption,
  berSkipData,
  berSkipElement,
  berSkipRaw,
  berSkipTag,
  ber_get_int,
  ber_scanf,
  type BerScanfOut,
} from '@lber/ber';

function load(hexInput: string): { ber: BerElement; input: Buffer } {
  const input = Buffer.from(hexInput, 'hex');
  const ber = new BerElement();
  berInit2(ber, input, 0);
  return { ber, input };
}

function remaining(ber: BerElement): number {
  const r = berGetOption(ber, LBER_OPT_BER_REMAINING_BYTES);
  if (r.rc !== LBER_OPT_SUCCESS) throw new Error('REMAINING_BYTES failed');
  return r.out;
}

/** The LDAP BindRequest `{i{imm}}` of the vectors: id 1, version 3, "cn=x", simple "pwd". */
const BIND = '3013020101600e0201030404636e3d788003707764';

describe('tags and lengths', () => {
  test('one-octet and multi-octet tags are the raw identifier octets', () => {
    expect(berPeekTag(load('0401ff').ber)).toEqual({ tag: 0x04n, len: 1 });
    expect(berPeekTag(load('9f1f00').ber).tag).toBe(0x9f1fn);
    expect(berPeekTag(load('ffffffffffffff7f00').ber).tag).toBe(0xffffffffffffff7fn);
    // Nine tag octets are more than liblber takes.
    const { ber } = load('1fffffffffffffff7f00');
    expect(berGetTag(ber)).toBe(LBER_DEFAULT);
    expect(remaining(ber)).toBe(2);
  });

  test('long-form lengths up to 8 octets; indefinite and 9+ octets fail', () => {
    expect(berPeekTag(load('0488000000000000000141').ber)).toEqual({ tag: 0x04n, len: 1 });
    expect(berPeekTag(load('0480').ber)).toEqual({ tag: LBER_DEFAULT, len: 0 });
    expect(berPeekTag(load('048900000000000000000141').ber)).toEqual({ tag: LBER_DEFAULT, len: 9 });
  });

  test('a declared length of 2^53 or more is reported exactly in lenBig', () => {
    const r = berPeekTag(load('0488ffffffffffffffff').ber);
    expect(r.tag).toBe(LBER_DEFAULT);
    expect(r.lenBig).toBe(0xffffffffffffffffn);
    expect(r.len).toBe(Number(0xffffffffffffffffn));
    expect(r.len > Number.MAX_SAFE_INTEGER).toBe(true);
    const small = berPeekTag(load('04871fffffffffffff').ber);
    expect(small.lenBig).toBeUndefined();
    expect(small.len).toBe(Number.MAX_SAFE_INTEGER);
  });

  test('a failed skip_tag still moves past the octets it read (liblber 2.5.13)', () => {
    const { ber } = load('04056869');
    expect(berSkipTag(ber)).toEqual({ tag: LBER_DEFAULT, len: 5 });
    expect(remaining(ber)).toBe(2);
  });

  test('peek does not move, skip_element and skip_raw do', () => {
    const { ber } = load('04026869020101');
    expect(berPeekElement(ber).value?.toString()).toBe('hi');
    expect(remaining(ber)).toBe(7);
    const raw = berSkipRaw(ber);
    expect(raw.value?.toString('hex')).toBe('04026869');
    expect(raw.len).toBe(4);
    const el = berSkipElement(ber);
    expect(el).toMatchObject({ tag: 0x02n, len: 1 });
    expect(el.value?.toString('hex')).toBe('01');
    expect(berSkipElement(ber)).toMatchObject({ tag: LBER_DEFAULT, value: null });
  });
});

describe('saved tag octet (departure: it follows the cursor)', () => {
  test('after ber_get_tag the next tag is read from the buffer, not a stale octet', () => {
    const { ber } = load('3003020105');
    expect(berGetTag(ber)).toBe(0x30n);
    // liblber gives 0xffffffffffffff02 here; the port reads the octet at the cursor (03).
    expect(berPeekTag(ber).tag).toBe(0x03n);
  });

  test('after ber_read too', () => {
    const { ber } = load('020107020108');
    const dest = new Uint8Array(3);
    expect(berRead(ber, dest)).toBe(3);
    expect(Buffer.from(dest).toString('hex')).toBe('020107');
    expect(berGetInt(ber)).toEqual({ tag: 0x02n, value: 8 });
  });

  test('setting BYTES_TO_WRITE keeps liblber behaviour; berSkipData(ber, 0) resynchronises', () => {
    const { ber } = load('020105020106');
    expect(berSetOption(ber, LBER_OPT_BER_BYTES_TO_WRITE, 3)).toEqual({ rc: 0, berErrno: 0 });
    // The stale saved tag (LBER_DEFAULT) takes the place of the 02 at the cursor.
    expect(berPeekTag(ber)).toEqual({ tag: LBER_DEFAULT, len: 6 });
    expect(berSkipData(ber, 0)).toBe(0);
    expect(berGetInt(ber)).toEqual({ tag: 0x02n, value: 6 });
  });
});

describe('integers', () => {
  test.each([
    ['', 0],
    ['00', 0],
    ['7f', 127],
    ['80', -128],
    ['ff', -1],
    ['0080', 128],
    ['7fffffff', 2147483647],
    ['80000000', -2147483648],
    ['ffffff7f', -129],
  ])('ber_decode_int %s', (h, value) => {
    expect(berDecodeInt(Buffer.from(h, 'hex'))).toEqual({ rc: 0, value });
  });

  test('five octets fail even with leading zeros, and the element is consumed', () => {
    expect(berDecodeInt(Buffer.from('0000000001', 'hex'))).toEqual({ rc: -1, value: undefined });
    const { ber } = load('0205000000000102010a');
    expect(berGetInt(ber)).toEqual({ tag: LBER_DEFAULT, value: undefined });
    expect(berGetInt(ber)).toEqual({ tag: 0x02n, value: 10 });
  });

  test('ber_get_int ignores the tag; BOOLEAN decodes as INTEGER', () => {
    expect(ber_get_int(load('040105').ber)).toEqual({ tag: 0x04n, value: 5 });
    expect(berScanf(load('0101ff').ber, 'b').out).toEqual([{ f: 'b', value: -1 }]);
  });

  test('agrees with a two\'s complement reference for every 1..4-octet content', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4 }), (octets) => {
        const ref = Buffer.from(octets).readIntBE(0, octets.length);
        expect(berDecodeInt(octets)).toEqual({ rc: 0, value: ref });
      }),
    );
  });
});

describe('strings', () => {
  test('in-place strings are views of the input; the input is never written (departure)', () => {
    const { ber, input } = load('040161020105');
    const before = Buffer.from(input);
    const r = berGetStringbv(ber, 0);
    expect(r.value?.buffer).toBe(input.buffer);
    expect(r.value?.byteOffset).toBe(input.byteOffset + 2);
    expect(r.value?.toString()).toBe('a');
    // liblber would have written 00 over the 02 that follows.
    expect(input.equals(before)).toBe(true);
    expect(berSkipRaw(ber).value?.toString('hex')).toBe('020105');
  });

  test('LBER_BV_ALLOC copies; NOTERM changes nothing; STRING rejects an inner NUL only', () => {
    const { ber, input } = load('0403616263');
    const r = berGetStringbv(ber, LBER_BV_ALLOC | LBER_BV_NOTERM);
    expect(r.value?.toString()).toBe('abc');
    r.value?.fill(0x7a);
    expect(input.toString('hex')).toBe('0403616263');
    expect(berGetStringbv(load('0403610062').ber, LBER_BV_STRING)).toMatchObject({ tag: LBER_DEFAULT, len: 3, value: null });
    expect(berGetStringbv(load('0403616200').ber, LBER_BV_STRING).value?.toString('hex')).toBe('616200');
  });

  test('C-string getters stop at the first NUL; _null variants give null when empty', () => {
    expect(berGetStringa(load('0403616200').ber).value?.toString()).toBe('ab');
    expect(berGetStringa(load('0400').ber)).toEqual({ tag: 0x04n, value: Buffer.alloc(0) });
    expect(berGetStringaNull(load('0400').ber)).toEqual({ tag: 0x04n, value: null });
    expect(berGetStringbvNull(load('0400').ber, 0)).toMatchObject({ tag: 0x04n, value: null });
    expect(berGetStringal(load('0403610062').ber).value?.toString('hex')).toBe('610062');
  });

  test('ber_get_stringb copies and NUL-terminates into the caller buffer when it fits', () => {
    const dest = new Uint8Array(4).fill(0xee);
    expect(berGetStringb(load('0403616263').ber, dest)).toEqual({ tag: 0x04n, len: 3 });
    expect(Buffer.from(dest).toString('hex')).toBe('61626300');
    const small = new Uint8Array(3).fill(0xee);
    expect(berGetStringb(load('0403616263').ber, small)).toEqual({ tag: LBER_DEFAULT, len: 3 });
    expect(Buffer.from(small).toString('hex')).toBe('eeeeee');
  });

  test('bit strings: unused bits, and liblber\'s rejections', () => {
    expect(berGetBitstringa(load('030304fff0').ber)).toEqual({ tag: 0x03n, value: Buffer.from('fff0', 'hex'), bitlen: 12 });
    for (const bad of ['0300', '030100', '030208ff', '0303000100']) {
      expect(berGetBitstringa(load(bad).ber)).toEqual({ tag: LBER_DEFAULT, value: null, bitlen: undefined });
    }
  });

  test('NULL', () => {
    expect(berGetNull(load('0500').ber)).toBe(0x05n);
    expect(berGetNull(load('050100').ber)).toBe(LBER_DEFAULT);
  });
});

describe('first / next element', () => {
  test('the LDAP loop over a SET', () => {
    const { ber } = load('310a04016104026262040163');
    const seen: string[] = [];
    const first = berFirstElement(ber);
    expect(first.last).toBe(12);
    for (let r: { tag: bigint } = first; r.tag !== LBER_DEFAULT; r = berNextElement(ber, first.last ?? 0)) {
      seen.push(berSkipElement(ber).value?.toString() ?? '?');
    }
    expect(seen).toEqual(['a', 'bb', 'c']);
    expect(berNextElement(ber, first.last ?? 0)).toEqual({ tag: LBER_DEFAULT, len: undefined });
  });

  test('an empty sequence gives LBER_DEFAULT with its end', () => {
    expect(berFirstElement(load('3000').ber)).toEqual({ tag: LBER_DEFAULT, len: 0, last: 2 });
    expect(berFirstElement(load('300502').ber)).toEqual({ tag: LBER_DEFAULT, len: 5, last: null });
  });
});

describe('ber_skip_data and ber_read', () => {
  test('stop at the end', () => {
    const { ber } = load('020107');
    expect(berSkipData(ber, 10)).toBe(3);
    expect(berRead(ber, new Uint8Array(4))).toBe(0);
  });

  test('bad lengths are a typed error', () => {
    const { ber } = load('020107');
    expect(() => berSkipData(ber, -1)).toThrow(BerError);
    expect(() => berRead(ber, new Uint8Array(1), 2)).toThrow(expect.objectContaining({ code: 'BER_BAD_ARGUMENT' }));
  });
});

describe('ber_scanf', () => {
  test('an LDAP BindRequest', () => {
    const { ber, input } = load(BIND);
    const r = ber_scanf(ber, '{i{imm}}');
    expect(r.tag).toBe(0x80n);
    const [id, version, dn, cred] = r.out;
    expect(id).toEqual({ f: 'i', value: 1 });
    expect(version).toEqual({ f: 'i', value: 3 });
    expect(dn).toMatchObject({ f: 'm', len: 4, value: Buffer.from('cn=x') });
    expect(cred).toMatchObject({ f: 'm', len: 3, value: Buffer.from('pwd') });
    expect(input.toString('hex')).toBe(BIND);
  });

  test('every output character, on one message made by berPrintf', () => {
    const enc = berAllocT(0);
    expect(
      berPrintf(enc, '{iebnt{sssss}OoBs{v}{V}[W]{V}}', 7, 2, 1, 0x80n, 'one', 'two', 'three', 'four', 'five', 'big', 'obj', { data: Buffer.from('f0', 'hex'), bits: 4 }, 'skip', ['a', 'b'], ['c'], ['d', 'e'], ['m1', 'm2']),
    ).not.toBe(-1);
    const data = berFlatten(enc);
    expect(data).not.toBeNull();
    const ber = new BerElement();
    berInit2(ber, data, 0);
    const dest = new Uint8Array(8);
    const r = berScanf(ber, '{iebnltTaAsOoOoBx{v}{V}[W]{M}}', dest);
    expect(r.tag).toBe(0x04n);
    const byF = (f: string): BerScanfOut[] => r.out.filter((o) => o.f === f);
    expect(r.out.map((o) => o.f).join('')).toBe('iebltTaAsOoOoBvVWM');
    expect(byF('i')).toEqual([{ f: 'i', value: 7 }]);
    expect(byF('e')).toEqual([{ f: 'e', value: 2 }]);
    expect(byF('b')).toEqual([{ f: 'b', value: -1 }]);
    expect(byF('l')).toEqual([{ f: 'l', len: 29 }]);
    expect(byF('t')).toEqual([{ f: 't', tag: 0x80n }]);
    expect(byF('T')).toEqual([{ f: 'T', tag: 0x80n }]);
    expect(byF('a')).toEqual([{ f: 'a', value: Buffer.from('one') }]);
    expect(byF('A')).toEqual([{ f: 'A', value: Buffer.from('two') }]);
    expect(byF('s')).toEqual([{ f: 's', len: 5 }]);
    expect(Buffer.from(dest.subarray(0, 6)).toString()).toBe('three\0');
    expect(byF('O').map((o) => (o.f === 'O' ? o.value?.toString() : ''))).toEqual(['four', 'big']);
    expect(byF('o').map((o) => (o.f === 'o' ? o.value?.toString() : ''))).toEqual(['five', 'obj']);
    expect(byF('B')).toEqual([{ f: 'B', bitlen: 4, value: Buffer.from('f0', 'hex') }]);
    expect(byF('v')).toEqual([{ f: 'v', list: [Buffer.from('a'), Buffer.from('b')] }]);
    expect(byF('V')).toEqual([{ f: 'V', list: [Buffer.from('c')] }]);
    expect(byF('W')).toEqual([{ f: 'W', list: [Buffer.from('d'), Buffer.from('e')] }]);
    const m = byF('M')[0];
    expect(m).toEqual({ f: 'M', count: 2, list: [Buffer.from('m1'), Buffer.from('m2')] });
    // M's strings are views of the input.
    if (m?.f === 'M' && data !== null) {
      const first = m.list?.[0];
      expect(first?.buffer).toBe(data.buffer);
      expect(data.indexOf('m1')).toBe((first?.byteOffset ?? 0) - data.byteOffset);
    }
    expect(remaining(ber)).toBe(0);
  });

  test('an empty {v} gives tag 0 and a null list, and the scan goes on', () => {
    const r = berScanf(load('3000020105').ber, '{v}i');
    expect(r.tag).toBe(0x02n);
    expect(r.out).toEqual([
      { f: 'v', list: null },
      { f: 'i', value: 5 },
    ]);
  });

  test('failure runs liblber\'s cleanup up to the failing character; later outputs stay unset', () => {
    const dest = new Uint8Array(8);
    const r = berScanf(load('300a04016104016202050000000001').ber, '{mlsi}i', dest);
    expect(r.tag).toBe(LBER_DEFAULT);
    expect(r.out).toEqual([
      { f: 'm', len: 0, value: null },
      { f: 'l', len: 0 },
      { f: 's', len: 0 },
      { f: 'i', value: undefined },
      { f: 'i', value: undefined },
    ]);
  });

  test('hooks are called with mode 0, and with mode 1 when a later character fails', () => {
    const modes: number[] = [];
    const hook = (b: BerElement, mode: 0 | 1): number => {
      modes.push(mode);
      return mode === 0 ? Number(berGetInt(b).tag) : 0;
    };
    const ok = berScanf(load('3003020105').ber, '{!}', hook);
    expect(ok).toEqual({ tag: 0x02n, out: [{ f: '!', rc: 0x02n }] });
    expect(modes).toEqual([0]);
    modes.length = 0;
    const bad = berScanf(load('3006020101020902').ber, '{!i}', hook);
    expect(bad.tag).toBe(LBER_DEFAULT);
    expect(modes).toEqual([0, 1]);
    // A hook returning -1 (a C int) fails the scan.
    expect(berScanf(load('3000').ber, '!', () => -1).tag).toBe(LBER_DEFAULT);
  });

  test('an unknown character throws BER_BAD_FORMAT (liblber aborts), after hook cleanup', () => {
    const modes: number[] = [];
    const hook = (_b: BerElement, mode: 0 | 1): number => {
      modes.push(mode);
      return 0;
    };
    let thrown: unknown;
    try {
      berScanf(load('3003020105').ber, '!{z}', hook);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BerError);
    expect(thrown).toMatchObject({ code: 'BER_BAD_FORMAT' });
    expect(modes).toEqual([0, 1]);
  });

  test('an unknown character after an earlier failure is never reached: LBER_DEFAULT, no throw', () => {
    expect(berScanf(load('0401').ber, '{z').tag).toBe(LBER_DEFAULT);
  });

  test('arguments must match ! and s', () => {
    const { ber } = load('040161');
    expect(() => berScanf(ber, 's')).toThrow(expect.objectContaining({ code: 'BER_BAD_ARGUMENT' }));
    expect(() => berScanf(ber, '!', new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'BER_BAD_ARGUMENT' }));
    expect(() => berScanf(ber, 'm', new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'BER_BAD_ARGUMENT' }));
    expect(remaining(ber)).toBe(3);
  });

  test('a NUL ends the format, as in C', () => {
    expect(berScanf(load('020105').ber, 'i\0i').out).toEqual([{ f: 'i', value: 5 }]);
  });
});

describe('tracing', () => {
  const savedPrint: LogPrintFn = lberOptions.logPrint;
  const savedDebug = lberOptions.debug;
  afterEach(() => {
    lberOptions.logPrint = savedPrint;
    lberOptions.debug = savedDebug;
  });

  test('the unknown-character message is logged when the element has a debug level', () => {
    const lines: string[] = [];
    expect(berSetOption(null, LBER_OPT_LOG_PRINT_FN, (m) => lines.push(m))).toEqual({ rc: 0, berErrno: 0 });
    const { ber } = load('3003020105');
    expect(berSetOption(ber, LBER_OPT_BER_DEBUG, 0x100)).toEqual({ rc: 0, berErrno: 0 });
    expect(() => berScanf(ber, 'q')).toThrow(BerError);
    expect(lines).toEqual(['ber_scanf: unknown fmt q\n']);
  });
});

describe('ber_set_option / ber_get_option', () => {
  const savedPrint: LogPrintFn = lberOptions.logPrint;
  const savedDebug = lberOptions.debug;
  afterEach(() => {
    lberOptions.logPrint = savedPrint;
    lberOptions.debug = savedDebug;
  });

  test('global debug level and log function', () => {
    expect(berSetOption(null, LBER_OPT_DEBUG_LEVEL, LDAP_DEBUG_TRACE)).toEqual({ rc: LBER_OPT_SUCCESS, berErrno: LBER_ERROR_NONE });
    expect(berGetOption(null, LBER_OPT_DEBUG_LEVEL)).toEqual({ rc: 0, berErrno: 0, out: LDAP_DEBUG_TRACE });
    const fn: LogPrintFn = () => undefined;
    berSetOption(null, LBER_OPT_LOG_PRINT_FN, fn);
    expect(berGetOption(null, LBER_OPT_LOG_PRINT_FN).out).toBe(fn);
    // A new element inherits the global level.
    const { ber } = load('00');
    expect(berGetOption(ber, LBER_OPT_BER_DEBUG).out).toBe(LDAP_DEBUG_TRACE);
  });

  test('unknown options and NULL values fail with LBER_ERROR_PARAM, per call', () => {
    const { ber } = load('020105');
    expect(berGetOption(ber, 0x1001)).toEqual({ rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_PARAM, out: undefined });
    expect(berSetOption(ber, 0x6a, 0)).toEqual({ rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_PARAM });
    expect(berSetOption(ber, LBER_OPT_BER_OPTIONS, null)).toEqual({ rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_PARAM });
    expect(berSetOption(null, LBER_OPT_BER_OPTIONS, 1)).toEqual({ rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_PARAM });
    // A successful call reports no error: there is no sticky global.
    expect(berGetOption(ber, LBER_OPT_BER_OPTIONS)).toEqual({ rc: 0, berErrno: 0, out: 0 });
    // MEMORY_INUSE fails without an errno, as in liblber without LDAP_MEMORY_DEBUG.
    expect(berGetOption(null, LBER_OPT_MEMORY_INUSE)).toEqual({ rc: LBER_OPT_ERROR, berErrno: LBER_ERROR_NONE, out: undefined });
  });

  test('BER_OPTIONS keeps 16 bits', () => {
    const { ber } = load('020105');
    berSetOption(ber, LBER_OPT_BER_OPTIONS, 0x12345);
    expect(berGetOption(ber, LBER_OPT_BER_OPTIONS).out).toBe(0x2345);
  });

  test('REMAINING_BYTES and TOTAL_BYTES move the end', () => {
    const { ber } = load('020105020106020107');
    expect(berSetOption(ber, LBER_OPT_BER_REMAINING_BYTES, 3).rc).toBe(0);
    expect(berGetInt(ber).value).toBe(5);
    expect(berGetInt(ber).tag).toBe(LBER_DEFAULT);
    expect(berSetOption(ber, LBER_OPT_BER_TOTAL_BYTES, 9).rc).toBe(0);
    expect(berGetInt(ber).value).toBe(6);
    expect(berSetOption(ber, LBER_OPT_BER_BYTES_TO_WRITE, -1)).toEqual({ rc: -1, berErrno: LBER_ERROR_PARAM });
    expect(berSetOption(ber, LBER_OPT_BER_REMAINING_BYTES, 0.5)).toEqual({ rc: -1, berErrno: LBER_ERROR_PARAM });
  });

  test('an end past the buffer is accepted, but nothing past the buffer is read (departure)', () => {
    const { ber } = load('0201050203');
    expect(berSetOption(ber, LBER_OPT_BER_TOTAL_BYTES, 8)).toEqual({ rc: 0, berErrno: 0 });
    expect(berGetOption(ber, LBER_OPT_BER_REMAINING_BYTES).out).toBe(8);
    expect(berGetInt(ber).value).toBe(5);
    // liblber would read the 3 octets after the input; the port sees the input end.
    expect(berGetInt(ber)).toEqual({ tag: LBER_DEFAULT, value: undefined });
    expect(berRead(ber, new Uint8Array(8))).toBe(2);
  });

  test('MEMCTX is kept and handed back', () => {
    const { ber } = load('00');
    expect(berGetOption(ber, LBER_OPT_BER_MEMCTX)).toEqual({ rc: 0, berErrno: 0, out: 0 });
    expect(berSetOption(ber, LBER_OPT_BER_MEMCTX, 42)).toEqual({ rc: 0, berErrno: 0 });
    expect(berGetOption(ber, LBER_OPT_BER_MEMCTX).out).toBe(42);
  });

  test('an end before the cursor wraps like ber_len_t, exactly in outBig', () => {
    const { ber } = load('020105020106');
    berGetInt(ber);
    berSetOption(ber, LBER_OPT_BER_TOTAL_BYTES, 1);
    const r = berGetOption(ber, LBER_OPT_BER_REMAINING_BYTES);
    expect(r).toMatchObject({ rc: 0, outBig: 2n ** 64n - 2n });
    expect(berGetInt(ber).tag).toBe(LBER_DEFAULT);
  });
});
