#!/usr/bin/env node
// The `lber` command. Where tsx is installed next to the sources (the lber
// repository), it runs src/run.ts through tsx with the "lber-source" export
// condition, so the workspace packages resolve to their sources too and an
// edit is never hidden behind a stale dist/. Elsewhere (an installed
// package) it runs the built dist/main.js.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const source = here('../src/run.ts');
const built = here('../dist/main.js');

/** tsx resolved from this file (so the command works from any directory), or undefined. */
function findTsx() {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return undefined;
  }
}

const tsx = existsSync(source) ? findTsx() : undefined;
if (tsx !== undefined) {
  const result = spawnSync(process.execPath, ['--conditions', 'lber-source', '--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} else if (existsSync(built)) {
  const { main } = await import(built);
  process.exitCode = await main(process.argv.slice(2));
} else {
  process.stderr.write('lber: neither the sources with tsx nor a build (dist/main.js) is there; run `npm run build` in the repository\n');
  process.exitCode = 1;
}
