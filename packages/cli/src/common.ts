/**
 * What every tool shares, after OpenLDAP's clients/tools/common.c: the
 * common options (tool_args), the connection with StartTLS (tool_conn_setup),
 * the bind (tool_bind), the request controls (tool_server_controls), error
 * lines (tool_perror), response controls (tool_print_ctrls) and LDIF output
 * (tool_write_ldif). The state is one {@link Tool} object per run, not
 * globals. A C `exit(n)` is a thrown {@link ToolExit}.
 */
import { readFileSync } from 'node:fs';
import { LBER_SBIOD_LEVEL_PROVIDER, lberOptions } from '@lber/sockbuf';
import type { Sockbuf } from '@lber/sockbuf';
import {
  LDAP_DEBUG_LAYER_LEVEL,
  LdapConnectionError,
  LdapError,
  LdapResultError,
  connect,
  decodePagedResultsValue,
  filterToBer,
  ldifPutWrap,
  LdifPut,
  parseLdapUrlList,
  formatLdapUrl,
  preRead,
} from '@lber/ldap';
import type { Control, LdapClient, LdapOperationResult, LdifPutType, LdifWrap, SearchEntry } from '@lber/ldap';
import type { TlsConnectOptions } from '@lber/sockbuf';
import { sockbufIoDebug } from '@lber/sockbuf';
import { ldapErr2string } from './err2string.js';
import { getopt } from './getopt.js';
import { Output } from './output.js';
import type { ToolStreams } from './output.js';
import { SASL_MECHANISMS, SaslLocalError, saslBind } from './sasl.js';

/** A C `exit(status)`: unwinds to main(), which returns `status & 0xff`. */
export class ToolExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

/** Which tool runs (common.h tool_type_t), for the response-control table. */
export const ToolType = {
  SEARCH: 0x01,
  COMPARE: 0x02,
  ADD: 0x04,
  DELETE: 0x08,
  MODIFY: 0x10,
  MODRDN: 0x20,
  EXOP: 0x40,
  WHOAMI: 0x40 | 0x100,
  PASSWD: 0x40 | 0x200,
} as const;

/** Control OIDs the tools send or recognise. */
export const Oid = {
  MANAGEDSAIT: '2.16.840.1.113730.3.4.2',
  MANAGEDIT: '1.3.6.1.4.1.4203.666.5.12',
  NOOP: '1.3.6.1.4.1.4203.666.5.2',
  ASSERT: '1.3.6.1.1.12',
  PROXY_AUTHZ: '2.16.840.1.113730.3.4.18',
  PRE_READ: '1.3.6.1.1.13.1',
  POST_READ: '1.3.6.1.1.13.2',
  PASSWORDPOLICYREQUEST: '1.3.6.1.4.1.42.2.27.8.5.1',
  AUTHZID_REQUEST: '2.16.840.1.113730.3.4.16',
  AUTHZID_RESPONSE: '2.16.840.1.113730.3.4.15',
  PAGEDRESULTS: '1.2.840.113556.1.4.319',
  SORTREQUEST: '1.2.840.113556.1.4.473',
  SORTRESPONSE: '1.2.840.113556.1.4.474',
  SUBENTRIES: '1.3.6.1.4.1.4203.1.10.1',
  DOMAIN_SCOPE: '1.2.840.113556.1.4.1339',
  DONTUSECOPY: '1.3.6.1.1.22',
  VALUESRETURNFILTER: '1.2.826.0.1.3344810.2.3',
} as const;

/** The options every tool accepts, by letter (after common.c tool_args). */
const COMMON_USAGE: ReadonlyArray<readonly [string, string]> = [
  ['d', "  -d level   set LDAP debugging level to `level'\n"],
  ['D', '  -D binddn  bind DN\n'],
  [
    'e',
    '  -e [!]<ext>[=<extparam>] general extensions (! indicates criticality)\n' +
      '             [!]assert=<filter>     (RFC 4528; a RFC 4515 Filter string)\n' +
      '             [!]authzid=<authzid>   (RFC 4370; "dn:<dn>" or "u:<user>")\n' +
      '             [!]bauthzid            (RFC 3829)\n' +
      '             [!]manageDSAit         (RFC 3296)\n' +
      '             [!]noop\n' +
      '             ppolicy\n' +
      '             [!]postread[=<attrs>]  (RFC 4527; comma-separated attr list)\n' +
      '             [!]preread[=<attrs>]   (RFC 4527; comma-separated attr list)\n' +
      '             [!]relax\n' +
      '             abandon, cancel, ignore (SIGINT sends abandon/cancel,\n' +
      "             or ignores response; if critical, doesn't wait for SIGINT.\n" +
      '             not really controls)\n',
  ],
  ['H', '  -H URI     LDAP Uniform Resource Identifier(s)\n'],
  ['I', '  -I         use SASL Interactive mode\n'],
  ['n', "  -n         show what would be done but don't actually do it\n"],
  ['N', '  -N         do not use reverse DNS to canonicalize SASL host name\n'],
  ['O', '  -O props   SASL security properties\n'],
  ['o', '  -o <opt>[=<optparam>] any libldap ldap.conf options, plus\n'],
  [' ', '             ldif_wrap=<width> (in columns, or "no" for no wrapping)\n'],
  [' ', '             nettimeout=<timeout> (in seconds, or "none" or "max")\n'],
  ['Q', '  -Q         use SASL Quiet mode\n'],
  ['R', '  -R realm   SASL realm\n'],
  ['U', '  -U authcid SASL authentication identity\n'],
  ['v', '  -v         run in verbose mode (diagnostics to standard output)\n'],
  ['V', '  -V         print version info (-VV only)\n'],
  ['w', '  -w passwd  bind password (for simple authentication)\n'],
  ['W', '  -W         prompt for bind password\n'],
  ['x', '  -x         Simple authentication\n'],
  ['X', '  -X authzid SASL authorization identity ("dn:<dn>" or "u:<user>")\n'],
  ['y', '  -y file    Read password from file\n'],
  ['Y', '  -Y mech    SASL mechanism\n'],
  ['Z', '  -Z         Start TLS request (-ZZ to require successful response)\n'],
];

