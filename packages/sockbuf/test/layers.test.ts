/**
 * Built-in and example layers beyond the vectors: the notification flow,
 * debug-layer error lines, fd and udp providers, metrics, lengthPrefix.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BerPduCounter,
  LBER_SBIOD_LEVEL_APPLICATION,
  LBER_SBIOD_LEVEL_PROVIDER,
  LBER_SBIOD_LEVEL_TRANSPORT,
  LBER_SB_OPT_DATA_READY,
  LDAP_DEBUG_PACKETS,
  SB_WOULD_BLOCK,
  SockbufError,
  berSockbufAddIo,
  berSockbufAlloc,
  berSockbufCtrl,
  berSockbufFree,
  berSockbufRemoveIo,
  cResultOf,
  lberOptions,
  sbiodNotifyUp,
  sockbufIoDebug,
  sockbufIoFd,
  sockbufIoLengthPrefix,
  sockbufIoMetrics,
  sockbufIoReadahead,
  sockbufIoUdp,
  sockbufMetrics,
} from '@lber/sockbuf';
import type { Sockbuf, SockbufEventType, SockbufIO, SockbufIODesc } from '@lber/sockbuf';
import { loopbackPair, readExactly, readToEnd, tcpSockbuf, writeAll } from './helpers.js';

/** An in-memory provider: a byte queue to read from, a sink for writes, a script of would-blocks. */
class MemoryPeer {
  inbox: Buffer = Buffer.alloc(0);
  eof = false;
  readonly outbox: Buffer[] = [];
  /** Max bytes a write accepts; 0 means would-block. */
  writeRoom = Infinity;
  fail: SockbufError | null = null;
  desc: SockbufIODesc<null> | null = null;
  readonly io: SockbufIO<null, null> = {
    setup: (d) => {
      this.desc = d;
      return 0;
    },
    read: (_d, buf, off, len) => {
      if (this.fail) throw this.fail;
      if (this.inbox.length === 0) return this.eof ? 0 : SB_WOULD_BLOCK;
      const n = Math.min(len, this.inbox.length);
      this.inbox.copy(buf, off, 0, n);
      this.inbox = this.inbox.subarray(n);
      return n;
    },
    write: (_d, buf, off, len) => {
      if (this.fail) throw this.fail;
      const n = Math.min(len, this.writeRoom);
      if (n === 0) return SB_WOULD_BLOCK;
      this.outbox.push(Buffer.from(buf.subarray(off, off + n)));
      if (this.writeRoom !== Infinity) this.writeRoom -= n;
      return n;
    },
  };
  feed(data: Buffer): void {
    this.inbox = Buffer.concat([this.inbox, data]);
    if (this.desc) sbiodNotifyUp(this.desc, 'readable');
  }
  written(): Buffer {
    return Buffer.concat(this.outbox);
  }
}

function memorySockbuf(): { sb: Sockbuf; peer: MemoryPeer } {
  const sb = berSockbufAlloc();
  const peer = new MemoryPeer();
  expect(berSockbufAddIo(sb, peer.io, LBER_SBIOD_LEVEL_PROVIDER)).toBe(0);
  return { sb, peer };
}

function readAll(sb: Sockbuf, max = 1 << 16): Buffer {
  const buf = Buffer.alloc(max);
  let got = 0;
  for (;;) {
    const n = sb.read(buf, got, max - got);
    if (n <= 0) return buf.subarray(0, got);
    got += n;
  }
}

