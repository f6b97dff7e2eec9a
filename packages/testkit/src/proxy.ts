/**
 * A fault-injection TCP proxy on loopback, for tests of framing, timeouts,
 * backpressure and connection loss: it sits between a client and a target
 * (a TCP port or a unix socket) and, per direction, can split the stream into
 * small writes, delay each write, stop reading, cut the connection after a
 * number of bytes, and insert bytes of its own.
 */
import net from 'node:net';

/** The two directions of a proxied connection. */
export type ProxyDirection = 'clientToServer' | 'serverToClient';

/** Bytes to insert into a stream once `afterBytes` bytes of it have gone through (0: at the very start). */
export interface Injection {
  afterBytes: number;
  bytes: Uint8Array;
}

/** The faults of one direction. Every field is optional; none means "pass through". */
export interface DirectionFaults {
  /** Forward in writes of at most this many bytes (a positive integer), each its own socket write. */
  chunkSize?: number;
  /** Wait this many milliseconds before each write. */
  delayMs?: number;
  /** Stop reading from the sending socket (the kernel buffers fill and TCP pushes back on the sender). */
  paused?: boolean;
  /**
   * Cut the connection (both sockets) once this many bytes of the original
   * stream have been forwarded in this direction; bytes beyond are dropped.
   * Injected bytes do not count. Counted from the start of each connection.
   */
  cutAfter?: number;
  /** How to cut: 'reset' sends a TCP RST (default), 'close' a FIN. */
  cutMode?: 'reset' | 'close';
  /** Insertions at fixed offsets of the original stream, taken when a connection opens. */
  inject?: readonly Injection[];
}

/** Where the proxy connects to. */
export type ProxyTarget = { host: string; port: number } | { path: string };

export interface FaultProxyOptions {
  target: ProxyTarget;
  /** Listening address. Default 127.0.0.1. */
  host?: string;
  /** Listening port. Default 0 (a free one). */
  port?: number;
  clientToServer?: DirectionFaults;
  serverToClient?: DirectionFaults;
}

/** Above this many queued bytes a direction stops reading until its queue drains. */
const QUEUE_HIGH_WATER = 1 << 20;

const CUT = Symbol('cut');
type QueueItem = Buffer | typeof CUT;

/** One direction of one connection: reads `src`, writes `dst`. */
class Pipe {
  /** Original stream bytes taken from src so far (the offset injections and cuts refer to). */
  consumed = 0;
  /** Bytes written to dst, injected ones included. */
  written = 0;
  /** Socket writes made to dst. */
  writes = 0;
  private readonly queue: QueueItem[] = [];
  private head = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private delayDone = false;
  private blocked = false;
  private srcEnded = false;
  private cut = false;
  private readonly injections: Injection[];

  constructor(
    private readonly src: net.Socket,
    private readonly dst: net.Socket,
    private readonly faults: () => DirectionFaults,
    private readonly onCut: (mode: 'reset' | 'close') => void,
  ) {
    this.injections = [...(faults().inject ?? [])].sort((a, b) => a.afterBytes - b.afterBytes);
    this.takeInjections(0);
    src.on('data', (data: Buffer) => this.onData(data));
    src.on('end', () => {
      this.srcEnded = true;
      this.pump();
    });
    this.pump();
  }

  /** Queues the injections due at `offset`. */
  private takeInjections(offset: number): void {
    while (this.injections.length > 0 && (this.injections[0]?.afterBytes ?? Infinity) <= offset) {
      const injection = this.injections.shift();
      if (injection !== undefined) this.enqueue(Buffer.from(injection.bytes));
    }
  }

  private enqueue(data: Buffer): void {
    if (data.length === 0) return;
    const size = this.faults().chunkSize ?? 0;
    if (size > 0) {
      for (let at = 0; at < data.length; at += size) this.queue.push(data.subarray(at, at + size));
    } else {
      this.queue.push(data);
    }
    this.queuedBytes += data.length;
  }

