/**
 * Makes sure every slapd the testkit started dies with the process that
 * started it, and that its temp directories go too.
 *
 * - on process 'exit' (normal end, uncaught error, process.exit): SIGKILL
 *   each live slapd (mdb survives that, and the directory is removed anyway)
 *   and remove the temp directories, synchronously;
 * - on SIGINT/SIGTERM/SIGHUP when nobody else listens for the signal: the
 *   same, then the signal is raised again so the process ends as it would
 *   have. When the application has its own handler (the CLI does), it is in
 *   charge and calls stop() itself; 'exit' remains the backstop.
 * - whatever way the process ends (SIGKILL, a jest worker, where these
 *   hooks never run), slapd's watchdog sees its stdin pipe close and stops
 *   slapd (see slapd.ts);
 * - {@link reapOrphans} (called at every start) is the last resort: it kills
 *   slapds whose owner process is gone, recognised by their temp directory
 *   name `lber-slapd-<owner pid>-*`, and removes such directories and the
 *   TLS directories `lber-tls-<owner pid>-*` of dead processes.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const livePids = new Set<number>();
const tempDirs = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof SIGNALS)[number];
let exitHooked = false;
let signalsHooked = false;

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function cleanupNow(): void {
  for (const pid of livePids) killQuietly(pid, 'SIGKILL');
  livePids.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function onSignal(signal: HandledSignal): void {
  if (process.listenerCount(signal) > 1) return;
  cleanupNow();
  unhookSignals();
  process.kill(process.pid, signal);
}

const signalHandlers: Record<HandledSignal, () => void> = {
  SIGINT: () => onSignal('SIGINT'),
  SIGTERM: () => onSignal('SIGTERM'),
  SIGHUP: () => onSignal('SIGHUP'),
};

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', cleanupNow);
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const s of SIGNALS) process.on(s, signalHandlers[s]);
}

function unhookSignals(): void {
  if (!signalsHooked) return;
  signalsHooked = false;
  for (const s of SIGNALS) process.removeListener(s, signalHandlers[s]);
}

/** Records a started slapd so it is killed if the process ends first. */
export function registerPid(pid: number): void {
  livePids.add(pid);
  hookExit();
  hookSignals();
}

/** Forgets a slapd that has been stopped. */
export function unregisterPid(pid: number): void {
  livePids.delete(pid);
  if (livePids.size === 0) unhookSignals();
}

/** Records a temp directory to remove when the process exits. */
export function registerTempDir(dir: string): void {
  tempDirs.add(dir);
  hookExit();
}

/** Forgets a temp directory that was removed already. */
export function unregisterTempDir(dir: string): void {
  tempDirs.delete(dir);
}

/** The pids of the slapds this process started and has not stopped yet. */
export function runningSlapdPids(): number[] {
  return [...livePids];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kills slapds left behind by testkit processes that died without cleaning
 * up, and removes their directories (and their TLS directories). A slapd is only killed when
 * its pidfile sits in such a directory and its command line names that
 * directory, so nothing else is ever touched.
 */
export function reapOrphans(): void {
  const base = tmpdir();
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^lber-(slapd|tls)-(\d+)-/.exec(name);
    if (match === null) continue;
    const owner = Number(match[2]);
    if (owner === process.pid || processAlive(owner)) continue;
    const dir = path.join(base, name);
    if (match[1] === 'tls') {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    try {
      const pid = Number(readFileSync(path.join(dir, 'slapd.pid'), 'utf8').trim());
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (Number.isInteger(pid) && pid > 0 && cmdline.includes('slapd') && cmdline.includes(dir)) killQuietly(pid, 'SIGKILL');
    } catch {
      // no pidfile or no such process: only the directory is left
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
