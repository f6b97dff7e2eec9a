/**
 * LDAP client benchmark: @lber/ldap against ldapts and ldapjs, in one run,
 * against one testkit slapd loaded with 100,000 entries.
 *
 *   npm run bench -w @lber/ldap [-- --rounds 3 --entries 100000 --ops 10000]
 *
 * Workloads, for each library:
 *   plain   every entry of ou=bulk with one subtree search
 *   paged   the same, paged by 1,000 (RFC 2696)
 *   base1   10,000 base-object searches, 1 outstanding at a time
 *   base64  10,000 base-object searches, 64 outstanding at a time
 *   decode  the raw bytes slapd sent for `plain`, recorded once, decoded
 *           from memory by each library's own message parser
 *
 * Each measurement runs in a child process of its own (bench/worker.ts), so
 * its client CPU time (process.cpuUsage, user + system, all threads) and
 * peak RSS (process.resourceUsage().maxRSS) belong to that library alone,
 * and slapd's CPU is not counted. Rounds run the libraries alternately
 * (the order rotates each round) and the best of each figure is kept. The
 * run checks that all three saw the same entries, attributes and values,
 * prints a markdown table and the floors of issue 5, and exits with status
 * 1 when a floor is missed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerWriter, berElementSize } from '@lber/ber';
import { createMessageReader, decodeResponse, encodeRequest, filterToBer } from '@lber/ldap';
import { bulkEntryDn, startSlapd, type SlapdServer } from '@lber/testkit';
import type { Library, Workload, WorkerJob, WorkerResult } from './worker.js';

const LIBS: readonly Library[] = ['lber', 'ldapts', 'ldapjs'];
const WORKLOADS: readonly Workload[] = ['plain', 'paged', 'base1', 'base64', 'decode'];
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`--${name} wants a positive integer`);
  return v;
}

const ROUNDS = option('rounds', 3);
const ENTRIES = option('entries', 100_000);
const OPS = option('ops', 10_000);
const WARMUP = 3000;
const PAGE_SIZE = 1000;
/** `--only lber,ldapts` and `--workloads plain,decode` narrow a run (for profiling); floors are then not judged. */
const ONLY = listOption('only', LIBS);
const ONLY_WORKLOADS = listOption('workloads', WORKLOADS);
/** `--cpu-prof lber:plain` runs that worker under `node --cpu-prof` (profiles in .tmp/ldap-bench-prof/ at the repository root). */
const PROFILE = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;

function listOption<T extends string>(name: string, all: readonly T[]): readonly T[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return all;
  const picked = (process.argv[i + 1] ?? '').split(',') as T[];
  for (const p of picked) if (!all.includes(p)) throw new Error(`--${name}: unknown ${p}`);
  return picked;
}

// ------------------------------------------------------------ recording

/**
 * Binds as the root DN and runs the full search over a plain socket,
 * keeping every byte slapd sends after the BindResponse. Returns the
 * stream and the number of socket reads it came in.
 */
async function record(server: SlapdServer): Promise<{ stream: Buffer; reads: number }> {
  const w = new BerWriter({ initialSize: 256 });
  encodeRequest(w, 1, { type: 'bindRequest', version: 3, name: server.rootDn, authentication: { type: 'simple', password: Buffer.from(server.rootPassword) } });
  encodeRequest(w, 2, { type: 'searchRequest', baseObject: server.bulkBase, scope: 2, filter: filterToBer('(objectClass=*)') });
  const request = Buffer.from(w.buf.subarray(0, w.offset));
  const socket = netConnect({ host: server.host, port: server.port });
  const received: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const reader = createMessageReader();
    let pending: Buffer = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      for (;;) {
        const size = berElementSize(pending, at);
        if (size < 0 || at + size > pending.length) break;
        const message = decodeResponse(pending.subarray(at, at + size), reader);
        at += size;
        if (message.protocolOp.type === 'searchResDone') {
          if (message.protocolOp.resultCode !== 0) reject(new Error(`recording: the search failed with result ${message.protocolOp.resultCode}`));
          socket.end();
          resolve();
          return;
        }
      }
      pending = pending.subarray(at);
    });
    socket.on('end', () => reject(new Error('recording: the server closed the connection')));
  });
  socket.destroy();
  const all = Buffer.concat(received);
  // drop the BindResponse: the recording is what slapd sent for the search
  return { stream: all.subarray(berElementSize(all, 0)), reads: received.length };
}