describe('notifications', () => {
  test('travel up through pass-through layers to the subscribers; a notify hook may keep them', () => {
    const { sb, peer } = memorySockbuf();
    const seen: string[] = [];
    sb.subscribe((type) => seen.push(`top:${type}`));
    let keep = true;
    const gate: SockbufIO<null, null> = {
      read: (d, b, o, l) => d.readNext(b, o, l),
      write: (d, b, o, l) => d.writeNext(b, o, l),
      notify: (d, type) => {
        seen.push(`gate:${type}`);
        if (!keep) sbiodNotifyUp(d, type);
      },
    };
    berSockbufAddIo(sb, sockbufIoMetrics, LBER_SBIOD_LEVEL_TRANSPORT);
    berSockbufAddIo(sb, gate, LBER_SBIOD_LEVEL_APPLICATION);
    peer.feed(Buffer.from('a'));
    keep = false;
    peer.feed(Buffer.from('b'));
    expect(seen).toEqual(['gate:readable', 'gate:readable', 'top:readable']);
    // A removed layer is out of the path; the provider's notifications go straight up.
    berSockbufRemoveIo(sb, gate, LBER_SBIOD_LEVEL_APPLICATION);
    keep = true;
    peer.feed(Buffer.from('c'));
    expect(seen.slice(3)).toEqual(['top:readable']);
    expect(readAll(sb).toString()).toBe('abc');
    berSockbufFree(sb);
  });

  test('a removed provider notifies nobody; unsubscribe stops delivery', () => {
    const { sb, peer } = memorySockbuf();
    const seen: SockbufEventType[] = [];
    const unsubscribe = sb.subscribe((type) => seen.push(type));
    peer.feed(Buffer.from('x'));
    expect(seen).toEqual(['readable']);
    unsubscribe();
    peer.feed(Buffer.from('y'));
    expect(seen).toEqual(['readable']);
    sb.subscribe((type) => seen.push(type));
    berSockbufRemoveIo(sb, peer.io, LBER_SBIOD_LEVEL_PROVIDER);
    peer.feed(Buffer.from('z'));
    expect(seen).toEqual(['readable']);
    berSockbufFree(sb);
  });
});

describe('entry points', () => {
  test('read/write on an empty stack or a freed Sockbuf throw typed errors', () => {
    const sb = berSockbufAlloc();
    const buf = Buffer.alloc(4);
    expect(cResultOf(() => sb.read(buf, 0, 4))).toEqual({ rc: -1, errno: 'ENOTCONN' });
    berSockbufFree(sb);
    expect(cResultOf(() => sb.write(buf, 0, 4))).toEqual({ rc: -1, errno: 'EBADF' });
    expect(() => berSockbufCtrl(sb, LBER_SB_OPT_DATA_READY, null)).toThrow(SockbufError);
  });

  test('a pass-through layer with nothing below throws ENOTCONN instead of crashing', () => {
    const sb = berSockbufAlloc();
    berSockbufAddIo(sb, sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION);
    expect(cResultOf(() => sb.read(Buffer.alloc(1), 0, 1))).toEqual({ rc: -1, errno: 'ENOTCONN' });
    berSockbufFree(sb);
  });
});

describe('debug layer', () => {
  test('logs a thrown error with its strerror text and rethrows it', () => {
    const { sb, peer } = memorySockbuf();
    const lines: string[] = [];
    const saved = lberOptions.logPrint;
    lberOptions.logPrint = (m) => lines.push(m);
    try {
      sb.debug = LDAP_DEBUG_PACKETS;
      berSockbufAddIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_TRANSPORT, 'x_');
      peer.fail = new SockbufError('ECONNRESET');
      expect(cResultOf(() => sb.read(Buffer.alloc(8), 0, 8))).toEqual({ rc: -1, errno: 'ECONNRESET' });
      expect(cResultOf(() => sb.write(Buffer.alloc(3), 0, 3))).toEqual({ rc: -1, errno: 'ECONNRESET' });
      expect(lines).toEqual(['x_read: want=8 error=Connection reset by peer\n', 'x_write: want=3 error=Connection reset by peer\n']);
      sb.debug = 0;
      lines.length = 0;
      peer.fail = null;
      peer.feed(Buffer.from('q'));
      expect(readAll(sb).toString()).toBe('q');
      expect(lines).toEqual([]);
    } finally {
      lberOptions.logPrint = saved;
      berSockbufFree(sb);
    }
  });
});

describe('debug layer with secrets', () => {
  test('masks every secret in the dump (hex and text), pushed later too, and leaves the bytes passed through alone', () => {
    const { sb, peer } = memorySockbuf();
    const lines: string[] = [];
    const saved = lberOptions.logPrint;
    lberOptions.logPrint = (m) => lines.push(m);
    const secrets: Buffer[] = [Buffer.from('hunter2')];
    try {
      sb.debug = LDAP_DEBUG_PACKETS;
      berSockbufAddIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_TRANSPORT, { prefix: 'ldap_', secrets });
      peer.feed(Buffer.from('pw=hunter2;again=hunter2;new=s3cret'));
      secrets.push(Buffer.from('s3cret'));
      expect(readAll(sb).toString()).toBe('pw=hunter2;again=hunter2;new=s3cret');
      const log = lines.join('');
      expect(log).toMatch(/^ldap_read: want=\d+, got=35\n/);
      expect(log).not.toContain('hunter2');
      expect(log).not.toContain('s3cret');
      expect(log).not.toContain(Buffer.from('hunter2').toString('hex').slice(0, 8));
      expect(log).toContain('pw=*******;again');
    } finally {
      lberOptions.logPrint = saved;
      berSockbufFree(sb);
    }
  });
});

