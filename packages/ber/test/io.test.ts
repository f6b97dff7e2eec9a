/**
 * ber_get_next, ber_flush2 and BerFramer: unit tests over an in-memory
 * provider (every split, byte by byte, malformed input, limits, the
 * departures, flush resumption and freeing), property tests over arbitrary
 * chunkings and arbitrary bytes, and loopback tests over a real TCP socket
 * with the tcp provider.
 */
import net from 'node:net';
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import {
  LBER_SBIOD_LEVEL_PROVIDER,
  SB_WOULD_BLOCK,
  SockbufError,
  berSockbufAddIo,
  berSockbufAlloc,
  lberOptions,
  sockbufIoTcp,
  type LogPrintFn,
  type Sockbuf,
  type SockbufIO,
} from '@lber/sockbuf';
import {
  BER_FRAME_EOF,
  BER_FRAME_WOULD_BLOCK,
  BerError,
  BerFrame,
  BerFramer,
  LBER_DEFAULT,
  LBER_FLUSH_FREE_ALWAYS,
  LBER_FLUSH_FREE_NEVER,
  LBER_FLUSH_FREE_ON_ERROR,
  berAllocT,
  berFlush,
  berFlush2,
  berGetNext,
  berGetNextPending,
  berGetNextResult,
  berPrintf,
  berScanf,
  berWrite,
  type BerElement,
  type BerGetNextResult,
} from '@lber/ber';

// ------------------------------------------------------------ in-memory provider

/** A provider fed by the test: bytes queued, then would-block, end or an error. */
class FeedProvider {
  private queue = Buffer.alloc(0);
  private ended = false;
  private error: SockbufError | null = null;
  readonly reads: Array<[number, number]> = [];
  written: Buffer[] = [];
  /** Each write accepts at most this many bytes; -1 entries would block. */
  writeScript: number[] = [];

  push(data: Uint8Array): void {
    this.queue = Buffer.concat([this.queue, data]);
  }
  end(): void {
    this.ended = true;
  }
  fail(err: SockbufError): void {
    this.error = err;
  }
  get queued(): number {
    return this.queue.length;
  }

  io(): SockbufIO {
    return {
      name: 'feed',
      read: (_sbiod, buf, off, len) => {
        let ret: number;
        if (this.queue.length > 0) {
          ret = Math.min(len, this.queue.length);
          this.queue.copy(buf, off, 0, ret);
          this.queue = this.queue.subarray(ret);
        } else if (this.error !== null) {
          this.reads.push([len, -2]);
          throw this.error;
        } else {
          ret = this.ended ? 0 : SB_WOULD_BLOCK;
        }
        this.reads.push([len, ret]);
        return ret;
      },
      write: (_sbiod, buf, off, len) => {
        if (this.error !== null) throw this.error;
        const step = this.writeScript.shift();
        if (step === -1) return SB_WOULD_BLOCK;
        const n = step === undefined ? len : Math.min(step, len);
        this.written.push(Buffer.from(buf.subarray(off, off + n)));
        return n;
      },
    };
  }
}

function feedSockbuf(maxIncoming = 0): { sb: Sockbuf; p: FeedProvider } {
  const p = new FeedProvider();
  const sb = berSockbufAlloc();
  berSockbufAddIo(sb, p.io(), LBER_SBIOD_LEVEL_PROVIDER, null);
  sb.maxIncoming = maxIncoming;
  return { sb, p };
}

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A bind request, an abandon, a search request, a 2-octet-tag element and a long-form 300-octet element. */
const BIND = h('3013020101600e0201030404636e3d788003707764');
const ABANDON = h('3006020104500102');
const SEARCH = h('30360201026331041164633d6578616d706c652c64633d636f6d0a01020a0100020100020100010100870b6f626a656374436c6173733000');
const TAG2 = h('7f2203020105');
const LONG = Buffer.concat([h('3082012c'), Buffer.alloc(300, 0x41)]);
const SHORT = h('020105');
const PDUS = [BIND, ABANDON, SEARCH, TAG2, LONG, SHORT, SHORT, ABANDON];
const STREAM = Buffer.concat(PDUS);

interface Got {
  tag: bigint;
  contents: string;
}

/** Header length of a well-formed element (test data only). */
function headerLength(pdu: Buffer): number {
  let p = 1;
  if ((pdu[0]! & 0x1f) === 0x1f) while (pdu[p++]! & 0x80);
  const first = pdu[p]!;
  return p + 1 + (first & 0x80 ? first & 0x7f : 0);
}

