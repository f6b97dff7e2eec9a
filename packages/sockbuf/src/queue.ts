/**
 * The receive queue the tcp/fd providers and the tls layer share: the
 * chunks a socket's 'data' events delivered, kept as they came (never
 * concatenated) with a cursor, and copied out by the layer's `read`.
 * Internal to the package.
 */

/** The queue's fields, part of the provider's or the tls layer's state. */
export interface ReceiveQueue {
  /** Chunks received; `chunks[head]` is the oldest, read from `headOff`. */
  chunks: Buffer[];
  head: number;
  headOff: number;
  /** Bytes in the queue. */
  queued: number;
  /** The socket was paused because the queue reached its high-water mark. */
  paused: boolean;
  lowWaterMark: number;
  socket: { resume(): unknown } | null;
}

/**
 * Copies up to `len` queued bytes into `buf` at `off` and returns how many;
 * resumes the paused socket once the queue is down to its low-water mark.
 */
export function readQueued(q: ReceiveQueue, buf: Buffer, off: number, len: number): number {
  let got = 0;
  const chunks = q.chunks;
  while (got < len && q.queued > 0) {
    const c = chunks[q.head]!;
    const avail = c.length - q.headOff;
    const want = len - got;
    if (want < avail) {
      c.copy(buf, off + got, q.headOff, q.headOff + want);
      q.headOff += want;
      got += want;
      q.queued -= want;
      break;
    }
    c.copy(buf, off + got, q.headOff, c.length);
    got += avail;
    q.queued -= avail;
    q.head++;
    q.headOff = 0;
  }
  // drop what was read: all of it, or the consumed prefix once it is long
  if (q.head === chunks.length) {
    chunks.length = 0;
    q.head = 0;
  } else if (q.head >= 1024) {
    chunks.splice(0, q.head);
    q.head = 0;
  }
  if (q.paused && q.queued <= q.lowWaterMark && q.socket !== null) {
    q.paused = false;
    q.socket.resume();
  }
  return got;
}
