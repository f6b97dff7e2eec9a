/**
 * Stream providers: the `tcp` layer (liblber `ber_sockbuf_io_tcp`, over a
 * `net.Socket`, TCP or unix-domain for ldapi://) and the `fd` layer (liblber
 * `ber_sockbuf_io_fd`, over a raw file descriptor).
 *
 * Node delivers bytes as 'data' events; the provider keeps them in a receive
 * queue (an array of chunks with a cursor, never concatenated) and tells the
 * layers above with a 'readable' notification. `read` copies out of that
 * queue and answers SB_WOULD_BLOCK when it is empty, 0 after the peer's end
 * of stream, or throws the socket's error as a SockbufError.
 *
 * Backpressure: when the queue reaches `highWaterMark` bytes the provider
 * pauses the socket (Node then stops reading from the kernel, and TCP flow
 * control stops the peer); when reads bring it down to `lowWaterMark` the
 * socket resumes. So a consumer that stops reading holds at most about
 * `highWaterMark` plus Node's own socket buffer.
 *
 * `write` copies the bytes into the socket's write queue and returns the
 * count (at most `maxWrite` per call), or SB_WOULD_BLOCK while Node says the
 * socket needs to drain; a 'writable' notification follows the drain.
 */
import net from 'node:net';
import fs from 'node:fs';
import { SockbufError } from './errors.js';
import { LBER_SB_OPT_DATA_READY, SB_WOULD_BLOCK, sbiodNotifyUp } from './sockbuf.js';
import type { Sockbuf, SockbufIO, SockbufIODesc } from './sockbuf.js';
import { readQueued } from './queue.js';

/** Default receive-queue bounds, in bytes. */
export const SB_STREAM_HIGH_WATER = 256 * 1024;
export const SB_STREAM_LOW_WATER = 64 * 1024;
/** Largest count one `write` call accepts (a longer request is a short write). */
export const SB_STREAM_MAX_WRITE = 1024 * 1024;

/** Tunables a caller may set on the provider state after `add_io`. */
export interface StreamTuning {
  highWaterMark: number;
  lowWaterMark: number;
  maxWrite: number;
}

/** The provider's private state. */
export class StreamState implements StreamTuning {
  /** The socket, or null when there is none (no argument and no fd). */
  socket: net.Socket | null = null;
  /** A regular file's descriptor when the fd layer works through `fs`. */
  fileFd = -1;
  /** Received chunks; `chunks[head]` is the oldest, read from `headOff`. */
  chunks: Buffer[] = [];
  head = 0;
  headOff = 0;
  /** Bytes in the queue. */
  queued = 0;
  /** The peer ended its side. */
  eof = false;
  /** The socket failed; every read/write after the queue is empty throws it. */
  error: SockbufError | null = null;
  /** The socket is closed (locally or after the peer). */
  closed = false;
  /** We paused the socket for backpressure. */
  paused = false;
  highWaterMark = SB_STREAM_HIGH_WATER;
  lowWaterMark = SB_STREAM_LOW_WATER;
  maxWrite = SB_STREAM_MAX_WRITE;
  /** Counts of bytes moved, for diagnostics and tests. */
  bytesIn = 0;
  bytesOut = 0;
  /** Socket listeners, kept to detach them on remove. */
  onData: ((chunk: Buffer) => void) | null = null;
  onEnd: (() => void) | null = null;
  onError: ((err: Error) => void) | null = null;
  onDrain: (() => void) | null = null;
  onClose: (() => void) | null = null;
  onConnect: (() => void) | null = null;
}

