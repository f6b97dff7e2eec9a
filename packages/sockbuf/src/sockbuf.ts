/**
 * The Sockbuf and its stack of I/O layers (liblber sockbuf.c).
 *
 * A Sockbuf holds a singly linked stack of descriptors, top first. Each
 * descriptor is one installed layer: its level, the layer's function table
 * (`SockbufIO`), the layer's private state and the descriptor below it.
 * Reads and writes enter at the top and each layer calls the one below
 * (`readNext` / `writeNext`); controls travel the same way (`ctrlNext`).
 *
 * Read/write contract (every layer, every entry point):
 * - synchronous and non-blocking, on `(buf, off, len)`;
 * - a return value `>= 0` is a byte count (0 on read means end of stream);
 * - the only negative return is {@link SB_WOULD_BLOCK}: nothing can move now,
 *   wait for a notification and call again;
 * - a hard I/O error is thrown as a {@link SockbufError} with a stable code.
 *   Throwing costs nothing on the hot path when nothing fails, and keeps the
 *   count/would-block path a plain number. liblber's "-1 and errno" is
 *   derived with `cResultOf`.
 *
 * Notifications (what C got from select/epoll) travel the other way, UP the
 * stack: a provider that has data calls `sbiodNotifyUp(sbiod, 'readable')`;
 * each layer above may handle it in its `notify` hook (and pass it on with
 * `sbiodNotifyUp`, or keep it), a layer without a `notify` hook passes it on;
 * above the top layer it reaches the Sockbuf's subscribers.
 */
import { lberOptions } from './log.js';
import { SockbufError } from './errors.js';

/** Layer levels (lber.h LBER_SBIOD_LEVEL_*). Any integer is allowed. */
export const LBER_SBIOD_LEVEL_PROVIDER = 10;
export const LBER_SBIOD_LEVEL_TRANSPORT = 20;
export const LBER_SBIOD_LEVEL_APPLICATION = 30;

/** The `ber_sockbuf_ctrl` options, with liblber's numbers (lber.h). */
export const LBER_SB_OPT_GET_FD = 1;
export const LBER_SB_OPT_SET_FD = 2;
export const LBER_SB_OPT_HAS_IO = 3;
export const LBER_SB_OPT_SET_NONBLOCK = 4;
export const LBER_SB_OPT_GET_SSL = 7;
export const LBER_SB_OPT_DATA_READY = 8;
export const LBER_SB_OPT_SET_READAHEAD = 9;
export const LBER_SB_OPT_DRAIN = 10;
export const LBER_SB_OPT_NEEDS_READ = 11;
export const LBER_SB_OPT_NEEDS_WRITE = 12;
export const LBER_SB_OPT_GET_MAX_INCOMING = 13;
export const LBER_SB_OPT_SET_MAX_INCOMING = 14;
export const LBER_SB_OPT_UNGET_BUF = 15;
export const LBER_SB_OPT_OPT_MAX = 15;

/** The options as one const object, e.g. `SbOpt.GET_FD`. */
export const SbOpt = {
  GET_FD: LBER_SB_OPT_GET_FD,
  SET_FD: LBER_SB_OPT_SET_FD,
  HAS_IO: LBER_SB_OPT_HAS_IO,
  SET_NONBLOCK: LBER_SB_OPT_SET_NONBLOCK,
  GET_SSL: LBER_SB_OPT_GET_SSL,
  DATA_READY: LBER_SB_OPT_DATA_READY,
  SET_READAHEAD: LBER_SB_OPT_SET_READAHEAD,
  DRAIN: LBER_SB_OPT_DRAIN,
  NEEDS_READ: LBER_SB_OPT_NEEDS_READ,
  NEEDS_WRITE: LBER_SB_OPT_NEEDS_WRITE,
  GET_MAX_INCOMING: LBER_SB_OPT_GET_MAX_INCOMING,
  SET_MAX_INCOMING: LBER_SB_OPT_SET_MAX_INCOMING,
  UNGET_BUF: LBER_SB_OPT_UNGET_BUF,
} as const;

/** An out-parameter: the callee writes `value` (C's `int *` / `ber_len_t *`). */
export interface SbOut<T> {
  value: T;
}

/**
 * What each option takes as its argument. Options not listed here are
 * layer-specific: they go down the stack with an `unknown` argument.
 */
