/**
 * `lber ldapsearch`: OpenLDAP's ldapsearch.c, output byte for byte: the
 * `# extended LDIF` header, a `# ufn` comment and the LDIF of each entry,
 * `# search result` with `search:`/`result:`, the `# numResponses` tail,
 * -L/-LL/-LLL, -A, -t/-tt/-T, -S, -u, -z/-l, paging with -E pr=N.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BerWriter } from '@lber/ber';
import { LdapConnectionError, LdapError, LdapResultError, LdifPut, encodePagedResultsValue, filterToBer, ldifIsNotPrintable, parseDn } from '@lber/ldap';
import type { Control, SearchEntry, SearchItem, SearchStream } from '@lber/ldap';
import { Oid, ToolType, apiErrorCode, parseCInt, scanInt, toolIsOid, toolResult } from '../common.js';
import type { Tool, ToolResult, ToolSpec } from '../common.js';
import { ldapErr2string } from '../err2string.js';
import { dn2ufn } from '../ufn.js';

const LDAP_MAXINT = 2147483647;
const SYNC_INFO_OID = '1.3.6.1.4.1.4203.1.9.1.4';

/** ldapsearch.c's statics. */
interface SearchState {
  scope: number;
  deref: number;
  attrsonly: number;
  timelimit: number;
  sizelimit: number;
  base: string | undefined;
  sortattr: string | undefined;
  includeufn: number;
  vals2tmp: number;
  tmpdir: string | undefined;
  urlpre: string | undefined;
  subentries: number;
  domainScope: number;
  dontUseCopy: number;
  sss: number;
  sssValue: Buffer | undefined;
  pagedResults: number;
  pagePrompt: boolean;
  pageSize: number;
  npaged: { responses: number; entries: number; references: number; extended: number; partial: number };
  /** -E OID controls. */
  ctrls: Control[];
  /** The progress line (spans the pages of a paged search). */
  progress?: Progress;
}

const states = new WeakMap<Tool, SearchState>();

function st(tool: Tool): SearchState {
  let s = states.get(tool);
  if (s === undefined) {
    s = {
      scope: 2,
      deref: -1,
      attrsonly: 0,
      timelimit: -1,
      sizelimit: -1,
      base: undefined,
      sortattr: undefined,
      includeufn: 0,
      vals2tmp: 0,
      tmpdir: undefined,
      urlpre: undefined,
      subentries: 0,
      domainScope: 0,
      dontUseCopy: 0,
      sss: 0,
      sssValue: undefined,
      pagedResults: 0,
      pagePrompt: true,
      pageSize: 0,
      npaged: { responses: 0, entries: 0, references: 0, extended: 0, partial: 0 },
      ctrls: [],
    };
    states.set(tool, s);
  }
  return s;
}

function defTmpdir(env: NodeJS.ProcessEnv): string {
  const t = env['TMPDIR'] ?? env['TMP'] ?? env['TEMP'];
  return t === undefined || t === '' ? '/tmp' : t;
}

