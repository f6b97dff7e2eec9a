/**
 * Benchmark: framing 1,000,000 small LDAP PDUs (SearchResultDone, 14 to 16
 * octets each) off a Sockbuf, with liblber's `berGetNext` (a new
 * BerElement per PDU, as libldap does) and with the idiomatic `BerFramer`
 * (views into one buffer; stable views and in-place compaction), in one run:
 *
 * - from memory: a provider layer that serves the stream from one Buffer,
 *   at most 64 KiB per read (what a socket read gives);
 * - over loopback TCP: the `tcp` provider on a net.Socket, the peer writing
 *   the whole stream, the reader draining on each 'readable' notification;
 *   berGetNext is also run with the readahead layer above the provider.
 *
 * Every run checks that it framed every PDU and that the message ids come
 * back in order. Prints PDUs per second.
 *
 *   cd packages/ber && node --import tsx --conditions lber-source bench/framing.ts [count]
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  LBER_SBIOD_LEVEL_PROVIDER,
  SB_WOULD_BLOCK,
  berSockbufAddIo,
  berSockbufAlloc,
  berSockbufFree,
  sockbufIoReadahead,
  sockbufIoTcp,
  type Sockbuf,
  type SockbufIO,
} from '@lber/sockbuf';
import { BER_FRAME_EOF, BER_FRAME_WOULD_BLOCK, BerFramer, LBER_DEFAULT, berAllocT, berGetNext, berGetNextResult } from '@lber/ber';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const READ_MAX = 64 * 1024;

/** SearchResultDone { messageID id, success, "", "" } in minimal BER. */
function makeStream(count: number): Buffer {
  const out = Buffer.allocUnsafe(count * 16);
  let at = 0;
  for (let id = 1; id <= count; id++) {
    const idLen = id < 0x80 ? 1 : id < 0x8000 ? 2 : id < 0x800000 ? 3 : 4;
    out[at++] = 0x30;
    out[at++] = 2 + idLen + 9;
    out[at++] = 0x02;
    out[at++] = idLen;
    for (let i = idLen - 1; i >= 0; i--) out[at++] = (id >>> (8 * i)) & 0xff;
    out[at++] = 0x65;
    out[at++] = 0x07;
    out[at++] = 0x0a;
    out[at++] = 0x01;
    out[at++] = 0x00;
    out[at++] = 0x04;
    out[at++] = 0x00;
    out[at++] = 0x04;
    out[at++] = 0x00;
  }
  return out.subarray(0, at);
}

/** The message id at the start of a PDU's contents (02 len id...). */
function messageId(buf: Uint8Array, at: number): number {
  const len = buf[at + 1]!;
  let id = 0;
  for (let i = 0; i < len; i++) id = id * 256 + buf[at + 2 + i]!;
  return id;
}

function memorySockbuf(stream: Buffer): Sockbuf {
  let pos = 0;
  const io: SockbufIO = {
    name: 'memory',
    read(_sbiod, buf, off, len) {
      if (pos >= stream.length) return 0;
      const n = Math.min(len, READ_MAX, stream.length - pos);
      stream.copy(buf, off, pos, pos + n);
      pos += n;
      return n;
    },
    write: () => SB_WOULD_BLOCK,
  };
  const sb = berSockbufAlloc();
  berSockbufAddIo(sb, io, LBER_SBIOD_LEVEL_PROVIDER, null);
  return sb;
}

interface Drain {
  /** Frames what it can; returns true at the end of the stream. */
  step(): boolean;
  count: number;
}

function getNextDrain(sb: Sockbuf): Drain {
  const out = berGetNextResult();
  let ber = berAllocT(0);
  const d: Drain = {
    count: 0,
    step() {
      for (;;) {
        const r = berGetNext(sb, ber, out);
        if (r.tag === LBER_DEFAULT) {
          if (r.errno === 'EWOULDBLOCK') return false;
          if (r.eof && r.error === null) return true;
          throw r.error ?? new Error(`ber_get_next: ${r.errno}`);
        }
        const id = messageId(ber.buf!, 0);
        if (id !== ++d.count) throw new Error(`message ${id} where ${d.count} was expected`);
        ber = berAllocT(0);
      }
    },
  };
  return d;
}

function framerDrain(sb: Sockbuf, stableViews: boolean): Drain {
  const framer = new BerFramer(sb, { stableViews });
  const d: Drain = {
    count: 0,
    step() {
      for (;;) {
        const f = framer.next();
        if (f === BER_FRAME_WOULD_BLOCK) return false;
        if (f === BER_FRAME_EOF) return true;
        const id = messageId(f.buffer, f.contentStart);
        if (id !== ++d.count) throw new Error(`message ${id} where ${d.count} was expected`);
      }
    },
  };
  return d;
}

type Variant = { name: string; make: (sb: Sockbuf) => Drain; readahead?: boolean };

const variants: Variant[] = [
  { name: 'berGetNext (new BerElement per PDU)', make: getNextDrain },
  { name: 'BerFramer, stable views', make: (sb) => framerDrain(sb, true) },
  { name: 'BerFramer, compacting in place', make: (sb) => framerDrain(sb, false) },
];

function fromMemory(stream: Buffer, v: Variant): number {
  const sb = memorySockbuf(stream);
  const d = v.make(sb);
  const t0 = performance.now();
  while (!d.step());
  const ms = performance.now() - t0;
  if (d.count !== COUNT) throw new Error(`${v.name}: ${d.count} PDUs of ${COUNT}`);
  berSockbufFree(sb);
  return ms;
}

async function overTcp(stream: Buffer, v: Variant): Promise<number> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const server = await accepted;
  const sb = berSockbufAlloc();
  berSockbufAddIo(sb, sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER, client);
  if (v.readahead === true) berSockbufAddIo(sb, sockbufIoReadahead, LBER_SBIOD_LEVEL_PROVIDER, null);
  const d = v.make(sb);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const off = sb.subscribe((type) => {
      if (type === 'writable') return;
      try {
        if (d.step()) {
          off();
          resolve();
        }
      } catch (err) {
        off();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    server.end(stream);
  });
  const ms = performance.now() - t0;
  if (d.count !== COUNT) throw new Error(`${v.name}: ${d.count} PDUs of ${COUNT}`);
  berSockbufFree(sb);
  client.destroy();
  server.destroy();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return ms;
}

function rate(ms: number): string {
  return `${Math.round((COUNT / ms) * 1000).toLocaleString('en-US')} PDUs/s`;
}

async function main(): Promise<void> {
  const stream = makeStream(COUNT);
  process.stdout.write(`ber_get_next framing: ${COUNT.toLocaleString('en-US')} PDUs, ${(stream.length / 1048576).toFixed(1)} MiB, node ${process.version}\n\n`);
  const rows: Array<[string, string, string]> = [];
  for (const v of variants) {
    fromMemory(stream, v); // warm-up
    rows.push(['memory', v.name, rate(fromMemory(stream, v))]);
  }
  for (const v of [...variants, { name: 'berGetNext, readahead layer', make: getNextDrain, readahead: true }]) {
    await overTcp(stream, v); // warm-up
    rows.push(['tcp loopback', v.name, rate(await overTcp(stream, v))]);
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padStart(20)}\n`);
}

await main();