/** One tool: its option letters, private options, usage text and body. */
export interface ToolSpec {
  /** The program name (`ldapsearch`). */
  name: string;
  type: number;
  /** The full getopt option string of the C tool. */
  options: string;
  /** The tool's own usage lines (tool_common_usage is appended). */
  usage(tool: Tool): string;
  /** Handles one private option; false when it is not one. */
  handleOption?(tool: Tool, opt: string, arg: string | undefined): boolean;
  /** Sets defaults before the options are read (ldapwhoami: protocol 3). */
  init?(tool: Tool): void;
  /** The tool's main(); returns the exit status. */
  run(tool: Tool, operands: string[]): Promise<number>;
}

/** The parts of an LDAPResult the tools print. */
export interface ToolResult {
  code: number;
  matched: string;
  text: string;
  refs: readonly string[];
  controls: readonly Control[];
  messageId: number;
}

/** A result (success or not) from the client's resolved value or its LdapResultError. */
export function toolResult(r: LdapOperationResult | LdapResultError, messageId = 0): ToolResult {
  if (r instanceof LdapResultError) {
    return {
      code: r.resultCode,
      matched: r.matchedDN,
      text: r.diagnosticMessage,
      refs: r.referrals,
      controls: r.controls.map((c) => (c.value === undefined ? { type: c.oid, criticality: c.critical } : { type: c.oid, criticality: c.critical, value: c.value })),
      messageId,
    };
  }
  return { code: r.resultCode, matched: r.matchedDN, text: r.diagnosticMessage, refs: r.referrals, controls: r.controls, messageId: r.messageId };
}

/** libldap's code for a client-side failure (what ld_errno would hold). */
export function apiErrorCode(error: unknown): number {
  if (error instanceof LdapConnectionError) {
    switch (error.code) {
      case 'TIMEOUT':
        return -5;
      case 'ABORTED':
        return -8;
      case 'DECODE_ERROR':
      case 'PROTOCOL_ERROR':
        return -4;
      case 'TLS_FAILED':
        return -11;
      default:
        return -1;
    }
  }
  if (error instanceof LdapError) {
    if (error.code === 'FILTER_SYNTAX' || error.code === 'FILTER_DEPTH') return -7;
    return -9;
  }
  if (error instanceof SaslLocalError) return error.code;
  return -2;
}

/** tool_is_oid: a numeric OID without leading zeros. */
export function toolIsOid(s: string): boolean {
  if (!/^[0-9]/.test(s)) return false;
  let first = true;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '.') {
      if (i + 1 === s.length) return false;
      first = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    if (first && c === '0' && s[i + 1] !== '.' && i + 1 < s.length) return false;
    first = false;
  }
  return true;
}

/** C strtol(s, &end, 10) with `*end == '\0'` required: the number, or null. */
export function parseCInt(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(s);
  if (m === null) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

/** C sscanf("%d"): the leading integer of `s`, or null. */
export function scanInt(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  return m === null ? null : Number(m[1]);
}

/** The configuration libldap reads from ldap.conf and LDAP* environment variables. */
export function readLdapConf(env: NodeJS.ProcessEnv): Map<string, string> {
  const conf = new Map<string, string>();
  if (env['LDAPNOINIT'] !== undefined) return conf;
  const files = [env['LDAPCONF'] ?? '/etc/ldap/ldap.conf'];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^\s*([A-Za-z_]+)\s+(.*?)\s*$/.exec(line);
      if (m === null || line.trimStart().startsWith('#')) continue;
      conf.set(m[1]!.toUpperCase(), m[2]!);
    }
  }
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('LDAP') && k !== 'LDAPNOINIT' && k !== 'LDAPCONF' && k !== 'LDAPRC' && v !== undefined) conf.set(k.slice(4).toUpperCase(), v);
  }
  return conf;
}

