/**
 * framing.json: ber_get_next over a Sockbuf whose provider serves a byte
 * stream in chunks (see the vectors README), optionally with the readahead
 * layer above it. Each vector is run through berGetNext with the same
 * provider and driver; the tags, errno, lengths, contents and every read
 * the provider saw are compared with liblber's.
 *
 * Two classes of vectors fall under a documented departure
 * (docs/porting-ber-io.md), recognised by what liblber did, not by id:
 * - "header over-read": liblber failed with ERANGE because its header read
 *   took in more than the whole (valid) element. The port must deliver
 *   every element of the stream intact, byte for byte.
 * - "header over 9 octets": liblber stalled (LBER_DEFAULT, no read, errno
 *   untouched) on a header it cannot hold. The port must give ERANGE at the
 *   call where the length octet showed it, having made the same reads as
 *   liblber until then.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import {
  LBER_SBIOD_LEVEL_PROVIDER,
  SB_WOULD_BLOCK,
  berSockbufAddIo,
  berSockbufAlloc,
  sockbufIoReadahead,
  type Sockbuf,
  type SockbufIO,
} from '@lber/sockbuf';
import { bytes, formatTag, hex, loadVectors, VectorTally, type BytesSpec, type VectorBase } from '@lber/testkit';
import { berAllocT, berGetNext, berGetNextPending, type BerElement, type BerGetNextResult } from '@lber/ber';

interface FramingCall {
  tag: string;
  errno: string;
  len?: number;
  contents?: BytesSpec;
  reads: Array<[number, number]>;
}

interface FramingVector extends VectorBase {
  stream: BytesSpec;
  chunks: number[];
  eof: boolean;
  readahead: boolean;
  max_incoming: number;
  calls: FramingCall[];
  end: 'eof' | 'wouldblock' | 'error';
}

/** A call as the port made it, in the vectors' notation. */
interface PortCall {
  tag: string;
  errno: string;
  len?: number;
  contents?: string;
  reads: Array<[number, number]>;
}

const file = loadVectors<FramingVector>('framing.json');
const tally = new VectorTally('framing.json');
const OVERREAD = 'header over-read delivers short elements';
const STALL = 'header over 9 octets refused with ERANGE';

/**
 * The framing.json provider: at most what is left of the current chunk and
 * never more than asked; one would-block between chunks; after the last
 * chunk, end of stream (eof) or would-block forever.
 */
class ChunkProvider {
  pos = 0;
  chunk = 0;
  left: number;
  boundary = false;
  readonly reads: Array<[number, number]> = [];
  constructor(
    readonly stream: Buffer,
    readonly chunks: number[],
    readonly eof: boolean,
  ) {
    this.left = chunks[0] ?? 0;
  }

  /** Bytes still to serve, or a chunk boundary still to report. */
  get pending(): boolean {
    return this.pos < this.stream.length || this.boundary;
  }

  read(buf: Buffer, off: number, want: number): number {
    const ret = this.serve(buf, off, want);
    this.reads.push([want, ret]);
    return ret;
  }

  private serve(buf: Buffer, off: number, want: number): number {
    if (this.boundary) {
      this.boundary = false;
      return SB_WOULD_BLOCK;
    }
    if (this.left === 0) return this.eof ? 0 : SB_WOULD_BLOCK;
    const n = Math.min(want, this.left);
    this.stream.copy(buf, off, this.pos, this.pos + n);
    this.pos += n;
    this.left -= n;
    if (this.left === 0) {
      this.chunk += 1;
      if (this.chunk < this.chunks.length) {
        this.left = this.chunks[this.chunk]!;
        this.boundary = true;
      }
    }
    return n;
  }
}

function providerIo(p: ChunkProvider): SockbufIO {
  return {
    name: 'chunks',
    read: (_sbiod, buf, off, len) => p.read(buf, off, len),
    write: (_sbiod, _buf, _off, len) => len,
  };
}

