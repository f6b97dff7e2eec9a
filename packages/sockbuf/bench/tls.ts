/**
 * Throughput of the tls layer (tcp provider + tls layer, read and written
 * through the Sockbuf) against a plain `tls.connect` socket, in the same
 * run, over loopback, both directions. Floor: the layer keeps at least 80%
 * of the plain socket's throughput.
 *
 *   node --import tsx --conditions lber-source bench/tls.ts [MiB] [rounds]
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {
  LBER_SBIOD_LEVEL_PROVIDER,
  SB_WOULD_BLOCK,
  berSockbufAddIo,
  berSockbufAlloc,
  berSockbufFree,
  sockbufIoTcp,
  tlsConnect,
} from '@lber/sockbuf';
import type { Sockbuf } from '@lber/sockbuf';

const MIB = 1024 * 1024;
const total = Number(process.argv[2] ?? 256) * MIB;
const rounds = Number(process.argv[3] ?? 3);
const CHUNK = 64 * 1024;

function material(): { ca: string; cert: string; key: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lber-tls-bench-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { cwd: dir, stdio: 'ignore' });
  const cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  return { ca: cert, cert, key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The peer runs in a child process, so this process's CPU time is the
 * client's alone: one port sends `total` bytes to each connection, the other
 * reads `total` bytes from each connection and then ends it.
 */
const SERVER = `
import tls from 'node:tls';
const [cert, key, total] = [process.env.CERT, process.env.KEY, Number(process.env.TOTAL)];
const payload = Buffer.alloc(${CHUNK}, 0x5a);
const down = tls.createServer({ cert, key }, (s) => {
  s.on('error', () => {});
  let sent = 0;
  const pump = () => {
    while (sent < total) { sent += payload.length; if (!s.write(payload)) { s.once('drain', pump); return; } }
    s.end();
  };
  pump();
});
const up = tls.createServer({ cert, key }, (s) => {
  s.on('error', () => {});
  let got = 0;
  s.on('data', (d) => { got += d.length; if (got >= total) s.end(); });
});
down.listen(0, '127.0.0.1', () => up.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ down: down.address().port, up: up.address().port }) + '\\n');
}));
`;

async function startServer(cert: string, key: string): Promise<{ down: number; up: number; stop(): void }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], { env: { ...process.env, CERT: cert, KEY: key, TOTAL: String(total) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const ports = JSON.parse(line) as { down: number; up: number };
  return { ...ports, stop: () => child.kill() };
}

async function plainDownload(port: number, ca: string): Promise<number> {
  const s = tls.connect({ port, host: '127.0.0.1', ca });
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    s.on('data', (d: Buffer) => {
      got += d.length;
    });
    s.on('end', resolve);
    s.on('error', reject);
  });
  s.destroy();
  return got;
}

async function plainUpload(port: number, ca: string): Promise<number> {
  const s = tls.connect({ port, host: '127.0.0.1', ca });
  const ended = new Promise<void>((resolve, reject) => {
    s.on('end', resolve);
    s.on('error', reject);
    s.resume();
  });
  await new Promise<void>((resolve) => s.once('secureConnect', resolve));
  const payload = Buffer.alloc(CHUNK, 0xa5);
  let sent = 0;
  while (sent < total) {
    sent += CHUNK;
    if (!s.write(payload)) await new Promise((resolve) => s.once('drain', resolve));
  }
  await ended;
  s.destroy();
  return sent;
}

/** Whether the layer runs node:tls on the socket (true) or through the layers below (false). */
let direct = true;

async function layerSockbuf(port: number, ca: string): Promise<Sockbuf> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const sb = berSockbufAlloc();
  berSockbufAddIo(sb, sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER, socket);
  await tlsConnect(sb, { host: '127.0.0.1', ca, direct });
  return sb;
}

/** Reads until end of stream through the Sockbuf, as a read loop on 'readable' does. */
function readToEnd(sb: Sockbuf): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let got = 0;
  return new Promise<number>((resolve, reject) => {
    const drain = (): void => {
      for (;;) {
        let n: number;
        try {
          n = sb.read(buf, 0, buf.length);
        } catch (err) {
          unsubscribe();
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (n === SB_WOULD_BLOCK) return;
        if (n === 0) {
          unsubscribe();
          resolve(got);
          return;
        }
        got += n;
      }
    };
    const unsubscribe = sb.subscribe((type) => {
      if (type !== 'writable') drain();
    });
    drain();
  });
}

