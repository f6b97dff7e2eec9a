/**
 * Streaming against a slapd holding 100,000 generated entries: a search
 * consumed by a slow iterator keeps memory bounded (the read loop stops,
 * the provider pauses the socket, TCP pushes back on slapd), abort in the
 * middle sends an Abandon and the next operation on the same connection
 * succeeds; paged results over the whole set.
 *
 * The bound asserted: RSS growth under 64 MiB over the whole 100,000-entry
 * search while the consumer repeatedly stalls (the figure).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sockbufIoTcp, streamStateOf } from '@lber/sockbuf';
import { repoRoot, useSlapd } from '@lber/testkit';

const execFileAsync = promisify(execFile);
import { connect } from '@lber/ldap';
import type { LdapClient, SearchStream } from '@lber/ldap';

const ENTRIES = 100_000;
const slapd = useSlapd({ entries: ENTRIES, logLevel: 'stats' });
let client: LdapClient;

beforeAll(async () => {
  client = await connect(slapd().url);
  await client.bind(slapd().rootDn, slapd().rootPassword);
}, 60000);
afterAll(async () => {
  await client.unbind();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = 1024 * 1024;

test('a stalled consumer: the read loop holds, the socket pauses, the queue stays at the high-water mark', async () => {
  const stream = client.search(slapd().bulkBase, { scope: 'one', highWaterMark: 32 });
  const first = await stream.next();
  expect(first.done).toBe(false);
  await sleep(500);
  // nothing pulled for 500 ms: at most the high-water mark is queued ...
  expect(stream.buffered).toBeLessThanOrEqual(32);
  expect(client.connection.held).toBe(true);
  // ... and the provider stopped reading from the socket
  const provider = streamStateOf(client.sockbuf, sockbufIoTcp);
  expect(provider?.paused).toBe(true);
  expect(provider!.queued).toBeLessThan(provider!.highWaterMark + 2 * MiB);
  stream.abandon();
  await expect(stream.result).rejects.toMatchObject({ code: 'ABORTED' });
  expect(client.connection.held).toBe(false);
  await expect(client.compare(slapd().users[0]!.dn, 'uid', 'alice')).resolves.toBe(true);
}, 60000);

test(`${ENTRIES} entries through a slow iterator: RSS growth stays under 64 MiB`, async () => {
  // measured in a process of its own (fixtures/slow-consumer.ts): the test
  // worker's RSS carries whatever the test files before this one left behind
  const script = fileURLToPath(new URL('./fixtures/slow-consumer.ts', import.meta.url));
  const args = ['--import', 'tsx', '--conditions', 'lber-source', script, slapd().url, slapd().rootDn, slapd().rootPassword, slapd().bulkBase];
  const { stdout } = await execFileAsync(process.execPath, args, { cwd: repoRoot(), timeout: 100_000 });
  const { count, lastUid, baseline, peak } = JSON.parse(stdout) as { count: number; lastUid: string; baseline: number; peak: number };
  expect(count).toBe(ENTRIES);
  expect(lastUid).toMatch(/^user\d{6}$/);
  expect(peak - baseline).toBeLessThan(64 * MiB);
}, 120000);

test('abort in the middle sends an Abandon; the next operation on the connection succeeds', async () => {
  const ac = new AbortController();
  const stream: SearchStream = client.search(slapd().bulkBase, { scope: 'one', signal: ac.signal });
  let count = 0;
  let error: unknown;
  try {
    for await (const item of stream) {
      if (item.type === 'entry' && ++count === 50_000) ac.abort();
    }
  } catch (e) {
    error = e;
  }
  expect(count).toBe(50_000);
  expect(error).toMatchObject({ code: 'ABORTED' });
  const id = stream.messageId;
  expect(client.connection.registry.has(id)).toBe(false);
  await expect(client.compare(slapd().users[0]!.dn, 'uid', 'alice')).resolves.toBe(true);
  const { entries } = await client.searchAll(slapd().users[1]!.dn, { scope: 'base' });
  expect(entries[0]!.string('uid')).toBe('bob');
  // slapd saw the Abandon for the search's message id
  let log = '';
  for (let i = 0; i < 50 && !new RegExp(`ABANDON msg=${id}\\b`).test(log); i++) {
    await sleep(20);
    log = slapd().readLog();
  }
  expect(log).toMatch(new RegExp(`ABANDON msg=${id}\\b`));
}, 120000);

test('break out of the loop abandons too', async () => {
  const stream = client.search(slapd().bulkBase, { scope: 'one' });
  let n = 0;
  for await (const item of stream) {
    if (item.type === 'entry' && ++n === 10) break;
  }
  await expect(stream.result).rejects.toMatchObject({ code: 'ABORTED' });
  await expect(client.compare(slapd().users[0]!.dn, 'uid', 'alice')).resolves.toBe(true);
}, 60000);

test('paged by 1,000: every entry, one request per page', async () => {
  const stream = client.search(slapd().bulkBase, { scope: 'one', attributes: ['uid'], paged: { pageSize: 1000 } });
  let count = 0;
  for await (const item of stream) if (item.type === 'entry') count++;
  expect(count).toBe(ENTRIES);
  expect(stream.pages).toBeGreaterThanOrEqual(ENTRIES / 1000);
  await expect(stream.result).resolves.toMatchObject({ resultCode: 0 });
}, 120000);
