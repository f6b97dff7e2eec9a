/**
 * `lber ldapmodify` and `lber ldapadd`: OpenLDAP's ldapmodify.c. Reads
 * LDIF change records (from -f or stdin) one at a time and applies each:
 * add, delete, modify (add/delete/replace/increment), modrdn/moddn with
 * newsuperior. `ldapadd` (or -a) reads records without `changetype:` as
 * adds. Prints `adding new entry "..."` and friends as the C tool does;
 * stops at the first error unless -c. -S writes skipped records to a file.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { LdapConnectionError, LdapResultError, LdifError, readLdif, LdapError } from '@lber/ldap';
import type { Control, LdapOperationResult, LdifChangeRecord, LdifRecord } from '@lber/ldap';
import { ToolType, apiErrorCode, toolResult } from '../common.js';
import type { Tool, ToolSpec } from '../common.js';
import { ldapErr2string } from '../err2string.js';

interface ModifyState {
  ldapadd: boolean;
  rejfile: string | undefined;
}

const states = new WeakMap<Tool, ModifyState>();
function st(tool: Tool): ModifyState {
  let s = states.get(tool);
  if (s === undefined) {
    s = { ldapadd: tool.prog === 'ldapadd', rejfile: undefined };
    states.set(tool, s);
  }
  return s;
}

function usage(tool: Tool): string {
  const s = st(tool);
  return (
    'Add or modify entries from an LDAP server\n\n' +
    `usage: ${tool.prog} [options]\n` +
    '\tThe list of desired operations are read from stdin or from the file\n' +
    '\tspecified by "-f file".\n' +
    'Add or modify options:\n' +
    `  -a         add values (${s.ldapadd ? 'default' : 'default is to replace'})\n` +
    '  -c         continuous operation mode (do not stop on errors)\n' +
    '  -E [!]ext=extparam\tmodify extensions (! indicate s criticality)\n' +
    "  -f file    read operations from `file'\n" +
    '  -M         enable Manage DSA IT control (-MM to make critical)\n' +
    '  -P version protocol version (default: 3)\n' +
    "  -S file    write skipped modifications to `file'\n"
  );
}

function handleOption(tool: Tool, opt: string, arg: string | undefined): boolean {
  const s = st(tool);
  switch (opt) {
    case 'E': {
      let rest = arg ?? '';
      if (rest.startsWith('!')) rest = rest.slice(1);
      const control = rest.split('=')[0]!;
      tool.err(control.toLowerCase() === 'txn' ? `${tool.prog}: transactions (-E txn) are not supported by lber ldapmodify\n` : `Invalid modify extension name: ${control}\n`);
      tool.usage();
      return true;
    }
    case 'a':
      s.ldapadd = true;
      return true;
    case 'r':
      return true;
    case 'S':
      if (s.rejfile !== undefined) {
        tool.err(`${tool.prog}: -S previously specified\n`);
        tool.exit(1);
      }
      s.rejfile = arg;
      return true;
    default:
      return false;
  }
}

/** What a failed operation leaves for the -S reject file. */
interface Failure {
  code: number;
  matched: string;
  text: string;
}

/** process_response: the result of one operation; prints the error line and controls. */
function report(tool: Tool, func: string, outcome: LdapOperationResult | LdapResultError, failure: { last?: Failure }): number {
  const r = toolResult(outcome);
  if (r.code !== 0) {
    tool.perror(func, r.code, null, r.matched, r.text, r.refs);
    failure.last = { code: r.code, matched: r.matched, text: r.text };
  }
  if (r.controls.length > 0) tool.printCtrls(r.controls);
  return r.code;
}

