/**
 * decode.json: every vector runs its steps on one BerElement loaded in place
 * with berInit2, and each step's results are compared with what liblber
 * 2.5.13 returned.
 *
 * A vector matches exactly, or falls under one of the departures of
 * docs/porting-ber-decode.md. A departure is proven, not assumed: the
 * vector is run again with the caller doing by hand what liblber does
 * behind the scenes, and must then match liblber exactly, while the plain
 * run shows the port's own behaviour:
 *
 * - "no NUL written into the input": liblber NUL-terminates in-place strings
 *   in the caller's buffer. The emulation writes that NUL into the input
 *   after each in-place string (as liblber's callers are allowed to); the
 *   plain run must leave the input untouched.
 * - "saved tag octet follows the cursor": liblber's ber_get_tag and
 *   ber_read leave the saved first tag octet stale. The emulation puts the
 *   stale value back into `ber.tag` after those steps; in the plain run the
 *   tag read after them must equal a fresh decode at the same offset.
 * - "unknown scanf format throws": where liblber aborts the process (crash
 *   vectors), the port must throw a BerError with code BER_BAD_FORMAT.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { bytes, formatTag, hex, loadVectors, VectorTally, type BytesSpec, type VectorBase } from '@lber/testkit';
import {
  BerElement,
  BerError,
  LBER_BV_ALLOC,
  LBER_BV_NOTERM,
  LBER_BV_STRING,
  LBER_DEFAULT,
  LBER_OPT_BER_BYTES_TO_WRITE,
  LBER_OPT_BER_DEBUG,
  LBER_OPT_BER_OPTIONS,
  LBER_OPT_BER_REMAINING_BYTES,
  LBER_OPT_BER_TOTAL_BYTES,
  berDecodeInt,
  berFirstElement,
  berGetBitstringa,
  berGetBoolean,
  berGetEnum,
  berGetInt,
  berGetNull,
  berGetOption,
  berGetStringa,
  berGetStringal,
  berGetStringb,
  berGetStringbv,
  berGetTag,
  berInit2,
  berNextElement,
  berPeekElement,
  berPeekTag,
  berRead,
  berScanf,
  berSetOption,
  berSkipData,
  berSkipElement,
  berSkipRaw,
  berSkipTag,
  type BerScanfArg,
  type BerScanfOut,
  type BerTag,
} from '@lber/ber';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Step = { op: string; [key: string]: Json };
interface DecodeVector extends VectorBase {
  input: BytesSpec;
  steps: Step[];
  crash?: string;
}

const file = loadVectors<DecodeVector>('decode.json');
const tally = new VectorTally('decode.json');

const NUL_DEPARTURE = 'no NUL written into the input';
const STALE_DEPARTURE = 'saved tag octet follows the cursor';
const CRASH_DEPARTURE = 'unknown scanf format throws';

const OPTION_NAMES: Record<string, number> = {
  LBER_OPT_BER_OPTIONS,
  LBER_OPT_BER_DEBUG,
  LBER_OPT_BER_REMAINING_BYTES,
  LBER_OPT_BER_TOTAL_BYTES,
  LBER_OPT_BER_BYTES_TO_WRITE,
};
const BV_FLAGS: Record<string, number> = { ALLOC: LBER_BV_ALLOC, NOTERM: LBER_BV_NOTERM, STRING: LBER_BV_STRING };
/** The preset of liblber's `M` in/out count (the record size); unwritten, it stays. */
const M_RECORD_SIZE = 24;
/** Preset of the `s` and get_stringb buffers, to see whether they were written. */
const PRESET = 0xa5;

interface Emulation {
  nul: boolean;
  stale: boolean;
}

/** Collects differences between the port's results and the vector's. */
class Diff {
  readonly problems: string[] = [];
  constructor(private readonly where: string) {}
  eq(field: string, got: Json | undefined, want: Json | undefined): void {
    const g = JSON.stringify(got ?? null);
    const w = JSON.stringify(want ?? null);
    if (g !== w) this.problems.push(`${this.where}.${field}: got ${g}, want ${w}`);
  }
}

