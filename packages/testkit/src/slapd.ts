/**
 * A throwaway OpenLDAP server for tests and the demo: Debian's
 * /usr/sbin/slapd started from a fresh temp directory with a generated
 * slapd.conf, fixture entries loaded by slapadd, listeners on free loopback
 * ports (ldap://, ldaps://) and an ldapi:// socket in the temp directory.
 * It never reads or writes /etc/ldap/slapd.d and never talks to the system's
 * slapd.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestkitError } from './errors.js';
import { bulkLdif, fixtureLdif, fixtureUsers } from './fixtures.js';
import type { FixtureUser } from './fixtures.js';
import { reapOrphans, registerPid, registerTempDir, unregisterPid, unregisterTempDir } from './reaper.js';
import { CLIENT_CERT_SUBJECT, tlsMaterial } from './tls.js';
import type { ServerCertKind, TlsMaterial } from './tls.js';

/** Options of {@link startSlapd}; every one has a default. */
export interface SlapdOptions {
  /** The database suffix (ASCII; first RDN dc=, o= or ou=). Default `dc=example,dc=com`. */
  suffix?: string;
  /** The root DN's password. Default `secret`. The root DN is `cn=admin,<suffix>`. */
  rootPassword?: string;
  /** Which server certificate slapd presents on ldaps:// and StartTLS. Default `good`. */
  serverCert?: ServerCertKind;
  /** How many generated inetOrgPerson entries to load under `ou=bulk,<suffix>`. Default 0. */
  entries?: number;
  /** Extra LDIF loaded after the fixed DIT (and before the generated entries). */
  ldif?: string;
  /** Modules to load from /usr/lib/ldap (`moduleload <name>`), e.g. `['ppolicy', 'syncprov', 'sssvlv']`. */
  modules?: string[];
  /** Text added to the global section, after the schemas and modules (e.g. more `include` lines). */
  globalConfig?: string;
  /**
   * Text added after the mdb database's own directives and ACLs: overlays and
   * their settings (`overlay syncprov`, `overlay ppolicy` ...), or further
   * `database` sections.
   */
  databaseConfig?: string;
  /** Replaces the default ACLs (the text of the `access to` directives). */
  acl?: string;
  /** slapd's debug level (`-d`): a number or names such as `stats` or `trace,acl`. Default 0 (errors only). */
  logLevel?: string | number;
  /** How long to wait for the server to answer. Default 10000 ms. */
  startTimeoutMs?: number;
  /** The slapd binary. Default $LBER_SLAPD or /usr/sbin/slapd. */
  slapdPath?: string;
  /** The slapadd binary. Default $LBER_SLAPADD or /usr/sbin/slapadd. */
  slapaddPath?: string;
  /** Keep the temp directory after stop() (for looking at the config and log). Default false. */
  keepTmpDir?: boolean;
}

/** A running server, as {@link startSlapd} returns it. */
export interface SlapdServer {
  /** `ldap://127.0.0.1:<port>` */
  url: string;
  /** `ldaps://127.0.0.1:<ldapsPort>`, presenting the certificate chosen by `serverCert`. */
  ldapsUrl: string;
  /** `ldapi://<percent-encoded ldapiPath>` */
  ldapiUrl: string;
  /** The unix socket of the ldapi:// listener. */
  ldapiPath: string;
  host: string;
  port: number;
  ldapsPort: number;
  suffix: string;
  rootDn: string;
  rootPassword: string;
  /** The fixed DIT's users (DN, uid, cleartext password, cn). */
  users: FixtureUser[];
  /** Where the generated entries are (`ou=bulk,<suffix>`), and how many. */
  bulkBase: string;
  entries: number;
  /** The CA certificate (PEM) that signed the good, wrong-host and expired server certificates and the client certificate. */
  caCert: string;
  /** Paths of all the TLS material, and which server certificate this server presents. */
  certs: TlsMaterial & { presented: ServerCertKind };
  /** The DN that SASL EXTERNAL over ldapi:// maps this process's uid to (the root DN). */
  ldapiDn: string;
  /** The DN that SASL EXTERNAL with the client certificate maps to (uid=alice). */
  clientCertDn: string;
  tmpDir: string;
  configPath: string;
  logPath: string;
  pid: number;
  /** slapd's output so far (its stderr at the chosen log level). */
  readLog: () => string;
  /** Stops slapd (SIGTERM, then SIGKILL after 5 s) and removes the temp directory. Safe to call twice. */
  stop: () => Promise<void>;
}

