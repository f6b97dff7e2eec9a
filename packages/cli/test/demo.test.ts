/**
 * Smoke test: `npm run demo` (scripts/demo.ts) starts its own slapd, runs
 * every step and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the demo runs every step and exits 0', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions', 'lber-source', 'scripts/demo.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).not.toContain('FAILED');
  expect(r.status).toBe(0);
  for (const line of ['1. StartTLS (-ZZ)', '2. A SASL bind: SCRAM-SHA-256', 'Sockbuf layers, top first', 'ldap_write: want=', '4. A modify from an LDIF file', 'title: Chief Byte Officer', 'the server is stopped']) {
    expect(r.stdout).toContain(line);
  }
  // the -d dump masks the bind password: neither its text column nor its hex bytes show
  expect(r.stdout).toContain('80 06  2a 2a 2a 2a 2a 2a');
  expect(r.stdout).not.toContain('73 65 63 72 65 74');
}, 90_000);