function expected(pdus: Buffer[]): Got[] {
  return pdus.map((pdu) => {
    let p = 1;
    if ((pdu[0]! & 0x1f) === 0x1f) while (pdu[p++]! & 0x80);
    let tag = 0n;
    for (let i = 0; i < p; i++) tag = (tag << 8n) | BigInt(pdu[i]!);
    return { tag, contents: pdu.subarray(headerLength(pdu)).toString('hex') };
  });
}

/** Drives berGetNext until it would block; collects the elements. */
function drainGetNext(sb: Sockbuf, state: { ber: BerElement }, into: Got[]): BerGetNextResult {
  for (;;) {
    const r = berGetNext(sb, state.ber);
    if (r.tag === LBER_DEFAULT) return r;
    into.push({ tag: r.tag, contents: state.ber.buf!.subarray(0, state.ber.end).toString('hex') });
    expect(r.len).toBe(state.ber.end);
    state.ber = berAllocT(0);
  }
}

function drainFramer(framer: BerFramer, into: Got[]): typeof BER_FRAME_WOULD_BLOCK | typeof BER_FRAME_EOF {
  for (;;) {
    const f = framer.next();
    if (f === BER_FRAME_WOULD_BLOCK || f === BER_FRAME_EOF) return f;
    into.push({ tag: f.tag, contents: f.contents.toString('hex') });
  }
}

/** Feeds `stream` in the given pieces to both APIs, draining after each piece. */
function frameInPieces(stream: Buffer, cuts: number[], options: { stableViews?: boolean; bufferSize?: number } = {}): { getNext: Got[]; framer: Got[]; framerViews: BerFrame[] } {
  const a = feedSockbuf();
  const b = feedSockbuf();
  const framer = new BerFramer(b.sb, options);
  const state = { ber: berAllocT(0) };
  const getNext: Got[] = [];
  const framed: Got[] = [];
  const framerViews: BerFrame[] = [];
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    a.p.push(stream.subarray(at, cut));
    b.p.push(stream.subarray(at, cut));
    at = cut;
    expect(drainGetNext(a.sb, state, getNext).errno).toBe('EWOULDBLOCK');
    for (;;) {
      const f = framer.next();
      if (f === BER_FRAME_WOULD_BLOCK) break;
      if (f === BER_FRAME_EOF) throw new Error('unexpected end');
      framed.push({ tag: f.tag, contents: f.contents.toString('hex') });
      framerViews.push(f);
    }
  }
  return { getNext, framer: framed, framerViews };
}