  private onData(data: Buffer): void {
    if (this.cut) return;
    let rest = data;
    const cutAfter = this.faults().cutAfter;
    let cutHere = false;
    if (cutAfter !== undefined && this.consumed + rest.length >= cutAfter) {
      rest = rest.subarray(0, Math.max(0, cutAfter - this.consumed));
      cutHere = true;
    }
    while (rest.length > 0) {
      const next = this.injections[0]?.afterBytes;
      const take = next === undefined ? rest.length : Math.min(rest.length, Math.max(0, next - this.consumed));
      this.enqueue(rest.subarray(0, take));
      this.consumed += take;
      rest = rest.subarray(take);
      this.takeInjections(this.consumed);
    }
    if (cutHere) {
      this.cut = true;
      this.queue.push(CUT);
    }
    this.pump();
  }

  /** Inserts bytes now, after what is already queued. */
  inject(bytes: Uint8Array): void {
    if (this.cut) return;
    this.enqueue(Buffer.from(bytes));
    this.pump();
  }

  /** Starts or stops reading src according to the faults and the queue. */
  updateReading(): void {
    if (this.src.destroyed) return;
    const read = !this.cut && this.faults().paused !== true && !this.blocked && this.queuedBytes < QUEUE_HIGH_WATER;
    if (read) this.src.resume();
    else this.src.pause();
  }

  pump(): void {
    while (this.head < this.queue.length && this.timer === undefined && !this.blocked) {
      const delay = this.faults().delayMs ?? 0;
      if (delay > 0 && !this.delayDone) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.delayDone = true;
          this.pump();
        }, delay);
        break;
      }
      this.delayDone = false;
      const item = this.queue[this.head];
      this.queue[this.head] = Buffer.alloc(0);
      this.head++;
      if (item === undefined) break;
      if (item === CUT) {
        this.onCut(this.faults().cutMode ?? 'reset');
        return;
      }
      this.queuedBytes -= item.length;
      if (this.dst.destroyed) continue;
      this.written += item.length;
      this.writes++;
      if (!this.dst.write(item)) {
        this.blocked = true;
        this.dst.once('drain', () => {
          this.blocked = false;
          this.pump();
        });
      }
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      if (this.srcEnded && !this.cut && !this.dst.destroyed) this.dst.end();
    }
    this.updateReading();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** One proxied connection. */
class ProxyConnection {
  readonly pipes: Record<ProxyDirection, Pipe>;
  private closed = false;

  constructor(
    readonly client: net.Socket,
    readonly server: net.Socket,
    faults: (direction: ProxyDirection) => DirectionFaults,
    private readonly onClosed: (connection: ProxyConnection) => void,
  ) {
    const cut = (mode: 'reset' | 'close'): void => this.destroy(mode);
    this.pipes = {
      clientToServer: new Pipe(client, server, () => faults('clientToServer'), cut),
      serverToClient: new Pipe(server, client, () => faults('serverToClient'), cut),
    };
    for (const socket of [client, server]) {
      socket.setNoDelay(true);
      socket.on('error', () => this.destroy('close'));
      socket.on('close', () => {
        if (client.destroyed && server.destroyed) this.finish();
        else if (socket.errored !== null) this.destroy('close');
      });
    }
  }

  destroy(mode: 'reset' | 'close'): void {
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue;
      if (mode === 'reset' && !socket.connecting) socket.resetAndDestroy();
      else socket.destroy();
    }
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipes.clientToServer.dispose();
    this.pipes.serverToClient.dispose();
    this.onClosed(this);
  }
}

/**
 * The proxy. Faults are set per direction at start and can be changed at any
 * time with {@link FaultProxy.set}; they apply to open and future
 * connections (except `inject`, which a connection takes when it opens).
 *
 * ```ts
 * const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port }, serverToClient: { chunkSize: 1 } });
 * connect(proxy.url('ldap'));
 * await proxy.close();
 * ```
 */
export class FaultProxy {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  accepted = 0;
  private readonly server: net.Server;
  private readonly faults: Record<ProxyDirection, DirectionFaults>;
  private readonly open = new Set<ProxyConnection>();
  private readonly totals: Record<ProxyDirection, { consumed: number; writes: number }> = {
    clientToServer: { consumed: 0, writes: 0 },
    serverToClient: { consumed: 0, writes: 0 },
  };

