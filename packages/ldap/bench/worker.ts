/**
 * One measurement of the LDAP client benchmark, in a process of its own
 * (started by run.ts), so that CPU time and peak RSS belong to one library
 * and one workload, and slapd's CPU is not counted.
 *
 *   node --import tsx --conditions lber-source bench/worker.ts '<json WorkerJob>'
 *
 * Prints one line: `RESULT <json WorkerResult>`.
 *
 * Every library's consumer touches every entry the same way (see
 * {@link Tally}): it counts the entry, the length of its DN, each attribute
 * and each value with its length, in the form the library hands values out
 * with the least work (lber: Buffer views; ldapts: the strings, or Buffers,
 * its parser made; ldapjs: `attribute.buffers`). Nothing is kept, except
 * where the library's own API collects the whole result (ldapts `search`).
 */
import { createRequire } from 'node:module';
import { readFileSync, writeSync } from 'node:fs';
import type { SearchEntry as LberEntry } from '@lber/ldap';

/** What run.ts asks for. */
export interface WorkerJob {
  lib: Library;
  workload: Workload;
  url: string;
  bindDn: string;
  password: string;
  /** Base of the full searches. */
  base: string;
  /** The small-search workloads search entry n (1..ops + warmup) by scope base, at `${dnHead}${n padded to 6}${dnTail}`. */
  dnHead: string;
  dnTail: string;
  ops: number;
  pageSize: number;
  /** Base searches done before the measurement (JIT warm-up); 0 for none. */
  warmup: number;
  /** Decode workload: the file holding the recorded response stream. */
  recording?: string;
  /** Decode workload: timed passes over the recording (the best is kept). */
  passes?: number;
}

export type Library = 'lber' | 'ldapts' | 'ldapjs';
export type Workload = 'plain' | 'paged' | 'base1' | 'base64' | 'decode';

/** What the consumer saw and what it cost. */
export interface WorkerResult {
  lib: Library;
  workload: Workload;
  /** Entries received (all searches). */
  entries: number;
  /** Operations completed (the searches themselves). */
  ops: number;
  dnChars: number;
  attributes: number;
  values: number;
  valueLength: number;
  wallMs: number;
  /** process.cpuUsage() user + system over the measurement, all threads (GC included). */
  cpuMs: number;
  /** The system part of cpuMs (the kernel's work for this process's syscalls, loopback TCP included). */
  sysMs: number;
  /** process.resourceUsage().maxRSS at the end (peak of the process), KiB. */
  maxRssKiB: number;
  /** maxRSS before the measurement began (after imports, connect and warm-up), KiB. */
  startRssKiB: number;
}

/** The consumer: reads every entry, keeps nothing. */
class Tally {
  entries = 0;
  ops = 0;
  dnChars = 0;
  attributes = 0;
  values = 0;
  valueLength = 0;

  entry(dn: string): void {
    this.entries++;
    this.dnChars += dn.length;
  }

  attribute(values: readonly (string | Buffer)[]): void {
    this.attributes++;
    this.values += values.length;
    for (let i = 0; i < values.length; i++) this.valueLength += values[i]!.length;
  }
}

/** One library behind the same three calls. */
interface Driver {
  /** Subtree search of `base` (paged when pageSize > 0), every entry to the tally. */
  full(base: string, pageSize: number, t: Tally): Promise<void>;
  /** One base-object search. */
  base(dn: string, t: Tally): Promise<void>;
  close(): Promise<void>;
}

// ------------------------------------------------------------------- lber

async function lberDriver(job: WorkerJob): Promise<Driver> {
  const { connect } = await import('@lber/ldap');
  const client = await connect(job.url);
  await client.bind(job.bindDn, job.password);
  const touch = (e: LberEntry, t: Tally): void => {
    t.entry(e.dn);
    for (const a of e.attributes) t.attribute(a.values);
  };
  return {
    async full(base, pageSize, t) {
      const stream = client.search(base, pageSize > 0 ? { scope: 'sub', paged: { pageSize } } : { scope: 'sub' });
      for await (const item of stream) if (item.type === 'entry') touch(item, t);
      t.ops++;
    },
    async base(dn, t) {
      const { entries } = await client.searchAll(dn, { scope: 'base' });
      for (const e of entries) touch(e, t);
      t.ops++;
    },
    close: () => client.unbind(),
  };
}

// ----------------------------------------------------------------- ldapts

type LdaptsEntry = Record<string, string | Buffer | (string | Buffer)[]>;

function touchLdapts(e: LdaptsEntry, t: Tally): void {
  t.entry(e.dn as string);
  for (const key in e) {
    if (key === 'dn') continue;
    const v = e[key]!;
    t.attribute(Array.isArray(v) ? v : [v]);
  }
}