export interface SbOptArgs {
  /** out: the Sockbuf's descriptor (-1 when none); NULL allowed. */
  [LBER_SB_OPT_GET_FD]: SbOut<number> | null;
  /** the new descriptor. */
  [LBER_SB_OPT_SET_FD]: number;
  /** the layer to look for. */
  [LBER_SB_OPT_HAS_IO]: SockbufIO;
  /** true: non-blocking (C: a non-NULL argument). Node sockets always are. */
  [LBER_SB_OPT_SET_NONBLOCK]: boolean | null;
  /** out: the TLS session object, answered by a TLS layer. */
  [LBER_SB_OPT_GET_SSL]: SbOut<unknown> | null;
  [LBER_SB_OPT_DATA_READY]: null;
  /** the wanted readahead buffer size. */
  [LBER_SB_OPT_SET_READAHEAD]: number;
  [LBER_SB_OPT_DRAIN]: null;
  [LBER_SB_OPT_NEEDS_READ]: null;
  [LBER_SB_OPT_NEEDS_WRITE]: null;
  /** out: the max incoming PDU size (0 = no limit); NULL allowed. */
  [LBER_SB_OPT_GET_MAX_INCOMING]: SbOut<number> | null;
  /** the max incoming PDU size (0 = no limit). */
  [LBER_SB_OPT_SET_MAX_INCOMING]: number;
  /** bytes to give back to the next provider read (a no-op on Linux builds). */
  [LBER_SB_OPT_UNGET_BUF]: Uint8Array;
}

/** A known option number. */
export type SbKnownOpt = keyof SbOptArgs;

/** The argument type of option `O`: typed for known options, `unknown` for others. */
export type SbOptArg<O extends number> = O extends SbKnownOpt ? SbOptArgs[O] : unknown;

/** The only negative read/write result: nothing can move now. */
export const SB_WOULD_BLOCK = -1;

/** What travels up the stack. */
export type SockbufEventType = 'readable' | 'writable' | 'end' | 'error';

/** A subscriber at the top of the stack. `error` is set for 'error'. */
export type SockbufListener = (type: SockbufEventType, error?: SockbufError) => void;

/**
 * One layer: liblber's `Sockbuf_IO` table, plus a `notify` hook for the
 * upward notifications. `P` is the layer's private state type, `A` the type
 * of the argument `ber_sockbuf_add_io` passes to `setup`.
 *
 * Return values follow liblber: `setup`, `remove`, `close` return < 0 on
 * failure; `ctrl` returns -1 error, 0 "not done / false", 1 "done / true".
 * A missing `ctrl` passes the option down; missing `read`/`write` are not
 * allowed (a layer that does not care calls `readNext`/`writeNext`).
 */
export interface SockbufIO<P = unknown, A = unknown> {
  /** Human-readable name, for diagnostics only (liblber's tables have none). */
  readonly name?: string;
  setup?(sbiod: SockbufIODesc<P>, arg: A | null): number;
  remove?(sbiod: SockbufIODesc<P>): number;
  ctrl?(sbiod: SockbufIODesc<P>, opt: number, arg: unknown): number;
  read(sbiod: SockbufIODesc<P>, buf: Buffer, off: number, len: number): number;
  write(sbiod: SockbufIODesc<P>, buf: Buffer, off: number, len: number): number;
  close?(sbiod: SockbufIODesc<P>): number;
  /**
   * A notification from the layer below. Default (no hook): passed up.
   * With a hook, the layer decides: call `sbiodNotifyUp(sbiod, type, error)`
   * to pass it on, or keep it (e.g. TLS keeps "readable" until it has
   * plaintext).
   */
  notify?(sbiod: SockbufIODesc<P>, type: SockbufEventType, error?: SockbufError): void;
}

/**
 * One installed layer (liblber `Sockbuf_IO_Desc`).
 * @see Sockbuf_IO_Desc
 */
export class SockbufIODesc<P = unknown> {
  /** Private state of the layer; null until its `setup` stores something. */
  pvt: P | null = null;
  /** The descriptor below, or null at the bottom. */
  next: SockbufIODesc | null;
  /** Set when the descriptor leaves its stack: its notifications go nowhere. */
  detached = false;

  constructor(
    /** Level it was added at (`sbiod_level`). */
    readonly level: number,
    /** The Sockbuf it belongs to (`sbiod_sb`). */
    readonly sb: Sockbuf,
    /** Its function table (`sbiod_io`). */
    readonly io: SockbufIO<P>,
    next: SockbufIODesc | null,
  ) {
    this.next = next;
  }

  /** Read from the layer below. @see LBER_SBIOD_READ_NEXT */
  readNext(buf: Buffer, off: number, len: number): number {
    const next = this.next;
    if (next === null) throw new SockbufError('ENOTCONN', 'no I/O layer below to read from');
    return next.io.read(next, buf, off, len);
  }

