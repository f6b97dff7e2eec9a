/**
 * `lber ldapcompare`: OpenLDAP's ldapcompare.c. `ldapcompare DN attr:value`
 * (or `attr::base64`) prints TRUE, FALSE or UNDEFINED and exits with the
 * result code (6 compareTrue, 5 compareFalse, 32 noSuchObject ...).
 */
import { exchange, resultOf as resultFields } from '@lber/ldap';
import { ToolType } from '../common.js';
import type { Tool, ToolSpec } from '../common.js';
import { printResultBlock, resultOf } from './simple.js';

const quietFlags = new WeakSet<Tool>();
const dontUseCopyFlags = new WeakMap<Tool, number>();

function handleOption(tool: Tool, opt: string, arg: string | undefined): boolean {
  if (opt === 'z') {
    quietFlags.add(tool);
    return true;
  }
  if (opt === 'E') {
    let rest = arg ?? '';
    let crit = 0;
    if (rest.startsWith('!')) {
      crit = 1;
      rest = rest.slice(1);
    }
    const eq = rest.indexOf('=');
    const control = eq === -1 ? rest : rest.slice(0, eq);
    if (control.toLowerCase() === 'dontusecopy') {
      if (dontUseCopyFlags.has(tool)) {
        tool.err('dontUseCopy control previously specified\n');
        tool.exit(1);
      }
      if (eq !== -1) {
        tool.err('dontUseCopy: no control value expected\n');
        tool.usage();
      }
      if (crit === 0) {
        tool.err('dontUseCopy: critical flag required\n');
        tool.usage();
      }
      dontUseCopyFlags.set(tool, 1 + crit);
      return true;
    }
    tool.err(`Invalid compare extension name: ${control}\n`);
    tool.usage();
  }
  return false;
}

async function run(tool: Tool, operands: string[]): Promise<number> {
  if (operands.length !== 2) tool.usage();
  const [dn, ava] = operands as [string, string];
  const sep = ava.indexOf(':');
  if (sep === -1) tool.usage();
  const attr = ava.slice(0, sep);
  const rest = ava.slice(sep + 1);
  let value: Buffer;
  if (!rest.startsWith(':')) value = Buffer.from(rest, 'utf8');
  else {
    const b64 = rest.slice(1);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
      tool.err('base64 decode error\n');
      tool.exit(-1);
    }
    value = Buffer.from(b64, 'base64');
  }
  await tool.connSetup(false);
  await tool.bind();
  const duc = dontUseCopyFlags.get(tool);
  tool.serverControlsSet(duc !== undefined ? [{ type: '1.3.6.1.1.22', criticality: duc > 1 }] : []);
  if (tool.verbose > 0) tool.err(`DN:${dn}, attr:${attr}, value:${rest}\n`);
  if (tool.dont > 0) return 0;
  const client = tool.need('ldap_compare_ext');
  const quiet = quietFlags.has(tool);
  const r = await resultOf(tool, async () => {
    // The client's compare() resolves with a boolean; the tool needs the whole result.
    const message = await exchange(
      client.connection,
      { operation: 'compare', request: { type: 'compareRequest', entry: dn, ava: { attributeDesc: attr, assertionValue: value } }, expect: 'compareResponse' },
      { controls: tool.serverControls },
    );
    return resultFields(message);
  });
  const code = r.code;
  if (!quiet && (tool.verbose > 0 || (code !== 0 && code !== 6 && code !== 5) || r.matched !== '' || r.text !== '' || r.refs.length > 0)) {
    printResultBlock(tool, 'Compare Result', r);
  }
  if (!quiet) tool.out.write(code === 6 ? 'TRUE\n' : code === 5 ? 'FALSE\n' : 'UNDEFINED\n');
  if (r.controls.length > 0) tool.printCtrls(r.controls);
  return code;
}

export const ldapcompare: ToolSpec = {
  name: 'ldapcompare',
  type: ToolType.COMPARE,
  options: 'zCd:D:e:h:H:IMnNO:o:p:P:QR:U:vVw:WxX:y:Y:ZE:',
  usage: (tool) =>
    `usage: ${tool.prog} [options] DN <attr:value|attr::b64value>\n` +
    'where:\n' +
    '  DN\tDistinguished Name\n' +
    '  attr\tassertion attribute\n' +
    '  value\tassertion value\n' +
    '  b64value\tbase64 encoding of assertion value\n' +
    'Compare options:\n' +
    '  -E [!]<ext>[=<extparam>] compare extensions (! indicates criticality)\n' +
    "             !dontUseCopy                (Don't Use Copy)\n" +
    '  -M         enable Manage DSA IT control (-MM to make critical)\n' +
    '  -P version protocol version (default: 3)\n' +
    "  -z         Quiet mode, don't print anything, use return values\n",
  handleOption,
  run,
};