/** The descriptor number behind a socket, or -1 (Node keeps it on the handle). */
export function socketFd(socket: net.Socket): number {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

function attach(sbiod: SockbufIODesc<StreamState>, st: StreamState, socket: net.Socket): void {
  st.socket = socket;
  const sb: Sockbuf = sbiod.sb;
  const fd = socketFd(socket);
  if (fd !== -1) sb.fd = fd;
  st.onData = (chunk: Buffer) => {
    st.chunks.push(chunk);
    st.queued += chunk.length;
    st.bytesIn += chunk.length;
    if (st.queued >= st.highWaterMark && !st.paused) {
      st.paused = true;
      socket.pause();
    }
    sbiodNotifyUp(sbiod, 'readable');
  };
  st.onEnd = () => {
    st.eof = true;
    sbiodNotifyUp(sbiod, 'end');
  };
  st.onError = (err: Error) => {
    const e = SockbufError.from(err);
    st.error = e;
    sbiodNotifyUp(sbiod, 'error', e);
  };
  st.onDrain = () => {
    sbiodNotifyUp(sbiod, 'writable');
  };
  st.onClose = () => {
    st.closed = true;
    if (!st.eof && st.error === null) sbiodNotifyUp(sbiod, 'end');
  };
  st.onConnect = () => {
    const cfd = socketFd(socket);
    if (cfd !== -1 && !sbiod.detached) sb.fd = cfd;
    sbiodNotifyUp(sbiod, 'writable');
  };
  socket.on('data', st.onData);
  socket.on('end', st.onEnd);
  socket.on('error', st.onError);
  socket.on('drain', st.onDrain);
  socket.on('close', st.onClose);
  socket.on('connect', st.onConnect);
  socket.resume();
}

/** Detaches from the socket, pausing it and giving back the unread bytes. */
function detach(st: StreamState): void {
  const socket = st.socket;
  if (socket === null) return;
  socket.pause();
  if (st.onData) socket.removeListener('data', st.onData);
  if (st.onEnd) socket.removeListener('end', st.onEnd);
  if (st.onError) socket.removeListener('error', st.onError);
  if (st.onDrain) socket.removeListener('drain', st.onDrain);
  if (st.onClose) socket.removeListener('close', st.onClose);
  if (st.onConnect) socket.removeListener('connect', st.onConnect);
  // Unread bytes go back into the socket, newest first, so whoever reads
  // the socket next sees the stream unbroken.
  if (!socket.destroyed && !st.eof) {
    for (let i = st.chunks.length - 1; i >= st.head; i--) {
      const c = st.chunks[i]!;
      socket.unshift(i === st.head ? c.subarray(st.headOff) : c);
    }
  }
  st.chunks = [];
  st.head = st.headOff = st.queued = 0;
  st.paused = false;
  st.socket = null;
}

function providerRead(sbiod: SockbufIODesc<StreamState>, buf: Buffer, off: number, len: number): number {
  const st = sbiod.pvt;
  if (st === null) throw new SockbufError('EBADF');
  if (len <= 0) return 0;
  if (st.fileFd !== -1) return fs.readSync(st.fileFd, buf, off, len, null);
  if (st.queued > 0) return readQueued(st, buf, off, len);
  if (st.error !== null) throw st.error;
  if (st.eof) return 0;
  if (st.socket === null) throw new SockbufError('EBADF');
  if (st.closed) throw new SockbufError('EBADF', 'the socket is closed');
  return SB_WOULD_BLOCK;
}

function providerWrite(sbiod: SockbufIODesc<StreamState>, buf: Buffer, off: number, len: number): number {
  const st = sbiod.pvt;
  if (st === null) throw new SockbufError('EBADF');
  if (st.fileFd !== -1) return fs.writeSync(st.fileFd, buf, off, len);
  if (st.error !== null) throw st.error;
  const socket = st.socket;
  if (socket === null) throw new SockbufError('EBADF');
  if (socket.destroyed || st.closed) throw new SockbufError('EPIPE');
  if (socket.writableEnded) throw new SockbufError('EPIPE');
  if (len <= 0) return 0;
  if (socket.writableNeedDrain) return SB_WOULD_BLOCK;
  const n = len < st.maxWrite ? len : st.maxWrite;
  // The caller may reuse its buffer as soon as we return (a write(2) copies
  // into the kernel), so the socket gets its own copy.
  const copy = Buffer.allocUnsafe(n);
  buf.copy(copy, 0, off, off + n);
  socket.write(copy);
  st.bytesOut += n;
  return n;
}

function providerClose(sbiod: SockbufIODesc<StreamState>): number {
  const st = sbiod.pvt;
  if (st === null) return 0;
  if (st.socket !== null) {
    st.socket.destroy();
  } else if (st.fileFd !== -1) {
    try {
      fs.closeSync(st.fileFd);
    } catch {
      // liblber ignores close(2)'s result too.
    }
    st.fileFd = -1;
  }
  return 0;
}

function providerRemove(sbiod: SockbufIODesc<StreamState>): number {
  const st = sbiod.pvt;
  if (st !== null) detach(st);
  return 0;
}

/** The state of the provider layer `io` on `sb` (the topmost one), or null. */
export function streamStateOf(sb: Sockbuf, io: SockbufIO<StreamState, never> | SockbufIO<StreamState, net.Socket> | SockbufIO<StreamState, number>): StreamState | null {
  for (let d = sb.iod; d !== null; d = d.next) if (d.io === io) return d.pvt as StreamState | null;
  return null;
}

/** Wraps a descriptor in a net.Socket (sockets, pipes, ttys), or returns null for a file. */
function socketForFd(fd: number): net.Socket | null {
  let isFile = false;
  try {
    isFile = fs.fstatSync(fd).isFile();
  } catch (err) {
    throw SockbufError.from(err);
  }
  if (isFile) return null;
  return new net.Socket({ fd, readable: true, writable: true });
}

/**
 * Providers answer one option: DATA_READY, true while their receive queue
 * holds bytes (in C the kernel holds them and nobody asks the provider).
 * The tls layer relies on it to refuse plaintext that arrived before it.
 */
function providerCtrl(sbiod: SockbufIODesc<StreamState>, opt: number): number {
  if (opt === LBER_SB_OPT_DATA_READY) return (sbiod.pvt?.queued ?? 0) > 0 ? 1 : 0;
  return 0;
}

/**
 * The TCP provider. `add_io` argument: a `net.Socket` (TCP, or a unix-domain
 * socket for ldapi://), connected or connecting; with null, the Sockbuf's
 * descriptor (LBER_SB_OPT_SET_FD) is wrapped when there is one. Sets
 * TCP_NODELAY, as libldap does. Its `remove` (an addition: liblber's has
 * none) detaches from the socket without closing it.
 * @see ber_sockbuf_io_tcp
 */
export const sockbufIoTcp: SockbufIO<StreamState, net.Socket> = {
  name: 'tcp',
  setup(sbiod, arg) {
    const st = new StreamState();
    sbiod.pvt = st;
    let socket = arg;
    if (socket === null && sbiod.sb.fd !== -1) socket = socketForFd(sbiod.sb.fd);
    if (socket !== null) {
      socket.setNoDelay(true);
      attach(sbiod, st, socket);
    }
    return 0;
  },
  remove: providerRemove,
  ctrl: providerCtrl,
  read: providerRead,
  write: providerWrite,
  close: providerClose,
};

/**
 * The file-descriptor provider. `add_io` argument: a descriptor number
 * (null: the Sockbuf's, from LBER_SB_OPT_SET_FD). Sockets, pipes and
 * terminals are driven through `net.Socket({ fd })` with the same queue and
 * notifications as tcp; a regular file is read and written with
 * `fs.readSync`/`fs.writeSync` (always ready, so it never notifies).
 * `close` closes the descriptor.
 * @see ber_sockbuf_io_fd
 */
export const sockbufIoFd: SockbufIO<StreamState, number> = {
  name: 'fd',
  setup(sbiod, arg) {
    const st = new StreamState();
    sbiod.pvt = st;
    if (arg !== null) sbiod.sb.fd = arg;
    const fd = sbiod.sb.fd;
    if (fd === -1) return 0;
    const socket = socketForFd(fd);
    if (socket === null) st.fileFd = fd;
    else attach(sbiod, st, socket);
    return 0;
  },
  remove: providerRemove,
  ctrl: providerCtrl,
  read: providerRead,
  write: providerWrite,
  close: providerClose,
};

export { sockbufIoTcp as ber_sockbuf_io_tcp, sockbufIoFd as ber_sockbuf_io_fd };
