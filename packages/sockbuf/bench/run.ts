/**
 * Benchmark: moving 1 GiB over loopback TCP into a Sockbuf, in one run.
 *
 *   npm run bench -w @lber/sockbuf            (1 GiB per case, 5 rounds)
 *   BENCH_MIB=256 BENCH_ROUNDS=2 npm run bench -w @lber/sockbuf
 *
 * The sender is a plain net.Socket writing 64 KiB chunks with backpressure;
 * the bytes are back-to-back 512-byte BER PDUs (what the metrics layer counts).
 * Receivers:
 *   plain net.Socket   'data' events, bytes counted, nothing copied
 *   tcp                Sockbuf with the tcp provider; on each 'readable'
 *                      notification it reads into a 64 KiB buffer until
 *                      SB_WOULD_BLOCK (what ber_get_next's loop does)
 *   tcp+readahead      readahead above tcp (liblber's default 16 KiB buffer)
 *   tcp+debug(off)     the debug layer present, debug level 0
 *   tcp+metrics        the metrics layer counting bytes and BER PDUs
 * Time is the process's CPU time (user + system, which includes the kernel's
 * loopback work; BENCH_CLOCK=wall for wall-clock time). Rounds alternate
 * the cases and keep each case's best, so a busy machine skews less. Floors: tcp >= 80% of plain; each added layer costs
 * under 10% of tcp alone. The run exits non-zero when a floor is missed.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  LBER_SBIOD_LEVEL_APPLICATION,
  LBER_SBIOD_LEVEL_PROVIDER,
  LBER_SBIOD_LEVEL_TRANSPORT,
  SB_WOULD_BLOCK,
  berSockbufAddIo,
  berSockbufAlloc,
  berSockbufFree,
  sockbufIoDebug,
  sockbufIoMetrics,
  sockbufIoReadahead,
  sockbufIoTcp,
  sockbufMetrics,
} from '@lber/sockbuf';
import type { Sockbuf } from '@lber/sockbuf';

const MIB = 1024 * 1024;
const TOTAL = Number(process.env['BENCH_MIB'] ?? 1024) * MIB;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
/** BENCH_CLOCK=wall times by the wall clock instead of the process's CPU time. */
const USE_WALL = process.env['BENCH_CLOCK'] === 'wall';

type Receiver = (socket: net.Socket, total: number) => Promise<void>;

interface Case {
  name: string;
  receive: Receiver;
  /** The case it is compared with, and the smallest ratio allowed. */
  floor?: { against: string; ratio: number };
}

function plainReceiver(socket: net.Socket, total: number): Promise<void> {
  return new Promise((resolve) => {
    let got = 0;
    socket.on('data', (c: Buffer) => {
      got += c.length;
      if (got >= total) resolve();
    });
  });
}

function sockbufReceiver(setup: (sb: Sockbuf) => void, check?: (sb: Sockbuf, total: number) => void): Receiver {
  return (socket, total) =>
    new Promise((resolve, reject) => {
      const sb = berSockbufAlloc();
      berSockbufAddIo(sb, sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER, socket);
      setup(sb);
      const buf = Buffer.allocUnsafe(64 * 1024);
      let got = 0;
      const drain = (): void => {
        for (;;) {
          const n = sb.read(buf, 0, buf.length);
          if (n === SB_WOULD_BLOCK) return;
          if (n === 0) break;
          got += n;
          if (got < total) continue;
          break;
        }
        unsubscribe();
        try {
          check?.(sb, total);
          if (got !== total) throw new Error(`received ${got} of ${total} bytes`);
          resolve();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        } finally {
          berSockbufFree(sb);
        }
      };
      const unsubscribe = sb.subscribe((type) => {
        if (type === 'readable' || type === 'end') drain();
        else reject(new Error(`unexpected ${type}`));
      });
    });
}

