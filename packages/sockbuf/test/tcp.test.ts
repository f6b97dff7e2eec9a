/**
 * The tcp provider over real loopback sockets: byte-at-a-time delivery,
 * splits at every offset, 10,000 pipelined PDUs, the peer closing or
 * resetting mid-stream, notifications, backpressure, removal of the
 * provider, unix-domain sockets.
 */
import net from 'node:net';
import {
  LBER_SBIOD_LEVEL_PROVIDER,
  LBER_SB_OPT_GET_FD,
  LBER_SB_OPT_SET_NONBLOCK,
  SB_WOULD_BLOCK,
  SockbufError,
  berSockbufCtrl,
  berSockbufFree,
  berSockbufRemoveIo,
  sockbufIoTcp,
  streamStateOf,
} from '@lber/sockbuf';
import type { SbOut, SockbufEventType } from '@lber/sockbuf';
import { loopbackPair, nextEvent, readExactly, readSome, readToEnd, tcpSockbuf, tick, writeAll } from './helpers.js';
import type { Pair } from './helpers.js';

let pair: Pair;
afterEach(async () => {
  await pair.close();
});

/** A few small LDAP-ish PDUs back to back. */
function pdus(count: number, start = 0): Buffer {
  const parts: Buffer[] = [];
  for (let i = start; i < start + count; i++) {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(i);
    parts.push(Buffer.concat([Buffer.from([0x30, 0x0b, 0x02, 0x04]), id, Buffer.from([0x42, 0x00, 0x04, 0x01, i & 0xff])]));
  }
  return Buffer.concat(parts);
}

test('bytes sent one at a time arrive in order through notifications', async () => {
  pair = await loopbackPair();
  const sb = tcpSockbuf(pair.client);
  pair.server.setNoDelay(true);
  const data = pdus(4);
  const received = (async () => readExactly(sb, data.length))();
  for (let i = 0; i < data.length; i++) {
    pair.server.write(data.subarray(i, i + 1));
    await tick();
  }
  expect((await received).equals(data)).toBe(true);
  berSockbufFree(sb);
});

test('a stream split at every offset is reassembled exactly', async () => {
  pair = await loopbackPair();
  const sb = tcpSockbuf(pair.client);
  const data = pdus(3);
  for (let cut = 1; cut < data.length; cut++) {
    pair.server.write(data.subarray(0, cut));
    const first = await readExactly(sb, cut);
    pair.server.write(data.subarray(cut));
    const rest = await readExactly(sb, data.length - cut);
    expect(Buffer.concat([first, rest]).equals(data)).toBe(true);
  }
  expect(sb.read(Buffer.alloc(1), 0, 1)).toBe(SB_WOULD_BLOCK);
  berSockbufFree(sb);
});

test('10,000 pipelined PDUs written through one Sockbuf arrive through another', async () => {
  pair = await loopbackPair();
  const writer = tcpSockbuf(pair.server);
  const reader = tcpSockbuf(pair.client);
  const data = pdus(10000);
  const done = readExactly(reader, data.length);
  // Each PDU is its own write, as ber_flush does it.
  for (let off = 0; off < data.length; off += 13) await writeAll(writer, data.subarray(off, off + 13));
  const got = await done;
  expect(got.equals(data)).toBe(true);
  expect(got.readUInt32BE(13 * 9999 + 4)).toBe(9999);
  berSockbufFree(writer);
  berSockbufFree(reader);
});

test('the peer ending mid-PDU: queued bytes first, then 0 (EOF) and an end notification', async () => {
  pair = await loopbackPair();
  const sb = tcpSockbuf(pair.client);
  const seen: SockbufEventType[] = [];
  sb.subscribe((type) => seen.push(type));
  const data = pdus(1).subarray(0, 7);
  pair.server.end(data);
  const got = await readToEnd(sb);
  expect(got.equals(data)).toBe(true);
  expect(sb.read(Buffer.alloc(4), 0, 4)).toBe(0);
  expect(seen).toContain('end');
  berSockbufFree(sb);
});

test('a reset peer: the error is thrown as ECONNRESET after the queued bytes', async () => {
  pair = await loopbackPair();
  const sb = tcpSockbuf(pair.client);
  pair.server.write(Buffer.from('abc'));
  await readExactly(sb, 1);
  const errored = nextEvent(sb, ['error']);
  pair.server.resetAndDestroy();
  await errored;
  const buf = Buffer.alloc(8);
  expect(sb.read(buf, 0, 8)).toBe(2);
  expect(() => sb.read(buf, 0, 8)).toThrow(SockbufError);
  try {
    sb.read(buf, 0, 8);
  } catch (err) {
    expect((err as SockbufError).code).toBe('ECONNRESET');
  }
  expect(() => sb.write(buf, 0, 1)).toThrow(SockbufError);
  berSockbufFree(sb);
});

