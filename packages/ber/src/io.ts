/**
 * PDU framing over a Sockbuf (liblber io.c): `ber_get_next`, which pulls one
 * BER element off the stack of I/O layers and can be called again at any
 * byte boundary until the element is complete, `ber_flush` / `ber_flush2`,
 * which write an encoded element out and resume after a short write, and
 * {@link BerFramer}, the idiomatic framer for clients.
 *
 * State of a BerElement while `berGetNext` fills it (plain fields, so a
 * call can stop at any byte and the next call picks up from there):
 *
 * - `rwptr === -1`: nothing read yet (a fresh element from `berAllocT`).
 * - header phase, `buf === null && rwptr >= 0`: the identifier and length
 *   octets are collected in a 9-octet scratch area private to this module;
 *   `rwptr` is the number of scratch octets filled, `ptr` the offset where
 *   parsing continues (0 until the tag is complete), `tag` the tag once
 *   known. liblber uses the memory of its `ber_tag`/`ber_len`/`ber_usertag`
 *   fields for this; the port keeps a real buffer instead.
 * - contents phase, `buf !== null && rwptr >= 0`: `buf` has exactly `len`
 *   octets for the contents, `rwptr` is how many of them have arrived.
 * - done: `rwptr === -1` again, `ptr = 0`, `end = len`, `tag` and `len` set.
 *
 * The reads made into the layers are liblber's, call by call: first a read
 * of up to 8 octets into the scratch area (later calls ask for what is left
 * of those 8, at least 1), then one read for the rest of the contents. The
 * vectors record them and the tests compare them.
 *
 * Two departures from liblber (docs/porting-ber-io.md):
 * - liblber fails with ERANGE when its 8-octet header read brought in more
 *   than the whole element (a short PDU followed by more data). The port
 *   delivers the element and keeps the surplus octets for the next call on
 *   the same Sockbuf ({@link berGetNextPending}).
 * - liblber can hold at most 9 header octets and never completes a longer
 *   header (it stalls, answering LBER_DEFAULT without reading). The port
 *   refuses such a header with ERANGE as soon as its length octet shows it.
 */
import { constants as bufferConstants } from 'node:buffer';
import {
  LDAP_DEBUG_BER,
  LDAP_DEBUG_CONNS,
  LDAP_DEBUG_TRACE,
  SB_WOULD_BLOCK,
  SockbufError,
  berLogBprint,
  berPvtLogPrintf,
} from '@lber/sockbuf';
import type { Sockbuf, SockbufErrorCode } from '@lber/sockbuf';
import { BerElement, berFree, berInit2 } from './berelement.js';
import { LBER_DEFAULT, LBER_FLUSH_FREE_NEVER, LBER_FLUSH_FREE_ON_ERROR, LBER_FLUSH_FREE_ON_SUCCESS, type BerTag } from './constants.js';
import { BerError } from './errors.js';
import { berLogDump } from './dump.js';

// ------------------------------------------------------------ results

/**
 * errno after an I/O call, liblber's way: `'none'` (0) on success and also
 * when the stream ended (liblber leaves errno 0 when a read returns 0),
 * `'EWOULDBLOCK'` when more input is needed, `'ERANGE'` for malformed or
 * oversize input, `'EINVAL'` for an element that cannot be used, `'ENOMEM'`
 * when the contents buffer cannot be allocated, or the code of the
 * SockbufError a layer threw.
 */
export type BerIoErrno = 'none' | 'EWOULDBLOCK' | 'ENOMEM' | SockbufErrorCode;

/** What `berGetNext` returns: liblber's return value, `*len` and errno, plus detail. */
export interface BerGetNextResult {
  /** The element's tag, or LBER_DEFAULT. */
  tag: BerTag;
  /** `*len`: the contents length on success, else 0. */
  len: number;
  /** errno as liblber leaves it after the call. */
  errno: BerIoErrno;
  /** A read returned 0 (end of stream) during this call. */
  eof: boolean;
  /**
   * The typed cause of a failure: a BerError (`BER_TRUNCATED` for an end of
   * stream inside an element, `BER_BAD_TAG`, `BER_BAD_LENGTH`,
   * `BER_LENGTH_LIMIT`, `BER_BAD_ARGUMENT`) or the SockbufError a layer
   * threw. null on success, on would-block and on an end of stream at an
   * element boundary.
   */
  error: BerError | SockbufError | null;
}

