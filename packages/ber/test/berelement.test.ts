/**
 * The BerElement lifecycle through the public API: allocation, dup, reset,
 * rewind, flatten (including on an open sequence), init, free, the write
 * and read helpers, and buffer growth.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { lberOptions } from '@lber/sockbuf';
import {
  LBER_DEFAULT,
  LBER_USE_DER,
  berAlloc,
  berAllocT,
  berDup,
  berFlatten,
  berFlatten2,
  berFree,
  berFreeBuf,
  berInit,
  berInit2,
  berInitWNullc,
  berLen,
  berPrintf,
  berPtrlen,
  berRealloc,
  berRemaining,
  berReset,
  berRewind,
  berStart,
  berWrite,
  derAlloc,
} from '@lber/ber';

const savedDebug = lberOptions.debug;
afterEach(() => {
  lberOptions.debug = savedDebug;
});

function hexOf(data: Uint8Array | null): string | null {
  return data === null ? null : Buffer.from(data).toString('hex');
}

describe('allocation', () => {
  test('ber_alloc and der_alloc set the options, inherit the debug level, start empty', () => {
    lberOptions.debug = 0x10;
    const a = berAlloc();
    const d = derAlloc();
    expect([a.options, d.options]).toEqual([0, LBER_USE_DER]);
    expect([a.debug, d.debug]).toEqual([0x10, 0x10]);
    expect(a.tag).toBe(LBER_DEFAULT);
    expect([berStart(a), berLen(a), berPtrlen(a), berRemaining(a)]).toEqual([null, 0, 0, 0]);
    expect(hexOf(berFlatten2(a, 0))).toBe('');
  });

  test('DER from der_alloc gives minimal sequence lengths', () => {
    const ber = derAlloc();
    berPrintf(ber, '{i}', 1);
    expect(hexOf(berFlatten(ber))).toBe('3003020101');
  });
});

describe('flatten', () => {
  test('fails while a sequence is open and succeeds once it is closed', () => {
    const ber = berAllocT(0);
    berPrintf(ber, 'i{i', 1, 2);
    expect(berFlatten(ber)).toBeNull();
    expect(berFlatten2(ber, 0)).toBeNull();
    berPrintf(ber, '}');
    expect(hexOf(berFlatten(ber))).toBe('020101' + '308400000003020102');
  });

  test('alloc 0 is a view of the buffer, alloc 1 a copy', () => {
    const ber = berAllocT(0);
    berPrintf(ber, 'i', 5);
    const view = berFlatten2(ber, 0);
    const copy = berFlatten2(ber, 1);
    const buf = berStart(ber);
    if (view === null || copy === null || buf === null) throw new Error('flatten failed');
    buf[2] = 6;
    expect([view[2], copy[2]]).toEqual([6, 5]);
  });

  test('a null element flattens to empty', () => {
    expect(hexOf(berFlatten2(null, 1))).toBe('');
  });
});

describe('dup', () => {
  test('copies every field, shares the buffer, keeps its own cursors', () => {
    const ber = berAllocT(LBER_USE_DER);
    berPrintf(ber, 'ti', 0x80n, 1);
    berPrintf(ber, 't', 0x81n);
    const copy = berDup(ber);
    expect(copy).not.toBe(ber);
    expect({ ...copy }).toEqual({ ...ber });
    expect(berStart(copy)).toBe(berStart(ber));
    berPrintf(copy, 'i', 2);
    expect(hexOf(berFlatten(copy))).toBe('800101' + '810102');
    expect(hexOf(berFlatten(ber))).toBe('800101');
    expect(ber.tag).toBe(0x81n);
  });
});

describe('reset and rewind', () => {
  test('ber_reset after writing turns the written bytes into input', () => {
    const ber = berAllocT(0);
    berPrintf(ber, 'ii', 1, 2);
    ber.rwptr = 3;
    berReset(ber, 1);
    expect([ber.ptr, ber.end, ber.rwptr, berRemaining(ber), berLen(ber)]).toEqual([0, 6, -1, 6, 6]);
  });

  test('ber_reset after reading moves the cursor to the end', () => {
    const ber = berAllocT(0);
    berInit2(ber, Buffer.from('020101', 'hex'), 0);
    berReset(ber, 0);
    expect([ber.ptr, berRemaining(ber)]).toEqual([3, 0]);
  });

  test('ber_rewind forgets an open sequence and keeps only the completed elements', () => {
    const ber = berAllocT(0);
    berPrintf(ber, 'i{i', 1, 2);
    berPrintf(ber, 't', 0x80n);
    berRewind(ber);
    expect([ber.sosPtr, ber.ptr, ber.end, ber.rwptr]).toEqual([-1, 0, 3, -1]);
    // liblber keeps the pending tag on rewind.
    expect(ber.tag).toBe(0x80n);
    expect(hexOf(berFlatten2(ber, 1))).toBe('');
  });
});

describe('init', () => {
  test('ber_init copies its input and is ready for reading', () => {
    const src = Buffer.from('3003020101', 'hex');
    const ber = berInit(src);
    if (ber === null) throw new Error('ber_init failed');
    src[0] = 0;
    expect([ber.ptr, ber.end, ber.options]).toEqual([0, 5, 0]);
    expect(hexOf(berStart(ber)?.subarray(0, ber.end) ?? null)).toBe('3003020101');
  });

  test('ber_init of an empty value gives an empty element', () => {
    const ber = berInit(new Uint8Array(0));
    expect(ber === null ? null : [berRemaining(ber), berStart(ber)]).toEqual([0, null]);
  });

  test('ber_init_w_nullc empties an element', () => {
    const ber = berAllocT(0);
    berPrintf(ber, '{i', 1);
    berInitWNullc(ber, LBER_USE_DER);
    expect([berStart(ber), ber.ptr, ber.end, ber.sosPtr, ber.options, ber.tag]).toEqual([null, 0, 0, -1, LBER_USE_DER, LBER_DEFAULT]);
  });
});

describe('free', () => {
  test('ber_free_buf drops the buffer and the element can be written again', () => {
    const ber = berAllocT(0);
    berPrintf(ber, '{i', 1);
    berFreeBuf(ber);
    expect([berStart(ber), ber.sosPtr, ber.ptr, ber.end]).toEqual([null, -1, 0, 0]);
    berPrintf(ber, 'n');
    expect(hexOf(berFlatten(ber))).toBe('0500');
  });

  test('ber_free with freebuf drops the buffer; without it leaves it', () => {
    const a = berAllocT(0);
    const b = berAllocT(0);
    berPrintf(a, 'n');
    berPrintf(b, 'n');
    berFree(a, 1);
    berFree(b, 0);
    berFree(null, 1);
    expect([berStart(a), hexOf(berFlatten(b))]).toEqual([null, '0500']);
  });
});

describe('write', () => {
  test('ber_write appends at ber_ptr, or inside the open sequence', () => {
    const ber = berAllocT(0);
    expect(berWrite(ber, Buffer.from('ab'))).toBe(2);
    berPrintf(ber, '{');
    expect(berWrite(ber, Buffer.from('0500', 'hex'))).toBe(2);
    expect(ber.ptr).toBe(2);
    berPrintf(ber, '}');
    expect(hexOf(berFlatten(ber))).toBe('6162' + '3084000000020500');
  });

  test('ber_write refuses a nonzero 4th argument and a length past the data', () => {
    lberOptions.debug = 0;
    const ber = berAllocT(0);
    expect(berWrite(ber, Buffer.from('abc'), 3, 1)).toBe(-1);
    expect(berWrite(ber, Buffer.from('abc'), 4)).toBe(-1);
    expect(berWrite(ber, Buffer.from('abc'), 2)).toBe(2);
    expect(berWrite(ber, Buffer.alloc(0))).toBe(0);
    expect(hexOf(berFlatten(ber))).toBe('6162');
  });
});

describe('growth', () => {
  test('ber_realloc keeps contents and cursors and adds at least the asked room', () => {
    const ber = berAllocT(0);
    berPrintf(ber, 'i{i', 1, 2);
    const before = { ptr: ber.ptr, sos: ber.sosPtr, len: ber.len };
    const total = berLen(ber);
    expect(berRealloc(ber, 100_000)).toBe(0);
    expect(berLen(ber)).toBeGreaterThanOrEqual(total + 100_001);
    expect({ ptr: ber.ptr, sos: ber.sosPtr, len: ber.len }).toEqual(before);
    berPrintf(ber, '}');
    expect(hexOf(berFlatten(ber))).toBe('020101' + '308400000003020102');
  });

  test('large buffers grow by about half each time, so appends stay linear', () => {
    const ber = berAllocT(0);
    const chunk = Buffer.alloc(10_000, 1);
    const sizes = new Set<number>();
    for (let i = 0; i < 200; i++) {
      berWrite(ber, chunk);
      sizes.add(berLen(ber));
    }
    expect(ber.ptr).toBe(2_000_000);
    // 2 MB in 10 kB appends with 1.5x growth needs a few dozen sizes, not 200.
    expect(sizes.size).toBeLessThan(30);
  });

  test('a size the platform cannot allocate is -1', () => {
    const ber = berAllocT(0);
    expect(berRealloc(ber, Number.MAX_SAFE_INTEGER)).toBe(-1);
    expect(berRealloc(ber, -1)).toBe(-1);
  });
});