  private constructor(server: net.Server, host: string, port: number, options: FaultProxyOptions) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.faults = { clientToServer: {}, serverToClient: {} };
    this.set('clientToServer', options.clientToServer ?? {});
    this.set('serverToClient', options.serverToClient ?? {});
    server.on('connection', (client) => this.accept(client, options.target));
  }

  /** Listens on a loopback port and resolves once it accepts connections. */
  static start(options: FaultProxyOptions): Promise<FaultProxy> {
    const host = options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        const address = server.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        resolve(new FaultProxy(server, host, port, options));
      });
    });
  }

  /** `<scheme>://host:port` of the proxy, e.g. `proxy.url('ldap')`. */
  url(scheme = 'ldap'): string {
    return `${scheme}://${this.host}:${this.port}`;
  }

  /** Merges faults into a direction's settings (`undefined` fields clear them). */
  set(direction: ProxyDirection, faults: DirectionFaults): void {
    const chunkSize = faults.chunkSize;
    if (chunkSize !== undefined && (!Number.isSafeInteger(chunkSize) || chunkSize < 1)) throw new RangeError(`chunkSize must be a positive integer, not ${chunkSize}`);
    for (const key of ['delayMs', 'cutAfter'] as const) {
      const value = faults[key];
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw new RangeError(`${key} must be a non-negative number, not ${value}`);
    }
    const next: DirectionFaults = { ...this.faults[direction], ...faults };
    for (const key of Object.keys(next) as Array<keyof DirectionFaults>) {
      if (next[key] === undefined) delete next[key];
    }
    this.faults[direction] = next;
    for (const connection of this.open) {
      connection.pipes[direction].updateReading();
      connection.pipes[direction].pump();
    }
  }

  /** The current faults of a direction. */
  get(direction: ProxyDirection): DirectionFaults {
    return { ...this.faults[direction] };
  }

  /** Stops reading in a direction (same as `set(direction, { paused: true })`). */
  pause(direction: ProxyDirection): void {
    this.set(direction, { paused: true });
  }

  /** Reads again in a direction. */
  resume(direction: ProxyDirection): void {
    this.set(direction, { paused: false });
  }

  /** Inserts bytes into a direction of every open connection, after what is already queued. */
  inject(direction: ProxyDirection, bytes: Uint8Array): void {
    for (const connection of this.open) connection.pipes[direction].inject(bytes);
  }

  /** Cuts every open connection now. */
  cutAll(mode: 'reset' | 'close' = 'reset'): void {
    for (const connection of [...this.open]) connection.destroy(mode);
  }

  /** How many connections are open. */
  get openConnections(): number {
    return this.open.size;
  }

  /** Original stream bytes taken in a direction, over all connections (closed ones included). */
  forwarded(direction: ProxyDirection): number {
    let total = this.totals[direction].consumed;
    for (const connection of this.open) total += connection.pipes[direction].consumed;
    return total;
  }

  /** Socket writes made in a direction, over all connections (what `chunkSize` multiplies). */
  writes(direction: ProxyDirection): number {
    let total = this.totals[direction].writes;
    for (const connection of this.open) total += connection.pipes[direction].writes;
    return total;
  }

  /** Stops listening and destroys every open connection. */
  close(): Promise<void> {
    this.cutAll('close');
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: ProxyTarget): void {
    this.accepted++;
    const server = net.connect({ ...target, allowHalfOpen: true });
    server.pause();
    const connection = new ProxyConnection(client, server, (direction) => this.faults[direction], (closed) => {
      if (!this.open.delete(closed)) return;
      for (const direction of ['clientToServer', 'serverToClient'] as const) {
        this.totals[direction].consumed += closed.pipes[direction].consumed;
        this.totals[direction].writes += closed.pipes[direction].writes;
      }
    });
    this.open.add(connection);
    connection.pipes.clientToServer.updateReading();
    connection.pipes.serverToClient.updateReading();
  }
}