/** A string field of a step ('' when absent or not a string). */
function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}

function tagJson(tag: BerTag | undefined): Json {
  return tag === undefined ? 'UNSET' : formatTag(tag);
}
function numJson(n: number | undefined): Json {
  return n === undefined ? 'UNSET' : n;
}
/** A ber_len_t the way the vectors write it: a number, or a decimal string from 2^53 on. */
function lenJson(len: number | undefined, lenBig?: bigint): Json {
  if (len === undefined) return 'UNSET';
  if (lenBig !== undefined) return lenBig.toString();
  return len >= 2 ** 53 ? BigInt(len).toString() : len;
}
function bytesJson(b: Uint8Array | null | undefined): Json {
  return b === null || b === undefined ? null : hex(b);
}

function remainingJson(ber: BerElement): Json {
  const r = berGetOption(ber, LBER_OPT_BER_REMAINING_BYTES);
  if (r.rc !== 0) return 'ERROR';
  return lenJson(r.out, r.outBig);
}

/** Where in `input` a view ends (the octet liblber overwrites with NUL), or -1 for a copy. */
function viewEnd(input: Buffer, view: Uint8Array | null): number {
  if (view === null || view.buffer !== input.buffer) return -1;
  return view.byteOffset - input.byteOffset + view.length;
}

function nulTerminate(input: Buffer, at: number): void {
  if (at >= 0 && at < input.length) input[at] = 0;
}

/** The tag `read` finds at `ber`'s cursor on a fresh element (whose saved octet comes from memory). */
function freshTag(ber: BerElement, read: (b: BerElement) => BerTag): BerTag {
  const copy = new BerElement();
  berInit2(copy, ber.buf, 0);
  copy.end = ber.end;
  berSkipData(copy, ber.ptr);
  return read(copy);
}
const peekOnly = (b: BerElement): BerTag => berPeekTag(b).tag;

/** A bytes result as the vectors write it: hex, or the bytes spec form for long runs. */
function wantBytes(w: Json | undefined): Json | undefined {
  if (Array.isArray(w) && w.every((x) => typeof x === 'string' || (typeof x === 'object' && x !== null && !Array.isArray(x)))) {
    return hex(bytes(w as BytesSpec));
  }
  return w;
}
function wantList(w: Json | undefined): Json | undefined {
  return Array.isArray(w) ? w.map((x) => (typeof x === 'string' ? x : (wantBytes(x) ?? null))) : w;
}

/** The results of one run of a vector. */
interface RunResult {
  problems: string[];
  /** Tag-reading steps right after a step that leaves liblber's saved octet stale, with the port's and a fresh decode's tags. */
  staleChecks: Array<{ got: BerTag; fresh: BerTag }>;
  /** Did any step hand out an in-place view (where liblber writes a NUL)? */
  inPlace: boolean;
}

function scanfArgs(fmt: string, step: Step, hook: (ber: BerElement, mode: 0 | 1) => number, dests: Uint8Array[]): BerScanfArg[] {
  const args: BerScanfArg[] = [];
  for (const c of fmt) {
    if (c === '!') args.push(hook);
    else if (c === 's') {
      const d = new Uint8Array(Number(step['s_buflen'] ?? 0)).fill(PRESET);
      dests.push(d);
      args.push(d);
    }
  }
  return args;
}

