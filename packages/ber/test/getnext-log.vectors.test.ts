/**
 * log.json vectors of kind "get_next": the trace lines and contents dumps
 * ber_get_next logs at the element's debug level (inherited from the global
 * level when the element was allocated), over a provider that serves the
 * stream in `chunk_size` pieces with framing.json's would-block rule and
 * then ends.
 *
 * Departure "header over-read delivers short elements" (docs/porting-ber-io.md):
 * where liblber failed with ERANGE because its 8-octet header read went past
 * a short valid element, the port delivers every element and logs each call
 * and each success as it logs any other.
 */
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { LBER_SBIOD_LEVEL_PROVIDER, SB_WOULD_BLOCK, berBprint, berSockbufAddIo, berSockbufAlloc, lberOptions, type LogPrintFn } from '@lber/sockbuf';
import { bytes, formatTag, loadVectors, VectorTally, type BytesSpec, type VectorBase } from '@lber/testkit';
import { berAllocT, berGetNext, berGetNextPending } from '@lber/ber';

interface GetNextCall {
  tag: string;
  errno: string;
  log: string[];
}

interface GetNextVector extends VectorBase {
  kind: 'get_next';
  stream: BytesSpec;
  chunk_size: number;
  debug_level: number;
  max_incoming: number;
  calls: GetNextCall[];
}

const file = loadVectors<VectorBase & { kind: string }>('log.json');
const vectors = file.vectors.filter((v): v is GetNextVector => v.kind === 'get_next');
const tally = new VectorTally('log.json (get_next)');
const OVERREAD = 'header over-read delivers short elements';

const savedPrint: LogPrintFn = lberOptions.logPrint;
const savedDebug = lberOptions.debug;
afterEach(() => {
  lberOptions.logPrint = savedPrint;
  lberOptions.debug = savedDebug;
});

interface Run {
  calls: GetNextCall[];
  contents: Buffer[];
}

function run(v: GetNextVector): Run {
  const stream = bytes(v.stream);
  let pos = 0;
  let chunkLeft = Math.min(v.chunk_size, stream.length);
  let boundary = false;
  const sb = berSockbufAlloc();
  berSockbufAddIo(
    sb,
    {
      read(_sbiod, buf, off, want) {
        if (boundary) {
          boundary = false;
          return SB_WOULD_BLOCK;
        }
        if (chunkLeft === 0) return 0;
        const n = Math.min(want, chunkLeft);
        stream.copy(buf, off, pos, pos + n);
        pos += n;
        chunkLeft -= n;
        if (chunkLeft === 0 && pos < stream.length) {
          chunkLeft = Math.min(v.chunk_size, stream.length - pos);
          boundary = true;
        }
        return n;
      },
      write: (_sbiod, _buf, _off, len) => len,
    },
    LBER_SBIOD_LEVEL_PROVIDER,
    null,
  );
  sb.maxIncoming = v.max_incoming;

  const lines: string[] = [];
  lberOptions.logPrint = (message) => {
    lines.push(message);
  };
  lberOptions.debug = v.debug_level;
  const calls: GetNextCall[] = [];
  const contents: Buffer[] = [];
  try {
    let ber = berAllocT(0);
    for (let guard = 0; guard < 10000; guard++) {
      const from = lines.length;
      const r = berGetNext(sb, ber);
      calls.push({ tag: formatTag(r.tag), errno: r.errno, log: lines.slice(from) });
      if (r.tag !== 0xffff_ffff_ffff_ffffn) {
        contents.push(Buffer.from(ber.buf!.subarray(0, ber.end)));
        ber = berAllocT(0);
        continue;
      }
      if (r.errno === 'EWOULDBLOCK' && (pos < stream.length || boundary || berGetNextPending(sb) > 0)) continue;
      break;
    }
  } finally {
    lberOptions.logPrint = savedPrint;
    lberOptions.debug = savedDebug;
  }
  return { calls, contents };
}

/** Valid elements of `stream` (short-form or long-form lengths, one-octet tags). */
function elements(stream: Buffer): Array<{ tag: string; total: number; contents: Buffer }> {
  const out: Array<{ tag: string; total: number; contents: Buffer }> = [];
  let at = 0;
  while (at + 2 <= stream.length) {
    let p = at + 1;
    let len = stream[p++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4) break;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (stream[p++] ?? 0);
    }
    if (len === 0 || p + len > stream.length) break;
    out.push({ tag: formatTag(BigInt(stream[at]!)), total: p + len - at, contents: stream.subarray(p, p + len) });
    at = p + len;
  }
  return out;
}

/** liblber failed with ERANGE on a short valid element followed by more data. */
function isOverread(v: GetNextVector): boolean {
  const failed = v.calls.findIndex((c) => c.errno === 'ERANGE');
  if (failed < 0) return false;
  const stream = bytes(v.stream);
  const els = elements(stream);
  const before = v.calls.slice(0, failed).filter((c) => c.tag !== 'LBER_DEFAULT').length;
  const e = els[before];
  const start = els.slice(0, before).reduce((s, x) => s + x.total, 0);
  return e !== undefined && e.total < 8 && start + e.total < stream.length;
}

describe('log.json get_next', () => {
  afterAll(() => {
    tally.report();
    expect(tally.total).toBe(vectors.length);
  });

  test('there are get_next vectors', () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  test.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const got = run(v);
    if (JSON.stringify(got.calls) === JSON.stringify(v.calls)) {
      tally.matchedExactly();
      return;
    }
    expect(isOverread(v)).toBe(true);
    // Every element delivered, byte-exact, in order.
    const els = elements(bytes(v.stream));
    expect(got.contents.map((c) => c.toString('hex'))).toEqual(els.map((e) => e.contents.toString('hex')));
    // Logs: each call starts with the TRACE line; each success adds its
    // trace line and the contents dump, as for any other element.
    const trace = (v.debug_level & 1) !== 0;
    const ber = (v.debug_level & 0x10) !== 0;
    let delivered = 0;
    for (const c of got.calls) {
      const expected: string[] = trace ? ['ber_get_next\n'] : [];
      if (c.tag !== 'LBER_DEFAULT') {
        const e = els[delivered++]!;
        if (trace) expected.push(`ber_get_next: tag ${e.tag} len ${e.contents.length} contents:\n`);
        if (ber) {
          expected.push(`ber_dump: buf=<buf> ptr=<buf> end=<buf+${e.contents.length}> len=${e.contents.length}\n`);
          const dump: string[] = [];
          lberOptions.logPrint = (m) => {
            dump.push(m);
          };
          berBprint(e.contents);
          lberOptions.logPrint = savedPrint;
          expected.push(...dump);
        }
      }
      expect(c.log).toEqual(expected);
    }
    // The calls liblber made before its failure are the port's too.
    const failed = v.calls.findIndex((c) => c.errno === 'ERANGE');
    expect(got.calls.slice(0, failed)).toEqual(v.calls.slice(0, failed));
    tally.matchedUnderDeparture(OVERREAD);
  });
});