async function apply(tool: Tool, record: LdifChangeRecord, controls: readonly Control[], failure: { last?: Failure }): Promise<number> {
  const dn = record.dn;
  const dont = tool.dont > 0;
  const bang = dont ? '!' : '';
  const op = async (func: string, f: () => Promise<LdapOperationResult>): Promise<number> => {
    if (dont) return 0;
    const client = tool.need(func);
    try {
      const rc = report(tool, func, await f(), failure);
      return rc;
    } catch (error) {
      if (error instanceof LdapResultError) return report(tool, func, error, failure);
      if (error instanceof LdapConnectionError || error instanceof LdapError) {
        const code = apiErrorCode(error);
        tool.perror('ldap_result', code, null, null, null, null);
        failure.last = { code, matched: '', text: '' };
        return code;
      }
      throw error;
    } finally {
      void client;
    }
  };
  let rc: number;
  switch (record.changeType) {
    case 'add':
    case 'modify': {
      const newentry = record.changeType === 'add';
      const mods =
        record.changeType === 'add'
          ? record.attributes.map((a) => ({ op: 'add' as const, type: a.type, values: a.values }))
          : record.changes.map((c) => ({ op: c.operation, type: c.type, values: c.values }));
      if (mods.length === 0) {
        tool.out.write(`warning: no attributes to ${newentry ? '' : 'change or '}add (entry="${dn}")\n`);
      } else {
        for (const m of mods) {
          if (m.op === 'add' && m.values.length === 0) {
            tool.out.flush();
            tool.err(`${tool.prog}: attribute "${m.type}" has no values (entry="${dn}")\n`);
            return -9;
          }
        }
        if (tool.verbose > 0) {
          for (const m of mods) {
            tool.out.write(`${m.op} ${m.type}:\n`);
            for (const v of m.values) {
              if (v.some((b) => b >= 0x80)) tool.out.write(`\tNOT ASCII (${v.length} bytes)\n`);
              else tool.out.write(`\t${v.toString('latin1').split('\0')[0]}\n`);
            }
          }
        }
      }
      tool.out.write(`${bang}${newentry ? 'adding new entry' : 'modifying entry'} "${dn}"\n`);
      if (newentry) {
        const attrs = record.changeType === 'add' ? record.attributes.map((a) => ({ type: a.type, values: a.values })) : [];
        rc = await op('ldap_add', () => tool.client!.add(dn, attrs, { controls }));
      } else {
        const changes = record.changeType === 'modify' ? record.changes.map((c) => ({ operation: c.operation, modification: { type: c.type, values: c.values } })) : [];
        rc = await op('ldap_modify', () => tool.client!.modify(dn, changes, { controls }));
      }
      if (tool.verbose > 0 && rc === 0 && !dont) tool.out.write('modify complete\n');
      break;
    }
    case 'delete':
      tool.out.write(`${bang}deleting entry "${dn}"\n`);
      rc = await op('ldap_delete', () => tool.client!.delete(dn, { controls }));
      if (tool.verbose > 0 && rc === 0 && !dont) tool.out.write('delete complete\n');
      break;
    case 'modrdn':
    case 'moddn': {
      tool.out.write(`${bang}modifying rdn of entry "${dn}"\n`);
      if (tool.verbose > 0) tool.out.write(`\tnew RDN: "${record.newRdn}" (${record.deleteOldRdn ? 'do not ' : ''}keep existing values)\n`);
      const newSuperior = record.newSuperior;
      rc = await op('ldap_rename', () =>
        tool.client!.modifyDN(dn, record.newRdn, { deleteOldRdn: record.deleteOldRdn, ...(newSuperior !== undefined ? { newSuperior } : {}), controls }),
      );
      if (tool.verbose > 0 && rc === 0 && !dont) tool.out.write('rename complete\n');
      break;
    }
  }
  tool.out.write('\n');
  return rc;
}

/** The record as LDIF text again, for the -S reject file. */
function recordText(record: LdifRecord, raw: string[] | undefined): string {
  if (raw !== undefined) return raw.join('\n');
  return `dn: ${record.dn}`;
}

async function run(tool: Tool, operands: string[]): Promise<number> {
  const s = st(tool);
  if (operands.length > 0) tool.usage();
  let rejects = '';
  const source = tool.infile !== undefined && tool.infile !== '-' ? createReadStream(tool.infile) : undefined;
  if (source !== undefined) {
    const opened = await new Promise<Error | null>((resolve) => {
      source.once('open', () => resolve(null));
      source.once('error', (e) => resolve(e));
    });
    if (opened !== null) {
      tool.err(`${tool.infile}: ${opened.message}\n`);
      return 1;
    }
  }
  await tool.connSetup(tool.dont > 0);
  if (tool.dont === 0) await tool.bind();
  tool.serverControlsSet();
  const input = source ?? (await tool.streams.readStdin());
  const reader = readLdif(input, { defaultChangeType: s.ldapadd ? 'add' : 'modify' });
  let rc = 0;
  let retval = 0;
  const failure: { last?: Failure } = {};
  try {
    for (;;) {
      if (rc !== 0 && tool.contoper === 0) break;
      const next = await reader.next();
      if (next.done === true) break;
      const record = next.value;
      if (record.kind !== 'change') continue;
      const controls: Control[] = [...record.controls.map((c) => (c.value === undefined ? { type: c.type, criticality: c.criticality } : { type: c.type, criticality: c.criticality, value: c.value })), ...tool.serverControls];
      rc = await apply(tool, record, record.controls.length > 0 ? controls : tool.serverControls, failure);
      if (rc !== 0) {
        retval = rc;
        if (s.rejfile !== undefined) {
          const f = failure.last;
          let line = `# Error: ${ldapErr2string(rc)} (${rc})`;
          if (f !== undefined && f.matched !== '') line += `, matched DN: ${f.matched}`;
          if (f !== undefined && f.text !== '') line += `, additional info: ${f.text}`;
          rejects += `${line}\n${recordText(record, undefined)}\n\n`;
        }
      }
    }
  } catch (error) {
    if (!(error instanceof LdifError)) throw error;
    tool.out.flush();
    tool.err(`${tool.prog}: ${error.message}\n`);
    retval = -9;
  }
  if (s.rejfile !== undefined) {
    try {
      writeFileSync(s.rejfile, rejects);
    } catch (error) {
      tool.err(`${s.rejfile}: ${(error as Error).message}\n`);
    }
  }
  return retval;
}

export const ldapmodify: ToolSpec = {
  name: 'ldapmodify',
  type: ToolType.MODIFY,
  options: 'aE:rS:cd:D:e:f:h:H:IMnNO:o:p:P:QR:U:vVw:WxX:y:Y:Z',
  usage,
  handleOption,
  run,
};

export const ldapadd: ToolSpec = { ...ldapmodify, name: 'ldapadd', type: ToolType.ADD };
