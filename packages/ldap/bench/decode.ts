/**
 * Pure decode benchmark: 100,000 SearchResultEntry PDUs of the recorded
 * shape (as packages/ber/bench: ~13 attributes, ~535 bytes each, one in
 * ten with a 400-byte jpegPhoto), built in memory as one stream, framed
 * with berElementSize and decoded by decodeResponse with one reused
 * reader, as the connection will do.
 *
 *   node --import tsx --conditions lber-source bench/decode.ts [count] [rounds]
 */
import { pathToFileURL } from 'node:url';
import { BerWriter, berElementSize } from '@lber/ber';
import { createMessageReader, decodeResponse, encodeResponse, type AttributeInput, type LdapResponse } from '@lber/ldap';

/** mulberry32: a small seeded generator, so every run sees the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Zoë', 'José', 'Søren', 'Ärni', 'Chloé', 'Đorđe'];
const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Müller', 'García', 'Kierkegaard', 'Łukasiewicz', 'Dvořák', '山田'];
const CITIES = ['Paris', 'Zürich', 'Kraków', 'São Paulo', 'Reykjavík', 'Boston', '東京', 'Berlin', 'Århus', 'Lyon'];
const TITLES = ['Engineer', 'Senior Engineer', 'Ingénieure principale', 'Manager', 'Directeur général', 'Analyst', 'Architect'];
const DEPARTMENTS = ['R&D', 'Sales', 'Support', 'Opérations', 'Finance'];

/** The stream of `count` SearchResultEntry LDAPMessages, one after the other. */
export function buildStream(count: number): Buffer {
  const random = prng(0x1dab);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const w = new BerWriter({ initialSize: count * 560 });
  for (let i = 0; i < count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const uid = `user${String(i).padStart(6, '0')}`;
    const attributes: AttributeInput[] = [
      { type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'] },
      { type: 'uid', values: [uid] },
      { type: 'cn', values: [`${first} ${last}`] },
      { type: 'sn', values: [last] },
      { type: 'givenName', values: [first] },
      { type: 'mail', values: [`${uid}@example.com`] },
      { type: 'telephoneNumber', values: random() < 0.4 ? [`+1 555 ${1000 + (i % 9000)}`, `+33 1 42 68 ${10 + (i % 90)} ${10 + (i % 89)}`] : [`+1 555 ${1000 + (i % 9000)}`] },
      { type: 'title', values: [pick(TITLES)] },
      { type: 'l', values: [pick(CITIES)] },
      { type: 'departmentNumber', values: [pick(DEPARTMENTS)] },
      { type: 'employeeNumber', values: [String(100000 + i)] },
      { type: 'description', values: [`Compte créé pour ${first} ${last} — équipe ${pick(DEPARTMENTS)}, site ${pick(CITIES)}`] },
      { type: 'manager', values: [`uid=user${String(i % 977).padStart(6, '0')},ou=People,dc=example,dc=com`] },
    ];
    if (i % 10 === 0) {
      const photo = Buffer.alloc(400);
      for (let b = 0; b < photo.length; b++) photo[b] = Math.floor(random() * 256);
      attributes.push({ type: 'jpegPhoto', values: [photo] });
    }
    encodeResponse(w, (i % 0x7fff_fffe) + 1, { type: 'searchResEntry', objectName: `uid=${uid},ou=People,dc=example,dc=com`, attributes });
  }
  return w.toBuffer();
}

/** Frames and decodes the whole stream; returns entries decoded and a checksum the optimizer cannot drop. */
export function decodeStream(stream: Buffer): { entries: number; check: number } {
  const reader = createMessageReader();
  let entries = 0;
  let check = 0;
  let at = 0;
  while (at < stream.length) {
    const size = berElementSize(stream, at);
    if (size < 0) throw new Error('truncated stream');
    const message = decodeResponse(stream.subarray(at, at + size), reader);
    at += size;
    const op: LdapResponse = message.protocolOp;
    if (op.type === 'searchResEntry') {
      entries++;
      check += op.attributes.length + op.objectName.length;
    }
  }
  return { entries, check };
}

function main(): void {
  const count = Number(process.argv[2] ?? 100_000);
  const rounds = Number(process.argv[3] ?? 5);
  const stream = buildStream(count);
  console.log(`stream: ${count} SearchResultEntry PDUs, ${stream.length} bytes (${(stream.length / count).toFixed(0)} bytes each)`);
  decodeStream(buildStream(Math.min(count, 5_000))); // warm up
  let best = 0;
  for (let round = 1; round <= rounds; round++) {
    const start = process.hrtime.bigint();
    const { entries } = decodeStream(stream);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = entries / seconds;
    best = Math.max(best, rate);
    console.log(`round ${round}: ${entries} entries in ${(seconds * 1000).toFixed(1)} ms = ${Math.round(rate).toLocaleString('en-US')} entries/s`);
  }
  console.log(`best: ${Math.round(best).toLocaleString('en-US')} entries/s (decodeResponse, one reused reader)`);
}

// run when executed, not when imported
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