/** A fresh result object (to pass to `berGetNext` for reuse). */
export function berGetNextResult(): BerGetNextResult {
  return { tag: LBER_DEFAULT, len: 0, errno: 'none', eof: false, error: null };
}

/** What `berFlush2` returns: liblber's int (0 or -1) and errno. */
export interface BerFlushResult {
  /** 0 when everything was written, -1 otherwise. */
  rc: 0 | -1;
  /** errno as liblber leaves it (`'none'` on success, or when a write returned 0). */
  errno: BerIoErrno;
  /** The SockbufError a layer threw, if that is why the flush failed. */
  error: SockbufError | null;
}

// ------------------------------------------------------------ scratch and pushback

/** liblber keeps at most this many identifier and length octets. */
const HEADER_MAX = 9;
/** The first header read asks for this many octets. */
const HEADER_READ = 8;
/** Longest tag liblber accepts, in octets. */
const TAG_MAX_OCTETS = 8;
/** Longest long-form length liblber accepts, in octets after the first. */
const LENGTH_MAX_OCTETS = 4;

/** A header left incomplete (or refused) by an earlier call, per BerElement. */
interface HeaderState {
  hdr: Buffer;
  failed: { errno: BerIoErrno; error: BerError } | null;
}
const headerStates = new WeakMap<BerElement, HeaderState>();

/**
 * Scratch for a header that completes within one call, the common case: it
 * is copied to a per-element HeaderState only when the call returns with the
 * header incomplete. Never holds anything between calls.
 */
const tmpHdr = Buffer.alloc(HEADER_MAX);
let tmpHdrBusy = false;

/** Octets read past an element by its header read, kept for the next element (departure). */
interface Pushback {
  buf: Buffer;
  off: number;
}
const pushbacks = new WeakMap<Sockbuf, Pushback>();
/**
 * How many Sockbufs hold octets (an upper bound: a Sockbuf collected while
 * holding some still counts). While 0, reads skip the WeakMap.
 */
let pushbackHolders = 0;

/**
 * Number of octets `berGetNext` has read from `sb` past the end of the last
 * element and holds for the next call (at most 6; see the departure in the
 * module comment). A read loop that waits for the socket to become readable
 * should first call `berGetNext` again while this is nonzero, as libldap
 * does with LBER_SB_OPT_DATA_READY.
 */
export function berGetNextPending(sb: Sockbuf): number {
  const pb = pushbacks.get(sb);
  return pb === undefined ? 0 : pb.buf.length - pb.off;
}

function pushBack(sb: Sockbuf, data: Buffer): void {
  const pb = pushbacks.get(sb);
  if (pb === undefined || pb.off >= pb.buf.length) {
    if (pb === undefined) pushbackHolders++;
    pushbacks.set(sb, { buf: Buffer.from(data), off: 0 });
    return;
  }
  // Octets still held came after the ones now given back.
  pushbacks.set(sb, { buf: Buffer.concat([data, pb.buf.subarray(pb.off)]), off: 0 });
}

/**
 * One read into `buf`: held-back octets first, then (for what they do not
 * cover) one read through the top of the stack, as the readahead layer
 * does. A would-block, end of stream or error below is reported by the
 * next read when held-back octets were returned.
 */
function sbRead(sb: Sockbuf, buf: Buffer, off: number, len: number): number {
  if (pushbackHolders === 0) return sb.read(buf, off, len);
  const pb = pushbacks.get(sb);
  if (pb === undefined) return sb.read(buf, off, len);
  const avail = pb.buf.length - pb.off;
  const n = avail < len ? avail : len;
  pb.buf.copy(buf, off, pb.off, pb.off + n);
  pb.off += n;
  if (pb.off >= pb.buf.length) {
    pushbacks.delete(sb);
    pushbackHolders--;
  }
  if (n === len) return n;
  let more: number;
  try {
    more = sb.read(buf, off + n, len - n);
  } catch (err) {
    if (n > 0) return n;
    throw err;
  }
  return more > 0 ? n + more : n > 0 ? n : more;
}

// ------------------------------------------------------------ tags

const SMALL_TAGS: BerTag[] = Array.from({ length: 256 }, (_, i) => BigInt(i));