const DEFAULT_SUFFIX = 'dc=example,dc=com';
const HOST = '127.0.0.1';

/** slapd.conf double-quoted string: backslashes and quotes escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface ConfigParams {
  tmpDir: string;
  suffix: string;
  rootDn: string;
  rootPassword: string;
  tls: TlsMaterial;
  serverCert: ServerCertKind;
  users: FixtureUser[];
  options: SlapdOptions;
}

function defaultAcl(): string {
  return [
    'access to attrs=userPassword',
    '  by self write',
    '  by anonymous auth',
    '  by * none',
    'access to *',
    '  by self write',
    '  by * read',
  ].join('\n');
}

function renderConfig(p: ConfigParams): string {
  const uid = process.getuid?.() ?? 0;
  const alice = p.users.find((u) => u.uid === 'alice')?.dn ?? p.rootDn;
  const people = `ou=people,${p.suffix}`;
  const cert = p.tls.server[p.serverCert];
  const lines = [
    '# generated by @lber/testkit',
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    ...(p.options.modules ?? []).map((m) => `moduleload ${m}`),
    // slapd's syslog level defaults to stats: a syslog() call per operation
    // that nobody reads here and that doubles slapd's CPU per small search.
    // The log the tests read is -d's (logLevel), on stderr, which this leaves alone.
    /^\s*loglevel\b/m.test(p.options.globalConfig ?? '') ? '' : 'loglevel 0',
    p.options.globalConfig ?? '',
    `pidfile ${quote(path.join(p.tmpDir, 'slapd.pid'))}`,
    `argsfile ${quote(path.join(p.tmpDir, 'slapd.args'))}`,
    `TLSCACertificateFile ${quote(p.tls.ca.cert)}`,
    `TLSCertificateFile ${quote(cert.cert)}`,
    `TLSCertificateKeyFile ${quote(cert.key)}`,
    'TLSVerifyClient try',
    'sasl-secprops none',
    'sasl-host localhost',
    'sasl-realm example.com',
    // EXTERNAL over ldapi:// from this process's uid (any gid): the root DN.
    `authz-regexp ${quote(`^gidNumber=[0-9]+\\+uidNumber=${uid},cn=peercred,cn=external,cn=auth$`)} ${quote(p.rootDn)}`,
    // EXTERNAL with the client certificate: alice.
    `authz-regexp ${quote(`^${regexEscape(CLIENT_CERT_SUBJECT)}$`)} ${quote(alice)}`,
    // PLAIN, SCRAM-*, DIGEST-MD5, CRAM-MD5, LOGIN: uid=<name>[@realm],[cn=<realm>,]cn=<mech>,cn=auth -> the user.
    `authz-regexp ${quote('^uid=([^,@]+)(@[^,]*)?(,cn=[^,]+)?,cn=[^,]+,cn=auth$')} ${quote(`uid=$1,${people}`)}`,
    'database mdb',
    `suffix ${quote(p.suffix)}`,
    `rootdn ${quote(p.rootDn)}`,
    `rootpw ${quote(p.rootPassword)}`,
    `directory ${quote(path.join(p.tmpDir, 'db'))}`,
    'maxsize 4294967296',
    'index objectClass eq',
    'index uid eq',
    `limits dn.exact=${quote(p.rootDn)} size=unlimited time=unlimited`,
    p.options.acl ?? defaultAcl(),
    p.options.databaseConfig ?? '',
    '',
  ];
  return lines.join('\n');
}

function checkExecutable(file: string, what: string): void {
  try {
    accessSync(file, fsConstants.X_OK);
  } catch (error) {
    throw new TestkitError(
      'SLAPD_MISSING',
      `${what} not found or not executable at ${file}: install Debian's slapd and ldap-utils (apt-get install slapd ldap-utils), or point ${what === 'slapd' ? 'LBER_SLAPD' : 'LBER_SLAPADD'} at it`,
      { cause: error },
    );
  }
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines - 1).join('\n');
}

function readFileOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Runs slapadd with the LDIF streamed to its stdin. */
async function loadEntries(slapadd: string, configPath: string, suffix: string, chunks: Iterable<string>, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(slapadd, ['-q', '-f', configPath, '-b', suffix], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  let writeError: Error | undefined;
  child.stdin.on('error', (error) => (writeError = error));
  for (const chunk of chunks) {
    if (writeError !== undefined || child.exitCode !== null) break;
    if (!child.stdin.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          child.stdin.off('drain', done);
          child.off('close', done);
          resolve();
        };
        child.stdin.on('drain', done);
        child.once('close', done);
      });
    }
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) {
    throw new TestkitError('SLAPADD_FAILED', `slapadd exited with ${String(code)} while loading the entries:\n${tail(output)}`, { log: tail(output) });
  }
}

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** An anonymous simple BindRequest, message id 1. */
const ANONYMOUS_BIND = Buffer.from('300c020101600702010304008000', 'hex');