/** The state of one tool run (common.c's globals). */
export class Tool {
  readonly out: Output;
  readonly prog: string;
  // common.c globals
  contoper = 0;
  debug = 0;
  infile: string | undefined;
  dont = 0;
  nocanon = 0;
  referrals = 0;
  verbose = 0;
  ldif = 0;
  ldifWrap: LdifWrap = 0;
  ldapuri: string | undefined;
  useTls = 0;
  protocol = -1;
  version = 0;
  authmethod: 'simple' | 'sasl' | undefined;
  binddn: string | undefined;
  wantBindpw = 0;
  passwd: Buffer | undefined;
  pwFile: string | undefined;
  saslMech: string | undefined;
  saslRealm: string | undefined;
  saslAuthcId: string | undefined;
  saslAuthzId: string | undefined;
  saslSecprops: string | undefined;
  saslQuiet = false;
  assertctl = 0;
  assertion: string | undefined;
  authzid: string | undefined;
  authzcrit = true;
  bauthzid = 0;
  manageDIT = 0;
  manageDSAit = 0;
  noop = 0;
  ppolicy = 0;
  preread = 0;
  prereadAttrs: string | undefined;
  postread = 0;
  postreadAttrs: string | undefined;
  unknownCtrls: Control[] = [];
  nettimeoutSec = -1;
  /** print_paged_results state (common.c pr_morePagedResults / pr_cookie). */
  prMorePagedResults = 1;
  prCookie: Buffer = Buffer.alloc(0);
  prEstimate = 0;
  /** The request controls set by tool_server_controls (LDAP_OPT_SERVER_CONTROLS). */
  serverControls: Control[] = [];
  /** Byte strings the -d dump masks. */
  readonly secrets: Buffer[] = [];
  /** libldap options from ldap.conf, the environment and -o. */
  readonly conf: Map<string, string>;

  client: LdapClient | undefined;

  constructor(
    readonly spec: ToolSpec,
    readonly streams: ToolStreams,
  ) {
    this.out = new Output(streams.stdout);
    this.prog = spec.name;
    this.conf = readLdapConf(streams.env);
  }

  /** Writes to stderr (unbuffered, after flushing stdout so the two interleave as a terminal shows them). */
  err(text: string): void {
    this.streams.stderr(Buffer.from(text, 'utf8'));
  }

  /** A C exit(): flushes stdout and unwinds. */
  exit(status: number): never {
    throw new ToolExit(status);
  }

  /** usage(): the tool's lines, the common ones, exit 1. */
  usage(): never {
    this.err(this.spec.usage(this) + this.commonUsage());
    this.exit(1);
  }

  /** tool_common_usage: the lines of the common options this tool has. */
  commonUsage(): string {
    let s = 'Common options:\n';
    for (const [letter, text] of COMMON_USAGE) {
      if (letter === ' ' || this.spec.options.includes(letter)) s += text;
    }
    return s;
  }

  // ------------------------------------------------------------ tool_args

  /** tool_args: reads the options; returns the operands. */
  args(argv: readonly string[]): string[] {
    this.spec.init?.(this);
    const { options, operands, problems } = getopt(argv, this.spec.options, this.streams.env);
    let p = 0;
    for (const { opt, arg } of options) {
      if (opt === '?') {
        const problem = problems[p++]!;
        this.err(problem.kind === 'unknown' ? `${this.prog}: invalid option -- '${problem.opt}'\n` : `${this.prog}: option requires an argument -- '${problem.opt}'\n`);
        this.err(`${this.prog}: unrecognized option -${problem.opt}\n`);
        this.usage();
      }
      if (this.commonOption(opt, arg)) continue;
      if (this.spec.handleOption?.(this, opt, arg) === true) continue;
      this.err(`${this.prog}: unrecognized option -${opt}\n`);
      this.usage();
    }
    if (this.version > 0) {
      this.err(`${this.prog}: lber ${this.prog} work-alike (@lber/cli 0.1.0)\t(LDAP library: lber 0.1.0)\n`);
      if (this.version > 1) this.exit(0);
    }
    if (this.protocol === -1) this.protocol = 3;
    if (this.authmethod === undefined && this.protocol > 2) this.authmethod = this.binddn !== undefined ? 'simple' : 'sasl';
    if ((this.pwFile !== undefined || this.wantBindpw > 0) && this.passwd !== undefined) {
      this.err(`${this.prog}: -${this.pwFile !== undefined ? 'y' : 'W'} incompatible with -w\n`);
      this.exit(1);
    }
    return operands;
  }

  private saslChoice(): void {
    if (this.authmethod !== undefined && this.authmethod !== 'sasl') {
      this.err(`${this.prog}: incompatible previous authentication choice\n`);
      this.exit(1);
    }
    this.authmethod = 'sasl';
  }

  private once<T>(current: T | undefined, flag: string): void {
    if (current !== undefined) {
      this.err(`${this.prog}: -${flag} previously specified\n`);
      this.exit(1);
    }
  }