/** What `fn` throws (fails the test when it returns). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

// ------------------------------------------------------------ berGetNext

describe('berGetNext over an in-memory provider', () => {
  test('frames a stream fed whole', () => {
    const r = frameInPieces(STREAM, []);
    expect(r.getNext).toEqual(expected(PDUS));
    expect(r.framer).toEqual(expected(PDUS));
  });

  test('frames a stream fed one byte at a time', () => {
    const cuts = Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1);
    const r = frameInPieces(STREAM, cuts);
    expect(r.getNext).toEqual(expected(PDUS));
    expect(r.framer).toEqual(expected(PDUS));
  });

  test('frames a stream split in two at every offset', () => {
    const want = expected(PDUS);
    for (let cut = 1; cut < STREAM.length; cut++) {
      const r = frameInPieces(STREAM, [cut], { bufferSize: 64 });
      expect(r.getNext).toEqual(want);
      expect(r.framer).toEqual(want);
    }
  });

  test('resumes from plain fields: rwptr counts header octets, then contents octets', () => {
    const { sb, p } = feedSockbuf();
    const ber = berAllocT(0);
    p.push(BIND.subarray(0, 1));
    expect(berGetNext(sb, ber).errno).toBe('EWOULDBLOCK');
    expect(ber.buf).toBeNull();
    expect(ber.rwptr).toBe(1);
    p.push(BIND.subarray(1, 5));
    expect(berGetNext(sb, ber).errno).toBe('EWOULDBLOCK');
    expect(ber.tag).toBe(0x30n);
    expect(ber.len).toBe(19);
    expect(ber.buf?.length).toBe(19);
    expect(ber.rwptr).toBe(3);
    p.push(BIND.subarray(5));
    const r = berGetNext(sb, ber);
    expect(r).toEqual({ tag: 0x30n, len: 19, errno: 'none', eof: false, error: null });
    expect(ber.rwptr).toBe(-1);
    expect(ber.ptr).toBe(0);
    expect(ber.end).toBe(19);
  });

  test('the element decodes with ber_scanf after framing', () => {
    const { sb, p } = feedSockbuf();
    p.push(BIND);
    const ber = berAllocT(0);
    expect(berGetNext(sb, ber).tag).toBe(0x30n);
    const r = berScanf(ber, 'i');
    expect(r.tag).not.toBe(LBER_DEFAULT);
    expect(r.out).toEqual([expect.objectContaining({ f: 'i', value: 1 })]);
  });

  test('reuses a caller-supplied result object', () => {
    const { sb, p } = feedSockbuf();
    p.push(ABANDON);
    const out = berGetNextResult();
    const r = berGetNext(sb, berAllocT(0), out);
    expect(r).toBe(out);
    expect(out.tag).toBe(0x30n);
  });

  test('end of stream at a boundary: errno none, eof, no error', () => {
    const { sb, p } = feedSockbuf();
    p.end();
    const r = berGetNext(sb, berAllocT(0));
    expect(r).toEqual({ tag: LBER_DEFAULT, len: 0, errno: 'none', eof: true, error: null });
  });

  test.each([1, 2, 5, 12])('end of stream after %i octets of an element is BER_TRUNCATED', (n) => {
    const { sb, p } = feedSockbuf();
    p.push(BIND.subarray(0, n));
    p.end();
    const ber = berAllocT(0);
    let r = berGetNext(sb, ber);
    if (r.errno === 'EWOULDBLOCK') r = berGetNext(sb, ber);
    expect(r.tag).toBe(LBER_DEFAULT);
    expect(r.errno).toBe('none');
    expect(r.eof).toBe(true);
    expect(r.error).toBeInstanceOf(BerError);
    expect((r.error as BerError).code).toBe('BER_TRUNCATED');
  });

  test("a layer's error comes back as errno and the SockbufError", () => {
    const { sb, p } = feedSockbuf();
    p.push(BIND.subarray(0, 4));
    const ber = berAllocT(0);
    expect(berGetNext(sb, ber).errno).toBe('EWOULDBLOCK');
    const err = new SockbufError('ECONNRESET');
    p.fail(err);
    const r = berGetNext(sb, ber);
    expect(r.errno).toBe('ECONNRESET');
    expect(r.error).toBe(err);
  });

  test('an element that already holds data is EINVAL', () => {
    const { sb, p } = feedSockbuf();
    p.push(BIND);
    const ber = berAllocT(0);
    berWrite(ber, h('0102'));
    const r = berGetNext(sb, ber);
    expect(r.errno).toBe('EINVAL');
    expect((r.error as BerError).code).toBe('BER_BAD_ARGUMENT');
    expect(p.reads).toEqual([]);
  });

  test.each([
    ['zero length', '3000', 'BER_BAD_LENGTH'],
    ['indefinite length', '30800201050000', 'BER_BAD_LENGTH'],
    ['five length octets', '30850000000005', 'BER_BAD_LENGTH'],
    ['length-of-length 127', '30ff00', 'BER_BAD_LENGTH'],
    ['a tag of 9 octets', '1fffffffffffffff7f0141', 'BER_BAD_TAG'],
    ['a header of 10 octets (8-octet tag, long length)', '1fffffffffffff7f810141', 'BER_BAD_LENGTH'],
    ['a header of 10 octets (7-octet tag, 2 length octets)', '1fffffffffff7f82000141', 'BER_BAD_LENGTH'],
  ])('%s: ERANGE, typed, and the element stays refused', (_name, input, code) => {
    const { sb, p } = feedSockbuf();
    p.push(h(input));
    const ber = berAllocT(0);
    let r = berGetNext(sb, ber);
    for (let i = 0; i < 20 && r.errno === 'EWOULDBLOCK'; i++) r = berGetNext(sb, ber);
    expect(r.tag).toBe(LBER_DEFAULT);
    expect(r.errno).toBe('ERANGE');
    expect((r.error as BerError).code).toBe(code);
    const reads = p.reads.length;
    const again = berGetNext(sb, ber);
    expect(again.errno).toBe('ERANGE');
    expect(again.error).toBe(r.error);
    expect(p.reads.length).toBe(reads);
    // The framer refuses the same input with the same code.
    const f = feedSockbuf();
    f.p.push(h(input));
    const framer = new BerFramer(f.sb);
    expect(thrownBy(() => framer.next())).toMatchObject({ code });
    expect(thrownBy(() => framer.next())).toMatchObject({ code });
  });

  test('a header of exactly 9 octets is framed (7-octet tag, 81 length)', () => {
    const { sb, p } = feedSockbuf();
    p.push(h('1fffffffffff7f810141'));
    const ber = berAllocT(0);
    let r = berGetNext(sb, ber);
    while (r.errno === 'EWOULDBLOCK') r = berGetNext(sb, ber);
    expect(r.tag).toBe(0x1fffffffffff7fn);
    expect(ber.buf?.toString('hex')).toBe('41');
  });

  test('departure: short elements after an over-long header read are delivered, surplus kept per Sockbuf', () => {
    const { sb, p } = feedSockbuf();
    p.push(h('020105 020106 020107 3006020104500102'));
    const got: Got[] = [];
    const state = { ber: berAllocT(0) };
    const r = drainGetNext(sb, state, got);
    expect(r.errno).toBe('EWOULDBLOCK');
    expect(got).toEqual(expected([SHORT, h('020106'), h('020107'), ABANDON]));
    expect(berGetNextPending(sb)).toBe(0);
  });

  test('departure: held-back octets are reported and served before the stack', () => {
    const { sb, p } = feedSockbuf();
    p.push(h('0401ff 30060201'));
    const ber = berAllocT(0);
    const r = berGetNext(sb, ber);
    expect(r.tag).toBe(0x04n);
    expect(berGetNextPending(sb)).toBe(4);
    p.push(h('04500102'));
    const ber2 = berAllocT(0);
    expect(berGetNext(sb, ber2).tag).toBe(0x30n);
    expect(ber2.buf?.toString('hex')).toBe('020104500102');
    expect(berGetNextPending(sb)).toBe(0);
  });

  test('max incoming: equal is allowed, one more is ERANGE with BER_LENGTH_LIMIT', () => {
    const ok = feedSockbuf(19);
    ok.p.push(BIND);
    expect(berGetNext(ok.sb, berAllocT(0)).tag).toBe(0x30n);
    const bad = feedSockbuf(18);
    bad.p.push(BIND);
    const r = berGetNext(bad.sb, berAllocT(0));
    expect(r.errno).toBe('ERANGE');
    expect((r.error as BerError).code).toBe('BER_LENGTH_LIMIT');
  });

  test('a 2 GiB declared length over the limit is refused before any allocation of its size', () => {
    const spy = jest.spyOn(Buffer, 'allocUnsafe');
    const spySlow = jest.spyOn(Buffer, 'alloc');
    try {
      const { sb, p } = feedSockbuf(1024 * 1024);
      p.push(h('308480000000 0201'));
      const t0 = performance.now();
      const r = berGetNext(sb, berAllocT(0));
      expect(performance.now() - t0).toBeLessThan(50);
      expect(r.errno).toBe('ERANGE');
      expect((r.error as BerError).code).toBe('BER_LENGTH_LIMIT');
      const f = feedSockbuf(1024 * 1024);
      f.p.push(h('308480000000 0201'));
      const framer = new BerFramer(f.sb);
      expect(thrownBy(() => framer.next())).toMatchObject({ code: 'BER_LENGTH_LIMIT' });
      const sizes = [...spy.mock.calls, ...spySlow.mock.calls].map((c) => c[0]);
      expect(sizes.every((n) => n < 1024 * 1024)).toBe(true);
    } finally {
      spy.mockRestore();
      spySlow.mockRestore();
    }
  });

  test('trace lines at the element debug level', () => {
    const saved: LogPrintFn = lberOptions.logPrint;
    const savedDebug = lberOptions.debug;
    const lines: string[] = [];
    lberOptions.logPrint = (m) => {
      lines.push(m);
    };
    try {
      lberOptions.debug = 1;
      const ber = berAllocT(0);
      lberOptions.debug = 0;
      const { sb, p } = feedSockbuf();
      p.push(ABANDON);
      berGetNext(sb, ber);
    } finally {
      lberOptions.logPrint = saved;
      lberOptions.debug = savedDebug;
    }
    expect(lines).toEqual(['ber_get_next\n', 'ber_get_next: tag 0x30 len 6 contents:\n']);
  });
});

// ------------------------------------------------------------ property tests

/** An arbitrary well-formed element: 1..3 tag octets, 1..600 contents octets, short or long length. */
const arbPdu = fc
  .record({
    tagLen: fc.integer({ min: 1, max: 3 }),
    tagBytes: fc.uint8Array({ minLength: 3, maxLength: 3 }),
    contents: fc.uint8Array({ minLength: 1, maxLength: 600 }),
    longForm: fc.boolean(),
  })
  .map(({ tagLen, tagBytes, contents, longForm }) => {
    const tag: number[] = [];
    if (tagLen === 1) tag.push(tagBytes[0]! & 0x1f ? tagBytes[0]! & 0xfe : tagBytes[0]!);
    else {
      tag.push(tagBytes[0]! | 0x1f);
      for (let i = 1; i < tagLen - 1; i++) tag.push(tagBytes[i]! | 0x80);
      tag.push(tagBytes[tagLen - 1]! & 0x7f);
    }
    const n = contents.length;
    const len = n < 128 && !longForm ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
    return Buffer.concat([Buffer.from(tag), Buffer.from(len), Buffer.from(contents)]);
  });