/** True when an LDAP server on host:port answers an anonymous bind with a BindResponse. */
function answersBind(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let received = Buffer.alloc(0);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write(ANONYMOUS_BIND));
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (received.length < 2) return;
      const first = received[1] ?? 0;
      const at = 2 + (first & 0x80 ? first & 0x7f : 0);
      if (received.length < at + 4) return;
      // messageID INTEGER 1, then [APPLICATION 1] BindResponse
      finish(received[at] === 0x02 && received[at + 1] === 0x01 && received[at + 2] === 0x01 && received[at + 3] === 0x61);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * slapd runs under a small shell watchdog that ties its life to ours: it
 * starts slapd in the background, prints its pid, and reads its stdin, a
 * pipe from this process. "stop" on that pipe means a normal stop: SIGTERM
 * to slapd (SIGKILL 5 s later). End of file without "stop" means this
 * process died, however it died (SIGKILL and jest workers included): the
 * watchdog stops slapd the same way and removes the temp directory. The
 * watchdog exits with slapd's status as soon as slapd exits.
 */
const WATCHDOG = `
exec 3<&0
"$@" </dev/null 1>&2 &
pid=$!
echo "$pid"
(
  if read -r cmd <&3 && [ "$cmd" = stop ]; then :; else : > "$LBER_TESTKIT_DIR/.orphaned"; fi
  kill -TERM "$pid" 2>/dev/null
  sleep 5
  kill -KILL "$pid" 2>/dev/null
) </dev/null >/dev/null 2>&1 &
watcher=$!
wait "$pid"
status=$?
kill "$watcher" 2>/dev/null
if [ -e "$LBER_TESTKIT_DIR/.orphaned" ]; then rm -rf "$LBER_TESTKIT_DIR"; fi
exit "$status"
`;

/** The slapd pid the watchdog prints first, or undefined if it exits before. */
function watchdogPid(child: ChildProcess): Promise<number | undefined> {
  return new Promise((resolve) => {
    let out = '';
    const done = (pid: number | undefined): void => {
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onExit);
      resolve(pid);
    };
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('latin1');
      const line = /^(\d+)\n/.exec(out);
      if (line !== null) done(Number(line[1]));
    };
    const onExit = (): void => done(undefined);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onExit);
  });
}

/** Kills slapd and its watchdog at once. */
async function killWatched(child: ChildProcess, pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  child.stdin?.end('stop\n');
  if (!(await waitExit(child, 2000))) child.kill('SIGKILL');
}