function compareScanfOut(d: Diff, got: BerScanfOut[], want: Json, hookState: { int: number | undefined; calls: number; cleanup: number }, dests: Uint8Array[]): void {
  if (!Array.isArray(want)) {
    d.eq('out', 'array', want);
    return;
  }
  d.eq('out.length', got.length, want.length);
  let s = 0;
  want.forEach((w, k) => {
    const o = got[k];
    if (o === undefined || w === null || typeof w !== 'object' || Array.isArray(w)) return;
    const od = new Diff(`out[${k}]`);
    od.eq('f', o.f, w['f']);
    switch (o.f) {
      case 'i':
      case 'e':
      case 'b':
        od.eq('int', numJson(o.value), w['int']);
        break;
      case 'l':
        od.eq('len', lenJson(o.len, o.lenBig), w['len']);
        break;
      case 't':
      case 'T':
        od.eq('tag', tagJson(o.tag), w['tag']);
        break;
      case 'a':
      case 'A':
      case 'O':
        od.eq('bytes', bytesJson(o.value), wantBytes(w['bytes']));
        break;
      case 'm':
      case 'o':
        od.eq('len', lenJson(o.len, o.lenBig), w['len']);
        od.eq('bytes', bytesJson(o.value), wantBytes(w['bytes']));
        break;
      case 's': {
        const dest = dests[s++] ?? new Uint8Array(0);
        od.eq('len', o.len, w['len']);
        const shown = dest.subarray(0, Math.min(o.len, dest.length));
        od.eq('bytes', wantBytes(w['bytes']) === 'UNSET' ? (shown.every((x) => x === PRESET) ? 'UNSET' : hex(shown)) : hex(shown), wantBytes(w['bytes']));
        break;
      }
      case 'B':
        od.eq('bitlen', numJson(o.bitlen), w['bitlen']);
        od.eq('bytes', bytesJson(o.value), wantBytes(w['bytes']));
        break;
      case 'v':
      case 'V':
      case 'W':
        od.eq('list', o.list === null ? null : o.list.map((b) => hex(b)), wantList(w['list']));
        break;
      case 'M':
        od.eq('count', o.count === undefined ? M_RECORD_SIZE : o.count, w['count']);
        od.eq('list', o.list === null ? null : o.list.map((b) => hex(b)), wantList(w['list']));
        break;
      case '!':
        od.eq('int', numJson(hookState.int), w['int']);
        od.eq('calls', hookState.calls, w['calls']);
        od.eq('cleanup_calls', hookState.cleanup, w['cleanup_calls']);
        break;
    }
    d.problems.push(...od.problems);
  });
}