describe('properties', () => {
  test('any chunking of any well-formed stream frames the same elements (berGetNext and BerFramer)', () => {
    fc.assert(
      fc.property(fc.array(arbPdu, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (pdus, rawCuts, stable) => {
        const stream = Buffer.concat(pdus);
        const cuts = [...new Set(rawCuts.map((c) => c % stream.length))].filter((c) => c > 0).sort((x, y) => x - y);
        const r = frameInPieces(stream, cuts, { stableViews: stable, bufferSize: 256 });
        const want = expected(pdus);
        expect(r.getNext).toEqual(want);
        expect(r.framer).toEqual(want);
        if (stable) {
          // Views handed out earlier still show their element.
          expect(r.framerViews.map((f) => f.pdu.toString('hex'))).toEqual(pdus.map((p) => p.toString('hex')));
        }
      }),
      { numRuns: 150 },
    );
  });

  test('on arbitrary bytes both APIs deliver the same elements and fail alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 9 }), (data, chunk) => {
        const stream = Buffer.from(data);
        const a = feedSockbuf(40);
        const b = feedSockbuf(40);
        const framer = new BerFramer(b.sb);
        const state = { ber: berAllocT(0) };
        const gotA: Got[] = [];
        const gotB: Got[] = [];
        let failA: string | null = null;
        let failB: string | null = null;
        for (let at = 0; at < stream.length && failA === null; at += chunk) {
          a.p.push(stream.subarray(at, at + chunk));
          const r = drainGetNext(a.sb, state, gotA);
          if (r.errno !== 'EWOULDBLOCK') failA = (r.error as BerError).code;
        }
        for (let at = 0; at < stream.length && failB === null; at += chunk) {
          b.p.push(stream.subarray(at, at + chunk));
          try {
            drainFramer(framer, gotB);
          } catch (err) {
            failB = (err as BerError).code;
          }
        }
        expect(gotB).toEqual(gotA);
        expect(failB).toBe(failA);
      }),
      { numRuns: 500 },
    );
  });
});