/** The tag made of `data[start, end)` read big-endian, as ber_tag_t. */
function tagOf(data: Uint8Array, start: number, end: number): BerTag {
  if (end - start === 1) return SMALL_TAGS[data[start]!]!;
  let t = 0n;
  for (let i = start; i < end; i++) t = (t << 8n) | SMALL_TAGS[data[i]!]!;
  return t;
}

// ------------------------------------------------------------ ber_get_next

function fail(out: BerGetNextResult, errno: BerIoErrno, error: BerError | SockbufError | null): BerGetNextResult {
  out.tag = LBER_DEFAULT;
  out.errno = errno;
  out.error = error;
  return out;
}

/**
 * Reads one read's worth into `buf` and records the outcome in `out`:
 * the count (> 0), or 0 after recording would-block, end of stream or a
 * layer's error.
 */
function readStep(sb: Sockbuf, buf: Buffer, off: number, len: number, out: BerGetNextResult, inElement: boolean): number {
  let n: number;
  try {
    n = sbRead(sb, buf, off, len);
  } catch (err) {
    if (err instanceof SockbufError) {
      fail(out, err.code, err);
      return 0;
    }
    throw err;
  }
  if (n > 0) return n;
  if (n === SB_WOULD_BLOCK) {
    fail(out, 'EWOULDBLOCK', null);
  } else {
    out.eof = true;
    fail(out, 'none', inElement ? new BerError('BER_TRUNCATED', 'ber_get_next: end of stream inside an element') : null);
  }
  return 0;
}

/**
 * Reads the next BER element from `sb` into `ber`. Call it again with the
 * same element after an `EWOULDBLOCK` result, once the Sockbuf is readable;
 * it resumes where it stopped. On success the element holds the contents
 * (the octets after the tag and length) ready for decoding, and the result
 * has the tag and the contents length.
 *
 * Failures, as liblber reports them: `tag` LBER_DEFAULT and `errno`
 * `EWOULDBLOCK` (more input needed), `ERANGE` (zero or indefinite length,
 * more than 4 length octets, a tag over 8 octets, a header over 9 octets, a
 * length above `sb.maxIncoming`, refused before anything of that size is
 * allocated), `none` with `eof` set (the stream ended; `error` is
 * BER_TRUNCATED when it ended inside an element), or a layer's error code.
 * After an ERANGE in the header the element stays refused: later calls
 * answer the same without reading.
 *
 * `ber` must be fresh (`berAllocT`) or in the middle of a `berGetNext`;
 * anything else is EINVAL. Pass `out` to reuse one result object.
 * @see ber_get_next
 */
export function berGetNext(sb: Sockbuf, ber: BerElement, out: BerGetNextResult = berGetNextResult()): BerGetNextResult {
  out.tag = LBER_DEFAULT;
  out.len = 0;
  out.errno = 'none';
  out.eof = false;
  out.error = null;

  if ((ber.debug & LDAP_DEBUG_TRACE) !== 0) berPvtLogPrintf(LDAP_DEBUG_TRACE, ber.debug, 'ber_get_next\n');

  let state: HeaderState | undefined;
  if (ber.rwptr < 0) {
    if (ber.buf !== null) {
      return fail(out, 'EINVAL', new BerError('BER_BAD_ARGUMENT', 'ber_get_next: the element already holds data; use a fresh one'));
    }
    ber.rwptr = 0;
    ber.ptr = 0;
    ber.tag = 0n;
    ber.len = 0;
  } else if (ber.buf === null) {
    state = headerStates.get(ber);
    if (state === undefined || ber.rwptr > HEADER_MAX) {
      return fail(out, 'EINVAL', new BerError('BER_BAD_ARGUMENT', 'ber_get_next: the element is not one this function was filling'));
    }
    if (state.failed !== null) return fail(out, state.failed.errno, state.failed.error);
  }

  if (ber.buf === null) {
    // Header phase.
    let hdr: Buffer;
    let usingTmp = false;
    if (state !== undefined) {
      hdr = state.hdr;
    } else if (!tmpHdrBusy) {
      hdr = tmpHdr;
      tmpHdrBusy = true;
      usingTmp = true;
    } else {
      hdr = Buffer.alloc(HEADER_MAX);
    }
    try {
      const r = headerStep(sb, ber, hdr, out);
      if (r === HEADER_PENDING || r === HEADER_FAILED) {
        if (state === undefined) {
          state = { hdr: usingTmp ? Buffer.from(hdr) : hdr, failed: null };
          headerStates.set(ber, state);
        }
        // headerStep wrote these; TypeScript still sees the values set above.
        const errno = out.errno as BerIoErrno;
        const error = out.error as BerError | SockbufError | null;
        if (r === HEADER_FAILED && (errno === 'ERANGE' || errno === 'ENOMEM') && error instanceof BerError) {
          state.failed = { errno, error };
        }
        return out;
      }
      if (state !== undefined) headerStates.delete(ber);
      if (r === HEADER_DONE) return done(ber, out);
    } finally {
      if (usingTmp) tmpHdrBusy = false;
    }
  }

  // Contents phase: one read for the rest.
  const buf = ber.buf!;
  const toGo = ber.end - ber.rwptr;
  if (toGo <= 0) return fail(out, 'EINVAL', new BerError('BER_BAD_ARGUMENT', 'ber_get_next: the element is not one this function was filling'));
  const n = readStep(sb, buf, ber.rwptr, toGo, out, true);
  if (n === 0) return out;
  ber.rwptr += n;
  if (n < toGo) return fail(out, 'EWOULDBLOCK', null);
  return done(ber, out);
}