function run(v: DecodeVector, input: Buffer, emu: Emulation): RunResult {
  const ber = new BerElement();
  berInit2(ber, input, 0);
  const result: RunResult = { problems: [], staleChecks: [], inPlace: false };
  let last: number | null = null;
  let staleBefore = false;
  v.steps.forEach((step, index) => {
    const d = new Diff(`step[${index}] ${step.op}`);
    const savedTag = ber.tag;
    const wasStale = staleBefore;
    staleBefore = false;
    const checkTag = (got: BerTag): void => {
      if (wasStale && !emu.stale) result.staleChecks.push({ got, fresh: freshTag(ber, peekOnly) });
    };
    switch (step.op) {
      case 'get_int':
      case 'get_enum':
      case 'get_boolean': {
        const r = step.op === 'get_int' ? berGetInt(ber) : step.op === 'get_enum' ? berGetEnum(ber) : berGetBoolean(ber);
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('value', numJson(r.value), step['value']);
        break;
      }
      case 'get_null':
        d.eq('tag', tagJson(berGetNull(ber)), step['tag']);
        break;
      case 'get_stringbv': {
        const names = Array.isArray(step['option']) ? step['option'] : [];
        const option = names.reduce<number>((acc, n) => acc | (BV_FLAGS[str(n)] ?? 0), 0);
        const r = berGetStringbv(ber, option);
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('len', lenJson(r.len, r.lenBig), step['len']);
        d.eq('bytes', bytesJson(r.value), wantBytes(step['bytes']));
        if ((option & (LBER_BV_ALLOC | LBER_BV_NOTERM)) === 0 && r.value !== null) {
          result.inPlace = true;
          if (emu.nul) nulTerminate(input, viewEnd(input, r.value));
        }
        break;
      }
      case 'get_stringb': {
        const dest = new Uint8Array(Number(step['buflen'])).fill(PRESET);
        const r = berGetStringb(ber, dest);
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('len', r.len, step['len']);
        const shown = dest.subarray(0, Math.min(r.len, dest.length));
        const untouched = dest.every((x) => x === PRESET);
        d.eq('bytes', wantBytes(step['bytes']) === 'UNSET' && untouched ? 'UNSET' : hex(shown), wantBytes(step['bytes']));
        break;
      }
      case 'get_stringa':
      case 'get_stringal': {
        const r = step.op === 'get_stringa' ? berGetStringa(ber) : berGetStringal(ber);
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('bytes', bytesJson(r.value), wantBytes(step['bytes']));
        break;
      }
      case 'get_bitstringa': {
        const r = berGetBitstringa(ber);
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('bitlen', numJson(r.bitlen), step['bitlen']);
        d.eq('bytes', bytesJson(r.value), wantBytes(step['bytes']));
        break;
      }
      case 'peek_tag':
      case 'skip_tag': {
        const r = step.op === 'peek_tag' ? berPeekTag(ber) : berSkipTag(ber);
        if (step.op === 'peek_tag') checkTag(r.tag);
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('len', lenJson(r.len, r.lenBig), step['len']);
        break;
      }
      case 'get_tag': {
        const before = freshTag(ber, berGetTag);
        const tag = berGetTag(ber);
        if (wasStale && !emu.stale) result.staleChecks.push({ got: tag, fresh: before });
        d.eq('tag', tagJson(tag), step['tag']);
        staleBefore = true;
        if (emu.stale) ber.tag = savedTag;
        break;
      }
      case 'peek_element':
      case 'skip_element':
      case 'skip_raw': {
        const r = step.op === 'peek_element' ? berPeekElement(ber) : step.op === 'skip_element' ? berSkipElement(ber) : berSkipRaw(ber);
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('len', lenJson(r.len, r.lenBig), step['len']);
        d.eq('bytes', bytesJson(r.value), wantBytes(step['bytes']));
        break;
      }
      case 'first_element': {
        const r = berFirstElement(ber);
        last = r.last;
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('len', lenJson(r.len, r.lenBig), step['len']);
        d.eq('last', r.last, step['last']);
        break;
      }
      case 'next_element': {
        const r = berNextElement(ber, last ?? 0);
        d.eq('tag', tagJson(r.tag), step['tag']);
        d.eq('len', lenJson(r.len, r.lenBig), step['len']);
        break;
      }
      case 'foreach': {
        const items: Json[] = [];
        const first = berFirstElement(ber);
        let tag = first.tag;
        let len: number | undefined = first.len;
        let lenBig = first.lenBig;
        while (tag !== LBER_DEFAULT) {
          const s = berSkipElement(ber);
          items.push({ tag: formatTag(tag), len: lenJson(len, lenBig), skip_tag: formatTag(s.tag), bytes: bytesJson(s.value) });
          if (s.tag === LBER_DEFAULT) break;
          const n = berNextElement(ber, first.last ?? 0);
          tag = n.tag;
          len = n.len;
          lenBig = n.lenBig;
        }
        const wantItems = Array.isArray(step['items'])
          ? step['items'].map((it) => (it !== null && typeof it === 'object' && !Array.isArray(it) ? { ...it, bytes: wantBytes(it['bytes']) ?? null } : it))
          : step['items'];
        d.eq('items', items, wantItems);
        d.eq('end_tag', formatTag(tag), step['end_tag']);
        d.eq('last', first.last, step['last']);
        break;
      }
      case 'skip_data':
        d.eq('rc', berSkipData(ber, Number(step['n'])), step['rc']);
        break;
      case 'read': {
        const dest = new Uint8Array(Number(step['n']));
        const n = berRead(ber, dest);
        d.eq('rc', n, step['rc']);
        d.eq('bytes', hex(dest.subarray(0, n)), wantBytes(step['bytes']));
        staleBefore = true;
        if (emu.stale) ber.tag = savedTag;
        break;
      }
      case 'decode_int': {
        const r = berDecodeInt(input);
        d.eq('rc', r.rc, step['rc']);
        d.eq('value', numJson(r.value), step['value']);
        break;
      }
      case 'set_option': {
        const opt = typeof step['option'] === 'number' ? step['option'] : (OPTION_NAMES[str(step['option'])] ?? -1);
        const r = berSetOption(ber, opt, Number(step['value']));
        d.eq('rc', r.rc, step['rc']);
        d.eq('ber_errno', r.berErrno, step['ber_errno']);
        break;
      }
      case 'get_option': {
        const opt = typeof step['option'] === 'number' ? step['option'] : (OPTION_NAMES[str(step['option'])] ?? -1);
        const r = berGetOption(ber, opt);
        d.eq('rc', r.rc, step['rc']);
        d.eq('ber_errno', r.berErrno, step['ber_errno']);
        d.eq('out', r.rc === 0 && typeof r.out === 'number' ? lenJson(r.out, r.outBig) : 'UNSET', step['out']);
        break;
      }
      case 'scanf': {
        const fmt = str(step['fmt']);
        const hookState = { int: undefined as number | undefined, calls: 0, cleanup: 0 };
        const hook = (b: BerElement, mode: 0 | 1): number => {
          if (mode === 1) {
            hookState.cleanup++;
            return 0;
          }
          hookState.calls++;
          const r = berGetInt(b);
          if (r.value !== undefined) hookState.int = r.value;
          return Number(BigInt.asIntN(32, r.tag));
        };
        const dests: Uint8Array[] = [];
        const r = berScanf(ber, fmt, ...scanfArgs(fmt, step, hook, dests));
        d.eq('rc', tagJson(r.tag), step['rc']);
        compareScanfOut(d, r.out, step['out'] ?? null, hookState, dests);
        for (const o of r.out) {
          if (o.f === 'm' && o.value !== null) {
            result.inPlace = true;
            if (emu.nul) nulTerminate(input, viewEnd(input, o.value));
          }
          if (o.f === 'M' && o.list !== null) {
            result.inPlace = true;
            if (emu.nul) for (const item of o.list) nulTerminate(input, viewEnd(input, item));
          }
        }
        break;
      }
      default:
        d.problems.push(`unknown op ${step.op}`);
    }
    if (step.op !== 'decode_int') d.eq('remaining', remainingJson(ber), step['remaining']);
    result.problems.push(...d.problems);
  });
  return result;
}