describe('readahead layer', () => {
  test('refuses removal while holding bytes, allows it once drained', () => {
    const { sb, peer } = memorySockbuf();
    berSockbufAddIo(sb, sockbufIoReadahead, LBER_SBIOD_LEVEL_TRANSPORT, 4096);
    peer.feed(Buffer.from('0123456789'));
    const buf = Buffer.alloc(4);
    expect(sb.read(buf, 0, 4)).toBe(4);
    expect(peer.inbox.length).toBe(0);
    expect(berSockbufCtrl(sb, LBER_SB_OPT_DATA_READY, null)).toBe(1);
    expect(berSockbufRemoveIo(sb, sockbufIoReadahead, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(-1);
    expect(readAll(sb).toString()).toBe('456789');
    expect(berSockbufRemoveIo(sb, sockbufIoReadahead, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(0);
    berSockbufFree(sb);
  });

  test('returns what it has when the layer below then fails, and the error comes on the next read', () => {
    const { sb, peer } = memorySockbuf();
    berSockbufAddIo(sb, sockbufIoReadahead, LBER_SBIOD_LEVEL_TRANSPORT);
    peer.feed(Buffer.from('abc'));
    expect(sb.read(Buffer.alloc(2), 0, 2)).toBe(2);
    peer.fail = new SockbufError('EIO');
    expect(sb.read(Buffer.alloc(8), 0, 8)).toBe(1);
    expect(cResultOf(() => sb.read(Buffer.alloc(8), 0, 8))).toEqual({ rc: -1, errno: 'EIO' });
    berSockbufFree(sb);
  });
});

describe('metrics layer', () => {
  test('counts bytes and PDUs each way, whatever the split', () => {
    const pdu = Buffer.from('300c02010161070a010004000400', 'hex');
    const longPdu = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), Buffer.alloc(256, 0x41)]);
    const highTag = Buffer.from([0x5f, 0x81, 0x01, 0x01, 0xaa]);
    const empty = Buffer.from([0x05, 0x00]);
    const stream = Buffer.concat([pdu, longPdu, highTag, empty, pdu]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const c = new BerPduCounter();
      c.feed(stream, 0, cut);
      c.feed(stream, cut, stream.length - cut);
      expect(c.pdus).toBe(5);
    }
    const oneByOne = new BerPduCounter();
    for (let i = 0; i < stream.length; i++) oneByOne.feed(stream, i, 1);
    expect(oneByOne.pdus).toBe(5);
    const lost = new BerPduCounter();
    lost.feed(Buffer.from([0x30, 0x80, 0x00, 0x00]), 0, 4);
    expect(lost.lost).toBe(true);

    const { sb, peer } = memorySockbuf();
    berSockbufAddIo(sb, sockbufIoMetrics, LBER_SBIOD_LEVEL_APPLICATION);
    peer.feed(stream);
    expect(readAll(sb).equals(stream)).toBe(true);
    expect(sb.write(pdu, 0, 5)).toBe(5);
    expect(sb.write(pdu, 5, pdu.length - 5)).toBe(pdu.length - 5);
    const m = sockbufMetrics(sb)!;
    expect([m.bytesIn, m.pdusIn, m.bytesOut, m.pdusOut, m.writesOut]).toEqual([stream.length, 5, pdu.length, 1, 2]);
    berSockbufFree(sb);
  });
});

test('metrics PDU counter: any PDUs in any chunks count the same', () => {
  const pduArb = fc.record({ tag: fc.constantFrom([0x30], [0x63], [0x5f, 0x81, 0x01]), size: fc.integer({ min: 0, max: 70000 }), form: fc.integer({ min: 0, max: 4 }) });
  fc.assert(
    fc.property(fc.array(pduArb, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 20 }), (list, cuts) => {
      const parts: Buffer[] = [];
      for (const p of list) {
        const lenOctets = p.size < 128 && p.form === 0 ? [p.size] : [0x84, p.size >>> 24, (p.size >> 16) & 255, (p.size >> 8) & 255, p.size & 255].slice(p.size > 0xffffff || p.form === 4 ? 0 : p.size > 0xffff || p.form === 3 ? 1 : p.size > 0xff || p.form === 2 ? 2 : 3);
        if (lenOctets.length > 1) lenOctets[0] = 0x80 | (lenOctets.length - 1);
        parts.push(Buffer.from([...p.tag, ...lenOctets]), Buffer.alloc(p.size, 0x30));
      }
      const stream = Buffer.concat(parts);
      const c = new BerPduCounter();
      let at = 0;
      for (let k = 0; at < stream.length; k++) {
        const n = Math.min(cuts[k % cuts.length]!, stream.length - at);
        c.feed(stream, at, n);
        at += n;
      }
      expect(c.pdus).toBe(list.length);
      expect(c.lost).toBe(false);
    }),
    { numRuns: 200 },
  );
});