/** The element is complete: liblber's `done:` label. */
function done(ber: BerElement, out: BerGetNextResult): BerGetNextResult {
  ber.rwptr = -1;
  out.tag = ber.tag;
  out.len = ber.len;
  out.errno = 'none';
  out.error = null;
  if (ber.debug !== 0) {
    berPvtLogPrintf(LDAP_DEBUG_TRACE, ber.debug, `ber_get_next: tag 0x${ber.tag.toString(16)} len ${ber.len} contents:\n`);
    berLogDump(LDAP_DEBUG_BER, ber.debug, ber, 1);
  }
  return out;
}

const HEADER_PENDING = 0;
const HEADER_FAILED = 1;
const HEADER_DONE = 2;
const HEADER_CONTENTS = 3;
type HeaderOutcome = typeof HEADER_PENDING | typeof HEADER_FAILED | typeof HEADER_DONE | typeof HEADER_CONTENTS;

/**
 * One step of the header phase: one read into the scratch `hdr`, then as
 * much parsing as the octets allow. On success allocates the contents
 * buffer and moves what followed the header into it. Returns whether the
 * header is still pending (would block), failed (out says why), the whole
 * element is already in (done), or the contents phase should read next.
 */
function headerStep(sb: Sockbuf, ber: BerElement, hdr: Buffer, out: BerGetNextResult): HeaderOutcome {
  let want = HEADER_READ - ber.rwptr;
  if (want < 1) want = 1;
  const n = readStep(sb, hdr, ber.rwptr, want, out, ber.rwptr > 0);
  if (n === 0) return out.errno === 'EWOULDBLOCK' ? HEADER_PENDING : HEADER_FAILED;
  const rw = (ber.rwptr += n);

  if (ber.ptr === 0) {
    // The tag: one octet, or a first octet with all five low bits set and
    // then octets with the high bit set, ended by one without.
    let p = 1;
    if ((hdr[0]! & 0x1f) === 0x1f) {
      for (let i = 1; p < rw; i++) {
        const octet = hdr[p++]!;
        if ((octet & 0x80) === 0) break;
        if (i === TAG_MAX_OCTETS - 1) {
          fail(out, 'ERANGE', new BerError('BER_BAD_TAG', `ber_get_next: a tag longer than ${TAG_MAX_OCTETS} octets`, 0));
          return HEADER_FAILED;
        }
      }
      // liblber also waits when the tag ends on the last octet read: the
      // length cannot be parsed yet either way.
      if (p === rw) {
        fail(out, 'EWOULDBLOCK', null);
        return HEADER_PENDING;
      }
    }
    ber.tag = tagOf(hdr, 0, p);
    ber.ptr = p;
  }

  let ptr = ber.ptr;
  if (ptr === rw) {
    fail(out, 'EWOULDBLOCK', null);
    return HEADER_PENDING;
  }

  let tlen: number;
  const first = hdr[ptr]!;
  if ((first & 0x80) !== 0) {
    const llen = first & 0x7f;
    if (llen > LENGTH_MAX_OCTETS) {
      fail(out, 'ERANGE', new BerError('BER_BAD_LENGTH', `ber_get_next: ${llen} length octets (at most ${LENGTH_MAX_OCTETS})`, ptr));
      return HEADER_FAILED;
    }
    if (ptr + 1 + llen > HEADER_MAX) {
      // Departure: liblber would wait here forever (its header area ends
      // at 9 octets). Refuse instead.
      fail(out, 'ERANGE', new BerError('BER_BAD_LENGTH', `ber_get_next: a header of ${ptr + 1 + llen} octets (at most ${HEADER_MAX})`, ptr));
      return HEADER_FAILED;
    }
    if (rw - (ptr + 1) < llen) {
      fail(out, 'EWOULDBLOCK', null);
      return HEADER_PENDING;
    }
    tlen = 0;
    for (let i = 1; i <= llen; i++) tlen = tlen * 256 + hdr[ptr + i]!;
    ptr += 1 + llen;
  } else {
    tlen = first;
    ptr += 1;
  }
  ber.ptr = ptr;
  ber.len = tlen;
  let sblen = rw - ptr;

  if (tlen === 0) {
    const what = first === 0x80 ? 'an indefinite length' : 'a zero length';
    fail(out, 'ERANGE', new BerError('BER_BAD_LENGTH', `ber_get_next: ${what}`, ber.ptr - 1));
    return HEADER_FAILED;
  }
  if (sb.maxIncoming !== 0 && tlen > sb.maxIncoming) {
    berPvtLogPrintf(LDAP_DEBUG_CONNS, ber.debug, `ber_get_next: sockbuf_max_incoming exceeded (${tlen} > ${sb.maxIncoming})\n`);
    fail(out, 'ERANGE', new BerError('BER_LENGTH_LIMIT', `ber_get_next: length ${tlen} above the limit of ${sb.maxIncoming}`, ptr));
    return HEADER_FAILED;
  }
  if (tlen < sblen) {
    // Departure: the header read went past this element. liblber fails
    // with ERANGE; the port keeps the surplus for the next element.
    pushBack(sb, hdr.subarray(ptr + tlen, rw));
    sblen = tlen;
  }
  if (tlen > bufferConstants.MAX_LENGTH) {
    fail(out, 'ENOMEM', new BerError('BER_LENGTH_LIMIT', `ber_get_next: length ${tlen} is more than a Buffer can hold`, ptr));
    return HEADER_FAILED;
  }
  let buf: Buffer;
  try {
    buf = Buffer.allocUnsafe(tlen);
  } catch (err) {
    fail(out, 'ENOMEM', new BerError('BER_LENGTH_LIMIT', `ber_get_next: cannot allocate ${tlen} octets`, ptr, { cause: err }));
    return HEADER_FAILED;
  }
  // At most 7 octets: a loop beats Buffer#copy at this size.
  for (let i = 0; i < sblen; i++) buf[i] = hdr[ptr + i]!;
  ber.buf = buf;
  ber.end = tlen;
  ber.ptr = 0;
  ber.usertag = 0n;
  ber.rwptr = sblen;
  return sblen === tlen ? HEADER_DONE : HEADER_CONTENTS;
}