// ---------------------------------------------------------------- running

/** CPU time (user + system, all threads) of a process so far, in ms, from /proc; NaN where there is no /proc. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] and [12] are utime and stime (fields 14 and 15 of proc(5)), in clock ticks
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100;

/** A worker's result, and slapd's CPU time between its start and end marks. */
function runWorker(job: WorkerJob, slapdPid: number): Promise<WorkerResult & { slapdCpuMs: number }> {
  const profile = PROFILE === `${job.lib}:${job.workload}`;
  const dir = fileURLToPath(new URL('../../../.tmp/ldap-bench-prof/', import.meta.url));
  const args = [...process.execArgv, ...(profile ? ['--cpu-prof', '--cpu-prof-dir', dir] : []), WORKER, JSON.stringify(job)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let slapdStart = NaN;
    let slapdEnd = NaN;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      out += s;
      if (Number.isNaN(slapdStart) && out.includes('MARK start\n')) slapdStart = processCpuMs(slapdPid);
      if (Number.isNaN(slapdEnd) && out.includes('MARK end\n')) slapdEnd = processCpuMs(slapdPid);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || line === undefined) reject(new Error(`${job.lib}/${job.workload}: the worker exited with ${code}\n${out}`));
      else resolve({ ...(JSON.parse(line.slice('RESULT '.length)) as WorkerResult), slapdCpuMs: slapdEnd - slapdStart });
    });
  });
}

/**
 * Best figures of one library on one workload over the rounds, each taken
 * on its own (the least wall time, the least CPU time, the least peak RSS).
 */
interface Best {
  result: WorkerResult;
  wallMs: number;
  cpuMs: number;
  /** System CPU of the round with the least CPU. */
  sysMs: number;
  maxRssKiB: number;
  startRssKiB: number;
  /** slapd's CPU during the measurement, in the round with the least wall time. */
  slapdCpuMs: number;
}

function units(r: WorkerResult): number {
  return r.workload === 'base1' || r.workload === 'base64' ? r.ops : r.entries;
}

function sameWork(a: WorkerResult, b: WorkerResult): boolean {
  return a.entries === b.entries && a.attributes === b.attributes && a.values === b.values && a.valueLength === b.valueLength && a.dnChars === b.dnChars;
}

function keep(best: Map<string, Best>, r: WorkerResult & { slapdCpuMs: number }): void {
  const key = `${r.lib}:${r.workload}`;
  const b = best.get(key);
  if (b === undefined) {
    best.set(key, { result: r, wallMs: r.wallMs, cpuMs: r.cpuMs, sysMs: r.sysMs, maxRssKiB: r.maxRssKiB, startRssKiB: r.startRssKiB, slapdCpuMs: r.slapdCpuMs });
    return;
  }
  if (!sameWork(b.result, r)) throw new Error(`${key}: a later round saw different entries than the first`);
  if (r.wallMs < b.wallMs) {
    b.wallMs = r.wallMs;
    b.slapdCpuMs = r.slapdCpuMs;
  }
  if (r.cpuMs < b.cpuMs) {
    b.cpuMs = r.cpuMs;
    b.sysMs = r.sysMs;
  }
  b.maxRssKiB = Math.min(b.maxRssKiB, r.maxRssKiB);
  b.startRssKiB = Math.min(b.startRssKiB, r.startRssKiB);
}

// ---------------------------------------------------------------- report

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (ms: number): string => (ms / 1000).toFixed(2);
const mib = (kib: number): string => (kib / 1024).toFixed(0);

const LABEL: Record<Workload, string> = {
  plain: '(a) full search, plain',
  paged: '(b) full search, paged by 1,000',
  base1: `(c) ${fmt(OPS)} base searches, 1 outstanding`,
  base64: `(d) ${fmt(OPS)} base searches, 64 outstanding`,
  decode: '(e) pure decode of the recorded stream',
};