  /** Write to the layer below. @see LBER_SBIOD_WRITE_NEXT */
  writeNext(buf: Buffer, off: number, len: number): number {
    const next = this.next;
    if (next === null) throw new SockbufError('ENOTCONN', 'no I/O layer below to write to');
    return next.io.write(next, buf, off, len);
  }

  /** Pass a control to the layer below; 0 when there is none. @see LBER_SBIOD_CTRL_NEXT */
  ctrlNext(opt: number, arg: unknown): number {
    return sbiodCtrl(this.next, opt, arg);
  }

  /** Pass a notification up (see {@link sbiodNotifyUp}). */
  notifyUp(type: SockbufEventType, error?: SockbufError): void {
    sbiodNotifyUp(this, type, error);
  }
}

/** Calls a descriptor's ctrl; a layer without one passes the option down. */
function sbiodCtrl(d: SockbufIODesc | null, opt: number, arg: unknown): number {
  while (d !== null) {
    if (d.io.ctrl !== undefined) return d.io.ctrl(d, opt, arg);
    d = d.next;
  }
  return 0;
}

/** @see LBER_SBIOD_READ_NEXT */
export function sbiodReadNext(sbiod: SockbufIODesc, buf: Buffer, off: number, len: number): number {
  return sbiod.readNext(buf, off, len);
}

/** @see LBER_SBIOD_WRITE_NEXT */
export function sbiodWriteNext(sbiod: SockbufIODesc, buf: Buffer, off: number, len: number): number {
  return sbiod.writeNext(buf, off, len);
}

/** @see LBER_SBIOD_CTRL_NEXT */
export function sbiodCtrlNext(sbiod: SockbufIODesc, opt: number, arg: unknown): number {
  return sbiod.ctrlNext(opt, arg);
}

/**
 * Sends a notification from `sbiod` to the layers above it: the first one
 * with a `notify` hook gets it (and decides whether it goes further); when
 * no layer above takes it, the Sockbuf's subscribers get it. A descriptor no
 * longer on its stack notifies nobody.
 */
export function sbiodNotifyUp(sbiod: SockbufIODesc, type: SockbufEventType, error?: SockbufError): void {
  if (sbiod.detached) return;
  const sb = sbiod.sb;
  // The stack is short and singly linked top-down: find the layers above by
  // walking from the top, then deliver from the nearest one upward.
  let above: SockbufIODesc | null = null;
  for (let d = sb.iod; d !== null && d !== sbiod; d = d.next) {
    if (d.io.notify !== undefined) above = d;
  }
  if (above !== null) {
    above.io.notify?.(above, type, error);
    return;
  }
  sb.emit(type, error);
}

/**
 * liblber's Sockbuf: the stack of layers and the per-connection options.
 * @see Sockbuf
 */
export class Sockbuf {
  /** Top of the stack (`sb_iod`). */
  iod: SockbufIODesc | null = null;
  /** Debug level, copied from the global level at allocation (`sb_debug`). */
  debug: number;
  /** `sb_options` (unused by liblber itself; kept for symmetry). */
  options = 0;
  /** The descriptor (`sb_fd`), -1 when none. */
  fd = -1;
  /** Largest PDU `ber_get_next` accepts, 0 for no limit (`sb_max_incoming`). */
  maxIncoming = 0;
  /** A transport layer (TLS) needs the socket readable to progress. */
  transNeedsRead = false;
  /** A transport layer (TLS) needs the socket writable to progress. */
  transNeedsWrite = false;
  /** False once freed. */
  valid = true;
  private listeners: SockbufListener[] = [];

  constructor() {
    this.debug = lberOptions.debug;
  }

  /**
   * Subscribes to the notifications that leave the top of the stack.
   * Returns the function that unsubscribes.
   */
  subscribe(listener: SockbufListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Delivers a notification to the subscribers (used by sbiodNotifyUp). */
  emit(type: SockbufEventType, error?: SockbufError): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!(type, error);
  }

  /** Reads through the top of the stack. @see ber_int_sb_read */
  read(buf: Buffer, off: number, len: number): number {
    return berIntSbRead(this, buf, off, len);
  }

  /** Writes through the top of the stack. @see ber_int_sb_write */
  write(buf: Buffer, off: number, len: number): number {
    return berIntSbWrite(this, buf, off, len);
  }

  /** Typed control. @see ber_sockbuf_ctrl */
  ctrl<O extends number>(opt: O, arg: SbOptArg<O>): number {
    return berSockbufCtrl(this, opt, arg);
  }

