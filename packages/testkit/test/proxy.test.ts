import net from 'node:net';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { FaultProxy, useSlapd } from '@lber/testkit';
import type { FaultProxyOptions } from '@lber/testkit';

/** A loopback echo server that records the size of every chunk it receives. */
interface Echo {
  port: number;
  chunks: number[];
  received: () => Buffer;
  close: () => Promise<void>;
}

async function startEcho(): Promise<Echo> {
  const chunks: number[] = [];
  const parts: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      chunks.push(data.length);
      parts.push(data);
      socket.write(data);
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    chunks,
    received: () => Buffer.concat(parts),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client connected through the proxy that collects what it receives. */
interface Client {
  socket: net.Socket;
  received: () => Buffer;
  chunks: number[];
  closed: Promise<{ error: string | undefined }>;
}

async function connect(proxy: FaultProxy): Promise<Client> {
  const socket = net.connect({ host: proxy.host, port: proxy.port });
  socket.setNoDelay(true);
  const parts: Buffer[] = [];
  const chunks: number[] = [];
  let error: string | undefined;
  socket.on('data', (data: Buffer) => {
    parts.push(data);
    chunks.push(data.length);
  });
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  const closed = new Promise<{ error: string | undefined }>((resolve) => socket.on('close', () => resolve({ error })));
  await once(socket, 'connect');
  return { socket, received: () => Buffer.concat(parts), chunks, closed };
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let echo: Echo;
let proxy: FaultProxy | undefined;

beforeEach(async () => {
  echo = await startEcho();
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await echo.close();
});

async function startProxy(options: Omit<FaultProxyOptions, 'target'> = {}): Promise<FaultProxy> {
  proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port }, ...options });
  return proxy;
}

const payload = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));

test('passes bytes through unchanged in both directions', async () => {
  const p = await startProxy();
  const client = await connect(p);
  client.socket.end(payload);
  await client.closed;
  expect(echo.received().equals(payload)).toBe(true);
  expect(client.received().equals(payload)).toBe(true);
  expect(p.forwarded('clientToServer')).toBe(payload.length);
  expect(p.forwarded('serverToClient')).toBe(payload.length);
  expect(p.accepted).toBe(1);
});

/** Cumulative end offsets of received chunks. */
function boundaries(chunks: number[]): number[] {
  let at = 0;
  return chunks.map((n) => (at += n));
}

test('splits the stream into N-byte writes', async () => {
  const p = await startProxy({ clientToServer: { chunkSize: 7, delayMs: 15 } });
  const client = await connect(p);
  const data = payload.subarray(0, 50);
  client.socket.write(data);
  await until(() => client.received().length === data.length);
  expect(p.writes('clientToServer')).toBe(8);
  expect(client.received().equals(data)).toBe(true);
  // with a delay between writes each arrives alone; should the receiver fall
  // behind and read two at once, chunk ends still sit on multiples of 7
  expect(echo.chunks.length).toBeGreaterThan(1);
  expect(boundaries(echo.chunks).every((end) => end % 7 === 0 || end === 50)).toBe(true);
});

test('without a delay the writes still are N bytes each and nothing is lost', async () => {
  const p = await startProxy({ serverToClient: { chunkSize: 10 } });
  const client = await connect(p);
  client.socket.write(payload);
  await until(() => client.received().length === payload.length);
  expect(p.writes('serverToClient')).toBe(100);
  expect(p.writes('clientToServer')).toBeLessThan(100);
  expect(client.received().equals(payload)).toBe(true);
});

test('splits into single bytes in the server-to-client direction', async () => {
  const p = await startProxy({ serverToClient: { chunkSize: 1, delayMs: 15 } });
  const client = await connect(p);
  client.socket.write(Buffer.from('hello'));
  await until(() => client.received().length === 5);
  expect(p.writes('serverToClient')).toBe(5);
  expect(client.chunks.length).toBeGreaterThan(1);
  expect(echo.chunks).toEqual([5]);
  expect(client.received().toString()).toBe('hello');
});

test('delays each write by D ms', async () => {
  const p = await startProxy({ serverToClient: { chunkSize: 4, delayMs: 30 } });
  const client = await connect(p);
  const started = Date.now();
  client.socket.write(Buffer.from('0123456789ab'));
  await until(() => client.received().length === 12);
  // three writes of 4 bytes, each after 30 ms
  expect(Date.now() - started).toBeGreaterThanOrEqual(85);
  expect(client.received().toString()).toBe('0123456789ab');
});