async function ldaptsDriver(job: WorkerJob): Promise<Driver> {
  const { Client } = await import('ldapts');
  const client = new Client({ url: job.url });
  await client.bind(job.bindDn, job.password);
  return {
    async full(base, pageSize, t) {
      if (pageSize > 0) {
        // the paged API that hands out page by page (search() with paged collects everything)
        for await (const page of client.searchPaginated(base, { scope: 'sub', paged: { pageSize } })) {
          for (const e of page.searchEntries) touchLdapts(e, t);
        }
      } else {
        // ldapts has no streaming search: search() collects the whole result
        const { searchEntries } = await client.search(base, { scope: 'sub' });
        for (const e of searchEntries) touchLdapts(e, t);
      }
      t.ops++;
    },
    async base(dn, t) {
      const { searchEntries } = await client.search(dn, { scope: 'base' });
      for (const e of searchEntries) touchLdapts(e, t);
      t.ops++;
    },
    close: () => client.unbind(),
  };
}

// ----------------------------------------------------------------- ldapjs

/** The part of ldapjs 3 used here (it ships no types). */
interface LdapjsAttribute {
  readonly type: string;
  readonly buffers: Buffer[];
}
interface LdapjsEntry {
  readonly objectName: string | { toString(): string };
  readonly attributes: LdapjsAttribute[];
}
interface LdapjsSearchResponse {
  on(event: 'searchEntry', fn: (entry: LdapjsEntry) => void): void;
  on(event: 'error', fn: (error: Error) => void): void;
  on(event: 'end', fn: (result: { status: number } | null) => void): void;
  on(event: 'page' | 'searchReference', fn: () => void): void;
}
interface LdapjsClient {
  on(event: 'error', fn: (error: Error) => void): void;
  bind(dn: string, password: string, cb: (error: Error | null) => void): void;
  search(base: string, options: Record<string, unknown>, cb: (error: Error | null, res: LdapjsSearchResponse) => void): void;
  unbind(cb: (error?: Error | null) => void): void;
}
interface LdapjsModule {
  createClient(options: { url: string[] }): LdapjsClient;
}

const require = createRequire(import.meta.url);

function touchLdapjs(e: LdapjsEntry, t: Tally): void {
  t.entry(typeof e.objectName === 'string' ? e.objectName : e.objectName.toString());
  for (const a of e.attributes) t.attribute(a.buffers);
}

