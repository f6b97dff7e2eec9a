/**
 * The SASL security layer as a Sockbuf layer (libldap's
 * `ldap_pvt_sockbuf_io_sasl_generic`, sasl.c): installed at APPLICATION
 * level on a live connection right after the BindResponse that completed
 * the bind, removed with `ber_sockbuf_remove_io` when a later bind replaces
 * it. Every write becomes one frame (RFC 4422 3.7: a 4-byte big-endian
 * length, then the protected data) produced by the mechanism's
 * {@link SaslSecurityLayer.encode}; every frame read is checked and
 * unwrapped by {@link SaslSecurityLayer.decode} before a byte of it reaches
 * the BER framer. A frame that does not verify, or that is larger than the
 * announced maximum, is an I/O error (EIO, with the {@link SaslError} as
 * `cause`): the connection ends, as libldap's read fails with EIO.
 */
import {
  LBER_SBIOD_LEVEL_APPLICATION,
  LBER_SB_OPT_DATA_READY,
  SB_WOULD_BLOCK,
  SockbufError,
  berSockbufAddIo,
  berSockbufRemoveIo,
  sbiodNotifyUp,
  sockbufIoDebug,
} from '@lber/sockbuf';
import type { Sockbuf, SockbufIO, SockbufIODesc } from '@lber/sockbuf';
import { SaslError } from './errors.js';
import type { SaslSecurityLayer } from './mechanism.js';

/**
 * The layer's state (libldap's `struct sb_sasl_generic_data`).
 *
 * Fields:
 * - `ops`: the mechanism's encode/decode;
 * - `hdr`/`hdrHave`: the 4 length octets of the next incoming frame, as
 *   many as have arrived;
 * - `frame`/`frameLen`/`frameHave`: the incoming frame's contents (buffer
 *   reused, grown to the largest frame seen), its length and how much of it
 *   is here (`sec_buf_in`);
 * - `clear`/`clearOff`: the decoded bytes of the last frame not yet handed
 *   up (`buf_in`);
 * - `out`/`outOff`: an encoded frame not yet taken by the layer below
 *   (`buf_out`);
 * - `framesIn`/`framesOut`: counts, for tests and diagnostics.
 */
export class SaslLayerState {
  readonly hdr = Buffer.alloc(4);
  hdrHave = 0;
  frame: Buffer = Buffer.alloc(0);
  frameLen = -1;
  frameHave = 0;
  clear: Buffer | null = null;
  clearOff = 0;
  out: Buffer | null = null;
  outOff = 0;
  framesIn = 0;
  framesOut = 0;
  constructor(readonly ops: SaslSecurityLayer) {}
}

function state(sbiod: SockbufIODesc<SaslLayerState>): SaslLayerState {
  const st = sbiod.pvt;
  if (st === null) throw new SockbufError('EBADF', 'the SASL security layer is not set up');
  return st;
}

/** Writes the pending frame below; true once none is left. */
function flushOut(sbiod: SockbufIODesc<SaslLayerState>, st: SaslLayerState): boolean {
  const out = st.out;
  if (out === null) return true;
  while (st.outOff < out.length) {
    const n = sbiod.writeNext(out, st.outOff, out.length - st.outOff);
    if (n <= 0) return false;
    st.outOff += n;
  }
  st.out = null;
  st.outOff = 0;
  return true;
}

/** Copies decoded bytes out; returns the count (0 when none are left). */
function copyClear(st: SaslLayerState, buf: Buffer, off: number, len: number): number {
  const clear = st.clear;
  if (clear === null) return 0;
  const n = Math.min(len, clear.length - st.clearOff);
  clear.copy(buf, off, st.clearOff, st.clearOff + n);
  st.clearOff += n;
  if (st.clearOff >= clear.length) {
    st.clear = null;
    st.clearOff = 0;
  }
  return n;
}

function layerError(error: unknown, ops: SaslSecurityLayer): SockbufError {
  const text = error instanceof Error ? error.message : String(error);
  return new SockbufError('EIO', `${ops.name} security layer: ${text}`, { cause: error });
}

/**
 * The generic SASL security layer. `add_io` argument: the mechanism's
 * {@link SaslSecurityLayer}. Removal is refused while a frame is half read
 * or half written or decoded bytes wait, so popping it never splits a frame.
 *
 * @see ldap_pvt_sockbuf_io_sasl_generic
 */
