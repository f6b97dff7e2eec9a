/**
 * The README's two examples are the files under examples/, verbatim, and
 * they work against a real slapd.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@lber/ldap';
import { repoRoot, useSlapd } from '@lber/testkit';
import { clientExample } from '../../../examples/client.js';
import { TAP_LEVEL, tapLayer } from '../../../examples/custom-layer.js';

const slapd = useSlapd();
const root = repoRoot();

function readmeBlock(file: string): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const marker = `<!-- example: ${file} -->`;
  const at = readme.indexOf(marker);
  if (at === -1) throw new Error(`README.md has no ${marker}`);
  const open = readme.indexOf('```ts\n', at);
  const close = readme.indexOf('\n```', open);
  return readme.slice(open + '```ts\n'.length, close + 1);
}

test.each(['examples/client.ts', 'examples/custom-layer.ts'])('README shows %s verbatim', (file) => {
  expect(readmeBlock(file)).toBe(readFileSync(path.join(root, file), 'utf8'));
});

test('the client example runs against slapd', async () => {
  const s = slapd();
  const alice = s.users.find((u) => u.uid === 'alice')!;
  const seen = await clientExample(s.url, s.caCert, s.rootDn, s.rootPassword, alice.dn);
  expect(seen).toHaveLength(2);
  expect(seen[0]!.startsWith(`${alice.dn}: `)).toBe(true);
  expect(seen[1]).toBe(`${alice.dn}: set by lber`);
});

test('the custom layer sees the PDUs both ways on a live connection', async () => {
  const s = slapd();
  const client = await connect(s.url);
  try {
    await client.bind(s.rootDn, s.rootPassword);
    const chunks: Array<['read' | 'write', Buffer]> = [];
    expect(client.sockbuf.addIo(tapLayer, TAP_LEVEL, (dir, bytes) => chunks.push([dir, Buffer.from(bytes)]))).toBe(0);
    const { entries } = await client.searchAll(s.suffix, { scope: 'base' });
    expect(client.sockbuf.removeIo(tapLayer, TAP_LEVEL)).toBe(0);
    expect(entries).toHaveLength(1);
    const written = Buffer.concat(chunks.filter(([d]) => d === 'write').map(([, b]) => b));
    const read = Buffer.concat(chunks.filter(([d]) => d === 'read').map(([, b]) => b));
    expect(written[0]).toBe(0x30); // an LDAPMessage SEQUENCE went out
    expect(read.includes(Buffer.from(s.suffix))).toBe(true); // and the entry came back through the layer
    const before = chunks.length;
    await client.searchAll(s.suffix, { scope: 'base' });
    expect(chunks.length).toBe(before); // popped: no longer called
  } finally {
    await client.unbind();
  }
});
