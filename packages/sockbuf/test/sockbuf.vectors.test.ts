/**
 * sockbuf.json: scripts of operations on one Sockbuf with recording custom
 * layers (A..F) and liblber's built-in layers, replayed through the port and
 * compared op by op: return values, errno, bytes, the callbacks entered (in
 * order), the debug layer's log lines and the stack afterwards.
 */
import { VectorTally, bytes, hex, loadVectors } from '@lber/testkit';
import type { BytesSpec, VectorBase } from '@lber/testkit';
import {
  LBER_SB_OPT_DATA_READY,
  LBER_SB_OPT_DRAIN,
  LBER_SB_OPT_GET_FD,
  LBER_SB_OPT_GET_MAX_INCOMING,
  LBER_SB_OPT_GET_SSL,
  LBER_SB_OPT_HAS_IO,
  LBER_SB_OPT_NEEDS_READ,
  LBER_SB_OPT_NEEDS_WRITE,
  LBER_SB_OPT_SET_FD,
  LBER_SB_OPT_SET_MAX_INCOMING,
  LBER_SB_OPT_SET_NONBLOCK,
  LBER_SB_OPT_SET_READAHEAD,
  LBER_SB_OPT_UNGET_BUF,
  SB_WOULD_BLOCK,
  berIntSbWrite,
  berSockbufAddIo,
  berSockbufAlloc,
  berSockbufCtrl,
  berSockbufFree,
  berSockbufRemoveIo,
  cResultOf,
  lberOptions,
  LDAP_DEBUG_BER,
  LDAP_DEBUG_TRACE,
  berPvtLogPrintf,
  berLogBprint,
  sockbufIoDebug,
  sockbufIoFd,
  sockbufIoReadahead,
  sockbufIoTcp,
} from '@lber/sockbuf';
import type { CResult, SbOut, Sockbuf, SockbufIO } from '@lber/sockbuf';

interface LayerSpec {
  kind: 'provider' | 'pass';
  setup_rc: number;
  remove: number | null;
  close_rc: number;
}
interface ProviderSpec {
  stream: BytesSpec;
  chunks: number[];
  eof: boolean;
  write_script: number[];
}
interface Ev {
  io: string;
  level: number;
  call: string;
  ret: number;
  arg?: string | null;
  opt?: number;
  want?: number;
}
interface Op {
  op: 'add' | 'remove' | 'has_io' | 'read' | 'write' | 'ctrl' | 'flush' | 'reflush' | 'free';
  io?: string;
  level?: number;
  arg?: string | number | null;
  rc?: number;
  len?: number;
  errno?: string;
  bytes?: string;
  opt?: string | number;
  out?: number;
  events: Ev[];
  log?: string[];
  stack?: Array<[string, number]>;
}
interface SockbufVector extends VectorBase {
  layers: Record<string, LayerSpec>;
  provider: ProviderSpec | null;
  debug_level: number;
  ops: Op[];
  written?: string;
}

const file = loadVectors<SockbufVector>('sockbuf.json');
const tally = new VectorTally('sockbuf.json');

const OPTS: Record<string, number> = {
  LBER_SB_OPT_GET_FD,
  LBER_SB_OPT_SET_FD,
  LBER_SB_OPT_HAS_IO,
  LBER_SB_OPT_SET_NONBLOCK,
  LBER_SB_OPT_GET_SSL,
  LBER_SB_OPT_DATA_READY,
  LBER_SB_OPT_SET_READAHEAD,
  LBER_SB_OPT_DRAIN,
  LBER_SB_OPT_NEEDS_READ,
  LBER_SB_OPT_NEEDS_WRITE,
  LBER_SB_OPT_GET_MAX_INCOMING,
  LBER_SB_OPT_SET_MAX_INCOMING,
  LBER_SB_OPT_UNGET_BUF,
};

