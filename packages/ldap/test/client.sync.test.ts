/**
 * Intermediate responses in a search stream, from a real source: slapd's
 * syncprov answering an RFC 4533 refreshAndPersist search. The refresh
 * phase's entries come first, then a Sync Info IntermediateResponse
 * (refreshDone), then, in the persist phase, an entry for each change made
 * on another connection. Abandoning the endless search leaves the
 * connection usable.
 */
import { useSlapd } from '@lber/testkit';
import { connect } from '@lber/ldap';
import type { LdapClient, SearchItem } from '@lber/ldap';

const slapd = useSlapd({ modules: ['syncprov'], databaseConfig: 'overlay syncprov' });

/** Sync Request Control, mode refreshAndPersist (3): SEQUENCE { ENUMERATED 3 }. */
const syncRequest = { type: '1.3.6.1.4.1.4203.1.9.1.1', criticality: true, value: Buffer.from('30030a0103', 'hex') };
/** The Sync Info Message's responseName (RFC 4533 2.5). */
const SYNC_INFO_OID = '1.3.6.1.4.1.4203.1.9.1.4';

let reader: LdapClient;
let writer: LdapClient;
afterAll(async () => {
  await reader.unbind();
  await writer.unbind();
});

test('refreshAndPersist: entries, a Sync Info intermediate response, then live changes; abandon ends it', async () => {
  reader = await connect(slapd().url);
  writer = await connect(slapd().url);
  await reader.bind(slapd().rootDn, slapd().rootPassword);
  await writer.bind(slapd().rootDn, slapd().rootPassword);
  const stream = reader.search(`ou=people,${slapd().suffix}`, { scope: 'one', filter: '(objectClass=inetOrgPerson)', controls: [syncRequest] });
  const seen: SearchItem[] = [];
  for (;;) {
    const step: IteratorResult<SearchItem> = await stream.next();
    expect(step.done).toBe(false);
    if (step.done === true) break;
    seen.push(step.value);
    if (step.value.type === 'intermediate') break;
  }
  const info = seen.at(-1)!;
  expect(info).toMatchObject({ type: 'intermediate', responseName: SYNC_INFO_OID });
  expect(seen.filter((i) => i.type === 'entry')).toHaveLength(4);
  // every refresh entry carries a Sync State control
  for (const item of seen) if (item.type === 'entry') expect(item.controls.map((c) => c.type)).toContain('1.3.6.1.4.1.4203.1.9.1.2');

  // persist phase: a change on the other connection shows up in the stream
  await writer.modify(slapd().users[1]!.dn, [{ operation: 'replace', modification: { type: 'description', values: ['changed'] } }]);
  const next: IteratorResult<SearchItem> = await stream.next();
  expect(next.done).toBe(false);
  const changed = next.value as SearchItem;
  expect(changed.type).toBe('entry');
  if (changed.type === 'entry') {
    expect(changed.dn).toBe(slapd().users[1]!.dn);
    expect(changed.string('description')).toBe('changed');
  }

  stream.abandon();
  await expect(stream.result).rejects.toMatchObject({ code: 'ABORTED' });
  await expect(reader.compare(slapd().users[1]!.dn, 'description', 'changed')).resolves.toBe(true);
});