// ------------------------------------------------------------ BerFramer

describe('BerFramer', () => {
  test('frames with stableViews false are valid until the next call; the buffer is reused', () => {
    const { sb, p } = feedSockbuf();
    const framer = new BerFramer(sb, { stableViews: false, bufferSize: 32 });
    p.push(Buffer.concat([ABANDON, ABANDON, ABANDON, ABANDON, ABANDON, ABANDON]));
    const seen = new Set<ArrayBufferLike>();
    for (let i = 0; i < 6; i++) {
      const f = framer.next();
      if (!(f instanceof BerFrame)) throw new Error('expected a frame');
      expect(f.pdu.equals(ABANDON)).toBe(true);
      seen.add(f.buffer.buffer);
    }
    expect(seen.size).toBe(1);
    expect(framer.next()).toBe(BER_FRAME_WOULD_BLOCK);
  });

  test('an element larger than the buffer gets a buffer of its size; then back to the usual size', () => {
    const { sb, p } = feedSockbuf();
    const framer = new BerFramer(sb, { bufferSize: 16 });
    const big = Buffer.concat([h('04820400'), Buffer.alloc(1024, 7)]);
    p.push(big.subarray(0, 10));
    expect(framer.next()).toBe(BER_FRAME_WOULD_BLOCK);
    p.push(big.subarray(10));
    p.push(ABANDON);
    const f = framer.next();
    if (!(f instanceof BerFrame)) throw new Error('expected a frame');
    expect(f.pdu.equals(big)).toBe(true);
    const g = framer.next();
    if (!(g instanceof BerFrame)) throw new Error('expected a frame');
    expect(g.pdu.equals(ABANDON)).toBe(true);
    expect(g.buffer.length).toBe(16);
    expect(f.pdu.equals(big)).toBe(true);
  });

  test('end of stream: EOF at a boundary, BER_TRUNCATED inside an element (and it sticks)', () => {
    const a = feedSockbuf();
    a.p.push(ABANDON);
    a.p.end();
    const fa = new BerFramer(a.sb);
    expect(fa.next()).toBeInstanceOf(BerFrame);
    expect(fa.next()).toBe(BER_FRAME_EOF);
    const b = feedSockbuf();
    b.p.push(BIND.subarray(0, 7));
    b.p.end();
    const fb = new BerFramer(b.sb);
    expect(thrownBy(() => fb.next())).toMatchObject({ name: 'BerError', code: 'BER_TRUNCATED' });
    expect(thrownBy(() => fb.next())).toMatchObject({ code: 'BER_TRUNCATED' });
  });

  test("a layer's SockbufError is thrown as it is", () => {
    const { sb, p } = feedSockbuf();
    p.fail(new SockbufError('ECONNRESET'));
    const framer = new BerFramer(sb);
    expect(() => framer.next()).toThrow(SockbufError);
  });

  test('maxIncoming: option, else the Sockbuf limit, else the default', () => {
    const { sb } = feedSockbuf();
    expect(new BerFramer(sb).maxIncoming).toBe(64 * 1024 * 1024);
    sb.maxIncoming = 100;
    expect(new BerFramer(sb).maxIncoming).toBe(100);
    expect(new BerFramer(sb, { maxIncoming: 5 }).maxIncoming).toBe(5);
    expect(() => new BerFramer(sb, { maxIncoming: 0 })).toThrow(BerError);
    expect(() => new BerFramer(sb, { bufferSize: 2 })).toThrow(BerError);
  });

  test('toBerElement gives an element ready for ber_scanf', () => {
    const { sb, p } = feedSockbuf();
    p.push(ABANDON);
    const f = new BerFramer(sb).next();
    if (!(f instanceof BerFrame)) throw new Error('expected a frame');
    const ber = f.toBerElement();
    expect(ber.tag).toBe(0x30n);
    expect(ber.len).toBe(6);
    expect(ber.buf?.subarray(ber.ptr, ber.end).toString('hex')).toBe('020104500102');
  });
});