// ------------------------------------------------------------ ber_flush

/**
 * Writes `ber`'s encoding (from its write cursor `rwptr` to `ptr`) through
 * the top of `sb`, looping over short writes. When a write would block or
 * fails, returns -1 with `rwptr` left after what was written, so calling
 * again resumes. With the Sockbuf's debug level set, logs
 * `ber_flush2: N bytes to sd FD` (TRACE, with ` (re-flush)` when resuming)
 * and a hex dump of those bytes (BER). `freeit` (LBER_FLUSH_FREE_*) says
 * when to release the element's buffer.
 * @see ber_flush2
 */
export function berFlush2(sb: Sockbuf, ber: BerElement, freeit: number): BerFlushResult {
  if (ber.rwptr < 0) ber.rwptr = 0;
  let towrite = ber.ptr - ber.rwptr;
  if (sb.debug !== 0) {
    berPvtLogPrintf(LDAP_DEBUG_TRACE, sb.debug, `ber_flush2: ${towrite} bytes to sd ${sb.fd}${ber.rwptr !== 0 ? ' (re-flush)' : ''}\n`);
    berLogBprint(LDAP_DEBUG_BER, sb.debug, ber.buf ?? Buffer.alloc(0), ber.rwptr, ber.rwptr + Math.max(towrite, 0));
  }
  while (towrite > 0) {
    const buf = ber.buf!;
    let rc: number;
    let error: SockbufError | null = null;
    let errno: BerIoErrno = 'none';
    try {
      rc = sb.write(buf, ber.rwptr, towrite);
      if (rc === SB_WOULD_BLOCK) errno = 'EWOULDBLOCK';
    } catch (err) {
      if (!(err instanceof SockbufError)) throw err;
      rc = -1;
      error = err;
      errno = err.code;
    }
    if (rc <= 0) {
      if ((freeit & LBER_FLUSH_FREE_ON_ERROR) !== 0) berFree(ber, 1);
      return { rc: -1, errno, error };
    }
    towrite -= rc;
    ber.rwptr += rc;
  }
  if ((freeit & LBER_FLUSH_FREE_ON_SUCCESS) !== 0) berFree(ber, 1);
  return { rc: 0, errno: 'none', error: null };
}

