import { connect } from '@lber/ldap';

/** StartTLS, bind, search, modify, search again; returns what it saw. */
export async function clientExample(url: string, ca: string, bindDn: string, password: string, entry: string): Promise<string[]> {
  const client = await connect(url, { connectTimeoutMs: 5000, tls: { ca } });
  const seen: string[] = [];
  try {
    await client.startTLS(); // tls layer pushed mid-stream; any failure closes the connection
    await client.bind(bindDn, password);
    for await (const item of client.search(entry, { scope: 'base', attributes: ['description'] })) {
      if (item.type === 'entry') seen.push(`${item.dn}: ${item.string('description') ?? '(none)'}`);
    }
    await client.modify(entry, [{ operation: 'replace', modification: { type: 'description', values: ['set by lber'] } }]);
    const { entries } = await client.searchAll(entry, { scope: 'base', attributes: ['description'] });
    for (const e of entries) seen.push(`${e.dn}: ${e.string('description') ?? '(none)'}`);
  } finally {
    await client.unbind();
  }
  return seen;
}
