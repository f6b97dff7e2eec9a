/**
 * Content synchronization (RFC 4533) against slapd with syncprov: a
 * refreshAndPersist consumer sees entries added, modified and deleted by a
 * second connection, in order, and stops cleanly on abort (by Abandon or by
 * Cancel); refreshOnly ends with a sync done control and a cookie that a
 * later session resumes from.
 */
import { useSlapd } from '@lber/testkit';
import { LdapResultCode, LdapResultError, SYNC_STATE_OID, connect, decodeControls, syncRepl, whoAmI } from '@lber/ldap';
import type { LdapClient, SyncConsumer, SyncEntryEvent, SyncEvent } from '@lber/ldap';

const SUFFIX = 'dc=example,dc=com';
const BASE = `ou=sync,${SUFFIX}`;

const slapd = useSlapd({
  modules: ['syncprov'],
  databaseConfig: ['index entryUUID,entryCSN eq', 'overlay syncprov', 'syncprov-checkpoint 100 10'].join('\n'),
  ldif: [
    [`dn: ${BASE}`, 'objectClass: organizationalUnit', 'ou: sync', ''].join('\n'),
    [`dn: cn=first,${BASE}`, 'objectClass: organizationalRole', 'cn: first', ''].join('\n'),
  ].join('\n'),
});

const clients: LdapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (!c.closed) await c.unbind();
});

async function admin(): Promise<LdapClient> {
  const c = await connect(slapd().url);
  clients.push(c);
  await c.bind(slapd().rootDn, slapd().rootPassword);
  return c;
}

/** Collects a consumer's events in the background; `until` waits for a condition on them. */
function collect(consumer: SyncConsumer): { events: SyncEvent[]; ended: Promise<void>; until(pred: (events: SyncEvent[]) => boolean, ms?: number): Promise<void> } {
  const events: SyncEvent[] = [];
  const waiters: (() => void)[] = [];
  const ended = (async () => {
    for await (const event of consumer) {
      events.push(event);
      for (const w of waiters.splice(0)) w();
    }
  })();
  ended.catch(() => undefined);
  async function until(pred: (events: SyncEvent[]) => boolean, ms = 10000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(events)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting; events: ${JSON.stringify(events.map((e) => e.type))}`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), ended, new Promise((r) => setTimeout(r, 50))]);
    }
  }
  return { events, ended, until };
}

const entryEvents = (events: SyncEvent[]): SyncEntryEvent[] => events.filter((e): e is SyncEntryEvent => e.type === 'entry');

describe('refreshAndPersist', () => {
  test.each(['abandon', 'cancel'] as const)('sees add, modify, delete from a second connection in order, and stops cleanly on abort (%s)', async (stopWith) => {
    const c1 = await admin();
    const c2 = await admin();
    const ac = new AbortController();
    const sync = syncRepl(c1, BASE, { mode: 'refreshAndPersist', signal: ac.signal, attributes: ['cn', 'description'], stopWith });
    const run = collect(sync);
    await run.until((events) => events.some((e) => e.type === 'info'));
    expect(sync.refreshDone).toBe(true);
    const initial = entryEvents(run.events);
    expect(initial.map((e) => e.dn).sort()).toEqual([`cn=first,${BASE}`, BASE].sort());
    expect(initial.every((e) => e.state === 'add' || e.state === 'present')).toBe(true);
    const seen = run.events.length;

    const dn = `cn=${stopWith},${BASE}`;
    await c2.add(dn, { objectClass: 'organizationalRole', cn: stopWith });
    await c2.modify(dn, [{ operation: 'replace', modification: { type: 'description', values: ['changed'] } }]);
    await c2.delete(dn);
    await run.until((events) => entryEvents(events.slice(seen)).length >= 3);

    const changes = entryEvents(run.events.slice(seen));
    expect(changes.map((e) => e.state)).toEqual(['add', 'modify', 'delete']);
    expect(changes.map((e) => e.dn)).toEqual([dn, dn, dn]);
    expect(new Set(changes.map((e) => e.entryUUID)).size).toBe(1);
    expect(changes[0]?.entryUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(changes[1]?.entry.string('description')).toBe('changed');
    expect(decodeControls(changes[0]?.entry.controls).map((d) => d.type)).toEqual([SYNC_STATE_OID]);
    expect(sync.cookie?.toString()).toMatch(/csn=/);

    ac.abort();
    await expect(run.ended).resolves.toBeUndefined();
    expect(sync.stopped).toBe(true);
    expect(sync.stoppedBy).toBe(stopWith === 'cancel' ? 'canceled' : 'abandoned');
    // the connection goes on, with nothing left pending
    expect(await whoAmI(c1)).toBe(`dn:${slapd().rootDn}`);
    expect(c1.pending).toBe(0);
  });

  test('breaking out of the loop abandons the search', async () => {
    const c1 = await admin();
    const sync = syncRepl(c1, BASE, { mode: 'refreshAndPersist' });
    let n = 0;
    for await (const event of sync) {
      if (event.type === 'entry') n++;
      if (n === 1) break;
    }
    expect(n).toBe(1);
    expect(await whoAmI(c1)).toBe(`dn:${slapd().rootDn}`);
    expect(c1.pending).toBe(0);
  });

  test('a signal aborted before the start ends the consumer at once', async () => {
    const c1 = await admin();
    const sync = syncRepl(c1, BASE, { signal: AbortSignal.abort() });
    const events: SyncEvent[] = [];
    for await (const event of sync) events.push(event);
    expect(sync.stopped).toBe(true);
    expect(events.filter((e) => e.type === 'done')).toEqual([]);
  });
});

describe('refreshOnly', () => {
  test('ends with a sync done cookie; a later session from it sees only what changed', async () => {
    const c1 = await admin();
    const c2 = await admin();
    const first = syncRepl(c1, BASE, { mode: 'refreshOnly', attributes: ['cn'] });
    const events: SyncEvent[] = [];
    for await (const event of first) events.push(event);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    expect(first.cookie).toBeDefined();
    expect(first.refreshDone).toBe(true);
    expect(entryEvents(events).map((e) => e.dn)).toContain(`cn=first,${BASE}`);

    await c2.add(`cn=later,${BASE}`, { objectClass: 'organizationalRole', cn: 'later' });
    const second = syncRepl(c1, BASE, { mode: 'refreshOnly', cookie: first.cookie, attributes: ['cn'] });
    const again: SyncEvent[] = [];
    for await (const event of second) again.push(event);
    const added = entryEvents(again).filter((e) => e.state === 'add');
    expect(added.map((e) => e.dn)).toEqual([`cn=later,${BASE}`]);
    expect(again.at(-1)?.type).toBe('done');
  });

  test('a bad cookie is the server error, not a silent end', async () => {
    const c1 = await admin();
    const sync = syncRepl(c1, `ou=nowhere,${SUFFIX}`, { mode: 'refreshOnly' });
    let error: unknown;
    try {
      for await (const event of sync) void event;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LdapResultError);
    expect((error as LdapResultError).resultCode).toBe(LdapResultCode.noSuchObject);
  });
});