/**
 * {@link berFlush2} with `freeit` nonzero meaning LBER_FLUSH_FREE_ON_SUCCESS
 * and zero LBER_FLUSH_FREE_NEVER.
 * @see ber_flush
 */
export function berFlush(sb: Sockbuf, ber: BerElement, freeit: number | boolean): BerFlushResult {
  return berFlush2(sb, ber, freeit !== 0 && freeit !== false ? LBER_FLUSH_FREE_ON_SUCCESS : LBER_FLUSH_FREE_NEVER);
}

export { berGetNext as ber_get_next, berFlush2 as ber_flush2, berFlush as ber_flush };

// ------------------------------------------------------------ BerFramer

/** `BerFramer.next()`: no complete PDU yet; wait for the Sockbuf to be readable. */
export const BER_FRAME_WOULD_BLOCK: unique symbol = Symbol('BER_FRAME_WOULD_BLOCK');
/** `BerFramer.next()`: the stream ended at a PDU boundary. */
export const BER_FRAME_EOF: unique symbol = Symbol('BER_FRAME_EOF');

/** Default PDU size limit of a BerFramer when neither it nor the Sockbuf has one. */
export const BER_FRAMER_DEFAULT_MAX_INCOMING = 64 * 1024 * 1024;
/** Default size of the framer's input buffer. */
export const BER_FRAMER_DEFAULT_BUFFER = 64 * 1024;

export interface BerFramerOptions {
  /**
   * Largest contents length accepted. Default: the Sockbuf's
   * `maxIncoming` (LBER_SB_OPT_SET_MAX_INCOMING) when set, else
   * {@link BER_FRAMER_DEFAULT_MAX_INCOMING}. Checked as soon as the length
   * octets arrive, before any buffer of that size is allocated.
   */
  maxIncoming?: number;
  /** Size of the input buffer (default {@link BER_FRAMER_DEFAULT_BUFFER}); a bigger PDU gets a buffer of its size. */
  bufferSize?: number;
  /**
   * true (default): frames stay valid for as long as they are referenced;
   * the framer never writes over bytes it has handed out, and starts a new
   * buffer when the current one is full. false: a frame is valid only until
   * the next `next()` call (the buffer is compacted in place; no allocation
   * in the steady state). Copy what you keep.
   */
  stableViews?: boolean;
}

/**
 * One PDU: the whole element is `buffer[start, end)`, its contents
 * `buffer[contentStart, end)`. Getters give subarray views.
 */
export class BerFrame {
  constructor(
    /** The element's tag, as ber_get_next returns it. */
    readonly tag: BerTag,
    /** The buffer holding the element. */
    readonly buffer: Buffer,
    /** Offset of the first identifier octet. */
    readonly start: number,
    /** Offset of the first contents octet. */
    readonly contentStart: number,
    /** Offset just past the element. */
    readonly end: number,
  ) {}

  /** The contents length (ber_get_next's `*len`). */
  get length(): number {
    return this.end - this.contentStart;
  }