function table(best: Map<string, Best>): string {
  const rows = [
    '| workload | library | work | wall s | per s (wall) | client CPU s (sys) | per client CPU-s | slapd CPU s | peak RSS MiB (at start) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const w of ONLY_WORKLOADS) {
    for (const lib of ONLY) {
      const b = best.get(`${lib}:${w}`);
      if (b === undefined) continue;
      const u = units(b.result);
      const what = w === 'base1' || w === 'base64' ? `${fmt(u)} ops` : `${fmt(u)} entries`;
      const slapd = w === 'decode' || Number.isNaN(b.slapdCpuMs) ? '-' : secs(b.slapdCpuMs);
      rows.push(
        `| ${LABEL[w]} | ${lib} | ${what} | ${secs(b.wallMs)} | ${fmt(u / (b.wallMs / 1000))} | ${secs(b.cpuMs)} (${secs(b.sysMs)}) | ${fmt(u / (b.cpuMs / 1000))} | ${slapd} | ${mib(b.maxRssKiB)} (${mib(b.startRssKiB)}) |`,
      );
    }
  }
  return rows.join('\n');
}

interface Floor {
  text: string;
  ratio: number;
  want: number;
  /** true: ratio must be at least want; false: at most. */
  atLeast: boolean;
}

const rateWall = (b: Best): number => units(b.result) / b.wallMs;
const rateCpu = (b: Best): number => units(b.result) / b.cpuMs;

/**
 * The floors of issue 5. Full search: entries per wall second, and client
 * CPU. 64 outstanding and pure decode: per client CPU-second (the decode
 * runs from memory, so wall and CPU agree; the small searches are bound by
 * slapd on this machine, see the notes printed with them).
 */
function floors(best: Map<string, Best>): Floor[] {
  const get = (lib: Library, w: Workload): Best | undefined => best.get(`${lib}:${w}`);
  const out: Floor[] = [];
  for (const other of ['ldapts', 'ldapjs'] as const) {
    const l = get('lber', 'plain');
    const o = get(other, 'plain');
    if (l !== undefined && o !== undefined) {
      out.push({ text: `(a) full search, entries per wall second, lber / ${other}`, ratio: rateWall(l) / rateWall(o), want: 2, atLeast: true });
      out.push({ text: `(a) full search, client CPU, lber / ${other}`, ratio: l.cpuMs / o.cpuMs, want: 1 / 3, atLeast: false });
    }
  }
  const l64 = get('lber', 'base64');
  const t64 = get('ldapts', 'base64');
  if (l64 !== undefined && t64 !== undefined) out.push({ text: '(d) 64 outstanding, ops per client CPU-second, lber / ldapts', ratio: rateCpu(l64) / rateCpu(t64), want: 1.5, atLeast: true });
  const ld = get('lber', 'decode');
  const td = get('ldapts', 'decode');
  if (ld !== undefined && td !== undefined) out.push({ text: '(e) pure decode, entries per CPU-second, lber / ldapts', ratio: rateCpu(ld) / rateCpu(td), want: 3, atLeast: true });
  return out;
}

/** Every lber / other ratio, wall and CPU, with slapd's share of the wall time. */
function ratios(best: Map<string, Best>): string[] {
  const lines: string[] = [];
  for (const w of ONLY_WORKLOADS) {
    const l = best.get(`lber:${w}`);
    if (l === undefined) continue;
    const parts: string[] = [];
    for (const other of ['ldapts', 'ldapjs'] as const) {
      const o = best.get(`${other}:${w}`);
      if (o === undefined) continue;
      parts.push(`${other} ${(rateWall(l) / rateWall(o)).toFixed(2)}x per wall s, ${(rateCpu(l) / rateCpu(o)).toFixed(2)}x per CPU-s`);
    }
    const busy = w !== 'decode' && !Number.isNaN(l.slapdCpuMs) ? `; slapd busy ${((100 * l.slapdCpuMs) / l.wallMs).toFixed(0)}% of lber's wall time, lber's client ${((100 * l.cpuMs) / l.wallMs).toFixed(0)}%` : '';
    lines.push(`- ${LABEL[w]}: lber vs ${parts.join('; vs ')}${busy}`);
  }
  return lines;
}

function machine(): string {
  const c = cpus();
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  // slapd -VV prints its version on stderr
  const v = spawnSync('/usr/sbin/slapd', ['-VV'], { encoding: 'utf8' });
  const slapd = `${v.stdout}${v.stderr}`.match(/slapd [^\s)]+/)?.[0] ?? 'slapd ?';
  return `node ${process.version}, ${c.length} x ${c[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${load}; ${slapd}`;
}