  private commonOption(opt: string, arg: string | undefined): boolean {
    if (!this.spec.options.includes(opt)) return false;
    const a = arg ?? '';
    switch (opt) {
      case 'c':
        this.contoper++;
        return true;
      case 'C':
        this.referrals++;
        return true;
      case 'd': {
        const n = parseCInt(a);
        if (n === null) {
          this.err(`${this.prog}: unable to parse debug value "${a}"\n`);
          this.exit(1);
        }
        this.debug |= n;
        return true;
      }
      case 'D':
        this.once(this.binddn, 'D');
        this.binddn = a;
        return true;
      case 'e':
        this.generalControl(a);
        return true;
      case 'f':
        this.once(this.infile, 'f');
        this.infile = a;
        return true;
      case 'H':
        this.once(this.ldapuri, 'H');
        this.ldapuri = a;
        return true;
      case 'I':
        this.saslChoice();
        return true;
      case 'M':
        this.manageDSAit++;
        return true;
      case 'n':
        this.dont++;
        return true;
      case 'N':
        this.nocanon++;
        return true;
      case 'o':
        this.confOption(a);
        return true;
      case 'O':
        this.once(this.saslSecprops, 'O');
        this.saslChoice();
        this.saslSecprops = a;
        return true;
      case 'P': {
        const n = parseCInt(a);
        if (n === null) {
          this.err(`${this.prog}: unable to parse protocol version "${a}"\n`);
          this.exit(1);
        }
        if (n !== 2 && n !== 3) {
          this.err(`${this.prog}: protocol version should be 2 or 3\n`);
          this.usage();
        }
        this.protocol = n;
        return true;
      }
      case 'Q':
        this.saslChoice();
        this.saslQuiet = true;
        return true;
      case 'R':
        this.once(this.saslRealm, 'R');
        this.saslChoice();
        this.saslRealm = a;
        return true;
      case 'U':
        this.once(this.saslAuthcId, 'U');
        this.saslChoice();
        this.saslAuthcId = a;
        return true;
      case 'v':
        this.verbose++;
        return true;
      case 'V':
        this.version++;
        return true;
      case 'w':
        this.passwd = Buffer.from(a, 'utf8');
        this.secrets.push(this.passwd);
        return true;
      case 'W':
        this.wantBindpw++;
        return true;
      case 'x':
        if (this.authmethod !== undefined && this.authmethod !== 'simple') {
          this.err(`${this.prog}: incompatible with previous authentication choice\n`);
          this.exit(1);
        }
        this.authmethod = 'simple';
        return true;
      case 'X':
        this.once(this.saslAuthzId, 'X');
        if (this.authmethod !== undefined && this.authmethod !== 'sasl') {
          this.err(`${this.prog}: -X incompatible with authentication choice\n`);
          this.exit(1);
        }
        this.authmethod = 'sasl';
        this.saslAuthzId = a;
        return true;
      case 'y':
        this.pwFile = a;
        return true;
      case 'Y':
        this.once(this.saslMech, 'Y');
        if (this.authmethod !== undefined && this.authmethod !== 'sasl') {
          this.err(`${this.prog}: incompatible with authentication choice\n`);
          this.exit(1);
        }
        this.authmethod = 'sasl';
        this.saslMech = a;
        return true;
      case 'Z':
        this.useTls++;
        return true;
      default:
        return false;
    }
  }

  /** `-o name[=value]`: ldif_wrap, nettimeout, or an ldap.conf option. */
  private confOption(optarg: string): void {
    const eq = optarg.indexOf('=');
    const name = (eq === -1 ? optarg : optarg.slice(0, eq)).replace(/-/g, '_');
    const value = eq === -1 ? undefined : optarg.slice(eq + 1);
    const lower = name.toLowerCase();
    if (lower === 'nettimeout') {
      if (this.nettimeoutSec !== -1) {
        this.err('nettimeout option previously specified\n');
        this.exit(1);
      }
      if (value === undefined || value === '') {
        this.err('nettimeout: option value expected\n');
        this.usage();
      }
      let n: number | null;
      if (value.toLowerCase() === 'none') n = 0;
      else if (value.toLowerCase() === 'max') n = 2147483647;
      else n = parseCInt(value);
      if (n === null) {
        this.err(`Unable to parse network timeout "${value}"\n`);
        this.exit(1);
      }
      if (n < 0 || n > 2147483647) {
        this.err(`${this.prog}: invalid network timeout (${n}) specified\n`);
        this.exit(1);
      }
      this.nettimeoutSec = n;
      return;
    }
    if (lower === 'ldif_wrap') {
      if (value === undefined) this.ldifWrap = 78;
      else if (value.toLowerCase() === 'no') this.ldifWrap = 'no';
      else {
        if (!/^[0-9]+$/.test(value) || Number(value) > 0xffffffff) {
          this.err(`Unable to parse ldif_wrap="${value}"\n`);
          this.exit(1);
        }
        this.ldifWrap = Number(value);
      }
      return;
    }
    const known = ['URI', 'BASE', 'DEREF', 'SIZELIMIT', 'TIMELIMIT', 'NETWORK_TIMEOUT', 'TIMEOUT', 'REFERRALS', 'SASL_MECH', 'SASL_REALM', 'SASL_AUTHCID', 'SASL_AUTHZID', 'SASL_SECPROPS', 'SASL_NOCANON'];
    const upper = name.toUpperCase();
    if (upper.startsWith('TLS_') || known.includes(upper)) {
      if (value !== undefined) this.conf.set(upper, value);
      return;
    }
    this.err(`Invalid general option name: ${name}\n`);
    this.usage();
  }