/** The provider's byte source: chunks with a would-block between them. */
class ScriptedPeer {
  private readonly stream: Buffer;
  private chunk = 0;
  private inChunk = 0;
  private pos = 0;
  private boundary = false;
  private writeIndex = 0;
  readonly written: Buffer[] = [];
  constructor(private readonly spec: ProviderSpec | null) {
    this.stream = spec ? bytes(spec.stream) : Buffer.alloc(0);
  }
  read(buf: Buffer, off: number, want: number): number {
    const spec = this.spec;
    if (spec === null) return SB_WOULD_BLOCK;
    if (this.chunk < spec.chunks.length) {
      if (this.boundary) {
        this.boundary = false;
        return SB_WOULD_BLOCK;
      }
      const left = spec.chunks[this.chunk]! - this.inChunk;
      const n = Math.min(want, left);
      this.stream.copy(buf, off, this.pos, this.pos + n);
      this.pos += n;
      this.inChunk += n;
      if (this.inChunk === spec.chunks[this.chunk]) {
        this.chunk += 1;
        this.inChunk = 0;
        this.boundary = this.chunk < spec.chunks.length;
      }
      return n;
    }
    return spec.eof ? 0 : SB_WOULD_BLOCK;
  }
  write(buf: Buffer, off: number, want: number): number {
    const script = this.spec?.write_script ?? [];
    let n = want;
    if (this.writeIndex < script.length) {
      const step = script[this.writeIndex++]!;
      if (step < 0) return SB_WOULD_BLOCK;
      n = Math.min(step, want);
    }
    this.written.push(Buffer.from(buf.subarray(off, off + n)));
    return n;
  }
}

/** A custom layer that records every callback liblber makes into it. */
function recordingLayer(name: string, spec: LayerSpec, peer: ScriptedPeer, events: Ev[]): SockbufIO<null, string> {
  const io: SockbufIO<null, string> = {
    name,
    setup(d, arg) {
      events.push({ io: name, level: d.level, call: 'setup', arg, ret: spec.setup_rc });
      return spec.setup_rc;
    },
    ctrl(d, opt, arg) {
      const ret = spec.kind === 'provider' ? 0 : undefined;
      const ev: Ev = { io: name, level: d.level, call: 'ctrl', opt, ret: 0 };
      events.push(ev);
      ev.ret = ret ?? d.ctrlNext(opt, arg);
      return ev.ret;
    },
    read(d, buf, off, len) {
      const ev: Ev = { io: name, level: d.level, call: 'read', want: len, ret: 0 };
      events.push(ev);
      ev.ret = spec.kind === 'provider' ? peer.read(buf, off, len) : d.readNext(buf, off, len);
      return ev.ret;
    },
    write(d, buf, off, len) {
      const ev: Ev = { io: name, level: d.level, call: 'write', want: len, ret: 0 };
      events.push(ev);
      ev.ret = spec.kind === 'provider' ? peer.write(buf, off, len) : d.writeNext(buf, off, len);
      return ev.ret;
    },
    close(d) {
      events.push({ io: name, level: d.level, call: 'close', ret: spec.close_rc });
      return spec.close_rc;
    },
  };
  if (spec.remove !== null) {
    const rc = spec.remove;
    io.remove = (d) => {
      events.push({ io: name, level: d.level, call: 'remove', ret: rc });
      return rc;
    };
  }
  return io;
}

/** A BerElement as ber_flush2 sees it: bytes [0, ptr) and the write cursor. */
interface FlushElement {
  buf: Buffer;
  ptr: number;
  rwptr: number | null;
}

/**
 * The test's mirror of io.c `ber_flush2(sb, ber, LBER_FLUSH_FREE_NEVER)`
 * over the Sockbuf write entry point; @lber/ber owns the real one.
 */
function flush2(sb: Sockbuf, ber: FlushElement): CResult {
  if (ber.rwptr === null) ber.rwptr = 0;
  let towrite = ber.ptr - ber.rwptr;
  if (sb.debug !== 0) {
    berPvtLogPrintf(LDAP_DEBUG_TRACE, sb.debug, `ber_flush2: ${towrite} bytes to sd ${sb.fd}${ber.rwptr !== 0 ? ' (re-flush)' : ''}\n`);
    berLogBprint(LDAP_DEBUG_BER, sb.debug, ber.buf, ber.rwptr, ber.rwptr + towrite);
  }
  while (towrite > 0) {
    const at = ber.rwptr;
    const r = cResultOf(() => berIntSbWrite(sb, ber.buf, at, towrite));
    if (r.rc <= 0) return { rc: -1, errno: r.errno };
    towrite -= r.rc;
    ber.rwptr += r.rc;
  }
  return { rc: 0, errno: 'none' };
}

