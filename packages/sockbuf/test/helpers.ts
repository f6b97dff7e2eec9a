/**
 * Loopback helpers for the socket tests: a connected TCP (or unix) pair,
 * and small async drivers over a Sockbuf's non-blocking read/write that wait
 * for the notifications coming up the stack.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { SB_WOULD_BLOCK, berSockbufAddIo, berSockbufAlloc, LBER_SBIOD_LEVEL_PROVIDER, sockbufIoTcp } from '@lber/sockbuf';
import type { Sockbuf, SockbufEventType } from '@lber/sockbuf';

export interface Pair {
  client: net.Socket;
  server: net.Socket;
  close(): Promise<void>;
}

/** A connected loopback pair; `unix` uses a unix-domain socket (ldapi://). */
export async function loopbackPair(unix = false): Promise<Pair> {
  const listener = net.createServer();
  let sockPath = '';
  if (unix) {
    sockPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lber-sb-')), 'ldapi');
    await new Promise<void>((resolve) => listener.listen(sockPath, resolve));
  } else {
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  }
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = unix ? net.connect(sockPath) : net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const server = await accepted;
  return {
    client,
    server,
    async close() {
      client.destroy();
      server.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      if (sockPath !== '') fs.rmSync(path.dirname(sockPath), { recursive: true, force: true });
    },
  };
}

/** A Sockbuf with the tcp provider over `socket`. */
export function tcpSockbuf(socket: net.Socket): Sockbuf {
  const sb = berSockbufAlloc();
  if (berSockbufAddIo(sb, sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER, socket) !== 0) throw new Error('add_io failed');
  return sb;
}

/** Resolves at the next notification of one of `types` leaving the top of `sb`. */
export function nextEvent(sb: Sockbuf, types: SockbufEventType[], timeoutMs = 10000): Promise<SockbufEventType> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no ${types.join('/')} notification within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = sb.subscribe((type) => {
      if (!types.includes(type)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(type);
    });
  });
}

/**
 * Reads up to `len` bytes: tries first, and waits for 'readable'/'end'
 * only when the stack would block. Returns the count (0 at end of stream).
 */
export async function readSome(sb: Sockbuf, buf: Buffer, off: number, len: number, timeoutMs = 10000): Promise<number> {
  // Notifications arrive in later event-loop turns, so subscribing after a
  // would-block cannot miss one.
  for (;;) {
    const n = sb.read(buf, off, len);
    if (n !== SB_WOULD_BLOCK) return n;
    await nextEvent(sb, ['readable', 'end', 'error'], timeoutMs);
  }
}

/** Reads exactly `len` bytes (throws at a premature end of stream). */
export async function readExactly(sb: Sockbuf, len: number, timeoutMs = 10000): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = await readSome(sb, buf, got, len - got, timeoutMs);
    if (n === 0) throw new Error(`end of stream after ${got} of ${len} bytes`);
    got += n;
  }
  return buf;
}

/** Writes all of `data`, waiting for 'writable' while the stack would block (ber_flush's loop). */
export async function writeAll(sb: Sockbuf, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const n = sb.write(data, off, data.length - off);
    if (n === SB_WOULD_BLOCK) {
      await nextEvent(sb, ['writable', 'error']);
      continue;
    }
    off += n;
  }
}

/** Reads until end of stream; returns everything. */
export async function readToEnd(sb: Sockbuf): Promise<Buffer> {
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    const n = await readSome(sb, buf, 0, buf.length);
    if (n === 0) return Buffer.concat(parts);
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}

/** Resolves on the next macrotask. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
