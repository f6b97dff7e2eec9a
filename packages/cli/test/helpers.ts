/**
 * Test helpers: run `lber <tool>` in-process with captured streams, and
 * OpenLDAP's own tool as a child process, so their stdout and exit codes
 * can be compared byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { main } from '@lber/cli';
import type { ToolStreams } from '@lber/cli';

/** What one run printed and returned. */
export interface RunResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** An environment without the machine's ldap.conf or ldaprc. */
export function toolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, LDAPNOINIT: '1', HOME: '/nonexistent', ...extra };
}

/** Runs `lber <tool> <args>` in this process. */
export async function runLber(tool: string, args: readonly string[], options: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; stderrIsTTY?: boolean } = {}): Promise<RunResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const streams: ToolStreams = {
    stdout: (b) => out.push(Buffer.from(b)),
    stderr: (b) => err.push(Buffer.from(b)),
    readStdin: () => Promise.resolve(Buffer.from(options.stdin ?? '')),
    stderrIsTTY: options.stderrIsTTY ?? false,
    env: options.env ?? toolEnv(),
  };
  const status = await main([tool, ...args], streams);
  return { status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

/** Runs OpenLDAP's `<tool> <args>` (Debian's ldap-utils). */
export function runOpenldap(tool: string, args: readonly string[], options: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(tool, args, { input: options.stdin ?? '', env: options.env ?? toolEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}