function usage(tool: Tool): string {
  const tmp = defTmpdir(tool.streams.env);
  const urlpre = `file:///${tmp.startsWith('/') ? tmp.slice(1) : tmp}/`;
  return (
    `usage: ${tool.prog} [options] [filter [attributes...]]\nwhere:\n` +
    '  filter\tRFC 4515 compliant LDAP search filter\n' +
    '  attributes\twhitespace-separated list of attribute descriptions\n' +
    '    which may include:\n' +
    '      1.1   no attributes\n' +
    '      *     all user attributes\n' +
    '      +     all operational attributes\n' +
    'Search options:\n' +
    '  -a deref   one of never (default), always, search, or find\n' +
    '  -A         retrieve attribute names only (no values)\n' +
    '  -b basedn  base dn for search\n' +
    '  -c         continuous operation mode (do not stop on errors)\n' +
    '  -E [!]<ext>[=<extparam>] search extensions (! indicates criticality)\n' +
    '             [!]domainScope              (domain scope)\n' +
    "             !dontUseCopy                (Don't Use Copy)\n" +
    '             [!]pr=<size>[/prompt|noprompt] (RFC 2696 paged results/prompt)\n' +
    '             [!]sss=[-]<attr[:OID]>[/[-]<attr[:OID]>...]\n' +
    '                                         (RFC 2891 server side sorting)\n' +
    '             [!]subentries[=true|false]  (RFC 3672 subentries)\n' +
    '             [!]<oid>[=:<value>|::<b64value>] (generic control; no response handling)\n' +
    "  -f file    read operations from `file'\n" +
    `  -F prefix  URL prefix for files (default: ${urlpre})\n` +
    '  -l limit   time limit (in seconds, or "none" or "max") for search\n' +
    '  -L         print responses in LDIFv1 format\n' +
    '  -LL        print responses in LDIF format without comments\n' +
    '  -LLL       print responses in LDIF format without comments\n' +
    '             and version\n' +
    '  -M         enable Manage DSA IT control (-MM to make critical)\n' +
    '  -P version protocol version (default: 3)\n' +
    '  -s scope   one of base, one, sub or children (search scope)\n' +
    "  -S attr    sort the results by attribute `attr'\n" +
    '  -t         write binary values to files in temporary directory\n' +
    '  -tt        write all values to files in temporary directory\n' +
    `  -T path    write files to directory specified by path (default: ${tmp})\n` +
    '  -u         include User Friendly entry names in the output\n' +
    '  -z limit   size limit (in entries, or "none" or "max") for search\n'
  );
}

/** RFC 2891 SortKeyList from ldap_create_sort_keylist's `[-]attr[:rule]` words. */
function sortKeyListValue(spec: string): Buffer | null {
  const keys = spec.split(/\s+/).filter((k) => k !== '');
  if (keys.length === 0) return null;
  const w = new BerWriter({ initialSize: 64 });
  w.startSequence();
  for (let key of keys) {
    const reverse = key.startsWith('-');
    if (reverse) key = key.slice(1);
    const colon = key.indexOf(':');
    const attr = colon === -1 ? key : key.slice(0, colon);
    const rule = colon === -1 ? undefined : key.slice(colon + 1);
    if (attr === '' || rule === '') return null;
    w.startSequence();
    w.writeString(attr);
    if (rule !== undefined) w.writeString(rule, 0x80);
    if (reverse) w.writeBoolean(true, 0x81);
    w.endSequence();
  }
  w.endSequence();
  return w.toBuffer();
}

/** ldif_parse_line2 on `x:<rest>` for -E OID=:value / =::b64 (the value after the colon). */
function parseCtrlValue(rest: string): Buffer | null {
  if (rest.startsWith(':')) {
    const b64 = rest.slice(1).trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
    return Buffer.from(b64, 'base64');
  }
  return Buffer.from(rest.replace(/^ +/, ''), 'utf8');
}