async function ldapjsDriver(job: WorkerJob): Promise<Driver> {
  const ldapjs = require('ldapjs') as LdapjsModule;
  const client = ldapjs.createClient({ url: [job.url] });
  client.on('error', (error) => {
    process.stderr.write(`ldapjs client error: ${error.message}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    client.bind(job.bindDn, job.password, (error) => (error ? reject(error) : resolve()));
  });
  const search = (base: string, options: Record<string, unknown>, t: Tally): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      client.search(base, options, (error, res) => {
        if (error) {
          reject(error);
          return;
        }
        res.on('searchEntry', (e) => touchLdapjs(e, t));
        res.on('error', reject);
        res.on('end', (result) => {
          if (result !== null && result.status !== 0) reject(new Error(`ldapjs search ended with status ${result.status}`));
          else resolve();
        });
      });
    });
  return {
    async full(base, pageSize, t) {
      // ldapjs turns a timeLimit of 0 into 10 s, so ask for a long one
      const options: Record<string, unknown> = { scope: 'sub', timeLimit: 3600 };
      if (pageSize > 0) options.paged = { pageSize, pagePause: false };
      await search(base, options, t);
      t.ops++;
    },
    async base(dn, t) {
      await search(dn, { scope: 'base', timeLimit: 3600 }, t);
      t.ops++;
    },
    close: () => new Promise<void>((resolve) => client.unbind(() => resolve())),
  };
}

// ------------------------------------------------------------- pure decode

/** A decoder of the recorded stream: feeds it all, calls the tally per entry. */
type Decoder = (stream: Buffer, chunks: readonly Buffer[], t: Tally) => void;

async function lberDecoder(): Promise<Decoder> {
  const { berElementSize } = await import('@lber/ber');
  const { createMessageReader, decodeResponse } = await import('@lber/ldap');
  const reader = createMessageReader();
  // lber frames the contiguous stream in place (as its connection frames its input buffer)
  return (stream, _chunks, t) => {
    let at = 0;
    while (at < stream.length) {
      const size = berElementSize(stream, at);
      if (size < 0) throw new Error('lber: truncated stream');
      const op = decodeResponse(stream.subarray(at, at + size), reader).protocolOp;
      at += size;
      if (op.type === 'searchResEntry') {
        t.entry(op.objectName);
        for (const a of op.attributes) t.attribute(a.values);
      }
      t.ops++;
    }
  };
}

interface Emitter<M> {
  on(event: 'message', fn: (m: M) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
}

async function ldaptsDecoder(): Promise<Decoder> {
  const { MessageParser, SearchEntry } = await import('ldapts');
  const parser = new MessageParser();
  const details = new Map<string, never>();
  let tally = new Tally();
  (parser as unknown as Emitter<object>).on('message', (m) => {
    tally.ops++;
    if (m instanceof SearchEntry) {
      tally.entry(m.name);
      for (const a of m.attributes) tally.attribute(a.values);
    }
  });
  (parser as unknown as Emitter<object>).on('error', (e) => {
    throw e;
  });
  // ldapts's parser recurses once per message left in a chunk, so it gets socket-sized chunks
  return (_stream, chunks, t) => {
    tally = t;
    for (const c of chunks) parser.read(c, details);
  };
}

async function ldapjsDecoder(): Promise<Decoder> {
  await Promise.resolve();
  const Parser = require('ldapjs/lib/messages/parser') as new () => Emitter<{ protocolOp: number } & Partial<LdapjsEntry>> & { write(b: Buffer): boolean };
  const parser = new Parser();
  let tally = new Tally();
  parser.on('message', (m) => {
    tally.ops++;
    if (m.protocolOp === 0x64) touchLdapjs(m as LdapjsEntry, tally);
  });
  parser.on('error', (e) => {
    throw e;
  });
  return (_stream, chunks, t) => {
    tally = t;
    for (const c of chunks) parser.write(c);
  };
}

// -------------------------------------------------------------------- run

/** Tells run.ts when the measurement starts and ends (it reads slapd's CPU time then). */
function mark(what: 'start' | 'end'): void {
  writeSync(1, `MARK ${what}\n`);
}

/** Slice size of the recorded stream for the parsers that take socket chunks. */
const DECODE_CHUNK = 64 * 1024;

function cpuMs(from: NodeJS.CpuUsage): { cpu: number; sys: number } {
  const u = process.cpuUsage(from);
  return { cpu: (u.user + u.system) / 1000, sys: u.system / 1000 };
}

async function measure(job: WorkerJob): Promise<WorkerResult> {
  let t = new Tally();
  let wallMs: number;
  let cpu: number;
  let sys = 0;
  let startRssKiB: number;
  if (job.workload === 'decode') {
    const stream = readFileSync(job.recording!);
    // 64 KiB slices: what one read of a Node socket hands over at most
    const chunks: Buffer[] = [];
    for (let at = 0; at < stream.length; at += DECODE_CHUNK) chunks.push(stream.subarray(at, at + DECODE_CHUNK));
    const decode = job.lib === 'lber' ? await lberDecoder() : job.lib === 'ldapts' ? await ldaptsDecoder() : await ldapjsDecoder();
    decode(stream, chunks, new Tally()); // warm-up pass
    startRssKiB = process.resourceUsage().maxRSS;
    mark('start');
    wallMs = Infinity;
    cpu = Infinity;
    for (let pass = 0; pass < (job.passes ?? 3); pass++) {
      const tp = new Tally();
      const w0 = performance.now();
      const c0 = process.cpuUsage();
      decode(stream, chunks, tp);
      const c = cpuMs(c0);
      const w = performance.now() - w0;
      if (c.cpu < cpu) {
        cpu = c.cpu;
        sys = c.sys;
        t = tp;
      }
      wallMs = Math.min(wallMs, w);
    }
    mark('end');
  } else {
    const driver = job.lib === 'lber' ? await lberDriver(job) : job.lib === 'ldapts' ? await ldaptsDriver(job) : await ldapjsDriver(job);
    // warm-up: the same code paths, on other entries than the measured ones
    const warm = new Tally();
    const warmDns = dnList.slice(-job.warmup);
    for (let i = 0; i < warmDns.length; i += 8) await Promise.all(warmDns.slice(i, i + 8).map((dn) => driver.base(dn, warm)));
    startRssKiB = process.resourceUsage().maxRSS;
    mark('start');
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    switch (job.workload) {
      case 'plain':
        await driver.full(job.base, 0, t);
        break;
      case 'paged':
        await driver.full(job.base, job.pageSize, t);
        break;
      case 'base1':
      case 'base64': {
        const outstanding = job.workload === 'base1' ? 1 : 64;
        const dns = dnList.slice(0, job.ops);
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < dns.length) await driver.base(dns[next++]!, t);
        };
        await Promise.all(Array.from({ length: outstanding }, lane));
        break;
      }
    }
    ({ cpu, sys } = cpuMs(c0));
    wallMs = performance.now() - w0;
    mark('end');
    await driver.close();
  }
  return {
    lib: job.lib,
    workload: job.workload,
    entries: t.entries,
    ops: t.ops,
    dnChars: t.dnChars,
    attributes: t.attributes,
    values: t.values,
    valueLength: t.valueLength,
    wallMs,
    cpuMs: cpu,
    sysMs: sys,
    maxRssKiB: process.resourceUsage().maxRSS,
    startRssKiB,
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob;
const dnList: string[] = [];
for (let n = 1; n <= job.ops + job.warmup; n++) dnList.push(`${job.dnHead}${String(n).padStart(6, '0')}${job.dnTail}`);
measure(job).then(
  (result) => {
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`worker ${job.lib}/${job.workload} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
