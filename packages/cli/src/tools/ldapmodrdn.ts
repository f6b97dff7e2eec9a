/**
 * `lber ldapmodrdn`: OpenLDAP's ldapmodrdn.c. `ldapmodrdn [-r] [-s newsup]
 * DN newRDN`, or pairs of lines (DN, then new RDN) from -f or stdin.
 */
import { readFileSync } from 'node:fs';
import { ToolType } from '../common.js';
import type { Tool, ToolSpec } from '../common.js';
import { printResultBlock, resultOf } from './simple.js';

interface RenameState {
  newSuperior: string | undefined;
  removeOldRdn: number;
}
const states = new WeakMap<Tool, RenameState>();
function st(tool: Tool): RenameState {
  let s = states.get(tool);
  if (s === undefined) {
    s = { newSuperior: undefined, removeOldRdn: 0 };
    states.set(tool, s);
  }
  return s;
}

function handleOption(tool: Tool, opt: string, arg: string | undefined): boolean {
  const s = st(tool);
  if (opt === 'r') {
    s.removeOldRdn++;
    return true;
  }
  if (opt === 's') {
    s.newSuperior = arg;
    tool.protocol = 3;
    return true;
  }
  if (opt === 'E') {
    const control = (arg ?? '').replace(/^!/, '').split('=')[0]!;
    tool.err(`Invalid modrdn extension name: ${control}\n`);
    tool.usage();
  }
  return false;
}

async function domodrdn(tool: Tool, dn: string, rdn: string): Promise<number> {
  const s = st(tool);
  const remove = s.removeOldRdn > 0;
  if (tool.verbose > 0) {
    tool.out.write(`Renaming "${dn}"\n\tnew rdn="${rdn}" (${remove ? 'delete' : 'keep'} old rdn)\n`);
    if (s.newSuperior !== undefined) tool.out.write(`\tnew parent="${s.newSuperior}"\n`);
  }
  if (tool.dont > 0) return 0;
  const client = tool.need('ldap_rename');
  const newSuperior = s.newSuperior;
  const r = await resultOf(tool, () => client.modifyDN(dn, rdn, { deleteOldRdn: remove, ...(newSuperior !== undefined ? { newSuperior } : {}), controls: tool.serverControls }));
  if (tool.verbose > 0 || r.code !== 0 || r.matched !== '' || r.text !== '' || r.refs.length > 0) printResultBlock(tool, 'Rename Result', r);
  if (r.controls.length > 0) tool.printCtrls(r.controls);
  return r.code;
}

async function run(tool: Tool, operands: string[]): Promise<number> {
  let pair: [string, string] | undefined;
  if (operands.length === 2) pair = [operands[0]!, operands[1]!];
  else if (operands.length !== 0) {
    tool.err(`${tool.prog}: invalid number of arguments (${operands.length}), only two allowed\n`);
    tool.usage();
  }
  let text: string | undefined;
  if (tool.infile !== undefined) {
    try {
      text = readFileSync(tool.infile, 'utf8');
    } catch (error) {
      tool.err(`${tool.infile}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  await tool.connSetup(false);
  await tool.bind();
  tool.serverControlsSet();
  if (pair !== undefined) return domodrdn(tool, pair[0], pair[1]);
  text ??= (await tool.streams.readStdin()).toString('utf8');
  let retval = 0;
  let rc = 0;
  let dn: string | undefined;
  for (const line of text.split('\n')) {
    if (rc !== 0 && tool.contoper === 0) break;
    if (line === '') continue;
    if (dn === undefined) dn = line;
    else {
      rc = await domodrdn(tool, dn, line);
      if (rc !== 0) retval = rc;
      dn = undefined;
    }
  }
  return retval;
}

export const ldapmodrdn: ToolSpec = {
  name: 'ldapmodrdn',
  type: ToolType.MODRDN,
  options: 'rs:cd:D:e:f:h:H:IMnNO:o:p:P:QR:U:vVw:WxX:y:Y:Z',
  usage: (tool) =>
    'Rename LDAP entries\n\n' +
    `usage: ${tool.prog} [options] [dn rdn]\n` +
    '\tdn rdn: If given, rdn will replace the RDN of the entry specified by DN\n' +
    '\t\tIf not given, the list of modifications is read from stdin or\n' +
    '\t\tfrom the file specified by "-f file" (see man page).\n' +
    'Rename options:\n' +
    '  -c         continuous operation mode (do not stop on errors)\n' +
    "  -f file    read operations from `file'\n" +
    '  -M         enable Manage DSA IT control (-MM to make critical)\n' +
    '  -P version protocol version (default: 3)\n' +
    '  -r\t\t remove old RDN\n' +
    '  -s newsup  new superior entry\n',
  handleOption,
  run,
};