// ------------------------------------------------------------------- main

async function main(): Promise<number> {
  const t0 = performance.now();
  const server = await startSlapd({ entries: ENTRIES });
  const tmp = mkdtempSync(join(tmpdir(), 'lber-bench-'));
  try {
    process.stdout.write(`slapd with ${fmt(ENTRIES)} entries up in ${secs(performance.now() - t0)} s (${server.url})\n`);
    const { stream, reads } = await record(server);
    const recording = join(tmp, 'search.ber');
    writeFileSync(recording, stream);
    process.stdout.write(`recorded the full search: ${fmt(stream.length)} bytes (${fmt(reads)} socket reads)\n`);
    if (OPS + WARMUP > ENTRIES) throw new Error(`--ops ${OPS} needs more than ${OPS + WARMUP} entries`);
    const [dnHead, dnTail] = bulkEntryDn(server.suffix, 123456).split('123456') as [string, string];
    const base: Omit<WorkerJob, 'lib' | 'workload'> = {
      url: server.url,
      bindDn: server.rootDn,
      password: server.rootPassword,
      base: server.bulkBase,
      dnHead,
      dnTail,
      ops: OPS,
      pageSize: PAGE_SIZE,
      warmup: WARMUP,
      recording,
      passes: 3,
    };
    const best = new Map<string, Best>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const workload of ONLY_WORKLOADS) {
        const order = ONLY.map((_, i) => ONLY[(i + round) % ONLY.length]!);
        const line: string[] = [];
        for (const lib of order) {
          const r = await runWorker({ ...base, lib, workload }, server.pid);
          keep(best, r);
          line.push(`${lib} ${secs(r.wallMs)} s wall / ${secs(r.cpuMs)} s CPU`);
        }
        process.stdout.write(`round ${round + 1} ${workload}: ${line.join(', ')}\n`);
      }
    }
    // every library must have done the same work
    for (const w of ONLY_WORKLOADS) {
      const results = ONLY.map((lib) => best.get(`${lib}:${w}`)!.result);
      const first = results[0]!;
      for (const r of results) {
        if (!sameWork(first, r)) throw new Error(`${w}: ${r.lib} saw ${JSON.stringify(r)}, ${first.lib} saw ${JSON.stringify(first)}`);
      }
      if (w === 'plain' || w === 'paged' || w === 'decode') {
        if (first.entries !== ENTRIES + 1) throw new Error(`${w}: ${first.entries} entries, expected ${ENTRIES + 1}`);
      } else if (first.ops !== OPS || first.entries !== OPS) throw new Error(`${w}: ${first.ops} ops and ${first.entries} entries, expected ${OPS}`);
    }
    const plain = best.get(`${ONLY[0]!}:plain`)?.result;
    process.stdout.write('\n');
    if (plain !== undefined) {
      process.stdout.write(`Each full search: ${fmt(plain.entries)} entries, ${fmt(plain.attributes)} attributes, ${fmt(plain.values)} values of ${fmt(plain.valueLength)} bytes, every one read by every library.\n\n`);
    }
    process.stdout.write(`${table(best)}\n\n`);
    process.stdout.write(`Best of ${ROUNDS} rounds; ${machine()}; whole run ${secs(performance.now() - t0)} s.\n\n`);
    process.stdout.write('Ratios (lber over the other library, higher is better for lber):\n');
    for (const l of ratios(best)) process.stdout.write(`${l}\n`);
    const judged = ONLY.length === LIBS.length && ONLY_WORKLOADS.length === WORKLOADS.length;
    let missed = 0;
    process.stdout.write('\nFloors (issue 5):\n');
    for (const f of floors(best)) {
      const ok = f.atLeast ? f.ratio >= f.want : f.ratio <= f.want;
      if (!ok) missed++;
      process.stdout.write(`- ${ok ? 'holds' : 'MISSED'}: ${f.text} = ${f.ratio.toFixed(2)} (${f.atLeast ? 'at least' : 'at most'} ${f.want.toFixed(2)})\n`);
    }
    if (!judged) {
      process.stdout.write('(a partial run: floors shown, not judged)\n');
      return 0;
    }
    return missed > 0 ? 1 : 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