  /** `-e [!]name[=value]`: the general controls of tool_args. */
  private generalControl(optarg: string): void {
    let crit = 0;
    let s = optarg;
    while (s.startsWith('!')) {
      crit++;
      s = s.slice(1);
    }
    const eq = s.indexOf('=');
    const control = eq === -1 ? s : s.slice(0, eq);
    const cvalue = eq === -1 ? undefined : s.slice(eq + 1);
    const lc = control.toLowerCase();
    const noValue = (what: string): void => {
      if (cvalue !== undefined) {
        this.err(`${what}: no control value expected\n`);
        this.usage();
      }
    };
    const previously = (set: boolean, what: string): void => {
      if (set) {
        this.err(`${what} control previously specified\n`);
        this.exit(1);
      }
    };
    if (lc === 'assert') {
      previously(this.assertctl > 0, 'assert');
      if (cvalue === undefined) {
        this.err('assert: control value expected\n');
        this.usage();
      }
      this.assertctl = 1 + crit;
      this.assertion = cvalue;
    } else if (lc === 'authzid') {
      previously(this.authzid !== undefined, 'authzid');
      if (cvalue === undefined) {
        this.err('authzid: control value expected\n');
        this.usage();
      }
      if (crit === 0) {
        this.err('authzid: must be marked critical\n');
        this.usage();
      } else if (crit > 1) {
        this.authzcrit = false;
      }
      this.authzid = cvalue;
    } else if (lc === 'bauthzid') {
      previously(this.bauthzid > 0, 'bauthzid');
      noValue('bauthzid');
      this.bauthzid = 1 + crit;
    } else if (lc === 'relax' || lc === 'managedit') {
      previously(this.manageDIT > 0, 'relax');
      noValue('relax');
      this.manageDIT = 1 + crit;
    } else if (lc === 'managedsait') {
      previously(this.manageDSAit > 0, 'manageDSAit');
      noValue('manageDSAit');
      this.manageDSAit = 1 + crit;
    } else if (lc === 'noop') {
      previously(this.noop > 0, 'noop');
      noValue('noop');
      this.noop = 1 + crit;
    } else if (lc === 'ppolicy') {
      previously(this.ppolicy > 0, 'ppolicy');
      noValue('ppolicy');
      if (crit > 0) {
        this.err('ppolicy: critical flag not allowed\n');
        this.usage();
      }
      this.ppolicy = 1;
    } else if (lc === 'preread') {
      previously(this.preread > 0, 'preread');
      this.preread = 1 + crit;
      this.prereadAttrs = cvalue;
    } else if (lc === 'postread') {
      previously(this.postread > 0, 'postread');
      this.postread = 1 + crit;
      this.postreadAttrs = cvalue;
    } else if (lc === 'abandon' || lc === 'cancel' || lc === 'ignore' || lc === 'backlog') {
      // SIGINT behaviours of the C tools; a Ctrl-C here ends the process.
    } else if (toolIsOid(control)) {
      if (this.unknownCtrls.some((c) => c.type === control)) {
        this.err(`${control} control previously specified\n`);
        this.exit(1);
      }
      const ctrl: Control = { type: control, criticality: crit > 0 };
      if (cvalue !== undefined) {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cvalue)) {
          this.err(`Unable to parse value of general control ${control}\n`);
          this.usage();
        }
        ctrl.value = Buffer.from(cvalue, 'base64');
      }
      this.unknownCtrls.push(ctrl);
    } else {
      this.err(`Invalid general control name: ${control}\n`);
      this.usage();
    }
  }

  // ------------------------------------------------------------ output

  /** tool_write_ldif: one LDIF line at the -o ldif-wrap width. */
  writeLdif(type: LdifPutType, name: string | null, value: string | Uint8Array | null): void {
    this.out.write(ldifPutWrap(type, name, value, this.ldifWrap));
  }

  /** tool_perror: `func: text (code)extra` and the matched DN, info and referrals, on stderr. */
  perror(func: string, err: number, extra?: string | null, matched?: string | null, info?: string | null, refs?: readonly string[] | null): void {
    let s = `${func}: ${ldapErr2string(err)} (${err})${extra ?? ''}\n`;
    if (matched) s += `\tmatched DN: ${matched}\n`;
    if (info) s += `\tadditional info: ${info}\n`;
    if (refs && refs.length > 0) {
      s += '\treferrals:\n';
      for (const r of refs) s += `\t\t${r}\n`;
    }
    this.out.flush();
    this.err(s);
  }

  /** tool_print_ctrls: a `control:` line per response control, then what the known ones say. */
  printCtrls(ctrls: readonly Control[]): void {
    for (const c of ctrls) {
      let str = `${this.ldif > 0 ? ': ' : ''}${c.type}${c.criticality ? ' true' : ' false'}`;
      if (c.value !== undefined && c.value.length > 0) str += ` ${c.value.toString('base64')}`;
      if (this.ldif < 2) this.writeLdif(this.ldif > 0 ? LdifPut.COMMENT : LdifPut.VALUE, 'control', str);
      if (c.type === Oid.PAGEDRESULTS && (this.spec.type & ToolType.SEARCH) !== 0) this.printPagedResults(c);
      else if (c.type === Oid.PRE_READ) this.printPrePostRead(c, 'preread');
      else if (c.type === Oid.POST_READ) this.printPrePostRead(c, 'postread');
    }
  }

  private printPagedResults(c: Control): void {
    let value;
    try {
      value = decodePagedResultsValue(c.value ?? Buffer.alloc(0));
    } catch {
      return;
    }
    this.prCookie = Buffer.from(value.cookie);
    this.prEstimate = value.size;
    let text = value.size > 0 ? `estimate=${value.size} cookie=` : 'cookie=';
    if (value.cookie.length > 0) {
      text += Buffer.from(value.cookie).toString('base64');
      this.prMorePagedResults = 1;
    }
    this.writeLdif(this.ldif > 0 ? LdifPut.COMMENT : LdifPut.VALUE, this.ldif > 0 ? 'pagedresults: ' : 'pagedresults', text);
  }

  private printPrePostRead(c: Control, what: string): void {
    this.writeLdif(LdifPut.COMMENT, '==> ', what);
    let entry: SearchEntry | null = null;
    try {
      entry = preRead.decode(c.value);
    } catch {
      // a malformed value: the two comment lines and nothing between, as tool_print_ctrls does
    }
    if (entry !== null) {
      this.writeLdif(LdifPut.VALUE, 'dn', entry.dn);
      for (const a of entry.attributes) {
        for (const v of a.values) {
          this.writeLdif(this.ldif > 0 ? LdifPut.COMMENT : LdifPut.VALUE, this.ldif > 0 ? `${a.type}: ` : a.type, v);
        }
      }
    }
    this.writeLdif(LdifPut.COMMENT, '<== ', what);
  }

  // ------------------------------------------------------------ connection

  /** The URL list to connect to (-H, else ldap.conf's URI, else ldap://localhost). */
  uri(): string {
    return this.ldapuri ?? this.conf.get('URI') ?? 'ldap://localhost';
  }

  /** TLS options from ldap.conf / LDAPTLS_* / -o TLS_*. */
  tlsOptions(): TlsConnectOptions {
    const o: TlsConnectOptions = {};
    const read = (key: string): Buffer | undefined => {
      const path = this.conf.get(key);
      if (path === undefined) return undefined;
      try {
        return readFileSync(path);
      } catch {
        return undefined;
      }
    };
    const ca = read('TLS_CACERT');
    if (ca !== undefined) o.ca = ca;
    const cert = read('TLS_CERT');
    const key = read('TLS_KEY');
    if (cert !== undefined) o.cert = cert;
    if (key !== undefined) o.key = key;
    const reqcert = this.conf.get('TLS_REQCERT')?.toLowerCase();
    if (reqcert === 'never' || reqcert === 'allow' || reqcert === 'try') o.rejectUnauthorized = false;
    return o;
  }

  /** tool_conn_setup: the debug level, the connection, StartTLS. Nothing is done with -n. */
  async connSetup(dont: boolean): Promise<void> {
    if (this.debug !== 0) lberOptions.debug = this.debug;
    if (dont) return;
    const uri = this.uri();
    try {
      parseLdapUrlList(uri);
    } catch {
      this.err(`Could not parse LDAP URI(s)=${uri} (-5)\n`);
      this.exit(1);
    }
    if (this.verbose > 0) this.err(`ldap_initialize( ${normalizeUris(uri)} )\n`);
    this.client = await this.open(uri);
    if (this.useTls > 0) await this.startTls(uri);
  }

  private async open(uri: string): Promise<LdapClient | undefined> {
    const timeout = this.nettimeoutSec > 0 ? this.nettimeoutSec * 1000 : undefined;
    let client: LdapClient;
    try {
      client = await connect(uri, { tls: this.tlsOptions(), debug: this.debug !== 0 ? this.debug : undefined, ...(timeout !== undefined ? { connectTimeoutMs: timeout } : {}) });
    } catch (error) {
      // libldap connects lazily: the first operation reports it.
      this.connectError = error;
      return undefined;
    }
    if (this.debug !== 0) this.installDebugLayer(client);
    return client;
  }

  /** The error of a connect that failed (reported by the first operation, as libldap does). */
  connectError: unknown;

  /**
   * Puts libldap's top "ldap_" debug layer back with the tool's secrets to
   * mask (the bind password, SASL credentials, ldappasswd's passwords:
   * OpenLDAP's `ldapsearch -d` prints them in clear), and shows the stack.
   */
  private installDebugLayer(client: LdapClient): void {
    const sb = client.sockbuf;
    sb.removeIo(sockbufIoDebug, LDAP_DEBUG_LAYER_LEVEL);
    sb.addIo(sockbufIoDebug, LDAP_DEBUG_LAYER_LEVEL, { prefix: 'ldap_', secrets: this.secrets });
    this.showLayers(sb);
  }

  /** Prints the Sockbuf's layer stack on stderr (with -d). */
  showLayers(sb: Sockbuf): void {
    if (this.debug === 0) return;
    const names = sb.stack().map(([io, level]) => `${io.name ?? 'layer'}(${level === LDAP_DEBUG_LAYER_LEVEL ? 'INT_MAX' : level === LBER_SBIOD_LEVEL_PROVIDER ? 'PROVIDER' : level === 20 ? 'TRANSPORT' : level})`);
    this.err(`lber: Sockbuf layers, top first: ${names.join(' > ')}\n`);
  }

  /** The client, or the report of why there is none (`func: Can't contact LDAP server (-1)`) and exit. */
  need(func: string, exitCode?: number): LdapClient {
    if (this.client !== undefined && !this.client.closed) return this.client;
    const code = this.client === undefined ? apiErrorCode(this.connectError ?? new LdapConnectionError('CONNECT_FAILED', 'no connection')) : -1;
    this.perror(func, code === -11 ? -1 : code, null, null, null, null);
    this.exit(exitCode ?? code);
  }

  private async startTls(uri: string): Promise<void> {
    const client = this.client;
    if (client === undefined) {
      this.perror('ldap_start_tls', -1, null, null, null, null);
      this.exit(1);
    }
    try {
      await client.startTLS({ tls: this.tlsOptions() });
      this.showLayers(client.sockbuf);
      return;
    } catch (error) {
      if (error instanceof LdapResultError) {
        this.perror('ldap_start_tls', error.resultCode, null, null, error.diagnosticMessage, null);
        if (this.useTls > 1) this.exit(1);
        // -Z: go on in clear (the client closed the connection: open it again).
        this.client = await this.open(uri);
        return;
      }
      const info = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      this.perror('ldap_start_tls', -11, null, null, info, null);
      this.exit(1);
    }
  }

  // ------------------------------------------------------------ bind

  /** tool_bind: simple or SASL, with -W/-y; exits with the result code on failure. */
  async bind(): Promise<void> {
    const ctrls: Control[] = [];
    if (this.ppolicy > 0) ctrls.push({ type: Oid.PASSWORDPOLICYREQUEST, criticality: false });
    if (this.bauthzid > 0) ctrls.push({ type: Oid.AUTHZID_REQUEST, criticality: this.bauthzid > 1 });
    if (this.pwFile !== undefined) {
      try {
        this.passwd = readFileSync(this.pwFile);
      } catch (error) {
        this.err(`${this.pwFile}: ${(error as Error).message}\n`);
        this.exit(1);
      }
      this.secrets.push(this.passwd);
    } else if (this.wantBindpw > 0) {
      this.passwd = Buffer.from(await this.prompt('Enter LDAP Password: '), 'utf8');
      this.secrets.push(this.passwd);
    }
    let result: ToolResult;
    if (this.authmethod === 'sasl') {
      const client = this.need('ldap_sasl_interactive_bind', -1);
      const mech = this.saslMech ?? this.conf.get('SASL_MECH') ?? (client.url.startsWith('ldapi') ? 'EXTERNAL' : undefined);
      if (mech === undefined) {
        this.perror('ldap_sasl_interactive_bind', -6, null, null, `no SASL mechanism given (-Y); this client speaks ${SASL_MECHANISMS.join(', ')}`, null);
        this.exit(-6);
      }
      if (!this.saslQuiet) this.err(`SASL/${mech.toUpperCase()} authentication started\n`);
      try {
        const outcome = await saslBind(
          client,
          {
            mech,
            authcid: this.saslAuthcId ?? this.conf.get('SASL_AUTHCID'),
            authzid: this.saslAuthzId ?? this.conf.get('SASL_AUTHZID'),
            password: this.passwd,
            realm: this.saslRealm,
            dn: this.binddn,
            controls: ctrls,
            scheme: client.url.split(':')[0],
          },
          this.streams.env['USER'] ?? '',
        );
        result = toolResult(outcome.result);
        if (result.code === 0 && !this.saslQuiet) {
          this.err(`SASL username: ${outcome.username}\nSASL SSF: ${outcome.ssf}\n`);
          if (outcome.ssf > 0) this.err('SASL data security layer installed.\n');
        }
        if (result.code !== 0) {
          this.perror('ldap_sasl_interactive_bind', result.code, null, null, result.text, null);
          this.exit(result.code);
        }
      } catch (error) {
        if (error instanceof ToolExit) throw error;
        const code = apiErrorCode(error);
        this.perror('ldap_sasl_interactive_bind', code, null, null, error instanceof Error ? error.message : String(error), null);
        this.exit(code);
      }
    } else {
      const client = this.need('ldap_sasl_bind(SIMPLE)');
      try {
        const r = await client.bind(this.binddn ?? '', this.passwd ?? '', { allowUnauthenticated: true, controls: ctrls });
        result = toolResult(r);
      } catch (error) {
        if (error instanceof LdapResultError) {
          result = toolResult(error);
        } else {
          const code = apiErrorCode(error);
          this.perror('ldap_sasl_bind(SIMPLE)', code, null, null, null, null);
          this.exit(code);
        }
      }
    }
    if (this.bauthzid > 0) {
      const c = result.controls.find((x) => x.type === Oid.AUTHZID_RESPONSE);
      if (c !== undefined) this.printCtrls([c]);
    }
    if (result.code !== 0 || result.matched !== '' || result.text !== '' || result.refs.length > 0) {
      this.perror('ldap_bind', result.code, '', result.matched, result.text, result.refs);
      if (result.code !== 0) this.exit(result.code);
    }
  }

  /** Reads a line from the terminal without echo (getpassphrase); from stdin when it is not one. */
  async prompt(text: string): Promise<string> {
    this.err(text);
    const stdin = process.stdin;
    if (stdin.isTTY === true) stdin.setRawMode(true);
    try {
      return await new Promise<string>((resolve) => {
        let line = '';
        const onData = (chunk: Buffer): void => {
          for (const ch of chunk.toString('utf8')) {
            if (ch === '\n' || ch === '\r' || ch === '\u0004') {
              stdin.off('data', onData);
              stdin.pause();
              this.err('\n');
              resolve(line);
              return;
            }
            if (ch === '\u0003') process.kill(process.pid, 'SIGINT');
            else if (ch === '\u007f') line = line.slice(0, -1);
            else line += ch;
          }
        };
        stdin.on('data', onData);
        stdin.on('end', () => resolve(line));
        stdin.resume();
      });
    } finally {
      if (stdin.isTTY === true) stdin.setRawMode(false);
    }
  }

  // ------------------------------------------------------------ controls

  /** tool_server_controls: the request controls every later operation carries. */
  serverControlsSet(extra: readonly Control[] = []): void {
    const c: Control[] = [];
    if (this.assertctl > 0 && this.assertion !== undefined) {
      let value: Buffer = Buffer.alloc(0);
      try {
        value = filterToBer(this.assertion);
      } catch {
        this.err(`Unable to create assertion value "${this.assertion}" (-7)\n`);
      }
      c.push({ type: Oid.ASSERT, criticality: this.assertctl > 1, value });
    }
    if (this.authzid !== undefined) c.push({ type: Oid.PROXY_AUTHZ, criticality: this.authzcrit, value: Buffer.from(this.authzid, 'utf8') });
    if (this.manageDIT > 0) c.push({ type: Oid.MANAGEDIT, criticality: this.manageDIT > 1 });
    if (this.manageDSAit > 0) c.push({ type: Oid.MANAGEDSAIT, criticality: this.manageDSAit > 1 });
    if (this.noop > 0) c.push({ type: Oid.NOOP, criticality: this.noop > 1 });
    if (this.ppolicy > 0) c.push({ type: Oid.PASSWORDPOLICYREQUEST, criticality: false });
    if (this.preread > 0) c.push({ type: Oid.PRE_READ, criticality: this.preread > 1, value: attrListValue(this.prereadAttrs) });
    if (this.postread > 0) c.push({ type: Oid.POST_READ, criticality: this.postread > 1, value: attrListValue(this.postreadAttrs) });
    c.push(...extra, ...this.unknownCtrls);
    this.serverControls = c;
  }

  /** tool_exit: unbind (when connected) and exit. */
  async unbind(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined || client.closed) return;
    try {
      await client.unbind();
    } catch {
      client.close();
    }
  }
}

/** The `{v}` value of the pre-/post-read controls: a SEQUENCE OF attribute names (the same for both). */
function attrListValue(attrs: string | undefined): Buffer | undefined {
  return preRead.encode(attrs === undefined ? [] : attrs.split(',').filter((a) => a !== ''));
}

/** The URI list as ldap_url_desc2str writes it back (for -v): `ldap://host:port/??base` for a bare URL. */
function normalizeUris(uri: string): string {
  try {
    return parseLdapUrlList(uri)
      .map((u) => {
        const bare = u.dn === '' && u.attributes.length === 0 && u.scope === undefined && u.filter === undefined && u.extensions.length === 0;
        if (!bare) return formatLdapUrl(u);
        const host = u.scheme === 'ldapi' ? encodeURIComponent(u.host) : `${u.host.includes(':') ? `[${u.host}]` : u.host}:${u.port}`;
        return `${u.scheme}://${host}/??base`;
      })
      .join(' ');
  } catch {
    return uri;
  }
}