export const cases: Case[] = [
  { name: 'plain net.Socket', receive: plainReceiver },
  { name: 'tcp', receive: sockbufReceiver(() => undefined), floor: { against: 'plain net.Socket', ratio: 0.8 } },
  {
    name: 'tcp+readahead',
    receive: sockbufReceiver((sb) => berSockbufAddIo(sb, sockbufIoReadahead, LBER_SBIOD_LEVEL_TRANSPORT, null)),
    floor: { against: 'tcp', ratio: 0.9 },
  },
  {
    name: 'tcp+debug(off)',
    receive: sockbufReceiver((sb) => {
      sb.debug = 0;
      berSockbufAddIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_TRANSPORT, 'bench_');
    }),
    floor: { against: 'tcp', ratio: 0.9 },
  },
  {
    name: 'tcp+metrics',
    receive: sockbufReceiver(
      (sb) => berSockbufAddIo(sb, sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION, null),
      (sb, total) => {
        const m = sockbufMetrics(sb);
        if (m?.bytesIn !== total || m.pdusIn !== total / PDU_SIZE) throw new Error('metrics miscounted');
      },
    ),
    floor: { against: 'tcp', ratio: 0.9 },
  },
];

/** 64 KiB of back-to-back 512-byte BER PDUs (SEQUENCE, 2-octet long length), LDAP-message sized. */
export function pduChunk(): Buffer {
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  for (let off = 0; off < chunk.length; off += PDU_SIZE) chunk.set([0x30, 0x82, (PDU_SIZE - 4) >> 8, (PDU_SIZE - 4) & 0xff], off);
  return chunk;
}
const PDU_SIZE = 512;

/** One transfer of `total` bytes over a fresh loopback connection; returns seconds. */
async function transfer(receive: Receiver, total: number): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const sender = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => sender.once('connect', r));
  const socket = await accepted;
  const chunk = pduChunk();
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const received = receive(socket, total);
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      sent += chunk.length;
      if (!sender.write(chunk)) {
        sender.once('drain', pump);
        return;
      }
    }
  };
  pump();
  await received;
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds of the process (user + system: loopback's kernel work is
  // ours), so other load on the machine skews less; never above wall time.
  const seconds = USE_WALL ? wall : (cpu.user + cpu.system) / 1e6;
  sender.destroy();
  socket.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  return seconds;
}

async function main(): Promise<void> {
  const best = new Map<string, number>();
  await transfer(plainReceiver, 64 * MIB); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      const s = await transfer(c.receive, TOTAL);
      best.set(c.name, Math.min(best.get(c.name) ?? Infinity, s));
    }
  }
  const rate = (name: string): number => TOTAL / MIB / best.get(name)!;
  const rows = cases.map((c) => {
    const r = rate(c.name);
    const vs = c.floor ? r / rate(c.floor.against) : 1;
    const ok = c.floor ? vs >= c.floor.ratio : true;
    return { c, r, vs, ok };
  });
  const pad = (s: string, n: number): string => s.padEnd(n);
  process.stdout.write(`\n${TOTAL / MIB} MiB over loopback TCP, best of ${ROUNDS} rounds, per ${USE_WALL ? 'wall' : 'CPU'} second\n\n`);
  process.stdout.write(`| ${pad('receiver', 18)} | ${pad('MiB/s', 8)} | ${pad('vs', 28)} | floor |\n`);
  process.stdout.write(`|${'-'.repeat(20)}|${'-'.repeat(10)}|${'-'.repeat(30)}|-------|\n`);
  for (const { c, r, vs, ok } of rows) {
    const against = c.floor ? `${(vs * 100).toFixed(1)}% of ${c.floor.against}` : '';
    const floor = c.floor ? `${ok ? 'ok' : 'MISS'} (>=${(c.floor.ratio * 100).toFixed(0)}%)` : '';
    process.stdout.write(`| ${pad(c.name, 18)} | ${pad(r.toFixed(0), 8)} | ${pad(against, 28)} | ${floor} |\n`);
  }
  if (rows.some((row) => !row.ok)) process.exitCode = 1;
}

await main();
