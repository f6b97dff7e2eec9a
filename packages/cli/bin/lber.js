#!/usr/bin/env node
// The `lber` command. A built package runs dist/main.js; in the source tree
// (no dist/) it runs src/main.ts through tsx, with the "lber-source" export
// condition so the workspace packages resolve to their sources too.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const built = here('../dist/main.js');
if (existsSync(built)) {
  const { main } = await import(built);
  process.exitCode = await main(process.argv.slice(2));
} else {
  // tsx resolved from this file, so the command works from any directory
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const result = spawnSync(
    process.execPath,
    ['--conditions', 'lber-source', '--import', tsx, here('../src/run.ts'), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exitCode = result.status ?? 1;
}