function sockbufOver(p: ChunkProvider, readahead: boolean, maxIncoming: number): Sockbuf {
  const sb = berSockbufAlloc();
  berSockbufAddIo(sb, providerIo(p), LBER_SBIOD_LEVEL_PROVIDER, null);
  if (readahead) berSockbufAddIo(sb, sockbufIoReadahead, LBER_SBIOD_LEVEL_PROVIDER, null);
  sb.maxIncoming = maxIncoming;
  return sb;
}

function portCall(r: BerGetNextResult, ber: BerElement, reads: Array<[number, number]>): PortCall {
  const call: PortCall = { tag: formatTag(r.tag), errno: r.errno, reads };
  if (r.errno === 'none' && r.tag !== 0xffff_ffff_ffff_ffffn) {
    call.len = r.len;
    call.contents = hex(ber.buf!.subarray(ber.ptr, ber.end));
  }
  return call;
}

/** The README's driver: new element after each success; go on after would-block while data is pending. */
function run(v: FramingVector): { calls: PortCall[]; end: string } {
  const p = new ChunkProvider(bytes(v.stream), v.chunks, v.eof);
  const sb = sockbufOver(p, v.readahead, v.max_incoming);
  const calls: PortCall[] = [];
  let ber = berAllocT(0);
  let end: string;
  for (let guard = 0; ; guard++) {
    if (guard > 100000) throw new Error('driver did not stop');
    const before = p.reads.length;
    const r = berGetNext(sb, ber);
    const call = portCall(r, ber, p.reads.slice(before));
    calls.push(call);
    if (r.tag !== 0xffff_ffff_ffff_ffffn) {
      ber = berAllocT(0);
      continue;
    }
    if (r.errno === 'EWOULDBLOCK' && (p.pending || berGetNextPending(sb) > 0)) continue;
    end = r.eof ? 'eof' : r.errno === 'EWOULDBLOCK' ? 'wouldblock' : 'error';
    break;
  }
  return { calls, end };
}

function cCalls(v: FramingVector): PortCall[] {
  return v.calls.map((c) => {
    const call: PortCall = { tag: c.tag, errno: c.errno, reads: c.reads };
    if (c.len !== undefined) call.len = c.len;
    if (c.contents !== undefined) call.contents = hex(bytes(c.contents));
    return call;
  });
}

// ------------------------------------------------------------ an independent reference framer

interface RefElement {
  start: number;
  tag: string;
  len: number;
  contents: string;
  headerLen: number;
}

/**
 * Frames the whole stream by the header rules (tag <= 8 octets, 1..4
 * length octets, definite nonzero length, header <= 9 octets, within the
 * limit). Returns the valid elements in order and how the stream ends.
 */
function referenceFrames(stream: Buffer, maxIncoming: number): { elements: RefElement[]; rest: 'clean' | 'partial' | 'invalid' } {
  const elements: RefElement[] = [];
  let at = 0;
  while (at < stream.length) {
    let p = at + 1;
    if ((stream[at]! & 0x1f) === 0x1f) {
      for (;;) {
        if (p >= stream.length) return { elements, rest: 'partial' };
        const o = stream[p++]!;
        if (p - at > 8) return { elements, rest: 'invalid' };
        if ((o & 0x80) === 0) break;
      }
    }
    const tagLen = p - at;
    if (p >= stream.length) return { elements, rest: 'partial' };
    const first = stream[p++]!;
    let len = first;
    if (first & 0x80) {
      const llen = first & 0x7f;
      if (llen === 0 || llen > 4 || tagLen + 1 + llen > 9) return { elements, rest: 'invalid' };
      if (p + llen > stream.length) return { elements, rest: 'partial' };
      len = 0;
      for (let i = 0; i < llen; i++) len = len * 256 + stream[p++]!;
    }
    if (len === 0 || (maxIncoming !== 0 && len > maxIncoming)) return { elements, rest: 'invalid' };
    if (p + len > stream.length) return { elements, rest: 'partial' };
    let tag = 0n;
    for (let i = at; i < at + tagLen; i++) tag = (tag << 8n) | BigInt(stream[i]!);
    elements.push({ start: at, tag: formatTag(tag), len, contents: hex(stream.subarray(p, p + len)), headerLen: p - at });
    at = p + len;
  }
  return { elements, rest: 'clean' };
}