async function layerDownload(port: number, ca: string): Promise<number> {
  const sb = await layerSockbuf(port, ca);
  const got = await readToEnd(sb);
  berSockbufFree(sb);
  return got;
}

async function layerUpload(port: number, ca: string): Promise<number> {
  const sb = await layerSockbuf(port, ca);
  const ended = readToEnd(sb);
  const payload = Buffer.alloc(CHUNK, 0xa5);
  let sent = 0;
  let off = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (sent < total) {
        let n: number;
        try {
          n = sb.write(payload, off, CHUNK - off);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (n === SB_WOULD_BLOCK) return;
        off += n;
        sent += n;
        if (off === CHUNK) off = 0;
      }
      unsubscribe();
      resolve();
    };
    const unsubscribe = sb.subscribe((type) => {
      if (type === 'writable') pump();
    });
    pump();
  });
  await ended;
  berSockbufFree(sb);
  return sent;
}

interface Sample {
  mibps: number;
  cpuMs: number;
}

async function timed(run: () => Promise<number>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const bytes = await run();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  if (bytes < total) throw new Error(`lost bytes: ${bytes} of ${total}`);
  return { mibps: bytes / MIB / (ms / 1000), cpuMs: (cpu.user + cpu.system) / 1000 };
}

const m = material();
const server = await startServer(m.cert, m.key);
const runs: Record<string, () => Promise<number>> = {
  'plain download': () => plainDownload(server.down, m.ca),
  'layer download': () => ((direct = true), layerDownload(server.down, m.ca)),
  'layered download': () => ((direct = false), layerDownload(server.down, m.ca)),
  'plain upload': () => plainUpload(server.up, m.ca),
  'layer upload': () => ((direct = true), layerUpload(server.up, m.ca)),
  'layered upload': () => ((direct = false), layerUpload(server.up, m.ca)),
};
const results: Record<string, Sample[]> = {};
/** BENCH_ONLY=<text>: run only the paths whose name contains it (for profiling). */
const only = process.env.BENCH_ONLY;
// A warm-up round, then alternating rounds so both paths see the same machine.
for (let r = 0; r <= rounds; r++) {
  for (const [name, run] of Object.entries(runs)) {
    if (only !== undefined && !name.includes(only)) continue;
    const sample = await timed(run);
    if (r > 0) (results[name] ??= []).push(sample);
  }
}
server.stop();
m.cleanup();
if (only !== undefined) {
  for (const [name, xs] of Object.entries(results)) console.log(name, xs.map((x) => `${x.mibps.toFixed(0)} MiB/s ${x.cpuMs.toFixed(0)} ms CPU`).join(', '));
  process.exit(0);
}

const best = (xs: Sample[]): number => Math.max(...xs.map((x) => x.mibps));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`tls throughput, ${total / MIB} MiB per run, ${rounds} rounds after a warm-up, loopback (peer in a child process), node ${process.version}`);
console.log('| direction | path | best MiB/s | median MiB/s | client CPU ms (median) |');
console.log('|---|---|---:|---:|---:|');
let floorOk = true;
const ratios: string[] = [];
for (const dir of ['download', 'upload']) {
  const plain = results[`plain ${dir}`]!;
  const layer = results[`layer ${dir}`]!;
  const layered = results[`layered ${dir}`]!;
  for (const [label, xs] of [['plain tls.connect', plain], ['tcp + tls layer (direct)', layer], ['tcp + tls layer (direct: false, Duplex over readNext/writeNext)', layered]] as const) {
    console.log(`| ${dir} | ${label} | ${best(xs).toFixed(0)} | ${median(xs.map((x) => x.mibps)).toFixed(0)} | ${median(xs.map((x) => x.cpuMs)).toFixed(0)} |`);
  }
  const ratio = best(layer) / best(plain);
  const medRatio = median(layer.map((x) => x.mibps)) / median(plain.map((x) => x.mibps));
  if (ratio < 0.8) floorOk = false;
  const layeredRatio = best(layered) / best(plain);
  ratios.push(`${dir}: layer/plain ${(ratio * 100).toFixed(1)}% (best), ${(medRatio * 100).toFixed(1)}% (median); direct: false ${(layeredRatio * 100).toFixed(1)}% (best)`);
}
for (const r of ratios) console.log(r);
console.log(floorOk ? 'floor (direct, best >= 80% of plain): met' : 'floor (direct, best >= 80% of plain): NOT met');
