/**
 * The tls layer: TLS as a Sockbuf layer over whatever is below it
 * (libldap tls2.c + tls_o.c, whose `tlso_sbio` table OpenSSL drives
 * through a BIO that calls LBER_SBIOD_READ_NEXT / WRITE_NEXT).
 *
 * Here node:tls does the protocol. It runs over a small Duplex,
 * {@link CipherDuplex}, whose `_read` pulls ciphertext from the layer below
 * with `readNext` (when that layer has notified "readable") and whose
 * `_write` pushes ciphertext down with `writeNext` (waiting for "writable"
 * when it would block). The plaintext the TLSSocket produces is kept in a
 * queue of chunks with a cursor; the layer's `read` copies out of it and
 * its `write` hands plaintext to the TLSSocket, so a Sockbuf with this layer
 * keeps liblber's synchronous, non-blocking read/write contract.
 *
 * Installed at LBER_SBIOD_LEVEL_TRANSPORT, at connect time (ldaps://) or on
 * a live Sockbuf (StartTLS). `setup` starts the client handshake; while it
 * runs, reads and writes would block and the Sockbuf's NEEDS_READ /
 * NEEDS_WRITE say what the handshake waits for. {@link tlsHandshake} gives
 * a promise of its outcome, and the layer's state emits 'secure' / 'failed'.
 *
 * A failed handshake (untrusted or expired certificate, wrong host name,
 * pin mismatch, protocol failure) removes the layer again with
 * `ber_sockbuf_remove_io`, closes the Sockbuf, so it is never left usable in
 * clear, and rejects the promise with a {@link TlsError}. Bytes already
 * buffered below the layer when it is installed were sent before any
 * protection existed (the StartTLS injection class of bugs): `setup`
 * refuses them with TLS_PLAINTEXT_INJECTION.
 */
import { EventEmitter } from 'node:events';
import crypto from 'node:crypto';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { SockbufError } from './errors.js';
import {
  LBER_SBIOD_LEVEL_TRANSPORT,
  LBER_SB_OPT_DATA_READY,
  LBER_SB_OPT_GET_SSL,
  SB_WOULD_BLOCK,
  berIntSbClose,
  berSockbufAddIo,
  berSockbufRemoveIo,
  sbiodNotifyUp,
} from './sockbuf.js';
import type { SbOut, Sockbuf, SockbufEventType, SockbufIO, SockbufIODesc } from './sockbuf.js';
import { StreamState } from './stream.js';
import { sockbufIoDebug } from './debug.js';
import { readQueued } from './queue.js';

/** Why a TLS handshake (or its installation) failed. */
export type TlsErrorCode =
  | 'TLS_CERT_UNTRUSTED' // the chain does not lead to a trusted CA
  | 'TLS_HOSTNAME_MISMATCH' // the certificate does not name the host
  | 'TLS_CERT_EXPIRED' // the certificate (or one in its chain) has expired
  | 'TLS_CERT_NOT_YET_VALID' // the certificate is not valid yet
  | 'TLS_PIN_MISMATCH' // the peer's public key does not match the pin
  | 'TLS_PLAINTEXT_INJECTION' // bytes were buffered below the layer at install
  | 'TLS_BAD_OPTIONS' // the options could not make a TLS context
  | 'TLS_HANDSHAKE_FAILED'; // any other failure before the session was secure