// ------------------------------------------------------------ classification

/** Index of liblber's first failing call that a departure explains, or -1. */
function overreadAt(v: FramingVector): number {
  const stream = bytes(v.stream);
  const ref = referenceFrames(stream, v.max_incoming);
  let at = 0;
  let delivered = 0;
  for (let i = 0; i < v.calls.length; i++) {
    const c = v.calls[i]!;
    if (c.tag !== 'LBER_DEFAULT') {
      const e = ref.elements[delivered++];
      if (e === undefined) return -1;
      at = e.start + e.headerLen + e.len;
      continue;
    }
    if (c.errno !== 'ERANGE') continue;
    // liblber refused here: the element at `at` must be valid and shorter
    // than the octets of the stream liblber's header read had taken in.
    const e = ref.elements[delivered];
    if (e === undefined || e.start !== at) return -1;
    const consumed = v.calls
      .slice(0, i + 1)
      .flatMap((x) => x.reads)
      .reduce((sum, [, got]) => sum + (got > 0 ? got : 0), 0);
    return consumed > e.start + e.headerLen + e.len ? i : -1;
  }
  return -1;
}

function isStall(v: FramingVector): boolean {
  const last = v.calls[v.calls.length - 1];
  return last !== undefined && last.tag === 'LBER_DEFAULT' && last.errno === 'none' && last.reads.length === 0;
}

describe('framing.json', () => {
  afterAll(() => {
    const counts = tally.report();
    expect(tally.total).toBe(file.vectors.length);
    expect(counts.exact + Object.values(counts.departures).reduce((a, b) => a + b, 0)).toBe(file.count);
  });

  test.each(file.vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const got = run(v);
    const want = cCalls(v);
    const same = JSON.stringify(got.calls) === JSON.stringify(want) && got.end === v.end;
    if (same) {
      tally.matchedExactly();
      return;
    }

    const at = overreadAt(v);
    if (at >= 0) {
      // Same calls as liblber before the one it failed.
      expect(got.calls.slice(0, at)).toEqual(want.slice(0, at));
      // Every element of the stream delivered intact, in order.
      const ref = referenceFrames(bytes(v.stream), v.max_incoming);
      const delivered = got.calls.filter((c) => c.tag !== 'LBER_DEFAULT').map((c) => ({ tag: c.tag, len: c.len, contents: c.contents }));
      expect(delivered).toEqual(ref.elements.map((e) => ({ tag: e.tag, len: e.len, contents: e.contents })));
      // And the run ends as the stream does.
      const expectedEnd = ref.rest === 'invalid' ? 'error' : ref.rest === 'clean' && v.eof ? 'eof' : ref.rest === 'partial' && v.eof ? 'eof' : 'wouldblock';
      expect(got.end).toBe(expectedEnd);
      tally.matchedUnderDeparture(OVERREAD);
      return;
    }

    if (isStall(v)) {
      // The port refuses at the call whose reads showed the length octet;
      // up to there it made liblber's calls.
      const k = got.calls.length - 1;
      expect(k).toBeLessThanOrEqual(want.length - 2);
      expect(got.calls.slice(0, k)).toEqual(want.slice(0, k));
      expect(got.calls[k]).toEqual({ tag: 'LBER_DEFAULT', errno: 'ERANGE', reads: want[k]!.reads });
      expect(want[k]!.errno).toBe('EWOULDBLOCK');
      expect(got.end).toBe('error');
      tally.matchedUnderDeparture(STALL);
      return;
    }

    // Anything else must match exactly.
    expect(got).toEqual({ calls: want, end: v.end });
  });
});
