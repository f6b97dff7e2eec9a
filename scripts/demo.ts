/**
 * `npm run demo`: the first five minutes with lber. Starts a throwaway
 * slapd through @lber/testkit (installing Debian's slapd and ldap-utils
 * first when they are missing and we are root), then runs `lber` tools
 * in-process and narrates each step: StartTLS (-ZZ), a SASL bind
 * (SCRAM-SHA-256), a search with the layer stack and the debug layer on
 * (-d), a modify from LDIF, and the same search again. Stops the server
 * and exits 0, or non-zero at the first step that fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@lber/cli';
import type { ToolStreams } from '@lber/cli';
import { startSlapd } from '@lber/testkit';
import type { SlapdServer } from '@lber/testkit';

const SLAPD = process.env['LBER_SLAPD'] ?? '/usr/sbin/slapd';
const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string): string => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function say(text: string): void {
  process.stdout.write(`\n${bold(`== ${text}`)}\n`);
}

/**
 * Installs Debian's slapd, ldap-utils, openssl and the SASL modules when
 * any is missing (scripts/system-deps.sh, the same step `npm test` and .ci/run
 * take; root only, otherwise it says how and the demo stops).
 */
function ensureSlapd(): void {
  const r = spawnSync('bash', [fileURLToPath(new URL('./system-deps.sh', import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(SLAPD)) {
    process.stderr.write('demo: slapd is not installed (see above); point LBER_SLAPD / LBER_SLAPADD at your own binaries, or install it and run `npm run demo` again.\n');
    process.exit(2);
  }
}

/** Runs `lber <tool> <args>` in this process, echoing the command and its output (stderr dimmed, trimmed to `maxErrLines`). */
async function lber(tool: string, args: string[], options: { env?: NodeJS.ProcessEnv; maxErrLines?: number; expect?: number } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  const shown = args.map((a) => (/[\s()*$]/.test(a) || a === '' ? `'${a}'` : a)).join(' ');
  process.stdout.write(`${dim('$')} lber ${tool} ${shown}\n`);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const streams: ToolStreams = {
    stdout: (b) => out.push(Buffer.from(b)),
    stderr: (b) => err.push(Buffer.from(b)),
    readStdin: () => Promise.resolve(Buffer.alloc(0)),
    stderrIsTTY: false,
    env: options.env ?? { ...process.env, LDAPNOINIT: '1' },
  };
  const status = await main([tool, ...args], streams);
  const stdout = Buffer.concat(out).toString('utf8');
  const stderr = Buffer.concat(err).toString('utf8');
  process.stdout.write(stdout);
  if (stderr !== '') {
    const lines = stderr.replace(/\n$/, '').split('\n');
    const max = options.maxErrLines ?? 40;
    for (const line of lines.slice(0, max)) process.stdout.write(`${dim(`  stderr| ${line}`)}\n`);
    if (lines.length > max) process.stdout.write(`${dim(`  stderr| ... (${lines.length - max} more lines)`)}\n`);
  }
  const want = options.expect ?? 0;
  if (status !== want) throw new Error(`lber ${tool} exited ${status}, expected ${want}`);
  return { status, stdout, stderr };
}

async function demo(server: SlapdServer, dir: string): Promise<void> {
  const localUrl = `ldap://localhost:${server.port}`;
  const tlsEnv = { ...process.env, LDAPTLS_CACERT: server.certs.ca.cert };
  const bob = server.users[1]!;

  say(`slapd is up: ${server.url} (ldaps ${server.ldapsUrl}, ldapi ${server.ldapiUrl}), suffix ${server.suffix}`);

  say('1. StartTLS (-ZZ): the tls layer goes onto the live Sockbuf at TRANSPORT level, then a simple bind');
  await lber('ldapwhoami', ['-ZZ', '-x', '-H', localUrl, '-D', server.rootDn, '-w', server.rootPassword], { env: tlsEnv });

  say(`2. A SASL bind: SCRAM-SHA-256 as "${bob.uid}" (the password never crosses the wire)`);
  await lber('ldapwhoami', ['-Y', 'SCRAM-SHA-256', '-U', bob.uid, '-w', bob.password, '-H', server.url]);

  say('3. A search with the debug layer on (-d 2): the layer stack, then every read and write as liblber logs it (the bind password is masked)');
  const search = ['-x', '-H', server.url, '-D', server.rootDn, '-w', server.rootPassword, '-b', `ou=people,${server.suffix}`, '-LLL', `(uid=${bob.uid})`, 'cn', 'title'];
  const traced = await lber('ldapsearch', ['-d', '2', ...search], { maxErrLines: 24 });
  if (!traced.stderr.includes('Sockbuf layers, top first')) throw new Error('the layer stack was not printed');
  if (!traced.stderr.includes('ldap_write: want=')) throw new Error('the debug layer printed nothing');
  if (traced.stderr.includes(server.rootPassword)) throw new Error('the password appeared in the debug output');

  say('4. A modify from an LDIF file: replace the title, add a description');
  const file = join(dir, 'change.ldif');
  writeFileSync(file, `dn: ${bob.dn}\nchangetype: modify\nreplace: title\ntitle: Chief Byte Officer\n-\nadd: description\ndescription: changed by npm run demo\n-\n`);
  process.stdout.write(dim(`  (${file})\n`));
  await lber('ldapmodify', ['-x', '-H', server.url, '-D', server.rootDn, '-w', server.rootPassword, '-f', file]);

  say('5. The same search again');
  const after = await lber('ldapsearch', search);
  if (!after.stdout.includes('title: Chief Byte Officer')) throw new Error('the modify did not show in the search');
}

async function run(): Promise<number> {
  const started = Date.now();
  ensureSlapd();
  say('Starting a throwaway slapd (testkit: temp dir, loopback ports, TLS certificates, fixture entries)');
  const server = await startSlapd({ entries: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'lber-demo-'));
  try {
    await demo(server, dir);
  } catch (error) {
    process.stderr.write(`\ndemo: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  say(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s; the server is stopped. Try \`node_modules/.bin/lber --help\`.`);
  return 0;
}

process.exitCode = await run();