function handleOption(tool: Tool, opt: string, arg: string | undefined): boolean {
  const s = st(tool);
  const a = arg ?? '';
  const fail = (msg: string): never => {
    tool.err(msg);
    tool.exit(1);
  };
  switch (opt) {
    case 'a': {
      const l = a.toLowerCase();
      if (l === 'never') s.deref = 0;
      else if (l.startsWith('search')) s.deref = 1;
      else if (l.startsWith('find')) s.deref = 2;
      else if (l === 'always') s.deref = 3;
      else {
        tool.err('alias deref should be never, search, find, or always\n');
        tool.usage();
      }
      return true;
    }
    case 'A':
      s.attrsonly++;
      return true;
    case 'b':
      s.base = a;
      return true;
    case 'E': {
      if (tool.protocol === 2) fail(`${tool.prog}: -E incompatible with LDAPv2\n`);
      let crit = 0;
      let rest = a;
      while (rest.startsWith('!')) {
        crit++;
        rest = rest.slice(1);
      }
      const eq = rest.indexOf('=');
      const control = eq === -1 ? rest : rest.slice(0, eq);
      const cvalue = eq === -1 ? undefined : rest.slice(eq + 1);
      const lc = control.toLowerCase();
      if (lc === 'pr') {
        if (s.pagedResults !== 0) fail('PagedResultsControl previously specified\n');
        if (cvalue === undefined) fail('Invalid value for PagedResultsControl.\n');
        let sizeText = cvalue!;
        const slash = sizeText.indexOf('/');
        if (slash !== -1) {
          const p = sizeText.slice(slash + 1);
          sizeText = sizeText.slice(0, slash);
          if (p.toLowerCase() === 'prompt') s.pagePrompt = true;
          else if (p.toLowerCase() === 'noprompt') s.pagePrompt = false;
          else fail(`Invalid value for PagedResultsControl, ${sizeText}/${p}.\n`);
        }
        const n = scanInt(sizeText);
        if (n === null) fail(`Invalid value for PagedResultsControl, ${sizeText}.\n`);
        s.pageSize = n!;
        s.pagedResults = 1 + crit;
      } else if (lc === 'dontusecopy') {
        if (s.dontUseCopy !== 0) fail('dontUseCopy control previously specified\n');
        if (cvalue !== undefined) {
          tool.err('dontUseCopy: no control value expected\n');
          tool.usage();
        }
        if (crit === 0) {
          tool.err('dontUseCopy: critical flag required\n');
          tool.usage();
        }
        s.dontUseCopy = 1 + crit;
      } else if (lc === 'domainscope') {
        if (s.domainScope !== 0) fail('domainScope control previously specified\n');
        if (cvalue !== undefined) {
          tool.err('domainScope: no control value expected\n');
          tool.usage();
        }
        s.domainScope = 1 + crit;
      } else if (lc === 'sss') {
        if (s.sss !== 0) fail('server side sorting control previously specified\n');
        if (cvalue === undefined) fail('missing specification of sss control\n');
        const v = sortKeyListValue(cvalue!.replace(/\//g, ' '));
        if (v === null) fail(`server side sorting control value "${cvalue!.replace(/\//g, ' ')}" invalid\n`);
        s.sssValue = v!;
        s.sss = 1 + crit;
      } else if (lc === 'subentries') {
        if (s.subentries !== 0) fail('subentries control previously specified\n');
        if (cvalue === undefined || cvalue.toLowerCase() === 'true') s.subentries = 2;
        else if (cvalue.toLowerCase() === 'false') s.subentries = 1;
        else fail(`subentries control value "${cvalue}" invalid\n`);
        if (crit > 0) s.subentries *= -1;
      } else if (['mv', 'ps', 'sync', 'vlv', 'deref', 'dirsync', 'extendeddn', 'showdeleted', 'servernotif', 'accountusability'].includes(lc)) {
        fail(`${tool.prog}: the ${control} search extension is not supported by lber ldapsearch\n`);
      } else if (toolIsOid(control)) {
        if (s.ctrls.some((c) => c.type === control)) fail(`${control} control previously specified\n`);
        const ctrl: Control = { type: control, criticality: crit > 0 };
        if (cvalue !== undefined) {
          if (!cvalue.startsWith(':')) fail(`unable to parse ${control} control value\n`);
          const v = parseCtrlValue(cvalue.slice(1));
          if (v === null) fail(`unable to parse ${control} control value\n`);
          ctrl.value = v!;
        }
        s.ctrls.push(ctrl);
      } else {
        tool.err(`Invalid search extension name: ${control}\n`);
        tool.usage();
      }
      return true;
    }
    case 'F':
      s.urlpre = a;
      return true;
    case 'l':
    case 'z': {
      const what = opt === 'l' ? 'time' : 'size';
      let n: number | null;
      if (a.toLowerCase() === 'none') n = 0;
      else if (a.toLowerCase() === 'max') n = LDAP_MAXINT;
      else {
        n = parseCInt(a);
        if (n === null) fail(`Unable to parse ${what} limit "${a}"\n`);
      }
      if (n! < 0 || n! > LDAP_MAXINT) fail(`${tool.prog}: invalid ${what}limit (${n}) specified\n`);
      if (opt === 'l') s.timelimit = n!;
      else s.sizelimit = n!;
      return true;
    }
    case 'L':
      tool.ldif++;
      return true;
    case 's': {
      const l = a.toLowerCase();
      if (l.startsWith('base')) s.scope = 0;
      else if (l.startsWith('one')) s.scope = 1;
      else if (l === 'subordinate' || l === 'children') s.scope = 3;
      else if (l.startsWith('sub')) s.scope = 2;
      else {
        tool.err('scope should be base, one, or sub\n');
        tool.usage();
      }
      return true;
    }
    case 'S':
      s.sortattr = a;
      return true;
    case 't':
      s.vals2tmp++;
      return true;
    case 'T':
      s.tmpdir = a;
      return true;
    case 'u':
      s.includeufn++;
      return true;
    default:
      return false;
  }
}

/** The counts of one dosearch. */
interface Counts {
  responses: number;
  entries: number;
  references: number;
  extended: number;
  partial: number;
}

/** The progress line on a terminal's stderr: entries so far and the rate, from 0.25 s on, redrawn at most every 100 ms, erased at the end. */
class Progress {
  private readonly started = Date.now();
  private last = 0;
  private shown = false;
  constructor(private readonly tool: Tool) {}
  tick(entries: number): void {
    if (!this.tool.streams.stderrIsTTY) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const secs = (now - this.started) / 1000;
    if (secs < 0.25) return;
    this.tool.err(`\r\x1b[K# ${entries} entries, ${Math.round(entries / secs)}/s`);
    this.shown = true;
  }
  done(): void {
    if (this.shown) this.tool.err('\r\x1b[K');
    this.shown = false;
  }
}

function mkstemp(dir: string, attr: string): { fd: number; path: string; name: string } {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (;;) {
    const bytes = randomBytes(6);
    let suffix = '';
    for (const b of bytes) suffix += chars[b % chars.length];
    const name = `ldapsearch-${attr}-${suffix}`;
    const path = `${dir}/${name}`;
    try {
      return { fd: openSync(path, 'wx', 0o600), path, name };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
  }
}

function printEntry(tool: Tool, s: SearchState, entry: SearchEntry): void {
  let ufn: string | null = null;
  if (tool.ldif < 2) {
    ufn = dn2ufn(entry.dn);
    tool.writeLdif(LdifPut.COMMENT, null, ufn);
  }
  tool.writeLdif(LdifPut.VALUE, 'dn', entry.dn);
  if (entry.controls.length > 0) tool.printCtrls(entry.controls);
  if (s.includeufn > 0) {
    if (ufn === null) ufn = dn2ufn(entry.dn);
    tool.writeLdif(LdifPut.VALUE, 'ufn', ufn);
  }
  for (const a of entry.attributes) {
    if (s.attrsonly > 0) {
      tool.writeLdif(LdifPut.NOVALUE, a.type, null);
      continue;
    }
    for (const v of a.values) {
      if (s.vals2tmp > 1 || (s.vals2tmp > 0 && ldifIsNotPrintable(v) !== 0)) {
        const dir = s.tmpdir!;
        let tmp: { fd: number; path: string; name: string };
        try {
          tmp = mkstemp(dir, a.type);
        } catch (error) {
          tool.err(`${dir}/ldapsearch-${a.type}-XXXXXX: ${(error as Error).message}\n`);
          continue;
        }
        try {
          writeSync(tmp.fd, v);
        } finally {
          closeSync(tmp.fd);
        }
        tool.writeLdif(LdifPut.URL, a.type, `${s.urlpre!}${tmp.name}`);
      } else {
        tool.writeLdif(LdifPut.VALUE, a.type, v);
      }
    }
  }
}

function printReference(tool: Tool, uris: readonly string[], controls: readonly Control[]): void {
  if (tool.ldif < 2) tool.out.write('# search reference\n');
  for (const r of uris) tool.writeLdif(tool.ldif > 0 ? LdifPut.COMMENT : LdifPut.VALUE, 'ref', r);
  if (controls.length > 0) tool.printCtrls(controls);
}

function printPartial(tool: Tool, oid: string | undefined, data: Buffer | undefined, controls: readonly Control[]): void {
  if (tool.ldif < 2) {
    tool.out.write('# extended partial response\n');
    tool.writeLdif(tool.ldif > 0 ? LdifPut.COMMENT : LdifPut.VALUE, 'partial', oid ?? null);
    if (data !== undefined) tool.writeLdif(tool.ldif > 0 ? LdifPut.COMMENT : LdifPut.BINARY, 'data', data);
  }
  if (controls.length > 0) tool.printCtrls(controls);
}

/** print_result for a search: `# search result`, `search: N`, `result: ...` and the rest. */
function printResult(tool: Tool, r: ToolResult): number {
  const ldif = tool.ldif;
  if (ldif < 2) tool.out.write('# search result\n');
  if (ldif < 1) tool.out.write(`search: ${r.messageId}\n`);
  if (ldif === 0) tool.out.write(`result: ${r.code} ${ldapErr2string(r.code)}\n`);
  else if (r.code !== 0) {
    tool.out.flush();
    tool.err(`${ldapErr2string(r.code)} (${r.code})\n`);
  }
  if (r.matched !== '') {
    if (ldif === 0) tool.writeLdif(LdifPut.VALUE, 'matchedDN', r.matched);
    else tool.err(`Matched DN: ${r.matched}\n`);
  }
  if (r.text !== '') {
    if (ldif === 0) {
      if (r.code === 9) for (const line of r.text.split('\n')) tool.writeLdif(LdifPut.TEXT, 'text', line);
      else tool.writeLdif(LdifPut.TEXT, 'text', r.text);
    } else {
      tool.err(`Additional information: ${r.text}\n`);
    }
  }
  for (const ref of r.refs) {
    if (ldif === 0) tool.writeLdif(LdifPut.VALUE, 'ref', ref);
    else tool.err(`Referral: ${ref}\n`);
  }
  tool.prMorePagedResults = 0;
  if (r.controls.length > 0) tool.printCtrls(r.controls);
  return r.code;
}

/** strcasecmp in the C locale, on the bytes up to a NUL. */
function strcasecmp(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a[i]!;
    let y = b[i]!;
    if (x >= 0x41 && x <= 0x5a) x += 32;
    if (y >= 0x41 && y <= 0x5a) y += 32;
    if (x !== y || x === 0) return x - y;
  }
  return (a.length > n ? a[n]! : 0) - (b.length > n ? b[n]! : 0);
}

/** ldap_sort_entries: entries by the values of `attr` (or the DN's RDN values), the rest after them in order. */
function sortItems(items: SearchItem[], attr: string): SearchItem[] {
  const entries = items.filter((i): i is SearchEntry => i.type === 'entry');
  const others = items.filter((i) => i.type !== 'entry');
  const keyOf = (e: SearchEntry): Buffer[] | null => {
    if (attr === '') {
      try {
        return parseDn(e.dn).rdns.map((rdn) => Buffer.concat(rdn.map((ava, i) => Buffer.concat([Buffer.from(i > 0 ? '+' : ''), ava.value]))));
      } catch {
        return null;
      }
    }
    const values = e.buffers(attr);
    return values.length === 0 ? null : values;
  };
  const keyed = entries.map((e) => ({ e, k: keyOf(e) }));
  keyed.sort((a, b) => {
    if (a.k === null && b.k === null) return 0;
    if (a.k === null) return -1;
    if (b.k === null) return 1;
    let i = 0;
    for (; i < a.k.length && i < b.k.length; i++) {
      const rc = strcasecmp(a.k[i]!, b.k[i]!);
      if (rc !== 0) return rc;
    }
    if (i === a.k.length && i === b.k.length) return 0;
    return i === a.k.length ? -1 : 1;
  });
  return [...keyed.map((x) => x.e), ...others];
}

async function dosearch(tool: Tool, s: SearchState, filtpatt: string | undefined, value: string, attrs: string[] | undefined): Promise<number> {
  let filter = value;
  if (filtpatt !== undefined) {
    filter = filtpatt.replace('%s', value);
    if (tool.verbose > 0) tool.err(`filter: ${filter}\n`);
    if (tool.ldif < 2) tool.out.write(`#\n# filter: ${filter}\n#\n`);
  }
  if (tool.dont > 0) return 0;
  const client = tool.need('ldap_search_ext');
  let filterBer: Buffer;
  try {
    filterBer = filterToBer(filter);
  } catch {
    tool.perror('ldap_search_ext', -7, null, null, null, null);
    return -7;
  }
  const counts: Counts = { responses: 0, entries: 0, references: 0, extended: 0, partial: 0 };
  const sizelimit = s.sizelimit >= 0 ? s.sizelimit : Number(tool.conf.get('SIZELIMIT') ?? 0) || 0;
  const timelimit = s.timelimit >= 0 ? s.timelimit : Number(tool.conf.get('TIMELIMIT') ?? 0) || 0;
  let base = s.base ?? tool.conf.get('BASE') ?? '';
  if (s.base === undefined && tool.conf.get('BASE') === undefined) base = '';
  let stream: SearchStream;
  try {
    stream = client.search(base, {
      scope: s.scope,
      filter: filterBer,
      ...(attrs !== undefined ? { attributes: attrs } : {}),
      typesOnly: s.attrsonly > 0,
      sizeLimit: sizelimit,
      timeLimit: timelimit,
      derefAliases: s.deref >= 0 ? s.deref : 0,
      controls: tool.serverControls,
    });
  } catch (error) {
    const code = apiErrorCode(error);
    tool.perror('ldap_search_ext', code, null, null, null, null);
    return code;
  }
  const progress = (s.progress ??= new Progress(tool));
  const before = s.npaged.entries;
  let rc2 = 80;
  let gotResult = false;
  const emit = (item: SearchItem): boolean => {
    if (counts.responses++ > 0) tool.out.write('\n');
    if (item.type === 'entry') {
      counts.entries++;
      printEntry(tool, s, item);
      progress.tick(before + counts.entries);
      return true;
    }
    if (item.type === 'reference') {
      counts.references++;
      printReference(tool, item.uris, item.controls);
      return true;
    }
    counts.partial++;
    if (item.responseName === SYNC_INFO_OID) {
      if (tool.ldif < 2) tool.out.write('# SyncInfo Received\n');
      return true;
    }
    printPartial(tool, item.responseName, item.responseValue, item.controls);
    return false;
  };
  const finish = (r: ToolResult): void => {
    if (counts.responses++ > 0) tool.out.write('\n');
    rc2 = printResult(tool, r);
    gotResult = true;
  };
  let failure: unknown;
  try {
    if (s.sortattr !== undefined) {
      const items: SearchItem[] = [];
      let result: ToolResult | undefined;
      try {
        for await (const item of stream) items.push(item);
        result = toolResult(await stream.result, stream.messageId);
      } catch (error) {
        if (!(error instanceof LdapResultError)) throw error;
        result = toolResult(error, stream.messageId);
      }
      for (const item of sortItems(items, s.sortattr)) if (!emit(item)) break;
      finish(result);
    } else {
      try {
        let stopped = false;
        for await (const item of stream) {
          if (!emit(item)) {
            stopped = true;
            stream.abandon();
            break;
          }
        }
        if (!stopped) finish(toolResult(await stream.result, stream.messageId));
      } catch (error) {
        if (!(error instanceof LdapResultError)) throw error;
        finish(toolResult(error, stream.messageId));
      }
    }
  } catch (error) {
    failure = error;
  }
  if (s.pagedResults === 0 || tool.prMorePagedResults === 0 || failure !== undefined) progress.done();
  if (failure !== undefined) rc2 = failure instanceof LdapConnectionError || failure instanceof LdapError ? apiErrorCode(failure) : -1;
  if (s.pagedResults > 0) {
    const p = s.npaged;
    p.responses += counts.responses;
    p.entries += counts.entries;
    p.extended += counts.extended;
    p.partial += counts.partial;
    p.references += counts.references;
    if (tool.prMorePagedResults === 0 && tool.ldif < 2) writeCounts(tool, p);
  } else if (tool.ldif < 2) {
    writeCounts(tool, counts);
  }
  if (!gotResult && failure !== undefined) tool.perror('ldap_result', rc2, null, null, null, null);
  return rc2;
}

function writeCounts(tool: Tool, c: Counts): void {
  let t = `\n# numResponses: ${c.responses}\n`;
  if (c.entries) t += `# numEntries: ${c.entries}\n`;
  if (c.extended) t += `# numExtended: ${c.extended}\n`;
  if (c.partial) t += `# numPartial: ${c.partial}\n`;
  if (c.references) t += `# numReferences: ${c.references}\n`;
  tool.out.write(t);
}

function booleanValue(v: boolean): Buffer {
  return Buffer.from([0x01, 0x01, v ? 0xff : 0x00]);
}

async function readLine(tool: Tool): Promise<string> {
  tool.out.flush();
  return new Promise((resolve) => {
    let line = '';
    const stdin = process.stdin;
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl === -1) {
        line += text;
        return;
      }
      line += text.slice(0, nl);
      done();
    };
    const done = (): void => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.pause();
      resolve(line);
    };
    stdin.on('data', onData);
    stdin.on('end', done);
    stdin.resume();
  });
}

