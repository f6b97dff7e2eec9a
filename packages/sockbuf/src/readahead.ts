/**
 * The readahead layer (liblber `ber_sockbuf_io_readahead`): reads from the
 * layer below in blocks of its buffer size and hands the bytes out as asked.
 * UDP needs it (a datagram must be read whole); TCP users add it to cut the
 * number of reads `ber_get_next` makes.
 *
 * Behaviour kept from liblber: the buffer size is a power of two, at least
 * 4096 (16384 by default, at most 16 MiB); a read first hands out what is
 * buffered and then makes one read below for the free space, returning what
 * it has without waiting to fill the request; removing the layer is refused
 * while it still holds unread bytes; LBER_SB_OPT_DATA_READY is answered 1
 * when it holds bytes, else passed down; LBER_SB_OPT_SET_READAHEAD grows
 * the buffer (1), leaves it (0) when already big enough, -1 when too big.
 */
import { SockbufError } from './errors.js';
import { LBER_SB_OPT_DATA_READY, LBER_SB_OPT_SET_READAHEAD } from './sockbuf.js';
import type { SockbufIO, SockbufIODesc } from './sockbuf.js';

/** liblber's buffer bounds (sockbuf.c LBER_MIN/MAX_BUFF_SIZE, LBER_DEFAULT_READAHEAD). */
export const LBER_MIN_BUFF_SIZE = 4096;
export const LBER_MAX_BUFF_SIZE = 65536 * 256;
export const LBER_DEFAULT_READAHEAD = 16384;

/**
 * A byte buffer with a read cursor (liblber `Sockbuf_Buf`): bytes
 * `[ptr, end)` of `base` are unread; `size` is the usable capacity.
 */
export interface SockbufBuf {
  base: Buffer;
  ptr: number;
  end: number;
  size: number;
}

const EMPTY = Buffer.alloc(0);

/** A new empty buffer. @see ber_pvt_sb_buf_init */
export function berPvtSbBufInit(): SockbufBuf {
  return { base: EMPTY, ptr: 0, end: 0, size: 0 };
}

/** Releases the storage. @see ber_pvt_sb_buf_destroy */
export function berPvtSbBufDestroy(buf: SockbufBuf): void {
  buf.base = EMPTY;
  buf.ptr = 0;
  buf.end = 0;
  buf.size = 0;
}

/**
 * Grows the capacity to the smallest power of two >= `minsize` (at least
 * 4096); keeps the contents. -1 when that would exceed 16 MiB.
 * @see ber_pvt_sb_grow_buffer
 */
export function berPvtSbGrowBuffer(buf: SockbufBuf, minsize: number): number {
  let pw = LBER_MIN_BUFF_SIZE;
  while (pw < minsize) {
    if (pw > LBER_MAX_BUFF_SIZE) return -1;
    pw *= 2;
  }
  if (buf.size < pw) {
    const base = Buffer.allocUnsafe(pw);
    if (buf.end > 0) buf.base.copy(base, 0, 0, buf.end);
    buf.base = base;
    buf.size = pw;
  }
  return 0;
}

/**
 * Copies up to `len` unread bytes out; rewinds the cursor when the buffer
 * becomes empty. Returns the count.
 * @see ber_pvt_sb_copy_out
 */
export function berPvtSbCopyOut(sbb: SockbufBuf, buf: Buffer, off: number, len: number): number {
  let max = sbb.end - sbb.ptr;
  if (len < max) max = len;
  if (max > 0) {
    sbb.base.copy(buf, off, sbb.ptr, sbb.ptr + max);
    sbb.ptr += max;
    if (sbb.ptr >= sbb.end) sbb.ptr = sbb.end = 0;
  }
  return max;
}

/**
 * Writes the unread bytes of `out` to the layer below `sbiod`; advances the
 * cursor by what was taken. Returns the count, 0, or SB_WOULD_BLOCK.
 * @see ber_pvt_sb_do_write
 */
export function berPvtSbDoWrite(sbiod: SockbufIODesc, out: SockbufBuf): number {
  const ret = sbiod.writeNext(out.base, out.ptr, out.end - out.ptr);
  if (ret <= 0) return ret;
  out.ptr += ret;
  if (out.ptr === out.end) out.ptr = out.end = 0;
  return ret;
}

function state(sbiod: SockbufIODesc<SockbufBuf>): SockbufBuf {
  const p = sbiod.pvt;
  if (p === null || p.size === 0) throw new SockbufError('EINVAL', 'readahead layer has no buffer');
  return p;
}

/**
 * The readahead layer. `add_io` argument: the buffer size (null: 16384).
 * @see ber_sockbuf_io_readahead
 */
export const sockbufIoReadahead: SockbufIO<SockbufBuf, number> = {
  name: 'readahead',
  setup(sbiod, arg) {
    const p = berPvtSbBufInit();
    berPvtSbGrowBuffer(p, arg ?? LBER_DEFAULT_READAHEAD);
    sbiod.pvt = p;
    return 0;
  },
  remove(sbiod) {
    const p = sbiod.pvt;
    if (p !== null) {
      if (p.ptr !== p.end) return -1;
      berPvtSbBufDestroy(p);
    }
    sbiod.pvt = null;
    return 0;
  },
  ctrl(sbiod, opt, arg) {
    const p = sbiod.pvt;
    if (p !== null) {
      if (opt === LBER_SB_OPT_DATA_READY) {
        if (p.ptr !== p.end) return 1;
      } else if (opt === LBER_SB_OPT_SET_READAHEAD) {
        const want = typeof arg === 'number' ? arg : Number.NaN;
        if (!(want >= 0)) return -1;
        if (p.size >= want) return 0;
        return berPvtSbGrowBuffer(p, want) !== 0 ? -1 : 1;
      }
    }
    return sbiod.ctrlNext(opt, arg);
  },
  read(sbiod, buf, off, len) {
    const p = state(sbiod);
    let got = berPvtSbCopyOut(p, buf, off, len);
    len -= got;
    if (len === 0) return got;
    const max = p.size - p.end;
    // With the buffer empty and room for a whole block in the caller's
    // buffer, the block is read there directly: the same read below (same
    // size asked) and the same result as going through the buffer, one
    // copy fewer.
    const direct = p.end === 0 && len >= max;
    let ret = 0;
    if (max > 0) {
      try {
        ret = direct ? sbiod.readNext(buf, off + got, max) : sbiod.readNext(p.base, p.end, max);
      } catch (err) {
        // What was already handed out is the answer; the error comes again
        // on the next read from below.
        if (got > 0) return got;
        throw err;
      }
    }
    if (ret < 0) return got > 0 ? got : ret;
    if (direct) return got + ret;
    p.end += ret;
    got += berPvtSbCopyOut(p, buf, off + got, len);
    return got;
  },
  write(sbiod, buf, off, len) {
    return sbiod.writeNext(buf, off, len);
  },
  close(sbiod) {
    if (sbiod.pvt !== null) berPvtSbBufDestroy(sbiod.pvt);
    return 0;
  },
};

export {
  sockbufIoReadahead as ber_sockbuf_io_readahead,
  berPvtSbBufInit as ber_pvt_sb_buf_init,
  berPvtSbBufDestroy as ber_pvt_sb_buf_destroy,
  berPvtSbGrowBuffer as ber_pvt_sb_grow_buffer,
  berPvtSbCopyOut as ber_pvt_sb_copy_out,
  berPvtSbDoWrite as ber_pvt_sb_do_write,
};
