/**
 * `lber ldappasswd`: OpenLDAP's ldappasswd.c. Sends the Password Modify
 * extended operation (RFC 3062) for the bound user or the given one, with
 * -a/-A/-t old and -s/-S/-T new passwords; prints a generated password.
 * Exits 0 on success, 1 when the operation fails, the result code when the
 * bind fails. Every password is also masked in the -d dump.
 */
import { readFileSync } from 'node:fs';
import { BerReader, BerWriter } from '@lber/ber';
import { ToolType } from '../common.js';
import type { Tool, ToolSpec } from '../common.js';
import { ldapErr2string } from '../err2string.js';
import { printResultBlock, resultOf } from './simple.js';

/** LDAP_EXOP_MODIFY_PASSWD */
export const PASSWD_MODIFY_OID = '1.3.6.1.4.1.4203.1.11.1';

interface PasswdState {
  oldpw: Buffer | undefined;
  newpw: Buffer | undefined;
  wantOld: number;
  wantNew: number;
  oldFile: string | undefined;
  newFile: string | undefined;
}
const states = new WeakMap<Tool, PasswdState>();
function st(tool: Tool): PasswdState {
  let s = states.get(tool);
  if (s === undefined) {
    s = { oldpw: undefined, newpw: undefined, wantOld: 0, wantNew: 0, oldFile: undefined, newFile: undefined };
    states.set(tool, s);
  }
  return s;
}

function handleOption(tool: Tool, opt: string, arg: string | undefined): boolean {
  const s = st(tool);
  switch (opt) {
    case 'E': {
      const control = (arg ?? '').replace(/^!/, '').split('=')[0]!;
      tool.err(`Invalid passwd extension name: ${control}\n`);
      tool.usage();
      return true;
    }
    case 'a':
      s.oldpw = Buffer.from(arg ?? '', 'utf8');
      tool.secrets.push(s.oldpw);
      return true;
    case 'A':
      s.wantOld++;
      return true;
    case 's':
      s.newpw = Buffer.from(arg ?? '', 'utf8');
      tool.secrets.push(s.newpw);
      return true;
    case 'S':
      s.wantNew++;
      return true;
    case 't':
      s.oldFile = arg;
      return true;
    case 'T':
      s.newFile = arg;
      return true;
    default:
      return false;
  }
}

async function twice(tool: Tool, first: string, again: string): Promise<Buffer> {
  const a = await tool.prompt(first);
  const b = await tool.prompt(again);
  if (a !== b) {
    tool.err('passwords do not match\n');
    tool.exit(1);
  }
  return Buffer.from(a, 'utf8');
}

function readPw(tool: Tool, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    tool.err(`${file}: ${(error as Error).message}\n`);
    tool.exit(1);
  }
}

async function run(tool: Tool, operands: string[]): Promise<number> {
  const s = st(tool);
  if (operands.length > 1) tool.usage();
  const user = operands[0];
  if (s.oldFile !== undefined) s.oldpw = readPw(tool, s.oldFile);
  if (s.wantOld > 0 && s.oldpw === undefined) s.oldpw = await twice(tool, 'Old password: ', 'Re-enter old password: ');
  if (s.newFile !== undefined) s.newpw = readPw(tool, s.newFile);
  if (s.wantNew > 0 && s.newpw === undefined) s.newpw = await twice(tool, 'New password: ', 'Re-enter new password: ');
  for (const pw of [s.oldpw, s.newpw]) if (pw !== undefined) tool.secrets.push(pw);
  await tool.connSetup(false);
  await tool.bind();
  let value: Buffer | undefined;
  if (user !== undefined || s.oldpw !== undefined || s.newpw !== undefined) {
    const w = new BerWriter({ initialSize: 64 });
    w.startSequence();
    if (user !== undefined) w.writeString(user, 0x80);
    if (s.oldpw !== undefined) w.writeOctetString(s.oldpw, 0x81);
    if (s.newpw !== undefined) w.writeOctetString(s.newpw, 0x82);
    w.endSequence();
    value = w.toBuffer();
  }
  if (tool.dont > 0) return 0;
  tool.serverControlsSet();
  const client = tool.need('ldap_extended_operation');
  let responseValue: Buffer | undefined;
  const r = await resultOf(tool, async () => {
    const res = await client.extended(PASSWD_MODIFY_OID, value, { controls: tool.serverControls });
    responseValue = res.responseValue;
    return res;
  });
  if (responseValue !== undefined) {
    try {
      const reader = new BerReader().reset(responseValue);
      reader.enter();
      const gen = reader.readOctetString(0x80);
      tool.out.write(Buffer.concat([Buffer.from('New password: '), gen, Buffer.from('\n')]));
    } catch {
      tool.err('ber_scanf: Invalid argument\n');
    }
  } else if (r.code === 0 && s.newpw === undefined) {
    tool.err(`ldap_parse_extended_result: ${ldapErr2string(-4)} (-4) new password expected\n`);
  }
  if (tool.verbose > 0 || r.code !== 0 || r.matched !== '' || r.text !== '' || r.refs.length > 0 || r.controls.length > 0) {
    printResultBlock(tool, 'Result', r);
    if (r.controls.length > 0) tool.printCtrls(r.controls);
  }
  return r.code === 0 ? 0 : 1;
}

export const ldappasswd: ToolSpec = {
  name: 'ldappasswd',
  type: ToolType.PASSWD,
  options: 'a:As:St:T:d:D:e:h:H:InNO:o:p:QR:U:vVw:WxX:y:Y:Z',
  usage: (tool) =>
    'Change password of an LDAP user\n\n' +
    `usage: ${tool.prog} [options] [user]\n` +
    '  user: the authentication identity, commonly a DN\n' +
    'Password change options:\n' +
    '  -a secret  old password\n' +
    '  -A         prompt for old password\n' +
    '  -t file    read file for old password\n' +
    '  -s secret  new password\n' +
    '  -S         prompt for new password\n' +
    '  -T file    read file for new password\n',
  init: (tool) => {
    tool.protocol = 3;
  },
  handleOption,
  run,
};
