/**
 * The UDP provider (liblber `ber_sockbuf_io_udp`, CLDAP): one datagram per
 * read and one datagram per write, used with the readahead layer above it
 * so that `ber_get_next` can take a PDU out of one datagram in pieces.
 *
 * Departure from liblber: liblber prefixes every datagram read or written
 * with the peer's `struct sockaddr_storage`; Node has no such struct, so the
 * port's layer talks to one peer: the `add_io` argument names the socket and
 * (unless the socket is connected) the peer's address and port. Received
 * datagrams from any sender are queued; `lastPeer` on the layer state tells
 * where the latest one came from.
 *
 * A read returns one whole datagram (cut to the requested length, the rest
 * is dropped, as recv(2) does), SB_WOULD_BLOCK when none is queued, 0 after
 * the socket closed. A write sends the bytes as one datagram and returns
 * their count; more than a datagram can carry throws EMSGSIZE (liblber's
 * "write was not atomic" error). While more than `highWaterMark` bytes wait
 * to be read, new datagrams are dropped (UDP may drop; memory stays bounded).
 */
import type dgram from 'node:dgram';
import { SockbufError } from './errors.js';
import { SB_WOULD_BLOCK, sbiodNotifyUp } from './sockbuf.js';
import type { SockbufIO, SockbufIODesc } from './sockbuf.js';

/** Largest UDP payload over IPv4. */
export const SB_UDP_MAX_DATAGRAM = 65507;

/** `add_io` argument of the udp layer. */
export interface UdpArg {
  socket: dgram.Socket;
  /** Peer address, when the socket is not connected. */
  address?: string;
  /** Peer port, when the socket is not connected. */
  port?: number;
}

export class UdpState {
  socket: dgram.Socket | null = null;
  address: string | undefined;
  port: number | undefined;
  queue: Buffer[] = [];
  head = 0;
  queued = 0;
  highWaterMark = 1024 * 1024;
  dropped = 0;
  closed = false;
  error: SockbufError | null = null;
  lastPeer: { address: string; port: number } | null = null;
  onMessage: ((msg: Buffer, rinfo: dgram.RemoteInfo) => void) | null = null;
  onError: ((err: Error) => void) | null = null;
  onClose: (() => void) | null = null;
}

function detach(st: UdpState): void {
  const s = st.socket;
  if (s === null) return;
  if (st.onMessage) s.removeListener('message', st.onMessage);
  if (st.onError) s.removeListener('error', st.onError);
  if (st.onClose) s.removeListener('close', st.onClose);
  st.socket = null;
}

/**
 * The UDP provider. `add_io` argument: {@link UdpArg}.
 * @see ber_sockbuf_io_udp
 */
export const sockbufIoUdp: SockbufIO<UdpState, UdpArg> = {
  name: 'udp',
  setup(sbiod: SockbufIODesc<UdpState>, arg) {
    const st = new UdpState();
    sbiod.pvt = st;
    if (arg === null) return 0;
    const s = arg.socket;
    st.socket = s;
    st.address = arg.address;
    st.port = arg.port;
    st.onMessage = (msg, rinfo) => {
      if (st.queued >= st.highWaterMark) {
        st.dropped++;
        return;
      }
      st.queue.push(msg);
      st.queued += msg.length;
      st.lastPeer = { address: rinfo.address, port: rinfo.port };
      sbiodNotifyUp(sbiod, 'readable');
    };
    st.onError = (err) => {
      st.error = SockbufError.from(err);
      sbiodNotifyUp(sbiod, 'error', st.error);
    };
    st.onClose = () => {
      st.closed = true;
      sbiodNotifyUp(sbiod, 'end');
    };
    s.on('message', st.onMessage);
    s.on('error', st.onError);
    s.on('close', st.onClose);
    return 0;
  },
  remove(sbiod) {
    if (sbiod.pvt !== null) detach(sbiod.pvt);
    return 0;
  },
  ctrl() {
    return 0;
  },
  read(sbiod, buf, off, len) {
    const st = sbiod.pvt;
    if (st === null) throw new SockbufError('EBADF');
    if (st.head < st.queue.length) {
      const msg = st.queue[st.head]!;
      st.queue[st.head] = EMPTY;
      st.head++;
      if (st.head === st.queue.length) {
        st.queue.length = 0;
        st.head = 0;
      }
      st.queued -= msg.length;
      const n = msg.length < len ? msg.length : len;
      msg.copy(buf, off, 0, n);
      return n;
    }
    if (st.error !== null) throw st.error;
    if (st.closed) return 0;
    if (st.socket === null) throw new SockbufError('EBADF');
    return SB_WOULD_BLOCK;
  },
  write(sbiod, buf, off, len) {
    const st = sbiod.pvt;
    if (st === null || st.socket === null) throw new SockbufError('EBADF');
    if (st.error !== null) throw st.error;
    if (st.closed) throw new SockbufError('EPIPE');
    if (len > SB_UDP_MAX_DATAGRAM) throw new SockbufError('EMSGSIZE');
    const copy = Buffer.allocUnsafe(len);
    buf.copy(copy, 0, off, off + len);
    const done = (err: Error | null): void => {
      if (err && st.error === null) {
        st.error = SockbufError.from(err);
        sbiodNotifyUp(sbiod, 'error', st.error);
      }
    };
    if (st.port !== undefined) st.socket.send(copy, st.port, st.address, done);
    else st.socket.send(copy, done);
    return len;
  },
  close(sbiod) {
    const st = sbiod.pvt;
    if (st !== null && st.socket !== null && !st.closed) {
      st.closed = true;
      st.socket.close();
    }
    return 0;
  },
};

const EMPTY = Buffer.alloc(0);

export { sockbufIoUdp as ber_sockbuf_io_udp };
