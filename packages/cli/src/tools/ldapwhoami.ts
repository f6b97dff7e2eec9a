/**
 * `lber ldapwhoami`: OpenLDAP's ldapwhoami.c. Binds, sends the WhoAmI
 * extended operation (RFC 4532) and prints the authorization identity
 * (`dn:...`, `u:...`, or `anonymous`). Exits 0 on success, 1 when the
 * operation fails, the result code when the bind fails.
 */
import { ToolType } from '../common.js';
import type { Tool, ToolSpec } from '../common.js';
import { printResultBlock, resultOf } from './simple.js';
import { ldapErr2string } from '../err2string.js';

/** LDAP_EXOP_WHO_AM_I */
export const WHOAMI_OID = '1.3.6.1.4.1.4203.1.11.3';

async function run(tool: Tool, operands: string[]): Promise<number> {
  if (operands.length > 0) tool.usage();
  await tool.connSetup(false);
  await tool.bind();
  if (tool.dont > 0) return 0;
  tool.serverControlsSet();
  const client = tool.need('ldap_whoami');
  let responseValue: Buffer | undefined;
  const r = await resultOf(tool, async () => {
    const res = await client.extended(WHOAMI_OID, undefined, { controls: tool.serverControls });
    responseValue = res.responseValue;
    return res;
  });
  if (r.code !== 0) {
    tool.out.flush();
    tool.err(`ldap_parse_result: ${ldapErr2string(r.code)} (${r.code})\n${r.matched !== '' ? `\tmatched DN: ${r.matched}\n` : ''}${r.text !== '' ? `\tadditional info: ${r.text}\n` : ''}`);
  } else if (responseValue !== undefined) {
    tool.out.write(responseValue.length === 0 ? 'anonymous\n' : Buffer.concat([responseValue, Buffer.from('\n')]));
  }
  if (tool.verbose > 0 || r.code !== 0 || r.matched !== '' || r.text !== '' || r.refs.length > 0 || r.controls.length > 0) {
    printResultBlock(tool, 'Result', r);
    if (r.controls.length > 0) tool.printCtrls(r.controls);
  }
  return r.code === 0 ? 0 : 1;
}

export const ldapwhoami: ToolSpec = {
  name: 'ldapwhoami',
  type: ToolType.WHOAMI,
  options: 'd:D:e:h:H:InNO:o:p:QR:U:vVw:WxX:y:Y:Z',
  usage: (tool) => `Issue LDAP Who am I? operation to request user's authzid\n\nusage: ${tool.prog} [options]\n`,
  init: (tool) => {
    tool.protocol = 3;
  },
  run,
};