// ------------------------------------------------------------ ber_flush2

describe('berFlush2', () => {
  function encoded(): BerElement {
    const ber = berAllocT(0);
    expect(berPrintf(ber, '{it}', 5, 0x42n)).toBeGreaterThan(0);
    return ber;
  }

  test('writes everything, looping over short writes', () => {
    const { sb, p } = feedSockbuf();
    p.writeScript = [2, 3, 1];
    const ber = encoded();
    const r = berFlush2(sb, ber, LBER_FLUSH_FREE_NEVER);
    expect(r).toEqual({ rc: 0, errno: 'none', error: null });
    expect(Buffer.concat(p.written).equals(ber.buf!.subarray(0, ber.ptr))).toBe(true);
    expect(p.written.map((b) => b.length).slice(0, 3)).toEqual([2, 3, 1]);
  });

  test('would block, then resumes where it stopped; a finished element writes nothing more', () => {
    const { sb, p } = feedSockbuf();
    p.writeScript = [4, -1];
    const ber = encoded();
    expect(berFlush2(sb, ber, LBER_FLUSH_FREE_NEVER)).toEqual({ rc: -1, errno: 'EWOULDBLOCK', error: null });
    expect(ber.rwptr).toBe(4);
    expect(berFlush(sb, ber, 0).rc).toBe(0);
    expect(berFlush(sb, ber, 0).rc).toBe(0);
    expect(Buffer.concat(p.written).equals(ber.buf!.subarray(0, ber.ptr))).toBe(true);
  });

  test('freeit: on error, on success', () => {
    const { sb, p } = feedSockbuf();
    p.writeScript = [-1];
    const a = encoded();
    berFlush2(sb, a, LBER_FLUSH_FREE_ON_ERROR);
    expect(a.buf).toBeNull();
    const b = encoded();
    expect(berFlush(sb, b, 1).rc).toBe(0);
    expect(b.buf).toBeNull();
    const c = encoded();
    expect(berFlush2(sb, c, LBER_FLUSH_FREE_ALWAYS).rc).toBe(0);
    expect(c.buf).toBeNull();
  });

  test("a layer's error is -1 with its code", () => {
    const { sb, p } = feedSockbuf();
    const err = new SockbufError('EPIPE');
    p.fail(err);
    expect(berFlush2(sb, encoded(), 0)).toEqual({ rc: -1, errno: 'EPIPE', error: err });
  });

  test('logs at the Sockbuf debug level', () => {
    const saved: LogPrintFn = lberOptions.logPrint;
    const lines: string[] = [];
    lberOptions.logPrint = (m) => {
      lines.push(m);
    };
    try {
      const { sb, p } = feedSockbuf();
      sb.debug = 0x11;
      p.writeScript = [-1];
      const ber = berAllocT(0);
      berWrite(ber, h('02010a'));
      berFlush2(sb, ber, 0);
      berFlush2(sb, ber, 0);
      berFlush2(sb, ber, 0);
    } finally {
      lberOptions.logPrint = saved;
    }
    expect(lines[0]).toBe('ber_flush2: 3 bytes to sd -1\n');
    expect(lines[1]).toMatch(/^ {2}0000: {2}02 01 0a/);
    expect(lines[2]).toBe('ber_flush2: 3 bytes to sd -1\n');
    expect(lines[4]).toBe('ber_flush2: 0 bytes to sd -1 (re-flush)\n');
    expect(lines[5]).toBe('\n');
  });
});