  /** Adds a layer. @see ber_sockbuf_add_io */
  addIo<P, A>(io: SockbufIO<P, A>, level: number, arg: A | null = null): number {
    return berSockbufAddIo(this, io, level, arg);
  }

  /** Removes a layer. @see ber_sockbuf_remove_io */
  removeIo(io: SockbufIO, level: number): number {
    return berSockbufRemoveIo(this, io, level);
  }

  /** The installed layers, top first, as `[io, level]` pairs. */
  stack(): Array<[SockbufIO, number]> {
    const out: Array<[SockbufIO, number]> = [];
    for (let d = this.iod; d !== null; d = d.next) out.push([d.io, d.level]);
    return out;
  }
}

function checkValid(sb: Sockbuf): void {
  if (!sb.valid) throw new SockbufError('EBADF', 'the Sockbuf has been freed');
}

/**
 * Allocates a Sockbuf; it inherits the global debug level.
 * @see ber_sockbuf_alloc
 */
export function berSockbufAlloc(): Sockbuf {
  return new Sockbuf();
}

/**
 * Closes every layer from the top down, stopping at the first `close` that
 * fails, then removes every layer (each one's `remove` runs once, whatever
 * it returns), and leaves the Sockbuf unusable.
 * @see ber_sockbuf_free
 */
export function berSockbufFree(sb: Sockbuf): void {
  checkValid(sb);
  berIntSbClose(sb);
  berIntSbDestroy(sb);
  sb.valid = false;
}

/** Runs the `close` hooks top-down; -1 at the first failure. @see ber_int_sb_close */
export function berIntSbClose(sb: Sockbuf): number {
  for (let p = sb.iod; p !== null; p = p.next) {
    if (p.io.close !== undefined && p.io.close(p) < 0) return -1;
  }
  sb.fd = -1;
  return 0;
}

/** Removes every layer, then resets the Sockbuf's fields. @see ber_int_sb_destroy */
export function berIntSbDestroy(sb: Sockbuf): number {
  while (sb.iod !== null) {
    const top = sb.iod;
    const below = top.next;
    berSockbufRemoveIo(sb, top.io, top.level);
    top.detached = true;
    sb.iod = below;
  }
  sb.debug = lberOptions.debug;
  sb.options = 0;
  sb.fd = -1;
  sb.transNeedsRead = false;
  sb.transNeedsWrite = false;
  return 0;
}

/**
 * Installs `io` at `level`: below every layer of a higher level, above
 * every layer of the same or a lower level. Then runs its `setup` with
 * `arg`; when that fails the result is -1 but the layer stays on the stack
 * (liblber does the same; remove it with `berSockbufRemoveIo`).
 * @see ber_sockbuf_add_io
 */
export function berSockbufAddIo<P, A>(sb: Sockbuf, io: SockbufIO<P, A>, level: number, arg: A | null = null): number {
  checkValid(sb);
  let prev: SockbufIODesc | null = null;
  let p = sb.iod;
  while (p !== null && p.level > level) {
    prev = p;
    p = p.next;
  }
  const d = new SockbufIODesc<P>(level, sb, io, p);
  if (prev === null) sb.iod = d;
  else prev.next = d;
  if (io.setup !== undefined && io.setup(d, arg) < 0) return -1;
  return 0;
}

/**
 * Removes the topmost layer that is `io` at exactly `level`. Returns -1 on
 * an empty stack or when the layer's `remove` refuses (it then stays), and
 * 0 otherwise, including when no such layer is installed. A removed layer
 * no longer receives or sends notifications.
 * @see ber_sockbuf_remove_io
 */
export function berSockbufRemoveIo(sb: Sockbuf, io: SockbufIO, level: number): number {
  checkValid(sb);
  if (sb.iod === null) return -1;
  let prev: SockbufIODesc | null = null;
  for (let p: SockbufIODesc | null = sb.iod; p !== null; prev = p, p = p.next) {
    if (p.level === level && p.io === io) {
      if (p.io.remove !== undefined && p.io.remove(p) < 0) return -1;
      if (prev === null) sb.iod = p.next;
      else prev.next = p.next;
      p.detached = true;
      break;
    }
  }
  return 0;
}

/**
 * Controls the Sockbuf. The Sockbuf answers HAS_IO, GET_FD, SET_FD,
 * SET_NONBLOCK, DRAIN, NEEDS_READ, NEEDS_WRITE, GET/SET_MAX_INCOMING and
 * UNGET_BUF itself; every other option goes to the top layer, which answers
 * it or passes it down. Returns -1 error, 0 "not done / false", 1 "done /
 * true". The argument type follows the option (see {@link SbOptArgs}).
 * @see ber_sockbuf_ctrl
 */