  /** The whole element, tag and length octets included (a view). */
  get pdu(): Buffer {
    return this.buffer.subarray(this.start, this.end);
  }

  /** The contents (a view). */
  get contents(): Buffer {
    return this.buffer.subarray(this.contentStart, this.end);
  }

  /**
   * A BerElement over the contents (no copy), as `berGetNext` leaves it:
   * tag and len set, cursor at the start of the contents.
   */
  toBerElement(): BerElement {
    const ber = new BerElement();
    berInit2(ber, this.contents, 0);
    ber.tag = this.tag;
    ber.len = this.length;
    return ber;
  }
}

/**
 * Pulls complete BER elements (LDAP PDUs) off a Sockbuf. The idiomatic
 * counterpart of `berGetNext`: one input buffer, read into in large
 * pieces, and frames handed out as views into it.
 *
 * ```ts
 * const framer = new BerFramer(sb);
 * sb.subscribe((type) => {
 *   if (type !== 'readable' && type !== 'end') return;
 *   for (;;) {
 *     const f = framer.next();            // throws BerError / SockbufError
 *     if (f === BER_FRAME_WOULD_BLOCK) break;
 *     if (f === BER_FRAME_EOF) { closed(); break; }
 *     handle(f.tag, f.contents);
 *   }
 * });
 * ```
 *
 * The header rules are `berGetNext`'s (tag up to 8 octets, 1 to 4 length
 * octets, a header of at most 9 octets, no zero or indefinite length), so
 * both frame any stream alike. Malformed, oversize or truncated input
 * throws a BerError (`BER_BAD_TAG`, `BER_BAD_LENGTH`, `BER_LENGTH_LIMIT`,
 * `BER_TRUNCATED`); after that the framer stays failed and throws the same
 * error again. A layer's SockbufError is thrown as it is.
 */
export class BerFramer {
  readonly sb: Sockbuf;
  private buf: Buffer;
  /** Unconsumed input is `buf[start, end)`. */
  private start = 0;
  private end = 0;
  /** Frames were handed out from the current `buf`. */
  private viewsOut = false;
  /** Header of the element at `start` once parsed: its length, else 0. */
  private hdrLen = 0;
  private contentLen = 0;
  private tagEnd = 0;
  private failure: BerError | null = null;
  private readonly bufferSize: number;
  private readonly stable: boolean;
  private readonly maxOption: number | undefined;

  constructor(sb: Sockbuf, options: BerFramerOptions = {}) {
    this.sb = sb;
    const size = options.bufferSize ?? BER_FRAMER_DEFAULT_BUFFER;
    if (!Number.isSafeInteger(size) || size < HEADER_MAX || size > bufferConstants.MAX_LENGTH) {
      throw new BerError('BER_BAD_ARGUMENT', `BerFramer: bufferSize must be an integer from ${HEADER_MAX} to ${bufferConstants.MAX_LENGTH}`);
    }
    const max = options.maxIncoming;
    if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) {
      throw new BerError('BER_BAD_ARGUMENT', 'BerFramer: maxIncoming must be a positive integer');
    }
    this.bufferSize = size;
    this.stable = options.stableViews ?? true;
    this.maxOption = max;
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Bytes read from the Sockbuf and not yet handed out as frames. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** The contents length limit in force for the next element. */
  get maxIncoming(): number {
    const limit = this.maxOption ?? (this.sb.maxIncoming > 0 ? this.sb.maxIncoming : BER_FRAMER_DEFAULT_MAX_INCOMING);
    return Math.min(limit, bufferConstants.MAX_LENGTH - HEADER_MAX);
  }

  /**
   * The next complete element, or {@link BER_FRAME_WOULD_BLOCK} when the
   * Sockbuf has nothing more for now, or {@link BER_FRAME_EOF} when the
   * stream ended between elements.
   */
  next(): BerFrame | typeof BER_FRAME_WOULD_BLOCK | typeof BER_FRAME_EOF {
    if (this.failure !== null) throw this.failure;
    for (;;) {
      if (this.hdrLen === 0 && this.end > this.start) this.parseHeader();
      let need: number;
      if (this.hdrLen > 0) {
        const total = this.hdrLen + this.contentLen;
        if (this.end - this.start >= total) return this.emit(total);
        need = total;
      } else {
        need = HEADER_MAX;
      }
      this.makeRoom(need);
      const n = this.sb.read(this.buf, this.end, this.buf.length - this.end);
      if (n === SB_WOULD_BLOCK) return BER_FRAME_WOULD_BLOCK;
      if (n === 0) {
        if (this.end === this.start) return BER_FRAME_EOF;
        const have = this.end - this.start;
        const what = this.hdrLen > 0 ? `${have} of ${this.hdrLen + this.contentLen} octets` : `${have} header octets`;
        throw this.fail(new BerError('BER_TRUNCATED', `BerFramer: end of stream inside an element (${what})`, have));
      }
      this.end += n;
    }
  }

