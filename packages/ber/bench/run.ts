/**
 * Benchmark: decoding and encoding LDAP SearchResultEntry messages with
 * @lber/ber's BerReader/BerWriter, @ldapjs/asn1 and asn1js, in one run.
 *
 *   npm run bench -w @lber/ber            (5 rounds)
 *   BENCH_ROUNDS=3 npm run bench -w @lber/ber
 *
 * The stream is made in memory: 100,000 messages
 *
 *   LDAPMessage ::= SEQUENCE { messageID INTEGER,
 *     protocolOp [APPLICATION 4] SEQUENCE {          -- SearchResultEntry
 *       objectName LDAPDN,
 *       attributes SEQUENCE OF SEQUENCE { type AttributeDescription,
 *                                         vals SET OF OCTET STRING } } }
 *
 * with about 13 attribute types each, some multi-valued, some non-ASCII
 * UTF-8, and a binary value on every tenth entry. Each library frames and
 * decodes the whole stream into entry objects that are all kept (the
 * "decode" column: `{ messageId, dn, attributes: { type, values: Buffer[] }[] }`,
 * or for lber's second row its offsets entries, see entries.ts), decodes it
 * handing each entry to a consumer that reads every value and keeps none
 * (the "streamed" column, as a client's search iterator works), and
 * encodes the same entry objects back into messages (one Buffer per
 * message). Every measurement runs in a fresh process (bench/worker.ts):
 * a library never runs in a heap another one filled, and no forced GC
 * is needed between timings. Rounds alternate the libraries and keep the
 * best of each figure, so a busy machine skews less. Rates are per
 * CPU-second of the worker. asn1js is much slower: it runs on the first
 * 10,000 messages, one round, its rates still per second. Each worker
 * checks that its library decodes the same entries and encodes the same
 * bytes as lber.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { LIBRARIES, type LibraryName, type WorkerResult } from './worker.js';

const MESSAGES = 100_000;
const ASN1JS_MESSAGES = 10_000;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

const LABEL: Record<LibraryName, string> = {
  lber: 'lber, Buffer-per-value entries (BerReader/BerWriter)',
  'lber-spans': 'lber, offsets entries (BerReader spans)',
  ldapjs: '@ldapjs/asn1 (BerReader/BerWriter)',
  asn1js: 'asn1js (fromBER/toBER)',
};

function measure(library: LibraryName, messages: number): WorkerResult {
  const r = spawnSync(process.execPath, [...process.execArgv, WORKER, library, String(messages)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || line === undefined) throw new Error(`${library}: the worker failed (exit ${r.status})\n${r.stderr}`);
  const result = JSON.parse(line.slice('RESULT '.length)) as WorkerResult & { encode: number | null };
  return { ...result, encode: result.encode ?? NaN };
}

const started = performance.now();
const best = new Map<LibraryName, WorkerResult>();
for (let round = 0; round < ROUNDS; round++) {
  const order = LIBRARIES.map((_, i) => LIBRARIES[(i + round) % LIBRARIES.length]!);
  for (const library of order) {
    if (library === 'asn1js' && round > 0) continue;
    const r = measure(library, library === 'asn1js' ? ASN1JS_MESSAGES : MESSAGES);
    const b = best.get(library);
    best.set(
      library,
      b === undefined ? r : { ...b, decode: Math.max(b.decode, r.decode), decodeKept: Math.max(b.decodeKept, r.decodeKept), encode: Math.max(b.encode, r.encode) },
    );
  }
  process.stdout.write(`round ${round + 1} of ${ROUNDS} done\n`);
}

const base = best.get('ldapjs')!;
const fmt = (n: number): string => (Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const ratio = (n: number, d: number): string => (Number.isNaN(n) ? '-' : `${(n / d).toFixed(2)}x`);
const lines = [
  '| library | messages | decode entries/s (all kept) | encode entries/s | decode vs @ldapjs/asn1 | encode vs @ldapjs/asn1 | decode streamed to a consumer, entries/s (vs @ldapjs/asn1) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...LIBRARIES.map((library) => {
    const r = best.get(library)!;
    const subset = r.messages < MESSAGES ? ' (subset; rates per second)' : '';
    return `| ${LABEL[library]} | ${fmt(r.messages)}${subset} | ${fmt(r.decodeKept)} | ${fmt(r.encode)} | ${ratio(r.decodeKept, base.decodeKept)} | ${ratio(r.encode, base.encode)} | ${fmt(r.decode)} (${ratio(r.decode, base.decode)}) |`;
  }),
];
process.stdout.write(`\n${lines.join('\n')}\n\n`);
process.stdout.write(
  `node ${process.version}, rates per CPU-second of a fresh worker process per measurement, best of ${ROUNDS} alternating rounds (asn1js: 1), ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s in all; every decoder checked against the source entries, every encoder against lber's bytes\n`,
);

const lber = best.get('lber')!;
const spans = best.get('lber-spans')!;
const floor = 3;
for (const [what, mine, theirs] of [
  ['decode, lber offsets entries', spans.decodeKept, base.decodeKept],
  ['decode, lber Buffer-per-value entries', lber.decodeKept, base.decodeKept],
  ['encode', lber.encode, base.encode],
] as const) {
  process.stdout.write(`floor ${floor}x ${what}: ${mine >= floor * theirs ? 'met' : 'MISSED'} (${ratio(mine, theirs)})\n`);
}