export function berSockbufCtrl<O extends number>(sb: Sockbuf, opt: O, arg: SbOptArg<O>): number {
  checkValid(sb);
  switch (opt as number) {
    case LBER_SB_OPT_HAS_IO: {
      for (let p = sb.iod; p !== null; p = p.next) if (p.io === arg) return 1;
      return 0;
    }
    case LBER_SB_OPT_GET_FD: {
      const out = arg as SbOptArgs[typeof LBER_SB_OPT_GET_FD];
      if (out !== null && out !== undefined) out.value = sb.fd;
      return sb.fd === -1 ? -1 : 1;
    }
    case LBER_SB_OPT_SET_FD:
      sb.fd = arg as number;
      return 1;
    case LBER_SB_OPT_SET_NONBLOCK:
      // Node's sockets are always non-blocking; like fcntl(), only an
      // invalid descriptor fails.
      return sb.fd === -1 ? -1 : 1;
    case LBER_SB_OPT_DRAIN: {
      const buf = Buffer.allocUnsafe(DRAIN_BLOCK);
      let ret: number;
      do {
        ret = berIntSbRead(sb, buf, 0, DRAIN_BLOCK);
      } while (ret === DRAIN_BLOCK);
      return 1;
    }
    case LBER_SB_OPT_NEEDS_READ:
      return sb.transNeedsRead ? 1 : 0;
    case LBER_SB_OPT_NEEDS_WRITE:
      return sb.transNeedsWrite ? 1 : 0;
    case LBER_SB_OPT_GET_MAX_INCOMING: {
      const out = arg as SbOptArgs[typeof LBER_SB_OPT_GET_MAX_INCOMING];
      if (out !== null && out !== undefined) out.value = sb.maxIncoming;
      return 1;
    }
    case LBER_SB_OPT_SET_MAX_INCOMING:
      sb.maxIncoming = arg as number;
      return 1;
    case LBER_SB_OPT_UNGET_BUF:
      // liblber keeps these bytes only when built with
      // LDAP_PF_LOCAL_SENDMSG, which Linux builds (SO_PEERCRED) are not:
      // there the option does nothing and answers 0. So does the port.
      return 0;
    default:
      return sbiodCtrl(sb.iod, opt, arg);
  }
}

/** DRAIN reads in blocks of liblber's minimum buffer size. */
const DRAIN_BLOCK = 4096;

/**
 * Reads up to `len` bytes into `buf` at `off` through the top layer:
 * a count (0 = end of stream), SB_WOULD_BLOCK, or a thrown SockbufError.
 * @see ber_int_sb_read
 */
export function berIntSbRead(sb: Sockbuf, buf: Buffer, off: number, len: number): number {
  const top = sb.iod;
  if (top === null) throw new SockbufError(sb.valid ? 'ENOTCONN' : 'EBADF', 'no I/O layer to read from');
  return top.io.read(top, buf, off, len);
}

/**
 * Writes up to `len` bytes from `buf` at `off` through the top layer:
 * a count of bytes accepted, SB_WOULD_BLOCK, or a thrown SockbufError.
 * @see ber_int_sb_write
 */
export function berIntSbWrite(sb: Sockbuf, buf: Buffer, off: number, len: number): number {
  const top = sb.iod;
  if (top === null) throw new SockbufError(sb.valid ? 'ENOTCONN' : 'EBADF', 'no I/O layer to write to');
  return top.io.write(top, buf, off, len);
}

export {
  berSockbufAlloc as ber_sockbuf_alloc,
  berSockbufFree as ber_sockbuf_free,
  berSockbufAddIo as ber_sockbuf_add_io,
  berSockbufRemoveIo as ber_sockbuf_remove_io,
  berSockbufCtrl as ber_sockbuf_ctrl,
  berIntSbRead as ber_int_sb_read,
  berIntSbWrite as ber_int_sb_write,
  berIntSbClose as ber_int_sb_close,
  berIntSbDestroy as ber_int_sb_destroy,
  sbiodReadNext as LBER_SBIOD_READ_NEXT,
  sbiodWriteNext as LBER_SBIOD_WRITE_NEXT,
  sbiodCtrlNext as LBER_SBIOD_CTRL_NEXT,
  SockbufIODesc as Sockbuf_IO_Desc,
};
export type { SockbufIO as Sockbuf_IO };
