/**
 * `lber ldapexop`: OpenLDAP's ldapexop.c. `ldapexop whoami`, `cancel ID`,
 * `refresh DN [ttl]`, or any `OID[:value|::b64value]`, printing the
 * response (`# extended operation response`, `oid:`, `data::`). Exits with
 * the result code.
 */
import { BerReader, BerWriter } from '@lber/ber';
import { LdifPut } from '@lber/ldap';
import { ToolType, toolIsOid } from '../common.js';
import type { Tool, ToolSpec } from '../common.js';
import { ldapErr2string } from '../err2string.js';
import { printResultBlock, resultOf } from './simple.js';
import { WHOAMI_OID } from './ldapwhoami.js';

const CANCEL_OID = '1.3.6.1.1.8';
const REFRESH_OID = '1.3.6.1.4.1.1466.101.119.1';

function usage(tool: Tool): string {
  return (
    `Issue LDAP extended operations\n\nusage: ${tool.prog} [options] <oid|oid:data|oid::b64data>\n` +
    `       ${tool.prog} [options] whoami\n` +
    `       ${tool.prog} [options] cancel <id>\n` +
    `       ${tool.prog} [options] refresh <DN> [<ttl>]\n`
  );
}

async function run(tool: Tool, operands: string[]): Promise<number> {
  if (operands.length < 1) tool.usage();
  await tool.connSetup(false);
  await tool.bind();
  const what = operands[0]!;
  const lc = what.toLowerCase();
  let oid: string;
  let value: Buffer | undefined;
  if (lc === 'whoami') {
    oid = WHOAMI_OID;
  } else if (lc === 'cancel') {
    if (operands.length !== 2) {
      tool.err('need cancelid\n\n');
      tool.usage();
    }
    const id = Number(operands[1]);
    if (!/^[0-9]+$/.test(operands[1]!) || !Number.isSafeInteger(id)) {
      tool.err(`invalid cancelid=${operands[1]}\n\n`);
      tool.usage();
    }
    const w = new BerWriter({ initialSize: 16 });
    w.startSequence();
    w.writeInt(id);
    w.endSequence();
    oid = CANCEL_OID;
    value = w.toBuffer();
  } else if (lc === 'passwd') {
    tool.err('use ldappasswd(1) instead.\n\n');
    tool.usage();
  } else if (lc === 'refresh') {
    if (operands.length !== 2 && operands.length !== 3) {
      tool.err('need DN [ttl]\n\n');
      tool.usage();
    }
    const ttl = operands.length === 3 ? Number.parseInt(operands[2]!, 10) || 0 : 3600;
    const w = new BerWriter({ initialSize: 64 });
    w.startSequence();
    w.writeString(operands[1]!, 0x80);
    w.writeInt(ttl, 0x81);
    w.endSequence();
    oid = REFRESH_OID;
    value = w.toBuffer();
  } else {
    if (operands.length !== 1) tool.usage();
    const colon = what.indexOf(':');
    if (colon === 0) tool.usage();
    oid = colon === -1 ? what : what.slice(0, colon);
    if (!toolIsOid(oid)) {
      tool.err(`unknown exop "${oid}"\n\n`);
      tool.usage();
    }
    if (colon !== -1) {
      const rest = what.slice(colon + 1);
      value = rest.startsWith(':') ? Buffer.from(rest.slice(1).trim(), 'base64') : Buffer.from(rest.replace(/^ +/, ''), 'utf8');
    }
  }
  tool.serverControlsSet();
  const client = tool.need('ldap_extended_operation');
  let responseName: string | undefined;
  let responseValue: Buffer | undefined;
  const r = await resultOf(tool, async () => {
    const res = await client.extended(oid, value, { controls: tool.serverControls });
    responseName = res.responseName;
    responseValue = res.responseValue;
    return res;
  });
  if (r.code !== 0) {
    tool.out.flush();
    tool.err(`ldap_parse_result: ${ldapErr2string(r.code)} (${r.code})\n${r.matched !== '' ? `\tmatched DN: ${r.matched}\n` : ''}${r.text !== '' ? `\tadditional info: ${r.text}\n` : ''}`);
    return 1;
  }
  if (lc === 'whoami') {
    if (responseValue !== undefined) tool.out.write(responseValue.length === 0 ? 'anonymous\n' : Buffer.concat([responseValue, Buffer.from('\n')]));
  } else if (lc === 'refresh') {
    try {
      const reader = new BerReader().reset(responseValue ?? Buffer.alloc(0));
      reader.enter();
      tool.out.write(`newttl=${reader.readInt(0x81)}\n`);
    } catch {
      tool.perror('ldap_parse_refresh', -4, null, null, null, null);
      return 1;
    }
  } else if (lc !== 'cancel') {
    if (tool.ldif < 2) tool.out.write('# extended operation response\n');
    if (tool.ldif < 2 && responseName !== undefined) tool.writeLdif(tool.ldif > 0 ? LdifPut.COMMENT : LdifPut.VALUE, 'oid', responseName);
    if (responseValue !== undefined && tool.ldif < 2) tool.writeLdif(tool.ldif > 0 ? LdifPut.COMMENT : LdifPut.BINARY, 'data', responseValue);
  }
  if (tool.verbose > 0 || r.matched !== '' || r.text !== '' || r.refs.length > 0) printResultBlock(tool, 'Result', r);
  if (r.controls.length > 0) tool.printCtrls(r.controls);
  return 0;
}

export const ldapexop: ToolSpec = {
  name: 'ldapexop',
  type: ToolType.EXOP,
  options: 'd:D:e:H:InNO:o:QR:U:vVw:WxX:y:Y:Z',
  usage,
  init: (tool) => {
    tool.protocol = 3;
  },
  run,
};