test('stops reading while paused and resumes without losing bytes', async () => {
  const p = await startProxy({ clientToServer: { paused: true } });
  const client = await connect(p);
  client.socket.write(Buffer.from('held back'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(echo.received().length).toBe(0);
  expect(p.forwarded('clientToServer')).toBe(0);
  p.resume('clientToServer');
  await until(() => client.received().toString() === 'held back');
  expect(echo.received().toString()).toBe('held back');
});

test('pausing applies to an open connection and lets TCP push back on the sender', async () => {
  const p = await startProxy();
  const client = await connect(p);
  client.socket.write(Buffer.from('a'));
  await until(() => client.received().length === 1);
  p.pause('clientToServer');
  const big = Buffer.alloc(32 << 20, 0x41);
  client.socket.write(big);
  await new Promise((resolve) => setTimeout(resolve, 150));
  // the kernel buffers are full: part of the write is still queued in the client
  expect(client.socket.writableLength).toBeGreaterThan(0);
  expect(echo.received().length).toBe(1);
  p.resume('clientToServer');
  await until(() => client.received().length === big.length + 1, 10000);
  expect(echo.received().length).toBe(big.length + 1);
});

test('cuts the connection after K bytes (reset)', async () => {
  const p = await startProxy({ clientToServer: { cutAfter: 10 } });
  const client = await connect(p);
  client.socket.write(payload.subarray(0, 40));
  const { error } = await client.closed;
  await until(() => p.openConnections === 0);
  expect(echo.received().equals(payload.subarray(0, 10))).toBe(true);
  expect(error).toBe('ECONNRESET');
});

test('cuts with a FIN when cutMode is close, after K bytes spread over several writes', async () => {
  const p = await startProxy({ serverToClient: { cutAfter: 6, cutMode: 'close' } });
  const client = await connect(p);
  client.socket.write(Buffer.from('abcd'));
  await until(() => client.received().length === 4);
  client.socket.write(Buffer.from('efgh'));
  const { error } = await client.closed;
  expect(error).toBeUndefined();
  expect(client.received().toString()).toBe('abcdef');
});

test('injects bytes at a stream offset and on demand', async () => {
  const p = await startProxy({ serverToClient: { inject: [{ afterBytes: 3, bytes: Buffer.from('XYZ') }, { afterBytes: 0, bytes: Buffer.from('<') }] } });
  const client = await connect(p);
  client.socket.write(Buffer.from('abcdef'));
  await until(() => client.received().length === 10);
  expect(client.received().toString()).toBe('<abcXYZdef');
  p.inject('clientToServer', Buffer.from('!'));
  await until(() => client.received().length === 11);
  expect(echo.received().toString()).toBe('abcdef!');
  expect(client.received().toString()).toBe('<abcXYZdef!');
  // injected bytes are not counted as forwarded stream bytes
  expect(p.forwarded('serverToClient')).toBe(7);
});

test('close() ends open connections and refuses new ones', async () => {
  const p = await startProxy();
  const client = await connect(p);
  await p.close();
  proxy = undefined;
  await client.closed;
  const refused = net.connect({ host: p.host, port: p.port });
  const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
  expect(error.code).toBe('ECONNREFUSED');
});

test('rejects a nonsensical chunk size', async () => {
  const p = await startProxy();
  expect(() => p.set('clientToServer', { chunkSize: 0 })).toThrow(RangeError);
  expect(() => p.set('clientToServer', { delayMs: -1 })).toThrow(RangeError);
});

test('proxies to a unix socket target', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/lber-proxy-`);
  const sock = `${dir}/echo.sock`;
  const server = net.createServer((s) => s.pipe(s));
  server.listen(sock);
  await once(server, 'listening');
  try {
    proxy = await FaultProxy.start({ target: { path: sock }, serverToClient: { chunkSize: 2 } });
    const client = await connect(proxy);
    client.socket.end(Buffer.from('unix!'));
    await client.closed;
    expect(client.received().toString()).toBe('unix!');
  } finally {
    await proxy?.close();
    proxy = undefined;
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('in front of the testkit slapd', () => {
  const slapd = useSlapd();

  function whoami(url: string): Promise<{ code: number | null; stdout: string }> {
    const s = slapd();
    return new Promise((resolve) => {
      const child = spawn('ldapwhoami', ['-x', '-H', url, '-D', s.rootDn, '-w', s.rootPassword], { env: { ...process.env, LDAPCONF: '/dev/null' } });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout }));
    });
  }

  test('an LDAP exchange survives one-byte writes in both directions', async () => {
    const s = slapd();
    proxy = await FaultProxy.start({ target: { host: s.host, port: s.port }, clientToServer: { chunkSize: 1 }, serverToClient: { chunkSize: 1, delayMs: 1 } });
    const r = await whoami(proxy.url('ldap'));
    expect(r).toEqual({ code: 0, stdout: `dn:${s.rootDn}\n` });
    expect(proxy.writes('serverToClient')).toBe(proxy.forwarded('serverToClient'));
    expect(proxy.forwarded('serverToClient')).toBeGreaterThan(20);
  });

  test('a cut in the middle of the bind response is a connection error for the client', async () => {
    const s = slapd();
    proxy = await FaultProxy.start({ target: { host: s.host, port: s.port }, serverToClient: { cutAfter: 5 } });
    const r = await whoami(proxy.url('ldap'));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
  });
});
