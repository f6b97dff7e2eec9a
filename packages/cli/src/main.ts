/**
 * The `lber` command: `lber <tool> [options]` runs one of the OpenLDAP
 * tool work-alikes and returns its exit status (the LDAP result code, as
 * OpenLDAP's tools exit with it; C's `exit(-1)` is 255).
 */
import { lberOptions } from '@lber/sockbuf';
import { Tool, ToolExit } from './common.js';
import type { ToolSpec } from './common.js';
import { processStreams } from './output.js';
import type { ToolStreams } from './output.js';
import { ldapsearch } from './tools/ldapsearch.js';
import { ldapadd, ldapmodify } from './tools/ldapmodify.js';
import { ldapdelete } from './tools/ldapdelete.js';
import { ldapmodrdn } from './tools/ldapmodrdn.js';
import { ldapcompare } from './tools/ldapcompare.js';
import { ldapwhoami } from './tools/ldapwhoami.js';
import { ldappasswd } from './tools/ldappasswd.js';
import { ldapexop } from './tools/ldapexop.js';

/** Every tool, by name. */
export const TOOLS: ReadonlyMap<string, ToolSpec> = new Map(
  [ldapsearch, ldapmodify, ldapadd, ldapdelete, ldapmodrdn, ldapcompare, ldapwhoami, ldappasswd, ldapexop].map((t) => [t.name, t]),
);

const SUMMARY: Record<string, string> = {
  ldapsearch: 'search entries and print them as LDIF',
  ldapmodify: 'apply LDIF change records (add, delete, modify, modrdn/moddn)',
  ldapadd: 'ldapmodify -a: add the entries of an LDIF file',
  ldapdelete: 'delete entries by DN (-r: a whole subtree)',
  ldapmodrdn: 'rename an entry (and move it with -s)',
  ldapcompare: 'compare an attribute value of an entry',
  ldapwhoami: 'ask the server who you are bound as (WhoAmI extended operation)',
  ldappasswd: 'change a password (Password Modify extended operation)',
  ldapexop: 'send an extended operation (whoami, cancel, refresh or any OID)',
};

/** `lber --help`. */
export function lberUsage(): string {
  let s = 'usage: lber <tool> [options] [arguments]\n\n';
  s += "Work-alikes of OpenLDAP's command-line tools, built on lber (liblber in TypeScript).\n";
  s += 'They take the same options and print the same output; `lber <tool> --help` lists a tool\'s options.\n\nTools:\n';
  for (const [name] of TOOLS) s += `  ${name.padEnd(12)} ${SUMMARY[name] ?? ''}\n`;
  s += '\nThe exit status is the LDAP result code (0 success, 32 no such object, 49 invalid credentials, ...),\n';
  s += 'as with OpenLDAP\'s tools; -d <level> shows the Sockbuf layers and their hex dumps on stderr.\n';
  return s;
}

/**
 * Runs `lber <argv>` and resolves with the exit status. `streams` defaults
 * to the process's own stdout, stderr and stdin.
 */
export async function main(argv: string[], streams: ToolStreams = processStreams()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? streams.stderr : streams.stdout)(Buffer.from(lberUsage()));
    return name === undefined ? 1 : 0;
  }
  const spec = TOOLS.get(name);
  if (spec === undefined) {
    streams.stderr(Buffer.from(`lber: unknown tool "${name}"\n\n${lberUsage()}`));
    return 1;
  }
  const tool = new Tool(spec, streams);
  const savedDebug = lberOptions.debug;
  const savedPrint = lberOptions.logPrint;
  // liblber's log sink (the -d hex dumps) goes to this run's stderr.
  lberOptions.logPrint = (message) => streams.stderr(Buffer.from(message, 'utf8'));
  let status: number;
  try {
    if (rest.includes('--help')) {
      tool.err(spec.usage(tool) + tool.commonUsage());
      status = 0;
    } else {
      const operands = tool.args(rest);
      status = await spec.run(tool, operands);
    }
  } catch (error) {
    if (error instanceof ToolExit) status = error.status;
    else {
      tool.out.flush();
      tool.err(`${spec.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      status = 1;
    }
  }
  try {
    await tool.unbind();
  } finally {
    tool.out.flush();
    lberOptions.debug = savedDebug;
    lberOptions.logPrint = savedPrint;
  }
  return status & 0xff;
}