test('GET_FD reports the socket descriptor and SET_NONBLOCK succeeds', async () => {
  pair = await loopbackPair();
  const sb = tcpSockbuf(pair.client);
  const out: SbOut<number> = { value: 12345 };
  expect(berSockbufCtrl(sb, LBER_SB_OPT_GET_FD, out)).toBe(1);
  expect(out.value).toBeGreaterThan(2);
  expect(berSockbufCtrl(sb, LBER_SB_OPT_SET_NONBLOCK, true)).toBe(1);
  berSockbufFree(sb);
  expect(pair.client.destroyed).toBe(true);
});

test('backpressure: the provider pauses its socket above the high-water mark and resumes when drained', async () => {
  pair = await loopbackPair();
  const sb = tcpSockbuf(pair.client);
  const st = streamStateOf(sb, sockbufIoTcp)!;
  st.highWaterMark = 64 * 1024;
  st.lowWaterMark = 16 * 1024;
  const total = 4 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      sent += chunk.length;
      if (!pair.server.write(chunk)) {
        pair.server.once('drain', pump);
        return;
      }
    }
    pair.server.end();
  };
  pump();
  while (!st.paused) await nextEvent(sb, ['readable']);
  // Nothing is read for a while: the queue stays bounded.
  for (let i = 0; i < 20; i++) await tick();
  expect(st.paused).toBe(true);
  expect(st.queued).toBeLessThan(st.highWaterMark + 256 * 1024);
  const got = await readToEnd(sb);
  expect(got.length).toBe(total);
  expect(st.paused).toBe(false);
  berSockbufFree(sb);
});

test('writes report SB_WOULD_BLOCK while the socket must drain, then a writable notification', async () => {
  pair = await loopbackPair();
  const sb = tcpSockbuf(pair.client);
  const big = Buffer.alloc(1024 * 1024, 1);
  let blocked = false;
  for (let i = 0; i < 64 && !blocked; i++) blocked = sb.write(big, 0, big.length) === SB_WOULD_BLOCK;
  expect(blocked).toBe(true);
  pair.server.resume();
  await expect(nextEvent(sb, ['writable'])).resolves.toBe('writable');
  expect(sb.write(big, 0, 10)).toBe(10);
  berSockbufFree(sb);
});

test('removing the provider stops notifications, keeps the socket open and gives back unread bytes', async () => {
  pair = await loopbackPair();
  const sb = tcpSockbuf(pair.client);
  const seen: SockbufEventType[] = [];
  sb.subscribe((type) => seen.push(type));
  pair.server.write(Buffer.from('hello world'));
  expect((await readExactly(sb, 6)).toString()).toBe('hello ');
  expect(berSockbufRemoveIo(sb, sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER)).toBe(0);
  const count = seen.length;
  pair.server.write(Buffer.from('!'));
  // Whoever reads the socket next sees the unread bytes, then the new ones.
  const rest: Buffer[] = [];
  pair.client.on('data', (c: Buffer) => rest.push(c));
  pair.client.resume();
  while (Buffer.concat(rest).length < 6) await tick();
  expect(Buffer.concat(rest).toString()).toBe('world!');
  expect(seen.length).toBe(count);
  expect(pair.client.destroyed).toBe(false);
  berSockbufFree(sb);
  expect(pair.client.destroyed).toBe(false);
});

test('a unix-domain socket (ldapi://) works the same', async () => {
  pair = await loopbackPair(true);
  const a = tcpSockbuf(pair.client);
  const b = tcpSockbuf(pair.server);
  await writeAll(a, pdus(100));
  expect((await readExactly(b, 1300)).equals(pdus(100))).toBe(true);
  berSockbufFree(a);
  berSockbufFree(b);
});

test('a Sockbuf over a connecting socket accepts writes before the connection is up', async () => {
  pair = await loopbackPair();
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const socket = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const sb = tcpSockbuf(socket);
  expect(sb.write(Buffer.from('early'), 0, 5)).toBe(5);
  const peer = tcpSockbuf(await accepted);
  expect((await readExactly(peer, 5)).toString()).toBe('early');
  socket.end();
  expect(await readSome(peer, Buffer.alloc(1), 0, 1)).toBe(0);
  berSockbufFree(sb);
  berSockbufFree(peer);
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});