// ------------------------------------------------------------ loopback TCP

interface Conn {
  client: net.Socket;
  server: net.Socket;
  sb: Sockbuf;
  close(): Promise<void>;
}

const open: Conn[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function connect(maxIncoming = 0): Promise<Conn> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const server = await accepted;
  server.setNoDelay(true);
  const sb = berSockbufAlloc();
  berSockbufAddIo(sb, sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER, client);
  sb.maxIncoming = maxIncoming;
  const conn: Conn = {
    client,
    server,
    sb,
    async close() {
      client.destroy();
      server.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
  open.push(conn);
  return conn;
}

/**
 * Runs `step` now (unless `waitFirst`) and at every notification out of the
 * top of `sb`, until it returns true; `step` runs inside the notification,
 * as a connection's read loop does. Rejects with what `step` throws.
 */
function pump(sb: Sockbuf, step: () => boolean, waitFirst = false): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!waitFirst && step()) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      off();
      reject(new Error('no progress within 5 s'));
    }, 5000);
    const off = sb.subscribe(() => {
      let finished: boolean;
      try {
        finished = step();
      } catch (err) {
        clearTimeout(timer);
        off();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (finished) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

/** Collects `count` elements with berGetNext as notifications arrive. */
async function collectGetNext(sb: Sockbuf, count: number): Promise<Got[]> {
  const got: Got[] = [];
  const state = { ber: berAllocT(0) };
  await pump(sb, () => {
    const r = drainGetNext(sb, state, got);
    if (got.length >= count) return true;
    if (r.errno !== 'EWOULDBLOCK') throw r.error ?? new Error(`errno ${r.errno}`);
    return false;
  });
  return got;
}

describe('over loopback TCP', () => {
  test('elements delivered one byte at a time', async () => {
    const c = await connect();
    const d = await connect();
    const framer = new BerFramer(d.sb);
    const got: Got[] = [];
    const framed: Got[] = [];
    const state = { ber: berAllocT(0) };
    const stream = Buffer.concat([BIND, ABANDON, TAG2, SHORT]);
    let reads = 0;
    for (let i = 0; i < stream.length; i++) {
      const byte = stream.subarray(i, i + 1);
      const w1 = pump(c.sb, () => drainGetNext(c.sb, state, got).errno === 'EWOULDBLOCK', true);
      const w2 = pump(d.sb, () => drainFramer(framer, framed) === BER_FRAME_WOULD_BLOCK, true);
      c.server.write(byte);
      d.server.write(byte);
      await Promise.all([w1, w2]);
      reads++;
    }
    expect(reads).toBe(stream.length);
    const want = expected([BIND, ABANDON, TAG2, SHORT]);
    expect(got).toEqual(want);
    expect(framed).toEqual(want);
  });

  test('a stream split at every offset', async () => {
    const c = await connect();
    const d = await connect();
    const pdus = [BIND, TAG2, LONG];
    const stream = Buffer.concat(pdus);
    const want = expected(pdus);
    const framer = new BerFramer(d.sb, { bufferSize: 64 });
    for (let cut = 1; cut < stream.length; cut++) {
      const got: Got[] = [];
      const framed: Got[] = [];
      const state = { ber: berAllocT(0) };
      const first = Promise.all([
        pump(c.sb, () => drainGetNext(c.sb, state, got).errno === 'EWOULDBLOCK', true),
        pump(d.sb, () => drainFramer(framer, framed) === BER_FRAME_WOULD_BLOCK, true),
      ]);
      c.server.write(stream.subarray(0, cut));
      d.server.write(stream.subarray(0, cut));
      await first;
      const rest = Promise.all([
        pump(c.sb, () => (drainGetNext(c.sb, state, got), got.length === pdus.length), true),
        pump(d.sb, () => (drainFramer(framer, framed), framed.length === pdus.length), true),
      ]);
      c.server.write(stream.subarray(cut));
      d.server.write(stream.subarray(cut));
      await rest;
      expect(got).toEqual(want);
      expect(framed).toEqual(want);
    }
  });

  test('10,000 pipelined elements', async () => {
    const pdus: Buffer[] = [];
    for (let id = 1; id <= 10000; id++) {
      const ber = berAllocT(0);
      berPrintf(ber, '{it}', id, 0x50n);
      pdus.push(Buffer.from(ber.buf!.subarray(0, ber.ptr)));
    }
    const c = await connect();
    c.server.write(Buffer.concat(pdus));
    const got = await collectGetNext(c.sb, 10000);
    const want = pdus.map((pdu) => pdu.subarray(headerLength(pdu)).toString('hex')).join(',');
    expect(got.length).toBe(10000);
    expect(got.every((g) => g.tag === 0x30n)).toBe(true);
    expect(got.map((g) => g.contents).join(',')).toBe(want);

    const d = await connect();
    const framer = new BerFramer(d.sb);
    const framed: Got[] = [];
    const done = pump(d.sb, () => (drainFramer(framer, framed), framed.length >= 10000));
    for (const pdu of pdus) d.server.write(pdu);
    await done;
    expect(framed.length).toBe(10000);
    expect(framed.map((g) => g.contents).join(',')).toBe(want);
  });

  test('the peer closing mid-element gives BER_TRUNCATED', async () => {
    const c = await connect();
    const got: Got[] = [];
    const state = { ber: berAllocT(0) };
    let last: BerGetNextResult | null = null;
    const done = pump(c.sb, () => {
      last = drainGetNext(c.sb, state, got);
      return last.errno !== 'EWOULDBLOCK';
    });
    c.server.end(Buffer.concat([ABANDON, BIND.subarray(0, 9)]));
    await done;
    const r = last as BerGetNextResult | null;
    expect(got).toEqual(expected([ABANDON]));
    expect(r?.eof).toBe(true);
    expect((r?.error as BerError).code).toBe('BER_TRUNCATED');

    const d = await connect();
    const framer = new BerFramer(d.sb);
    const framed: Got[] = [];
    const failed = pump(d.sb, () => drainFramer(framer, framed) === BER_FRAME_EOF);
    d.server.end(Buffer.concat([ABANDON, BIND.subarray(0, 9)]));
    await expect(failed).rejects.toMatchObject({ name: 'BerError', code: 'BER_TRUNCATED' });
    expect(framed).toEqual(expected([ABANDON]));
  });

  test('the peer resetting the connection mid-element gives a typed error', async () => {
    const c = await connect();
    const framer = new BerFramer(c.sb);
    const started = pump(c.sb, () => framer.next() === BER_FRAME_WOULD_BLOCK, true);
    c.server.write(BIND.subarray(0, 5));
    await started;
    const failed = pump(c.sb, () => framer.next() !== BER_FRAME_WOULD_BLOCK, true);
    c.server.resetAndDestroy();
    const err: unknown = await failed.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err instanceof SockbufError || (err instanceof BerError && err.code === 'BER_TRUNCATED')).toBe(true);
  });

  test('a declared length of 2 GiB over max incoming is refused at once, without allocating it', async () => {
    const c = await connect(16 * 1024 * 1024);
    const arrived = pump(c.sb, () => true, true);
    c.server.write(h('308480000000 020101'));
    await arrived;
    const spy = jest.spyOn(Buffer, 'allocUnsafe');
    try {
      const before = process.memoryUsage().arrayBuffers;
      const r = berGetNext(c.sb, berAllocT(0));
      expect(r.errno).toBe('ERANGE');
      expect((r.error as BerError).code).toBe('BER_LENGTH_LIMIT');
      expect(spy.mock.calls.every((args) => args[0] < 1024 * 1024)).toBe(true);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    } finally {
      spy.mockRestore();
    }
  });

  test('ber_flush over the tcp provider reaches the peer intact', async () => {
    const c = await connect();
    const received: Buffer[] = [];
    const ber = berAllocT(0);
    berPrintf(ber, '{it}', 7, 0x50n);
    const all = new Promise<void>((resolve) => {
      c.server.on('data', (chunk: Buffer) => {
        received.push(chunk);
        if (Buffer.concat(received).length >= ber.ptr) resolve();
      });
    });
    expect(berFlush(c.sb, ber, 0).rc).toBe(0);
    await all;
    expect(Buffer.concat(received).equals(ber.buf!.subarray(0, ber.ptr))).toBe(true);
  });
});
