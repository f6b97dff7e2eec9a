/**
 * `lber ldapdelete`: OpenLDAP's ldapdelete.c. Deletes the DNs given as
 * arguments, or read one per line from -f or stdin; -r deletes each
 * subtree depth first. Exits with the result code of the last failure.
 */
import { LdapResultError } from '@lber/ldap';
import { ToolType, apiErrorCode, parseCInt } from '../common.js';
import type { Tool, ToolSpec } from '../common.js';
import { printResultBlock, resultOf } from './simple.js';
import { readFileSync } from 'node:fs';

interface DeleteState {
  prune: boolean;
  sizelimit: number;
}
const states = new WeakMap<Tool, DeleteState>();
function st(tool: Tool): DeleteState {
  let s = states.get(tool);
  if (s === undefined) {
    s = { prune: false, sizelimit: -1 };
    states.set(tool, s);
  }
  return s;
}

function handleOption(tool: Tool, opt: string, arg: string | undefined): boolean {
  const s = st(tool);
  if (opt === 'r') {
    s.prune = true;
    return true;
  }
  if (opt === 'z') {
    const a = arg ?? '';
    let n: number | null = a.toLowerCase() === 'none' ? 0 : a.toLowerCase() === 'max' ? 2147483647 : parseCInt(a);
    if (n === null) {
      tool.err(`Unable to parse size limit "${a}"\n`);
      tool.exit(1);
    }
    if (n < 0 || n > 2147483647) {
      tool.err(`${tool.prog}: invalid sizelimit (${n}) specified\n`);
      tool.exit(1);
    }
    s.sizelimit = n;
    n = null;
    return true;
  }
  if (opt === 'E') {
    const control = (arg ?? '').replace(/^!/, '').split('=')[0]!;
    tool.err(`Invalid delete extension name: ${control}\n`);
    tool.usage();
  }
  return false;
}

/** deletechildren: one-level search for children, each deleted after its own children. */
async function deleteChildren(tool: Tool, base: string): Promise<number> {
  const s = st(tool);
  const client = tool.need('ldap_search');
  if (tool.verbose > 0) tool.out.write(`deleting children of: ${base}\n`);
  for (;;) {
    let dns: string[] = [];
    let sizeExceeded = false;
    try {
      const all = await client.searchAll(base, { scope: 'one', attributes: ['1.1'], typesOnly: true, sizeLimit: s.sizelimit > 0 ? s.sizelimit : 0, controls: tool.serverControls });
      dns = all.entries.map((e) => e.dn);
    } catch (error) {
      if (error instanceof LdapResultError && error.resultCode === 4) sizeExceeded = true;
      else {
        const code = error instanceof LdapResultError ? error.resultCode : apiErrorCode(error);
        tool.perror('ldap_search', code, null, null, null, null);
        return code;
      }
    }
    for (const dn of dns) {
      const rc = await deleteChildren(tool, dn);
      if (rc !== 0) {
        tool.perror('ldap_prune', rc, null, null, null, null);
        return rc;
      }
      if (tool.verbose > 0) tool.out.write(`\tremoving ${dn}\n`);
      try {
        await client.delete(dn, { controls: tool.serverControls });
      } catch (error) {
        const code = error instanceof LdapResultError ? error.resultCode : apiErrorCode(error);
        tool.perror('ldap_delete', code, null, null, null, null);
        return code;
      }
      if (tool.verbose > 0) tool.out.write(`\t${dn} removed\n`);
    }
    if (!sizeExceeded) return 0;
  }
}

async function dodelete(tool: Tool, dn: string): Promise<number> {
  if (tool.verbose > 0) tool.out.write(`${tool.dont > 0 ? '!' : ''}deleting entry "${dn}"\n`);
  if (tool.dont > 0) return 0;
  if (st(tool).prune) await deleteChildren(tool, dn);
  const client = tool.need('ldap_delete_ext');
  const r = await resultOf(tool, () => client.delete(dn, { controls: tool.serverControls }));
  if (r.code !== 0) tool.perror('ldap_delete', r.code, null, r.matched, r.text, r.refs);
  else if (tool.verbose > 0 && (r.matched !== '' || r.text !== '' || r.refs.length > 0)) printResultBlock(tool, 'Delete Result', r);
  if (r.controls.length > 0) tool.printCtrls(r.controls);
  return r.code;
}

async function run(tool: Tool, operands: string[]): Promise<number> {
  let lines: string[] | undefined;
  if (tool.infile !== undefined) {
    try {
      lines = readFileSync(tool.infile, 'utf8').split('\n');
    } catch (error) {
      tool.err(`${tool.infile}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  await tool.connSetup(false);
  await tool.bind();
  tool.serverControlsSet();
  if (lines === undefined && operands.length === 0) lines = (await tool.streams.readStdin()).toString('utf8').split('\n');
  let retval = 0;
  if (lines === undefined) {
    for (const dn of operands) {
      const rc = await dodelete(tool, dn);
      if (rc !== 0) {
        retval = rc;
        if (tool.contoper === 0) break;
      }
    }
  } else {
    if (lines[lines.length - 1] === '') lines.pop();
    let rc = 0;
    for (const line of lines) {
      if (rc !== 0 && tool.contoper === 0) break;
      if (line === '') continue;
      rc = await dodelete(tool, line);
      if (rc !== 0) retval = rc;
    }
  }
  return retval;
}

export const ldapdelete: ToolSpec = {
  name: 'ldapdelete',
  type: ToolType.DELETE,
  options: 'rcd:D:e:f:h:H:IMnNO:o:p:P:QR:U:vVw:WxX:y:Y:z:Z',
  usage: (tool) =>
    'Delete entries from an LDAP server\n\n' +
    `usage: ${tool.prog} [options] [dn]...\n` +
    '\tdn: list of DNs to delete. If not given, it will be read from stdin\n' +
    '\t    or from the file specified with "-f file".\n' +
    'Delete Options:\n' +
    '  -c         continuous operation mode (do not stop on errors)\n' +
    "  -f file    read operations from `file'\n" +
    '  -M         enable Manage DSA IT control (-MM to make critical)\n' +
    '  -P version protocol version (default: 3)\n' +
    '  -r         delete recursively\n',
  handleOption,
  run,
};