/** A failed TLS handshake; `cause` is what node:tls reported, when anything. */
export class TlsError extends Error {
  override name = 'TlsError';
  constructor(
    readonly code: TlsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options of the tls layer (the `add_io` argument). */
export interface TlsOptions {
  /**
   * The host name (or address) from the URL: checked against the server
   * certificate, and sent as SNI unless it is an IP address (RFC 6066
   * forbids literal addresses there). Default "localhost", as libldap.
   */
  host?: string;
  /** SNI and identity name, when it differs from `host`. */
  servername?: string;
  /** Trusted CA certificates (PEM); default: Node's bundled roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate chain (PEM), presented when the server asks. */
  cert?: string | Buffer | Array<string | Buffer>;
  /** Private key of the client certificate (PEM). */
  key?: string | Buffer | Array<string | Buffer>;
  /** Passphrase of `key`. */
  passphrase?: string;
  /** Lowest protocol version; default and floor 'TLSv1.2'. */
  minVersion?: tls.SecureVersion;
  /** Highest protocol version; default Node's ('TLSv1.3'). */
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher list (TLS 1.2 and below). */
  ciphers?: string;
  /**
   * A pinned public key, as libldap's TLS_PEERKEY_HASH: `"sha256:<base64>"`
   * is the base64 of a digest of the peer certificate's
   * SubjectPublicKeyInfo (any digest OpenSSL knows may be named);
   * `"<base64>"` alone is the whole DER SubjectPublicKeyInfo. Compared once
   * the handshake is done; a mismatch fails it with TLS_PIN_MISMATCH.
   */
  pinnedPublicKey?: string;
  /**
   * Verify the certificate chain and host name (default true). Turning it
   * off must be written out: `rejectUnauthorized: false`.
   */
  rejectUnauthorized?: boolean;
  /** Replaces `tls.checkServerIdentity` for the host name check. */
  checkServerIdentity?: (hostname: string, cert: tls.PeerCertificate) => Error | undefined;
  /** A prepared context; then ca/cert/key/ciphers/versions are ignored. */
  secureContext?: tls.SecureContext;
  /** Plaintext bytes queued for the reader before the TLSSocket is paused (default 256 KiB). */
  highWaterMark?: number;
  /**
   * Let node:tls read and write the socket itself when the layer directly
   * below is the tcp (or fd) provider over a socket (default true). Node's
   * TLS then works on the socket's native handle instead of going through
   * JavaScript for every ciphertext chunk (about 1.5x less CPU on bulk
   * reads). With any other layer in between (a "tls_" debug layer, a
   * custom transport) the ciphertext always goes through the layers below.
   */
  direct?: boolean;
}

/** Default plaintext receive-queue bounds. */
export const SB_TLS_HIGH_WATER = 256 * 1024;
/** Largest count one plaintext `write` accepts. */
export const SB_TLS_MAX_WRITE = 1024 * 1024;
/** Ciphertext is read from below into slabs of this size. */
const SLAB_SIZE = 64 * 1024;
/** A slab with less room than this left is replaced. */
const SLAB_MIN = 4096;

/** Where the layer's handshake stands. */
export type TlsPhase = 'handshaking' | 'secure' | 'failed' | 'closed';

/**
 * The layer's private state. It is an EventEmitter: 'secure' (the
 * TLSSocket) when the handshake has completed and been verified, 'failed'
 * (a TlsError) when it has not.
 */
export class TlsState extends EventEmitter {
  phase: TlsPhase = 'handshaking';
  /** The session; null until `setup` made it (or when it refused). */
  socket: tls.TLSSocket | null = null;
  /** The ciphertext side the TLSSocket runs over. */
  duplex: CipherDuplex | null = null;
  /** Settles with the handshake. */
  readonly handshake: Promise<tls.TLSSocket>;
  /** The failure, once there is one. */
  failure: TlsError | null = null;
  /** Plaintext received; `chunks[head]` is the oldest, read from `headOff`. */
  chunks: Buffer[] = [];
  head = 0;
  headOff = 0;
  /** Plaintext bytes in the queue. */
  queued = 0;
  /** The peer closed the TLS session (or the stream below ended). */
  eof = false;
  /** A failure after the handshake; thrown once the queue is empty. */
  error: SockbufError | null = null;
  /** We paused the TLSSocket because the queue is full. */
  paused = false;
  highWaterMark = SB_TLS_HIGH_WATER;
  lowWaterMark = SB_TLS_HIGH_WATER / 4;
  maxWrite = SB_TLS_MAX_WRITE;
  /** A writer was told "would block": tell it when it may write again. */
  writeBlocked = false;
  /** The TLSSocket wants ciphertext (its Duplex `_read` is pending). */
  wantCipher = false;
  /** Slab that ciphertext is read into; handed to the TLSSocket as views. */
  slab: Buffer = Buffer.allocUnsafe(0);
  slabOff = 0;
  /** Ciphertext the TLSSocket asked to send that the layer below has not taken yet. */
  out: Buffer | null = null;
  outOff = 0;
  outCb: ((err?: Error | null) => void) | null = null;
  /** Counts of plaintext bytes moved through the layer. */
  bytesIn = 0;
  bytesOut = 0;
  /** The "tls_" debug layer `tlsConnect` put below, removed with this one. */
  debugBelow = false;
  /** node:tls drives the provider's socket directly (see TlsOptions.direct). */
  direct = false;
  private settle: { resolve(s: tls.TLSSocket): void; reject(e: TlsError): void } | null = null;

  constructor(readonly sbiod: SockbufIODesc<TlsState>) {
    super();
    this.handshake = new Promise<tls.TLSSocket>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A caller that never asks for the promise must not see an unhandled rejection.
    this.handshake.catch(() => undefined);
  }

  /** Resolves or rejects the handshake promise once. */
  settleHandshake(ok: tls.TLSSocket | null, err: TlsError | null): void {
    const s = this.settle;
    if (s === null) return;
    this.settle = null;
    if (ok !== null) s.resolve(ok);
    else s.reject(err ?? new TlsError('TLS_HANDSHAKE_FAILED', 'TLS handshake failed'));
  }
}

/**
 * The ciphertext stream under the TLSSocket: reads pull from the layer
 * below, writes push into it, both without blocking.
 */
export class CipherDuplex extends Duplex {
  constructor(private readonly st: TlsState) {
    super({ readableHighWaterMark: SLAB_SIZE, writableHighWaterMark: SLAB_SIZE, allowHalfOpen: true });
  }

  override _read(): void {
    this.st.wantCipher = true;
    pullCipher(this.st);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    const st = this.st;
    st.out = chunk;
    st.outOff = 0;
    st.outCb = callback;
    pushCipher(st);
  }

  override _final(callback: (err?: Error | null) => void): void {
    // A Sockbuf has no half-close; the layer below stays open for reading.
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const st = this.st;
    st.wantCipher = false;
    st.out = null;
    st.outCb = null;
    callback(err);
  }
}

/** Live states by Sockbuf: the most recent tls layer installed on each. */
const lastTls = new WeakMap<Sockbuf, TlsState>();

/** Reads ciphertext from below for as long as the TLSSocket wants it. */
function pullCipher(st: TlsState): void {
  const sbiod = st.sbiod;
  const duplex = st.duplex;
  if (duplex === null) return;
  while (st.wantCipher && !sbiod.detached && !duplex.destroyed) {
    if (st.slab.length - st.slabOff < SLAB_MIN) {
      st.slab = Buffer.allocUnsafe(SLAB_SIZE);
      st.slabOff = 0;
    }
    let n: number;
    try {
      n = sbiod.readNext(st.slab, st.slabOff, st.slab.length - st.slabOff);
    } catch (err) {
      st.wantCipher = false;
      duplex.destroy(SockbufError.from(err));
      return;
    }
    if (n === SB_WOULD_BLOCK) {
      if (st.phase === 'handshaking') sbiod.sb.transNeedsRead = true;
      return;
    }
    if (n === 0) {
      st.wantCipher = false;
      duplex.push(null);
      return;
    }
    const chunk = st.slab.subarray(st.slabOff, st.slabOff + n);
    st.slabOff += n;
    st.wantCipher = duplex.push(chunk);
  }
}

/** Writes pending ciphertext below; completes the Duplex write when all is taken. */
function pushCipher(st: TlsState): void {
  const sbiod = st.sbiod;
  const out = st.out;
  if (out === null) return;
  while (st.outOff < out.length) {
    if (sbiod.detached) return;
    let n: number;
    try {
      n = sbiod.writeNext(out, st.outOff, out.length - st.outOff);
    } catch (err) {
      const cb = st.outCb;
      st.out = null;
      st.outCb = null;
      cb?.(SockbufError.from(err));
      return;
    }
    if (n === SB_WOULD_BLOCK) {
      if (st.phase === 'handshaking') sbiod.sb.transNeedsWrite = true;
      return;
    }
    st.outOff += n;
  }
  const cb = st.outCb;
  st.out = null;
  st.outCb = null;
  if (st.phase === 'handshaking') sbiod.sb.transNeedsWrite = false;
  cb?.();
}

/** Node's verification error codes, by the reason they give. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_REVOKED',
]);

/** Classifies what node:tls reported during a handshake. */
export function tlsErrorFrom(err: unknown): TlsError {
  if (err instanceof TlsError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  let tcode: TlsErrorCode = 'TLS_HANDSHAKE_FAILED';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') tcode = 'TLS_HOSTNAME_MISMATCH';
  else if (code === 'CERT_HAS_EXPIRED') tcode = 'TLS_CERT_EXPIRED';
  else if (code === 'CERT_NOT_YET_VALID') tcode = 'TLS_CERT_NOT_YET_VALID';
  else if (typeof code === 'string' && UNTRUSTED.has(code)) tcode = 'TLS_CERT_UNTRUSTED';
  return new TlsError(tcode, `TLS: can't connect: ${text}`, { cause: err });
}

/**
 * Ends a handshake that did not succeed: the layer (and the "tls_" debug
 * layer installed with it) leaves the stack, the Sockbuf is closed, the
 * promise is rejected and the subscribers hear an 'error'.
 */
function failHandshake(st: TlsState, err: TlsError): void {
  if (st.phase !== 'handshaking') return;
  // A failure already found (a pin mismatch waiting for its teardown) wins.
  err = st.failure ?? err;
  st.phase = 'failed';
  st.failure = err;
  const sbiod = st.sbiod;
  const sb = sbiod.sb;
  if (!sbiod.detached && sb.valid) {
    berSockbufRemoveIo(sb, sockbufIoTls, sbiod.level);
    if (st.debugBelow) berSockbufRemoveIo(sb, sockbufIoDebug, sbiod.level);
  }
  teardown(st);
  if (sb.valid) closeInClear(sb);
  st.settleHandshake(null, err);
  st.emit('failed', err);
  if (sb.valid) sb.emit('error', new SockbufError('ECONNABORTED', err.message, { cause: err }));
}

/**
 * Leaves `sb` with nothing to read in clear: every layer is closed (the
 * provider's socket destroyed), then removed, so bytes a provider or a
 * readahead still holds are dropped and every read or write throws
 * ENOTCONN. The Sockbuf itself stays valid for `ber_sockbuf_free`.
 */
function closeInClear(sb: Sockbuf): void {
  berIntSbClose(sb);
  while (sb.iod !== null) {
    const top = sb.iod;
    berSockbufRemoveIo(sb, top.io, top.level);
    if (sb.iod === top) {
      // A layer that refuses removal (readahead with unread bytes) is
      // unlinked anyway: its bytes arrived in clear.
      sb.iod = top.next;
      top.detached = true;
    }
  }
  sb.fd = -1;
  sb.transNeedsRead = false;
  sb.transNeedsWrite = false;
}

/** Destroys the session and forgets the plaintext queue. */
function teardown(st: TlsState): void {
  const socket = st.socket;
  const duplex = st.duplex;
  if (socket !== null && !socket.destroyed) socket.destroy();
  if (duplex !== null && !duplex.destroyed) duplex.destroy();
  st.chunks = [];
  st.head = st.headOff = st.queued = 0;
  st.wantCipher = false;
  st.out = null;
  st.outCb = null;
}

/** The SubjectPublicKeyInfo pin of a certificate, in libldap's `[alg:]base64` form. */
export function tlsPeerKeyHash(cert: crypto.X509Certificate | Buffer | string, hashalg: string | null = 'sha256'): string {
  const x509 = cert instanceof crypto.X509Certificate ? cert : new crypto.X509Certificate(cert);
  const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
  if (hashalg === null) return spki.toString('base64');
  return `${hashalg}:${crypto.createHash(hashalg).update(spki).digest('base64')}`;
}

/** Null when the pin matches, else the failure. */
function checkPin(socket: tls.TLSSocket, pin: string): TlsError | null {
  const colon = pin.indexOf(':');
  const alg = colon === -1 ? null : pin.slice(0, colon);
  const want = Buffer.from(colon === -1 ? pin : pin.slice(colon + 1), 'base64');
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) return new TlsError('TLS_PIN_MISMATCH', 'TLS: the peer sent no certificate to check the pin against');
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  let got: Buffer;
  try {
    got = alg === null ? spki : crypto.createHash(alg).update(spki).digest();
  } catch (err) {
    return new TlsError('TLS_PIN_MISMATCH', `TLS: pin hash ${alg ?? ''} not recognised`, { cause: err });
  }
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) {
    return new TlsError('TLS_PIN_MISMATCH', 'TLS: public key hash does not match provided pin');
  }
  return null;
}

/** The host part of a URL host: brackets around an IPv6 literal dropped. */
function bareHost(host: string): string {
  return host.length > 1 && host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Refuses bytes that arrived before the layer: any layer below answering
 * DATA_READY (readahead's buffer, a provider's receive queue).
 */
function plaintextBelow(sbiod: SockbufIODesc): boolean {
  return sbiod.ctrlNext(LBER_SB_OPT_DATA_READY, null) === 1;
}

/**
 * The socket of the provider directly below `sbiod`, when node:tls may
 * drive it itself: a tcp/fd provider over a live net.Socket (not a file),
 * with nothing queued.
 */
function providerSocketBelow(sbiod: SockbufIODesc): net.Socket | null {
  const below = sbiod.next;
  if (below === null) return null;
  const p = below.pvt;
  if (!(p instanceof StreamState) || p.fileFd !== -1 || p.queued > 0 || p.eof || p.error !== null) return null;
  const socket = p.socket;
  if (socket === null || socket.destroyed || socket instanceof tls.TLSSocket) return null;
  return socket;
}

/** Starts the client handshake over the layers below `sbiod`. */
function startSession(st: TlsState, opts: TlsOptions): void {
  const sbiod = st.sbiod;
  const host = bareHost(opts.host ?? 'localhost');
  const servername = opts.servername ?? (net.isIP(host) === 0 ? host : undefined);
  const directSocket = opts.direct === false ? null : providerSocketBelow(sbiod);
  let transport: Duplex;
  if (directSocket !== null) {
    st.direct = true;
    transport = directSocket;
  } else {
    const duplex = new CipherDuplex(st);
    st.duplex = duplex;
    duplex.on('error', () => undefined); // reported through the TLSSocket
    transport = duplex;
  }
  const connectOptions: tls.ConnectionOptions = {
    socket: transport,
    host,
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
    minVersion: opts.minVersion ?? 'TLSv1.2',
  };
  if (servername !== undefined && servername !== '') connectOptions.servername = servername;
  if (opts.checkServerIdentity !== undefined) connectOptions.checkServerIdentity = opts.checkServerIdentity;
  if (opts.secureContext !== undefined) {
    connectOptions.secureContext = opts.secureContext;
  } else {
    if (opts.ca !== undefined) connectOptions.ca = opts.ca;
    if (opts.cert !== undefined) connectOptions.cert = opts.cert;
    if (opts.key !== undefined) connectOptions.key = opts.key;
    if (opts.passphrase !== undefined) connectOptions.passphrase = opts.passphrase;
    if (opts.maxVersion !== undefined) connectOptions.maxVersion = opts.maxVersion;
    if (opts.ciphers !== undefined) connectOptions.ciphers = opts.ciphers;
  }
  const socket = tls.connect(connectOptions);
  st.socket = socket;
  const pin = opts.pinnedPublicKey;

  socket.on('secureConnect', () => {
    if (st.phase !== 'handshaking') return;
    if (pin !== undefined && pin !== '') {
      const bad = checkPin(socket, pin);
      if (bad !== null) {
        // Not from inside node:tls's own callback: tearing the socket down
        // there can crash the process. Until then the phase stays
        // 'handshaking', so nothing is read or written.
        st.failure = bad;
        setImmediate(() => failHandshake(st, bad));
        return;
      }
    }
    st.phase = 'secure';
    const sb = sbiod.sb;
    sb.transNeedsRead = false;
    sb.transNeedsWrite = false;
    st.settleHandshake(socket, null);
    st.emit('secure', socket);
    // Writers were told "would block" during the handshake; readers may
    // already have plaintext waiting.
    sbiodNotifyUp(sbiod, 'writable');
    if (st.queued > 0) sbiodNotifyUp(sbiod, 'readable');
  });
  socket.on('data', (chunk: Buffer) => {
    st.chunks.push(chunk);
    st.queued += chunk.length;
    st.bytesIn += chunk.length;
    if (st.queued >= st.highWaterMark && !st.paused) {
      st.paused = true;
      socket.pause();
    }
    if (st.phase === 'secure') sbiodNotifyUp(sbiod, 'readable');
  });
  socket.on('end', () => {
    st.eof = true;
    if (st.phase === 'secure') sbiodNotifyUp(sbiod, 'end');
  });
  socket.on('drain', () => {
    if (st.writeBlocked && st.phase === 'secure') {
      st.writeBlocked = false;
      sbiodNotifyUp(sbiod, 'writable');
    }
  });
  socket.on('error', (err: Error) => {
    if (st.phase === 'handshaking') {
      failHandshake(st, tlsErrorFrom(err));
    } else if (st.phase === 'secure' && st.error === null) {
      const e = SockbufError.from(err);
      st.error = e;
      sbiodNotifyUp(sbiod, 'error', e);
    }
  });
  socket.on('close', () => {
    if (st.phase === 'handshaking') {
      failHandshake(st, new TlsError('TLS_HANDSHAKE_FAILED', 'TLS: the connection closed during the handshake'));
    } else if (st.phase === 'secure' && !st.eof && st.error === null) {
      st.eof = true;
      sbiodNotifyUp(sbiod, 'end');
    }
  });
}

function stateOf(sbiod: SockbufIODesc<TlsState>): TlsState {
  const st = sbiod.pvt;
  if (st === null) throw new SockbufError('EBADF', 'the tls layer has no session');
  return st;
}

/** The error a read or write meets on a layer that is no longer secure. */
function notSecure(st: TlsState): SockbufError {
  if (st.phase === 'failed') return new SockbufError('ECONNABORTED', st.failure?.message ?? 'TLS handshake failed', { cause: st.failure });
  return new SockbufError('EBADF', 'the TLS session is closed');
}

/**
 * The tls layer. `add_io` argument: {@link TlsOptions} (null: defaults,
 * host "localhost"). Install it at LBER_SBIOD_LEVEL_TRANSPORT, then await
 * {@link tlsHandshake}; or call {@link tlsConnect}, which does both.
 *
 * - read: plaintext, or SB_WOULD_BLOCK (also during the handshake, with
 *   NEEDS_READ / NEEDS_WRITE set from what the handshake waits for);
 * - write: plaintext accepted once the handshake is verified; before that,
 *   and while the session's buffer is above its high-water mark,
 *   SB_WOULD_BLOCK, followed by a 'writable' notification;
 * - ctrl: GET_SSL gives the TLSSocket (peer certificate, cipher, protocol);
 *   DATA_READY is 1 while plaintext is queued, else asked below;
 * - notify: 'readable' from below feeds the session; 'readable' goes up
 *   only when there is plaintext;
 * - close: sends close_notify (best effort); remove: destroys the session.
 * @see tlso_sbio
 */
export const sockbufIoTls: SockbufIO<TlsState, TlsOptions> = {
  name: 'tls',
  setup(sbiod, arg) {
    const sb = sbiod.sb;
    const st = new TlsState(sbiod);
    sbiod.pvt = st;
    lastTls.set(sb, st);
    sb.transNeedsRead = false;
    sb.transNeedsWrite = false;
    const opts = arg ?? {};
    if (opts.highWaterMark !== undefined && opts.highWaterMark > 0) {
      st.highWaterMark = opts.highWaterMark;
      st.lowWaterMark = Math.floor(opts.highWaterMark / 4);
    }
    if (plaintextBelow(sbiod)) {
      failHandshake(st, new TlsError('TLS_PLAINTEXT_INJECTION', 'TLS: data received in clear before the handshake; refused'));
      return -1;
    }
    try {
      startSession(st, opts);
    } catch (err) {
      failHandshake(st, new TlsError('TLS_BAD_OPTIONS', `TLS: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      return -1;
    }
    sb.transNeedsWrite = st.out !== null;
    sb.transNeedsRead = !sb.transNeedsWrite;
    return 0;
  },
  remove(sbiod) {
    const st = sbiod.pvt;
    if (st !== null) {
      if (st.phase === 'handshaking') {
        // Taken off mid-handshake by its owner: nothing was secured.
        st.phase = 'closed';
        st.settleHandshake(null, new TlsError('TLS_HANDSHAKE_FAILED', 'TLS: the layer was removed during the handshake'));
      } else if (st.phase === 'secure') {
        st.phase = 'closed';
      }
      teardown(st);
    }
    sbiod.sb.transNeedsRead = false;
    sbiod.sb.transNeedsWrite = false;
    sbiod.pvt = null;
    return 0;
  },
  ctrl(sbiod, opt, arg) {
    const st = sbiod.pvt;
    if (st !== null) {
      if (opt === LBER_SB_OPT_GET_SSL) {
        const out = arg as SbOut<unknown> | null;
        if (out !== null && out !== undefined) out.value = st.socket;
        return 1;
      }
      if (opt === LBER_SB_OPT_DATA_READY && st.phase === 'secure' && st.queued > 0) return 1;
    }
    return sbiod.ctrlNext(opt, arg);
  },
  read(sbiod, buf, off, len) {
    const st = stateOf(sbiod);
    if (st.phase !== 'secure') {
      if (st.phase === 'handshaking') {
        if (!sbiod.sb.transNeedsWrite) sbiod.sb.transNeedsRead = true;
        return SB_WOULD_BLOCK;
      }
      throw notSecure(st);
    }
    if (len <= 0) return 0;
    if (st.queued > 0) {
      sbiod.sb.transNeedsRead = false;
      return readQueued(st, buf, off, len);
    }
    if (st.error !== null) throw st.error;
    if (st.eof) return 0;
    sbiod.sb.transNeedsRead = true;
    return SB_WOULD_BLOCK;
  },
  write(sbiod, buf, off, len) {
    const st = stateOf(sbiod);
    if (st.phase !== 'secure') {
      if (st.phase === 'handshaking') {
        st.writeBlocked = true;
        return SB_WOULD_BLOCK;
      }
      throw notSecure(st);
    }
    if (st.error !== null) throw st.error;
    const socket = st.socket;
    if (socket === null || socket.destroyed || socket.writableEnded) throw new SockbufError('EPIPE');
    if (len <= 0) return 0;
    if (socket.writableNeedDrain) {
      st.writeBlocked = true;
      sbiod.sb.transNeedsWrite = true;
      return SB_WOULD_BLOCK;
    }
    sbiod.sb.transNeedsWrite = false;
    const n = len < st.maxWrite ? len : st.maxWrite;
    // The caller may reuse its buffer once we return, so the session gets a copy.
    const copy = Buffer.allocUnsafe(n);
    buf.copy(copy, 0, off, off + n);
    socket.write(copy);
    st.bytesOut += n;
    return n;
  },
  close(sbiod) {
    const st = sbiod.pvt;
    if (st === null) return 0;
    if (st.phase === 'secure' && st.socket !== null && !st.socket.destroyed) {
      // SSL_shutdown: send close_notify if the layer below still takes it.
      // In direct mode the provider destroys the socket right after this,
      // under node:tls's feet: destroy the session first instead.
      if (st.direct) st.socket.destroy();
      else st.socket.end();
    }
    if (st.phase !== 'failed') st.phase = 'closed';
    return 0;
  },
  notify(sbiod, type: SockbufEventType, error?: SockbufError) {
    const st = sbiod.pvt;
    // In direct mode the session hears from the socket itself.
    if (st === null || st.direct) return;
    switch (type) {
      case 'readable':
        if (st.wantCipher) pullCipher(st);
        return;
      case 'writable':
        if (st.out !== null) pushCipher(st);
        return;
      case 'end':
        // The stream below ended: let the session read the end of stream.
        if (st.duplex !== null && !st.duplex.destroyed) {
          st.wantCipher = true;
          pullCipher(st);
        }
        return;
      case 'error':
        if (st.duplex !== null && !st.duplex.destroyed) st.duplex.destroy(error ?? new SockbufError('EIO'));
        return;
    }
  },
};

/** The state of the tls layer on `sb`, or null when there is none. */
export function tlsStateOf(sb: Sockbuf): TlsState | null {
  for (let d = sb.iod; d !== null; d = d.next) if (d.io === sockbufIoTls) return d.pvt as TlsState | null;
  return null;
}

/**
 * The TLS session on `sb` (a `tls.TLSSocket`: getPeerCertificate,
 * getCipher, getProtocol, authorized), or null without a tls layer.
 * @see ldap_pvt_tls_sb_ctx
 */
export function tlsSessionOf(sb: Sockbuf): tls.TLSSocket | null {
  return tlsStateOf(sb)?.socket ?? null;
}

/**
 * True when a tls layer is installed on `sb`.
 * @see ldap_pvt_tls_inplace
 */
export function tlsInplace(sb: Sockbuf): boolean {
  return tlsStateOf(sb) !== null;
}

/**
 * The outcome of the handshake of the tls layer most recently installed on
 * `sb`: the TLSSocket once it is secure and verified, or a TlsError (the
 * layer then is already removed and the Sockbuf closed). Rejects with
 * TLS_HANDSHAKE_FAILED when no tls layer was ever installed on `sb`.
 */
export function tlsHandshake(sb: Sockbuf): Promise<tls.TLSSocket> {
  const st = lastTls.get(sb);
  if (st === undefined) return Promise.reject(new TlsError('TLS_HANDSHAKE_FAILED', 'TLS: no tls layer was installed on this Sockbuf'));
  return st.handshake;
}

/** Options of {@link tlsConnect}: the layer's, plus the debug layer below it. */
export interface TlsConnectOptions extends TlsOptions {
  /**
   * Also install a debug layer under the tls layer with this prefix (libldap
   * uses "tls_"), so ciphertext can be logged; removed again on failure.
   */
  debugPrefix?: string;
}

/**
 * Installs TLS on `sb` (at connect time for ldaps://, or mid-stream after a
 * StartTLS response) and resolves once the session is secure and verified.
 * On failure the layers it added are removed, the Sockbuf is closed and the
 * promise rejects with a {@link TlsError}.
 * @see ldap_pvt_tls_connect
 */
export function tlsConnect(sb: Sockbuf, options: TlsConnectOptions = {}): Promise<tls.TLSSocket> {
  const { debugPrefix, ...layerOptions } = options;
  if (debugPrefix !== undefined) berSockbufAddIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_TRANSPORT, debugPrefix);
  berSockbufAddIo(sb, sockbufIoTls, LBER_SBIOD_LEVEL_TRANSPORT, layerOptions);
  const st = lastTls.get(sb);
  if (st === undefined) return Promise.reject(new TlsError('TLS_HANDSHAKE_FAILED', 'TLS: the layer was not installed'));
  if (debugPrefix !== undefined) {
    st.debugBelow = true;
    // Setup may already have failed (and removed the tls layer) before the
    // flag was set: take the debug layer away too.
    if (st.phase === 'failed' && sb.valid) berSockbufRemoveIo(sb, sockbufIoDebug, LBER_SBIOD_LEVEL_TRANSPORT);
  }
  return st.handshake;
}

export {
  sockbufIoTls as tlso_sbio,
  tlsConnect as ldap_pvt_tls_connect,
  tlsSessionOf as ldap_pvt_tls_sb_ctx,
  tlsInplace as ldap_pvt_tls_inplace,
};