describe('lengthPrefix layer', () => {
  test('wraps writes in frames, unwraps reads, and pops cleanly at a frame boundary', () => {
    const { sb, peer } = memorySockbuf();
    peer.feed(Buffer.from('plain'));
    expect(readAll(sb).toString()).toBe('plain');
    expect(berSockbufAddIo(sb, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(0);
    expect(sb.write(Buffer.from('hello'), 0, 5)).toBe(5);
    expect(peer.written().toString('hex')).toBe('0000000568656c6c6f');
    // Two frames then unframed bytes; split one byte at a time.
    const incoming = Buffer.concat([Buffer.from('00000003616263', 'hex'), Buffer.from('00000000', 'hex'), Buffer.from('0000000178', 'hex'), Buffer.from('tail')]);
    const got: Buffer[] = [];
    const one = Buffer.alloc(16);
    for (let i = 0; i < incoming.length - 4; i++) {
      peer.feed(incoming.subarray(i, i + 1));
      const n = sb.read(one, 0, 16);
      if (n > 0) got.push(Buffer.from(one.subarray(0, n)));
      else expect(n).toBe(SB_WOULD_BLOCK);
    }
    expect(Buffer.concat(got).toString()).toBe('abcx');
    expect(berSockbufRemoveIo(sb, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(0);
    peer.feed(incoming.subarray(incoming.length - 4));
    expect(readAll(sb).toString()).toBe('tail');
    berSockbufFree(sb);
  });

  test('refuses removal mid-frame and with output pending; keeps the frame tail for later', () => {
    const { sb, peer } = memorySockbuf();
    const seen: SockbufEventType[] = [];
    sb.subscribe((t) => seen.push(t));
    berSockbufAddIo(sb, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT, { maxSend: 4 });
    peer.writeRoom = 3;
    expect(sb.write(Buffer.from('abcdef'), 0, 6)).toBe(4);
    expect(sb.write(Buffer.from('ef'), 0, 2)).toBe(SB_WOULD_BLOCK);
    expect(berSockbufRemoveIo(sb, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(-1);
    peer.writeRoom = Infinity;
    sbiodNotifyUp(peer.desc!, 'writable');
    expect(seen).toEqual(['writable']);
    expect(sb.write(Buffer.from('ef'), 0, 2)).toBe(2);
    expect(peer.written().toString('hex')).toBe('00000004616263640000000265 66'.replace(/ /g, ''));
    peer.feed(Buffer.from('0000000a6162', 'hex'));
    expect(readAll(sb).toString()).toBe('ab');
    expect(berSockbufRemoveIo(sb, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(-1);
    peer.eof = true;
    expect(cResultOf(() => sb.read(Buffer.alloc(8), 0, 8))).toEqual({ rc: -1, errno: 'EIO' });
    berSockbufFree(sb);
  });

  test('a frame over maxRecv is refused with EMSGSIZE before reading it', () => {
    const { sb, peer } = memorySockbuf();
    berSockbufAddIo(sb, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT, { maxRecv: 100 });
    peer.feed(Buffer.from('00000065', 'hex'));
    expect(cResultOf(() => sb.read(Buffer.alloc(8), 0, 8))).toEqual({ rc: -1, errno: 'EMSGSIZE' });
    berSockbufFree(sb);
  });

  test('pushed onto and popped off live loopback Sockbufs on both ends', async () => {
    const pair = await loopbackPair();
    try {
      const a = tcpSockbuf(pair.client);
      const b = tcpSockbuf(pair.server);
      await writeAll(a, Buffer.from('bind'));
      expect((await readExactly(b, 4)).toString()).toBe('bind');
      berSockbufAddIo(a, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT);
      berSockbufAddIo(b, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT);
      const big = Buffer.alloc(300000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
      const reading = readExactly(b, big.length);
      await writeAll(a, big);
      expect((await reading).equals(big)).toBe(true);
      expect(berSockbufRemoveIo(a, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(0);
      expect(berSockbufRemoveIo(b, sockbufIoLengthPrefix, LBER_SBIOD_LEVEL_TRANSPORT)).toBe(0);
      pair.client.end(Buffer.from('bye'));
      expect((await readToEnd(b)).toString()).toBe('bye');
      berSockbufFree(a);
      berSockbufFree(b);
    } finally {
      await pair.close();
    }
  });
});

describe('fd provider', () => {
  test('over a pipe-like socket descriptor and over a regular file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lber-fd-'));
    try {
      const file = path.join(dir, 'data');
      fs.writeFileSync(file, 'file contents');
      const fd = fs.openSync(file, 'r+');
      const sb = berSockbufAlloc();
      expect(berSockbufAddIo(sb, sockbufIoFd, LBER_SBIOD_LEVEL_PROVIDER, fd)).toBe(0);
      expect(sb.fd).toBe(fd);
      expect(readAll(sb).toString()).toBe('file contents');
      expect(sb.write(Buffer.from('!'), 0, 1)).toBe(1);
      berSockbufFree(sb);
      expect(() => fs.fstatSync(fd)).toThrow();
      expect(fs.readFileSync(file, 'utf8')).toBe('file contents!');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // A FIFO: not a regular file, so it is driven through net.Socket({ fd }).
    const fifoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lber-fifo-'));
    try {
      const fifo = path.join(fifoDir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      const rfd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const wfd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      const sb = berSockbufAlloc();
      expect(berSockbufAddIo(sb, sockbufIoFd, LBER_SBIOD_LEVEL_PROVIDER, rfd)).toBe(0);
      expect(sb.read(Buffer.alloc(4), 0, 4)).toBe(SB_WOULD_BLOCK);
      fs.writeSync(wfd, 'via fd');
      expect((await readExactly(sb, 6)).toString()).toBe('via fd');
      fs.closeSync(wfd);
      expect((await readToEnd(sb)).length).toBe(0);
      berSockbufFree(sb);
    } finally {
      fs.rmSync(fifoDir, { recursive: true, force: true });
    }
  });
});

describe('udp provider', () => {
  test('one datagram per PDU, read through readahead; oversize writes fail with EMSGSIZE', async () => {
    const s1 = dgram.createSocket('udp4');
    const s2 = dgram.createSocket('udp4');
    await new Promise<void>((r) => s1.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => s2.bind(0, '127.0.0.1', r));
    const a = berSockbufAlloc();
    const b = berSockbufAlloc();
    try {
      berSockbufAddIo(a, sockbufIoUdp, LBER_SBIOD_LEVEL_PROVIDER, { socket: s1, address: '127.0.0.1', port: s2.address().port });
      berSockbufAddIo(b, sockbufIoUdp, LBER_SBIOD_LEVEL_PROVIDER, { socket: s2, address: '127.0.0.1', port: s1.address().port });
      berSockbufAddIo(b, sockbufIoReadahead, LBER_SBIOD_LEVEL_PROVIDER);
      const pdu1 = Buffer.from('300c02010161070a010004000400', 'hex');
      const pdu2 = Buffer.from('30050201024200', 'hex');
      expect(a.write(pdu1, 0, pdu1.length)).toBe(pdu1.length);
      expect(a.write(pdu2, 0, pdu2.length)).toBe(pdu2.length);
      expect((await readExactly(b, pdu1.length + pdu2.length)).equals(Buffer.concat([pdu1, pdu2]))).toBe(true);
      expect(cResultOf(() => a.write(Buffer.alloc(70000), 0, 70000))).toEqual({ rc: -1, errno: 'EMSGSIZE' });
    } finally {
      berSockbufFree(a);
      berSockbufFree(b);
    }
  });
});