export const sockbufIoSaslGeneric: SockbufIO<SaslLayerState, SaslSecurityLayer> = {
  name: 'sasl_generic',
  setup(sbiod, arg) {
    if (arg === null) return -1;
    sbiod.pvt = new SaslLayerState(arg);
    return 0;
  },
  remove(sbiod) {
    const st = sbiod.pvt;
    if (st !== null && (st.hdrHave > 0 || st.frameLen >= 0 || st.clear !== null || st.out !== null)) return -1;
    sbiod.pvt = null;
    return 0;
  },
  ctrl(sbiod, opt, arg) {
    if (opt === LBER_SB_OPT_DATA_READY && sbiod.pvt?.clear != null) return 1;
    return sbiod.ctrlNext(opt, arg);
  },
  read(sbiod, buf, off, len) {
    const st = state(sbiod);
    if (len <= 0) return 0;
    const had = copyClear(st, buf, off, len);
    if (had > 0) return had;
    for (;;) {
      if (st.frameLen < 0) {
        const n = sbiod.readNext(st.hdr, st.hdrHave, 4 - st.hdrHave);
        if (n < 0) return n;
        if (n === 0) {
          if (st.hdrHave === 0) return 0;
          throw new SockbufError('EIO', `${st.ops.name} security layer: end of stream inside a frame header`);
        }
        st.hdrHave += n;
        if (st.hdrHave < 4) continue;
        st.hdrHave = 0;
        const size = st.hdr.readUInt32BE(0);
        if (size > st.ops.maxRecv) {
          throw layerError(new SaslError('SASL_FRAME_TOO_LARGE', `a frame of ${size} bytes, over the ${st.ops.maxRecv}-byte buffer announced`), st.ops);
        }
        if (st.frame.length < size) st.frame = Buffer.allocUnsafe(size);
        st.frameLen = size;
        st.frameHave = 0;
      }
      while (st.frameHave < st.frameLen) {
        const n = sbiod.readNext(st.frame, st.frameHave, st.frameLen - st.frameHave);
        if (n < 0) return n;
        if (n === 0) throw new SockbufError('EIO', `${st.ops.name} security layer: end of stream inside a frame`);
        st.frameHave += n;
      }
      const contents = st.frame.subarray(0, st.frameLen);
      st.frameLen = -1;
      st.frameHave = 0;
      st.framesIn++;
      let clear: Buffer;
      try {
        clear = st.ops.decode(contents);
      } catch (error) {
        throw layerError(error, st.ops);
      }
      if (clear.length === 0) continue;
      st.clear = clear;
      st.clearOff = 0;
      return copyClear(st, buf, off, len);
    }
  },
  write(sbiod, buf, off, len) {
    const st = state(sbiod);
    if (!flushOut(sbiod, st)) return SB_WOULD_BLOCK;
    if (len <= 0) return 0;
    const n = Math.min(len, st.ops.maxSend);
    let frame: Buffer;
    try {
      const contents = st.ops.encode(buf, off, n);
      frame = Buffer.allocUnsafe(4 + contents.length);
      frame.writeUInt32BE(contents.length, 0);
      contents.copy(frame, 4);
    } catch (error) {
      throw layerError(error, st.ops);
    }
    st.out = frame;
    st.outOff = 0;
    st.framesOut++;
    // The clear bytes are encoded (and the sequence number spent): report
    // them taken, and send the rest of the frame first next time.
    flushOut(sbiod, st);
    return n;
  },
  notify(sbiod, type, error) {
    const st = sbiod.pvt;
    if (type === 'writable' && st !== null && st.out !== null) {
      try {
        if (!flushOut(sbiod, st)) return;
      } catch (err) {
        sbiodNotifyUp(sbiod, 'error', SockbufError.from(err));
        return;
      }
    }
    sbiodNotifyUp(sbiod, type, error);
  },
};

/** The layer's state on `sb`, or undefined when it is not installed. */
export function saslLayerState(sb: Sockbuf): SaslLayerState | undefined {
  for (let d = sb.iod; d !== null; d = d.next) {
    if (d.io === sockbufIoSaslGeneric && d.pvt !== null) return d.pvt as SaslLayerState;
  }
  return undefined;
}

/**
 * Installs the layer at APPLICATION level, with a debug layer under it
 * when `debugPrefix` is given (so the framed bytes are logged), unless a
 * SASL layer is already there. Returns liblber's result (0 or -1).
 *
 * @see ldap_pvt_sasl_generic_install
 */
export function saslLayerInstall(sb: Sockbuf, ops: SaslSecurityLayer, debugPrefix?: string): number {
  if (saslLayerState(sb) !== undefined) return -1;
  if (debugPrefix !== undefined) berSockbufAddIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_APPLICATION, debugPrefix);
  const rc = berSockbufAddIo(sb, sockbufIoSaslGeneric, LBER_SBIOD_LEVEL_APPLICATION, ops);
  if (rc < 0) {
    berSockbufRemoveIo(sb, sockbufIoSaslGeneric, LBER_SBIOD_LEVEL_APPLICATION);
    if (debugPrefix !== undefined) berSockbufRemoveIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_APPLICATION);
  }
  return rc;
}

/**
 * Removes the layer (and the debug layer under it, when there is one at
 * APPLICATION level). Returns -1 when the layer refuses (a frame is half
 * read or written): it then stays.
 *
 * @see ldap_pvt_sasl_generic_remove
 */
export function saslLayerRemove(sb: Sockbuf, withDebug: boolean): number {
  if (saslLayerState(sb) === undefined) return 0;
  if (berSockbufRemoveIo(sb, sockbufIoSaslGeneric, LBER_SBIOD_LEVEL_APPLICATION) < 0) return -1;
  if (saslLayerState(sb) !== undefined) return -1;
  if (withDebug) berSockbufRemoveIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_APPLICATION);
  return 0;
}

export {
  sockbufIoSaslGeneric as ldap_pvt_sockbuf_io_sasl_generic,
  saslLayerInstall as ldap_pvt_sasl_generic_install,
  saslLayerRemove as ldap_pvt_sasl_generic_remove,
};
