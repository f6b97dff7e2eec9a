/**
 * Example layer: `lengthPrefix` frames the stream as a SASL security layer
 * does (RFC 4422 section 3.7): every write becomes one frame, a 4-byte
 * big-endian length followed by that many bytes; reads take the frames
 * apart again. Push it onto a live Sockbuf at the byte where both peers
 * switch (after a SASL bind, say) and pop it where both switch back.
 *
 * What it shows a layer author:
 * - read without copying: a frame's payload is contiguous, so payload bytes
 *   are read from below straight into the caller's buffer; only the header
 *   is kept in the layer;
 * - a write that owns pending output (a frame partly written below): it
 *   answers with the count of payload bytes it took, keeps the rest of the
 *   frame, sends it first on the next write, and returns SB_WOULD_BLOCK
 *   while it cannot;
 * - a `notify` hook: on 'writable' it sends pending output first and passes
 *   the notification up only once its output is empty;
 * - refusing removal (`remove` < 0) while a frame is half read or half
 *   written, so popping never loses or splits a frame.
 *
 * It reads only what the current frame needs from below, so after the last
 * frame nothing of the following (unframed) bytes has been consumed.
 */
import { SockbufError } from './errors.js';
import { SB_WOULD_BLOCK, sbiodNotifyUp } from './sockbuf.js';
import type { SockbufIO, SockbufIODesc } from './sockbuf.js';

/** Default largest payload per frame written, and accepted on read. */
export const LENGTH_PREFIX_MAX_SEND = 64 * 1024;
export const LENGTH_PREFIX_MAX_RECV = 16 * 1024 * 1024;

/** Options for `add_io`. */
export interface LengthPrefixOptions {
  maxSend?: number;
  maxRecv?: number;
}

export class LengthPrefixState {
  /** Received header octets of the next frame. */
  readonly hdr = Buffer.alloc(4);
  hdrHave = 0;
  /** Payload bytes of the current frame still to read. */
  remaining = 0;
  /** A frame, or its tail, still to write below: bytes [outPtr, out.length). */
  out: Buffer | null = null;
  outPtr = 0;
  maxSend = LENGTH_PREFIX_MAX_SEND;
  maxRecv = LENGTH_PREFIX_MAX_RECV;
  framesIn = 0;
  framesOut = 0;
}

/** Writes pending output below; true when none is left. */
function flushOut(sbiod: SockbufIODesc<LengthPrefixState>, st: LengthPrefixState): boolean {
  const out = st.out;
  if (out === null) return true;
  while (st.outPtr < out.length) {
    const n = sbiod.writeNext(out, st.outPtr, out.length - st.outPtr);
    if (n <= 0) return false;
    st.outPtr += n;
  }
  st.out = null;
  st.outPtr = 0;
  return true;
}

function state(sbiod: SockbufIODesc<LengthPrefixState>): LengthPrefixState {
  const st = sbiod.pvt;
  if (st === null) throw new SockbufError('EBADF', 'lengthPrefix layer is not set up');
  return st;
}

/** The length-prefix framing layer. `add_io` argument: {@link LengthPrefixOptions} or null. */
export const sockbufIoLengthPrefix: SockbufIO<LengthPrefixState, LengthPrefixOptions> = {
  name: 'lengthPrefix',
  setup(sbiod, arg) {
    const st = new LengthPrefixState();
    if (arg?.maxSend !== undefined) st.maxSend = arg.maxSend;
    if (arg?.maxRecv !== undefined) st.maxRecv = arg.maxRecv;
    if (!(st.maxSend > 0) || !(st.maxRecv >= 0)) return -1;
    sbiod.pvt = st;
    return 0;
  },
  remove(sbiod) {
    const st = sbiod.pvt;
    if (st !== null && (st.hdrHave > 0 || st.remaining > 0 || st.out !== null)) return -1;
    sbiod.pvt = null;
    return 0;
  },
  read(sbiod, buf, off, len) {
    const st = state(sbiod);
    if (len <= 0) return 0;
    for (;;) {
      if (st.remaining > 0) {
        const n = sbiod.readNext(buf, off, len < st.remaining ? len : st.remaining);
        if (n === 0) throw new SockbufError('EIO', 'end of stream inside a length-prefixed frame');
        if (n > 0) st.remaining -= n;
        return n;
      }
      const n = sbiod.readNext(st.hdr, st.hdrHave, 4 - st.hdrHave);
      if (n < 0) return n;
      if (n === 0) {
        if (st.hdrHave === 0) return 0;
        throw new SockbufError('EIO', 'end of stream inside a frame header');
      }
      st.hdrHave += n;
      if (st.hdrHave < 4) continue;
      st.hdrHave = 0;
      const size = st.hdr.readUInt32BE(0);
      if (size > st.maxRecv) throw new SockbufError('EMSGSIZE', `frame of ${size} bytes over the ${st.maxRecv}-byte limit`);
      st.remaining = size;
      st.framesIn++;
    }
  },
  write(sbiod, buf, off, len) {
    const st = state(sbiod);
    if (!flushOut(sbiod, st)) return SB_WOULD_BLOCK;
    if (len <= 0) return 0;
    const n = len < st.maxSend ? len : st.maxSend;
    const frame = Buffer.allocUnsafe(4 + n);
    frame.writeUInt32BE(n, 0);
    buf.copy(frame, 4, off, off + n);
    st.out = frame;
    st.outPtr = 0;
    st.framesOut++;
    // The payload is ours now; what is not written yet goes out first on
    // the next write or when the layer below becomes writable.
    flushOut(sbiod, st);
    return n;
  },
  notify(sbiod, type, error) {
    if (type === 'writable' && sbiod.pvt !== null && sbiod.pvt.out !== null) {
      try {
        if (!flushOut(sbiod, sbiod.pvt)) return;
      } catch (err) {
        sbiodNotifyUp(sbiod, 'error', SockbufError.from(err));
        return;
      }
    }
    sbiodNotifyUp(sbiod, type, error);
  },
};

export { sockbufIoLengthPrefix as lengthPrefix };