interface Launched {
  child: ChildProcess;
  pid: number;
  port: number;
  ldapsPort: number;
}

/**
 * Starts a fresh slapd: makes (or reuses) the TLS material, writes the
 * config, loads the entries with slapadd, starts slapd on free loopback
 * ports and waits until it answers a bind. Throws a {@link TestkitError}
 * with the tail of slapd's log when slapd is missing or does not come up.
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<SlapdServer> {
  const slapdPath = options.slapdPath ?? process.env['LBER_SLAPD'] ?? '/usr/sbin/slapd';
  const slapaddPath = options.slapaddPath ?? process.env['LBER_SLAPADD'] ?? '/usr/sbin/slapadd';
  checkExecutable(slapdPath, 'slapd');
  checkExecutable(slapaddPath, 'slapadd');
  const entries = options.entries ?? 0;
  if (!Number.isSafeInteger(entries) || entries < 0) throw new TestkitError('BAD_OPTION', `entries must be a non-negative integer, not ${String(entries)}`);
  const serverCert = options.serverCert ?? 'good';
  reapOrphans();

  const tls = await tlsMaterial();
  const suffix = options.suffix ?? DEFAULT_SUFFIX;
  const rootDn = `cn=admin,${suffix}`;
  const rootPassword = options.rootPassword ?? 'secret';
  const users = fixtureUsers(suffix);
  const tmpDir = mkdtempSync(path.join(tmpdir(), `lber-slapd-${process.pid}-`));
  registerTempDir(tmpDir);

  try {
    const configPath = path.join(tmpDir, 'slapd.conf');
    const logPath = path.join(tmpDir, 'slapd.log');
    const ldapiPath = path.join(tmpDir, 'ldapi');
    mkdirSync(path.join(tmpDir, 'db'));
    // Cyrus SASL reads <SASL_CONF_PATH>/slapd.conf; an empty one keeps the
    // machine's SASL settings out.
    mkdirSync(path.join(tmpDir, 'sasl2'));
    writeFileSync(path.join(tmpDir, 'sasl2', 'slapd.conf'), '');
    writeFileSync(configPath, renderConfig({ tmpDir, suffix, rootDn, rootPassword, tls, serverCert, users, options }));
    const env = { ...process.env, SASL_CONF_PATH: path.join(tmpDir, 'sasl2') };

    let fixtures: string;
    try {
      fixtures = fixtureLdif(suffix, entries > 0);
    } catch (error) {
      throw new TestkitError('BAD_OPTION', (error as Error).message, { cause: error });
    }
    const extra = options.ldif === undefined ? '' : `${options.ldif.trimEnd()}\n\n`;
    await loadEntries(slapaddPath, configPath, suffix, [fixtures + extra, ...bulkLdif(suffix, entries)], env);

    const ldapiUrl = `ldapi://${encodeURIComponent(ldapiPath)}`;
    const logLevel = String(options.logLevel ?? 0);
    const deadline = Date.now() + (options.startTimeoutMs ?? 10000);
    let launched: Launched | undefined;
    for (let attempt = 1; launched === undefined; attempt++) {
      const port = await freePort();
      let ldapsPort = await freePort();
      while (ldapsPort === port) ldapsPort = await freePort();
      const urls = `ldap://${HOST}:${port} ldaps://${HOST}:${ldapsPort} ${ldapiUrl}`;
      const logFd = openSync(logPath, 'a');
      let child: ChildProcess;
      try {
        child = spawn('/bin/sh', ['-c', WATCHDOG, 'lber-slapd-watchdog', slapdPath, '-d', logLevel, '-f', configPath, '-h', urls], {
          stdio: ['pipe', 'pipe', logFd],
          env: { ...env, LBER_TESTKIT_DIR: tmpDir },
        });
      } finally {
        closeSync(logFd);
      }
      let failure: Error | undefined;
      child.once('error', (error) => (failure = error));
      // A write after the watchdog is gone must not become an uncaught error.
      child.stdin?.on('error', () => undefined);
      const pid = await watchdogPid(child);
      if (pid !== undefined) registerPid(pid);
      for (;;) {
        if (failure !== undefined) throw new TestkitError('SLAPD_START_FAILED', `could not run ${slapdPath}: ${failure.message}`, { cause: failure });
        if (child.exitCode !== null || child.signalCode !== null || pid === undefined) break;
        if (existsSync(ldapiPath) && (await answersBind(port, 500))) {
          launched = { child, pid, port, ldapsPort };
          break;
        }
        if (Date.now() > deadline) {
          await killWatched(child, pid);
          unregisterPid(pid);
          const log = tail(readFileOr(logPath, ''));
          throw new TestkitError('SLAPD_TIMEOUT', `slapd did not answer on ${urls} within ${options.startTimeoutMs ?? 10000} ms; log tail:\n${log}`, { log });
        }
        await sleep(10);
      }
      if (launched !== undefined) break;
      await waitExit(child, 2000);
      if (pid !== undefined) unregisterPid(pid);
      const log = tail(readFileOr(logPath, ''));
      // Another process took one of the ports between freePort() and bind(): try again.
      if (attempt < 4 && log.includes('Address already in use') && Date.now() < deadline) continue;
      throw new TestkitError(
        'SLAPD_START_FAILED',
        `slapd exited with ${child.exitCode !== null ? `code ${child.exitCode}` : `signal ${String(child.signalCode)}`} during startup (config ${configPath}); log tail:\n${log}`,
        { log },
      );
    }

    const { child, pid, port, ldapsPort } = launched;
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.stdin?.end('stop\n');
          if (!(await waitExit(child, 7000))) await killWatched(child, pid);
        }
        unregisterPid(pid);
        if (options.keepTmpDir !== true) {
          rmSync(tmpDir, { recursive: true, force: true });
          unregisterTempDir(tmpDir);
        }
      })();
      return stopping;
    };

    return {
      url: `ldap://${HOST}:${port}`,
      ldapsUrl: `ldaps://${HOST}:${ldapsPort}`,
      ldapiUrl,
      ldapiPath,
      host: HOST,
      port,
      ldapsPort,
      suffix,
      rootDn,
      rootPassword,
      users,
      bulkBase: `ou=bulk,${suffix}`,
      entries,
      caCert: tls.caPem,
      certs: { ...tls, presented: serverCert },
      ldapiDn: rootDn,
      clientCertDn: users.find((u) => u.uid === 'alice')?.dn ?? '',
      tmpDir,
      configPath,
      logPath,
      pid,
      readLog: () => readFileOr(logPath, ''),
      stop,
    };
  } catch (error) {
    if (options.keepTmpDir !== true) {
      rmSync(tmpDir, { recursive: true, force: true });
      unregisterTempDir(tmpDir);
    }
    throw error;
  }
}

interface JestHooks {
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>, timeout?: number): void;
}

/**
 * For a jest test file: starts one server in beforeAll and stops it in
 * afterAll. Returns a getter for the running server (call it inside tests).
 *
 * ```ts
 * const slapd = useSlapd({ serverCert: 'expired' });
 * test('...', () => { connect(slapd().ldapsUrl) });
 * ```
 */
export function useSlapd(options: SlapdOptions = {}): () => SlapdServer {
  const hooks = globalThis as unknown as Partial<JestHooks>;
  if (typeof hooks.beforeAll !== 'function' || typeof hooks.afterAll !== 'function') {
    throw new TestkitError('BAD_OPTION', 'useSlapd() needs jest (beforeAll/afterAll); elsewhere call startSlapd()');
  }
  let server: SlapdServer | undefined;
  hooks.beforeAll(async () => {
    server = await startSlapd(options);
  }, 60000);
  hooks.afterAll(async () => {
    await server?.stop();
  }, 30000);
  return () => {
    if (server === undefined) throw new TestkitError('BAD_OPTION', 'useSlapd(): the server is not running (use it inside tests, after beforeAll)');
    return server;
  };
}