function runVector(v: SockbufVector): void {
  const events: Ev[] = [];
  const log: string[] = [];
  const peer = new ScriptedPeer(v.provider);
  const ios = new Map<string, SockbufIO<never, never>>();
  const names = new Map<unknown, string>();
  for (const [name, spec] of Object.entries(v.layers)) {
    const io = recordingLayer(name, spec, peer, events);
    ios.set(name, io);
    names.set(io, name);
  }
  const builtins: Array<[string, SockbufIO<never, never>]> = [
    ['readahead', sockbufIoReadahead],
    ['debug', sockbufIoDebug],
    ['tcp', sockbufIoTcp],
    ['fd', sockbufIoFd],
  ];
  for (const [name, io] of builtins) {
    ios.set(name, io);
    names.set(io, name);
  }
  const ioOf = (name: string | undefined): SockbufIO<never, never> => {
    const io = ios.get(name ?? '');
    if (io === undefined) throw new Error(`unknown io ${String(name)}`);
    return io;
  };

  const saved = { debug: lberOptions.debug, logPrint: lberOptions.logPrint };
  lberOptions.debug = v.debug_level;
  lberOptions.logPrint = (m) => log.push(m);
  let sb: Sockbuf;
  try {
    sb = berSockbufAlloc();
  } finally {
    lberOptions.debug = saved.debug;
  }
  let flushing: FlushElement | null = null;
  try {
    v.ops.forEach((op, i) => {
      events.length = 0;
      log.length = 0;
      const got: Record<string, unknown> = {};
      const want: Record<string, unknown> = {};
      switch (op.op) {
        case 'add': {
          const arg = op.arg ?? null;
          got['rc'] = berSockbufAddIo(sb, ioOf(op.io), op.level!, arg as never);
          break;
        }
        case 'remove':
          got['rc'] = berSockbufRemoveIo(sb, ioOf(op.io), op.level!);
          break;
        case 'has_io':
          got['rc'] = berSockbufCtrl(sb, LBER_SB_OPT_HAS_IO, ioOf(op.io));
          break;
        case 'read': {
          const buf = Buffer.alloc(op.len!);
          const r = cResultOf(() => sb.read(buf, 0, op.len!));
          got['rc'] = r.rc;
          got['errno'] = r.errno;
          got['bytes'] = hex(buf.subarray(0, Math.max(r.rc, 0)));
          want['errno'] = op.errno;
          want['bytes'] = op.bytes;
          break;
        }
        case 'write': {
          const buf = bytes(op.bytes!);
          const r = cResultOf(() => sb.write(buf, 0, buf.length));
          got['rc'] = r.rc;
          got['errno'] = r.errno;
          want['errno'] = op.errno;
          break;
        }
        case 'ctrl': {
          const opt = typeof op.opt === 'number' ? op.opt : OPTS[op.opt!];
          if (opt === undefined) throw new Error(`unknown option ${String(op.opt)}`);
          let arg: unknown = null;
          let out: SbOut<number> | null = null;
          if (opt === LBER_SB_OPT_GET_FD || opt === LBER_SB_OPT_GET_MAX_INCOMING) {
            out = { value: 12345 };
            arg = out;
          } else if (opt === LBER_SB_OPT_SET_FD || opt === LBER_SB_OPT_SET_READAHEAD || opt === LBER_SB_OPT_SET_MAX_INCOMING) {
            arg = op.arg;
          } else if (opt === LBER_SB_OPT_UNGET_BUF) {
            arg = Buffer.from('ab');
          }
          got['rc'] = berSockbufCtrl(sb, opt, arg);
          if (out !== null) {
            got['out'] = out.value;
            want['out'] = op.out;
          }
          break;
        }
        case 'flush': {
          const b = bytes(op.bytes!);
          flushing = { buf: b, ptr: b.length, rwptr: null };
          const r = flush2(sb, flushing);
          got['rc'] = r.rc;
          got['errno'] = r.errno;
          want['errno'] = op.errno;
          break;
        }
        case 'reflush': {
          if (flushing === null) throw new Error('reflush without flush');
          const r = flush2(sb, flushing);
          got['rc'] = r.rc;
          got['errno'] = r.errno;
          want['errno'] = op.errno;
          break;
        }
        case 'free':
          berSockbufFree(sb);
          break;
      }
      if (op.rc !== undefined) want['rc'] = op.rc;
      got['events'] = events.map((e) => ({ ...e }));
      want['events'] = op.events;
      got['log'] = [...log];
      want['log'] = op.log ?? [];
      if (op.stack !== undefined) {
        got['stack'] = sb.stack().map(([io, level]) => [names.get(io) ?? '?', level]);
        want['stack'] = op.stack;
      }
      expect({ op: i, ...got }).toEqual({ op: i, ...want });
    });
    if (v.written !== undefined) expect(hex(Buffer.concat(peer.written))).toBe(v.written);
  } finally {
    lberOptions.logPrint = saved.logPrint;
    if (sb.valid) berSockbufFree(sb);
  }
}

describe('sockbuf.json', () => {
  test.each(file.vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    runVector(v);
    tally.matchedExactly();
  });

  afterAll(() => {
    const counts = tally.report();
    expect(tally.total).toBe(file.vectors.length);
    expect(counts.exact).toBe(file.vectors.length);
  });
});