  private fail(error: BerError): BerError {
    this.failure = error;
    return error;
  }

  private emit(total: number): BerFrame {
    const s = this.start;
    const frame = new BerFrame(tagOf(this.buf, s, s + this.tagEnd), this.buf, s, s + this.hdrLen, s + total);
    this.start = s + total;
    this.hdrLen = 0;
    this.viewsOut = true;
    return frame;
  }

  /**
   * Makes sure `buf` can hold `need` octets from `start` and has free space
   * after `end`: rewinds, compacts, or moves to a new buffer (never writing
   * over handed-out frames unless `stableViews` is false).
   */
  private makeRoom(need: number): void {
    const buf = this.buf;
    const canOverwrite = !this.stable || !this.viewsOut;
    const have = this.end - this.start;
    if (have === 0 && canOverwrite) this.start = this.end = 0;
    // After an element much bigger than usual, go back to the usual size.
    const oversized = buf.length > this.bufferSize * 4 && need <= this.bufferSize;
    if (!oversized && buf.length - this.start >= need && this.end < buf.length) return;
    const size = need > this.bufferSize ? need : this.bufferSize;
    if (canOverwrite && !oversized && size <= buf.length) {
      if (this.start > 0) buf.copy(buf, 0, this.start, this.end);
    } else {
      const next = Buffer.allocUnsafe(size);
      if (have > 0) buf.copy(next, 0, this.start, this.end);
      this.buf = next;
      this.viewsOut = false;
    }
    this.start = 0;
    this.end = have;
  }

  /** Parses the header at `start` if complete; throws on a malformed one. */
  private parseHeader(): void {
    const buf = this.buf;
    const s = this.start;
    const avail = this.end - s;
    let p = 1;
    if ((buf[s]! & 0x1f) === 0x1f) {
      let closed = false;
      while (p < avail) {
        const octet = buf[s + p++]!;
        if ((octet & 0x80) === 0) {
          closed = true;
          break;
        }
        if (p === TAG_MAX_OCTETS) throw this.fail(new BerError('BER_BAD_TAG', `BerFramer: a tag longer than ${TAG_MAX_OCTETS} octets`, 0));
      }
      if (!closed) return;
    }
    if (p >= avail) return;
    const first = buf[s + p]!;
    let len: number;
    let hdrLen: number;
    if ((first & 0x80) !== 0) {
      const llen = first & 0x7f;
      if (llen === 0) throw this.fail(new BerError('BER_BAD_LENGTH', 'BerFramer: an indefinite length', p));
      if (llen > LENGTH_MAX_OCTETS) throw this.fail(new BerError('BER_BAD_LENGTH', `BerFramer: ${llen} length octets (at most ${LENGTH_MAX_OCTETS})`, p));
      hdrLen = p + 1 + llen;
      if (hdrLen > HEADER_MAX) throw this.fail(new BerError('BER_BAD_LENGTH', `BerFramer: a header of ${hdrLen} octets (at most ${HEADER_MAX})`, p));
      if (avail < hdrLen) return;
      len = 0;
      for (let i = p + 1; i < hdrLen; i++) len = len * 256 + buf[s + i]!;
    } else {
      len = first;
      hdrLen = p + 1;
    }
    if (len === 0) throw this.fail(new BerError('BER_BAD_LENGTH', 'BerFramer: a zero length', p));
    const limit = this.maxIncoming;
    if (len > limit) throw this.fail(new BerError('BER_LENGTH_LIMIT', `BerFramer: length ${len} above the limit of ${limit}`, p));
    this.tagEnd = p;
    this.hdrLen = hdrLen;
    this.contentLen = len;
  }
}