describe('decode.json', () => {
  test.each(file.vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    if (v.crash !== undefined) {
      // liblber aborts; the port throws a typed error at the same character.
      const ber = new BerElement();
      berInit2(ber, bytes(v.input), 0);
      for (const step of v.steps) {
        expect(step.op).toBe('scanf');
        let thrown: unknown;
        try {
          berScanf(ber, str(step['fmt']));
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(BerError);
        expect((thrown as BerError).code).toBe('BER_BAD_FORMAT');
      }
      tally.matchedUnderDeparture(CRASH_DEPARTURE);
      return;
    }

    const original = bytes(v.input);
    const plainInput = Buffer.from(original);
    const plain = run(v, plainInput, { nul: false, stale: false });
    // The port never writes into the caller's input.
    expect(hex(plainInput)).toBe(hex(original));
    // Wherever liblber's saved tag octet would be stale, the port reads the real one.
    for (const c of plain.staleChecks) expect(formatTag(c.got)).toBe(formatTag(c.fresh));
    if (plain.problems.length === 0) {
      tally.matchedExactly();
      return;
    }
    const tries: Array<[string, Emulation]> = [
      [NUL_DEPARTURE, { nul: true, stale: false }],
      [STALE_DEPARTURE, { nul: false, stale: true }],
      [`${NUL_DEPARTURE} + ${STALE_DEPARTURE}`, { nul: true, stale: true }],
    ];
    for (const [name, emu] of tries) {
      if (emu.nul && !plain.inPlace) continue;
      const emulated = run(v, Buffer.from(original), emu);
      if (emulated.problems.length === 0) {
        tally.matchedUnderDeparture(name);
        return;
      }
    }
    // Neither exact nor explained by a departure: show the plain differences.
    expect(plain.problems).toEqual([]);
  });
});

afterAll(() => {
  const counts = tally.report();
  const departures = Object.values(counts.departures).reduce((a, b) => a + b, 0);
  expect(counts.exact + departures).toBe(file.vectors.length);
  expect(tally.total).toBe(file.vectors.length);
});
