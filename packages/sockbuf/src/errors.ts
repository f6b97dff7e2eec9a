/**
 * Errors of @lber/sockbuf: one class, `SockbufError`, with a stable `code`.
 *
 * I/O failures carry the errno name liblber would have left in `errno`
 * (EIO, ECONNRESET, EPIPE, EMSGSIZE, ...), so liblber's C result of a read or
 * write (-1 with that errno) can always be derived from the port's result:
 * see {@link cResultOf}. "Would block" is not an error: layers return the
 * {@link SB_WOULD_BLOCK} sentinel for it (see sockbuf.ts).
 */

/** Stable codes. The errno-named ones mean what the errno means on Linux. */
export type SockbufErrorCode =
  | 'EIO' // any other I/O failure of the transport
  | 'ECONNRESET' // the peer reset the connection
  | 'ECONNREFUSED' // nobody listens at the peer address
  | 'ECONNABORTED' // the connection was aborted locally
  | 'EPIPE' // writing to a connection whose write side is closed
  | 'EMSGSIZE' // a datagram larger than the transport carries in one piece
  | 'ETIMEDOUT' // the transport timed out
  | 'ENOTCONN' // no I/O layer below (or at all) to carry the call
  | 'EBADF' // no file descriptor / socket behind the provider, or a freed Sockbuf
  | 'EINVAL' // an argument the layer cannot use
  | 'ERANGE'; // a size beyond a configured limit

/** Linux's strerror text for each code, as liblber's debug layer prints it. */
export const SOCKBUF_STRERROR: Readonly<Record<SockbufErrorCode | 'EWOULDBLOCK', string>> = {
  EWOULDBLOCK: 'Resource temporarily unavailable',
  EIO: 'Input/output error',
  ECONNRESET: 'Connection reset by peer',
  ECONNREFUSED: 'Connection refused',
  ECONNABORTED: 'Software caused connection abort',
  EPIPE: 'Broken pipe',
  EMSGSIZE: 'Message too long',
  ETIMEDOUT: 'Connection timed out',
  ENOTCONN: 'Transport endpoint is not connected',
  EBADF: 'Bad file descriptor',
  EINVAL: 'Invalid argument',
  ERANGE: 'Numerical result out of range',
};

/** A hard I/O failure of a Sockbuf or one of its layers. */
export class SockbufError extends Error {
  override name = 'SockbufError';
  constructor(
    readonly code: SockbufErrorCode,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? SOCKBUF_STRERROR[code], options);
  }

  /**
   * Wraps whatever a Node socket reported (an `Error` with an errno `code`)
   * as a SockbufError, keeping the errno name when it is one of ours.
   */
  static from(err: unknown): SockbufError {
    if (err instanceof SockbufError) return err;
    const code = (err as { code?: unknown } | null)?.code;
    const known = typeof code === 'string' && Object.prototype.hasOwnProperty.call(SOCKBUF_STRERROR, code) && code !== 'EWOULDBLOCK';
    const message = err instanceof Error ? err.message : String(err);
    return new SockbufError(known ? (code as SockbufErrorCode) : 'EIO', message, { cause: err });
  }
}

/** liblber's view of one read or write: the return value and errno. */
export interface CResult {
  /** `ber_slen_t` result: a byte count, 0 for EOF, or -1. */
  rc: number;
  /** errno name after the call; `'none'` when rc >= 0. */
  errno: SockbufErrorCode | 'EWOULDBLOCK' | 'none';
}

/**
 * Runs one read/write through the port and reports it as liblber would:
 * a count, or -1 with `EWOULDBLOCK` for {@link SB_WOULD_BLOCK}, or -1 with
 * the SockbufError's code. Anything else thrown is rethrown.
 */
export function cResultOf(call: () => number): CResult {
  try {
    const rc = call();
    return rc < 0 ? { rc: -1, errno: 'EWOULDBLOCK' } : { rc, errno: 'none' };
  } catch (err) {
    if (err instanceof SockbufError) return { rc: -1, errno: err.code };
    throw err;
  }
}
