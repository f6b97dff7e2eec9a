/**
 * docs/porting.md promises that every lber.h row marked "done" is exported.
 * This test holds it to that: a renamed or removed export fails here.
 */
import * as ber from '@lber/ber';
import * as sockbuf from '@lber/sockbuf';
import { repoRoot } from '@lber/testkit';
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Row {
  cName: string;
  tsNames: string[];
  pkg: string;
  status: string;
}

function tableRows(): Row[] {
  const text = readFileSync(path.join(repoRoot(), 'docs', 'porting.md'), 'utf8');
  const table = text.slice(text.indexOf('## The table'));
  const rows: Row[] = [];
  for (const line of table.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 7 || !cells[1]!.startsWith('`')) continue;
    const tsNames = [...cells[3]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    rows.push({ cName: cells[1]!.replaceAll('`', ''), tsNames, pkg: cells[4]!, status: cells[5]! });
  }
  return rows;
}

const rows = tableRows();
const exportsOf: Record<string, Record<string, unknown>> = { '@lber/ber': ber, '@lber/sockbuf': sockbuf };

test('the table covers lber.h', () => {
  // 81 functions and variables, about 80 constants and macros in lber.h 2.5.13.
  expect(rows.length).toBeGreaterThan(150);
  const names = new Set(rows.map((r) => r.cName));
  for (const must of ['ber_printf', 'ber_scanf', 'ber_get_next', 'ber_sockbuf_add_io', 'LBER_SB_OPT_UNGET_BUF', 'LBER_SBIOD_READ_NEXT']) {
    expect(names).toContain(must);
  }
});

test.each(rows.filter((r) => r.status === 'done').map((r) => [r.cName, r] as const))('%s is exported as the table says', (_name, row) => {
  const mod = exportsOf[row.pkg];
  expect(mod).toBeDefined();
  for (const ts of row.tsNames) {
    if (ts.startsWith('sbiod')) {
      // Descriptor methods: the free-function form must exist, the method on the class.
      const fn = ts.includes('.') ? null : ts.replace(/\(\)$/, '');
      if (fn !== null) expect(typeof mod![fn]).toBe('function');
      continue;
    }
    expect(mod![ts]).toBeDefined();
  }
});

test('every row has a status', () => {
  for (const row of rows) expect(row.status).toMatch(/^(done|planned|n\/a)/);
});