async function run(tool: Tool, operands: string[]): Promise<number> {
  const s = st(tool);
  const env = tool.streams.env;
  const deftmp = defTmpdir(env);
  const defUrlpre = `file:///${deftmp.startsWith('/') ? deftmp.slice(1) : deftmp}/`;
  let i = 0;
  let filtpattern: string;
  if (operands.length < 1 || (!operands[0]!.startsWith('(') && !operands[0]!.includes('='))) filtpattern = '(objectclass=*)';
  else filtpattern = operands[i++]!;
  const attrs = i < operands.length ? operands.slice(i) : undefined;
  let lines: string[] | undefined;
  if (tool.infile !== undefined) {
    try {
      const text = tool.infile === '-' ? (await tool.streams.readStdin()).toString('utf8') : readFileSync(tool.infile, 'utf8');
      lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
    } catch (error) {
      tool.err(`${tool.infile}: ${(error as Error).message}\n`);
      return 1;
    }
    const percents = filtpattern.split('%').length - 1;
    if (percents > 1 || (percents === 1 && !filtpattern.includes('%s'))) {
      tool.err(`Bad filter pattern "${filtpattern}"\n`);
      return 1;
    }
  }
  if (s.tmpdir === undefined) {
    s.tmpdir = deftmp;
    if (s.urlpre === undefined) s.urlpre = defUrlpre;
  }
  if (s.urlpre === undefined) s.urlpre = `file:///${s.tmpdir.startsWith('/') ? s.tmpdir.slice(1) : s.tmpdir}/`;

  await tool.connSetup(false);
  if (s.deref === -1 && tool.conf.get('DEREF') !== undefined) {
    const d = tool.conf.get('DEREF')!.toLowerCase();
    s.deref = d === 'always' ? 3 : d === 'finding' ? 2 : d === 'searching' ? 1 : 0;
  }
  await tool.bind();

  let rc = 0;
  for (;;) {
    const c: Control[] = [...s.ctrls];
    if (s.dontUseCopy > 0) c.push({ type: Oid.DONTUSECOPY, criticality: s.dontUseCopy === 2 });
    if (s.domainScope > 0) c.push({ type: Oid.DOMAIN_SCOPE, criticality: s.domainScope > 1 });
    if (s.subentries !== 0) c.push({ type: Oid.SUBENTRIES, criticality: s.subentries < 1, value: booleanValue(Math.abs(s.subentries) !== 1) });
    if (s.pagedResults > 0) {
      c.push({ type: Oid.PAGEDRESULTS, criticality: s.pagedResults > 1, value: encodePagedResultsValue(s.pageSize, tool.prCookie) });
      tool.prCookie = Buffer.alloc(0);
    }
    if (s.sss > 0 && s.sssValue !== undefined) c.push({ type: Oid.SORTREQUEST, criticality: s.sss > 1, value: s.sssValue });
    tool.serverControlsSet(c);

    if (tool.verbose > 0) {
      tool.err(`filter${tool.infile !== undefined ? ' pattern' : ''}: ${filtpattern}\nrequesting: ${attrs === undefined ? 'All userApplication attributes' : attrs.map((a) => `${a} `).join('')}\n`);
    }
    if (tool.ldif === 0) tool.out.write('# extended LDIF\n');
    else if (tool.ldif < 3) tool.out.write('version: 1\n\n');
    if (tool.ldif < 2) {
      const defbase = tool.conf.get('BASE');
      const realbase = s.base ?? defbase;
      let h = '#\n';
      h += `# LDAPv${tool.protocol}\n`;
      const scopeName = s.scope === 0 ? 'baseObject' : s.scope === 1 ? 'oneLevel' : s.scope === 3 ? 'children' : 'subtree';
      h += `# base <${realbase ?? ''}>${s.base === undefined ? ' (default)' : ''} with scope ${scopeName}\n`;
      h += `# filter${tool.infile !== undefined ? ' pattern' : ''}: ${filtpattern}\n`;
      h += '# requesting: ';
      h += attrs === undefined ? 'ALL' : attrs.map((a) => `${a} `).join('');
      if (tool.manageDSAit > 0) h += `\n# with manageDSAit ${tool.manageDSAit > 1 ? 'critical ' : ''}control`;
      if (tool.noop > 0) h += `\n# with noop ${tool.noop > 1 ? 'critical ' : ''}control`;
      if (s.subentries !== 0) h += `\n# with subentries ${s.subentries < 0 ? 'critical ' : ''}control: ${Math.abs(s.subentries) === 1 ? 'false' : 'true'}`;
      if (s.pagedResults > 0) h += `\n# with pagedResults ${s.pagedResults > 1 ? 'critical ' : ''}control: size=${s.pageSize}`;
      if (s.sss > 0) h += `\n# with server side sorting ${s.sss > 1 ? 'critical ' : ''}control`;
      h += '\n#\n\n';
      tool.out.write(h);
    }

    if (lines === undefined) {
      rc = await dosearch(tool, s, undefined, filtpattern, attrs);
    } else {
      rc = 0;
      let first = true;
      for (const line of lines) {
        if (!first) tool.out.write('\n');
        first = false;
        const rc1 = await dosearch(tool, s, filtpattern, line, attrs);
        if (rc1 !== 0) {
          rc = rc1;
          if (tool.contoper === 0) break;
        }
      }
    }

    if (rc === 0 && s.pageSize > 0 && tool.prMorePagedResults !== 0) {
      if (s.pagePrompt) {
        tool.out.write(`Press [size] Enter for the next {${s.pageSize}|size} entries.\n`);
        const answer = (await readLine(tool)).slice(0, 11);
        if (answer.length > 0 && /^[0-9]/.test(answer)) {
          const n = scanInt(answer);
          if (n === null) {
            tool.err(`Invalid value for PagedResultsControl, ${answer}.\n`);
            tool.exit(1);
          }
          s.pageSize = n;
        }
      }
      continue;
    }
    break;
  }
  return rc;
}

export const ldapsearch: ToolSpec = {
  name: 'ldapsearch',
  type: ToolType.SEARCH,
  options: 'a:Ab:cE:F:l:Ls:S:tT:uz:Cd:D:e:f:h:H:IMnNO:o:p:P:QR:U:vVw:WxX:y:Y:Z',
  usage,
  handleOption,
  run,
};
