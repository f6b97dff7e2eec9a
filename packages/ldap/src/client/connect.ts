/**
 * Opening a connection: each URL tried in order until one serves
 * (libldap's `ldap_int_open_connection` over the URL list), within a
 * connect timeout per URL, with the layer stack libldap's open.c and
 * tls2.c build:
 *
 * ```
 * ldap://   debug "ldap_" (INT_MAX)                    <- when debugging
 *           tcp (PROVIDER) over a net.Socket
 *           debug "tcp_" (PROVIDER, added first, so under tcp)
 * ldaps://  debug "ldap_" (INT_MAX)
 *           tls (TRANSPORT)
 *           debug "tls_" (TRANSPORT, added first, so under tls: ciphertext)
 *           tcp (PROVIDER), debug "tcp_" (PROVIDER)
 * ldapi://  as ldap://, over a unix-domain socket, prefix "ipc_"
 * ```
 *
 * (libldap's "tcp_"/"ipc_" layers sit under the provider, which talks to
 * the socket itself, so they never log; the port keeps that quirk.)
 */
import net from 'node:net';
import {
  LBER_SBIOD_LEVEL_PROVIDER,
  Sockbuf,
  berSockbufFree,
  sockbufIoDebug,
  sockbufIoTcp,
  tlsConnect,
} from '@lber/sockbuf';
import type { TlsConnectOptions } from '@lber/sockbuf';
import { LdapConnectionError, LdapError } from '../errors.js';
import { parseLdapUrl, parseLdapUrlList } from '../url.js';
import type { LdapUrl } from '../url.js';
import { LdapConnection } from './connection.js';
import type { LdapConnectionOptions } from './connection.js';

/** Level of libldap's "ldap_" debug layer: INT_MAX, above everything. */
export const LDAP_DEBUG_LAYER_LEVEL = 0x7fff_ffff;

/** Default connect timeout per URL (TCP connect plus the TLS handshake of ldaps://). */
export const LDAP_DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Options of {@link openConnection}. */
export interface ConnectOptions extends Omit<LdapConnectionOptions, 'url' | 'host'> {
  /** Time allowed per URL for the TCP (or unix socket) connect and, for ldaps://, the TLS handshake. Default 10 s. */
  connectTimeoutMs?: number;
  /** Options of the tls layer for ldaps:// (and the default for StartTLS): `ca`, `cert`, `key`, pin... `host` defaults to the URL's. */
  tls?: Omit<TlsConnectOptions, 'debugPrefix'>;
  /**
   * Install libldap's debug layers ("tcp_"/"ipc_", "tls_", "ldap_"). A
   * number also sets the Sockbuf's debug level (LDAP_DEBUG_PACKETS = 2
   * makes them log); `true` keeps the level new Sockbufs inherit.
   */
  debug?: boolean | number;
  /** Gives up connecting when it fires (code ABORTED). */
  signal?: AbortSignal;
}

/** The URLs of `url`: one URL, a space/comma separated list, or an array. */
export function parseUrls(url: string | readonly string[]): LdapUrl[] {
  const list = typeof url === 'string' ? parseLdapUrlList(url) : url.map((u) => parseLdapUrl(u));
  if (list.length === 0) throw new LdapError('BAD_ARGUMENT', 'connect: no URL given');
  return list;
}

/** The URL as text, for messages. */
function urlText(u: LdapUrl): string {
  if (u.scheme === 'ldapi') return `ldapi://${encodeURIComponent(u.host)}`;
  const host = u.host.includes(':') ? `[${u.host}]` : u.host;
  return `${u.scheme}://${host}:${u.port}`;
}

/** Waits for a socket to connect; rejects (and destroys it) on error, timeout or abort. */
function connected(socket: net.Socket, url: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: LdapConnectionError): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else {
        socket.destroy();
        reject(error);
      }
    };
    const onConnect = (): void => done();
    const onError = (err: Error): void => done(new LdapConnectionError('CONNECT_FAILED', `cannot connect to ${url}: ${err.message}`, { cause: err, url }));
    const onAbort = (): void => done(new LdapConnectionError('ABORTED', `connect to ${url}: aborted`, { cause: signal?.reason, url }));
    const timer = setTimeout(() => done(new LdapConnectionError('TIMEOUT', `connect to ${url}: no connection within ${timeoutMs} ms`, { url })), timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Races a TLS handshake against what is left of the timeout and the signal. */
function secured(handshake: Promise<unknown>, url: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: LdapConnectionError): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => done(new LdapConnectionError('ABORTED', `connect to ${url}: aborted during the TLS handshake`, { cause: signal?.reason, url }));
    const timer = setTimeout(() => done(new LdapConnectionError('TIMEOUT', `connect to ${url}: the TLS handshake did not finish within ${timeoutMs} ms`, { url })), Math.max(1, timeoutMs));
    signal?.addEventListener('abort', onAbort, { once: true });
    handshake.then(
      () => done(),
      (err: unknown) => done(new LdapConnectionError('TLS_FAILED', `connect to ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err, url })),
    );
  });
}

/** Connects to one URL and builds its layer stack. */
async function openOne(u: LdapUrl, options: ConnectOptions): Promise<LdapConnection> {
  const url = urlText(u);
  const timeoutMs = options.connectTimeoutMs ?? LDAP_DEFAULT_CONNECT_TIMEOUT_MS;
  const started = Date.now();
  let socket: net.Socket;
  if (u.scheme === 'ldapi') {
    if (u.host === '') throw new LdapConnectionError('CONNECT_FAILED', 'ldapi:// needs a socket path (ldapi://%2Fpath%2Fto%2Fsocket)', { url });
    socket = net.connect({ path: u.host });
  } else {
    socket = net.connect({ host: u.host === '' ? 'localhost' : u.host, port: u.port });
  }
  await connected(socket, url, timeoutMs, options.signal);
  const sb = new Sockbuf();
  const debug = options.debug;
  const debugging = debug !== undefined && debug !== false;
  if (typeof debug === 'number') sb.debug = debug;
  if (debugging) sb.addIo(sockbufIoDebug, LBER_SBIOD_LEVEL_PROVIDER, u.scheme === 'ldapi' ? 'ipc_' : 'tcp_');
  sb.addIo(sockbufIoTcp, LBER_SBIOD_LEVEL_PROVIDER, socket);
  if (u.scheme === 'ldaps') {
    const tlsOptions: TlsConnectOptions = { host: u.host === '' ? 'localhost' : u.host, ...options.tls };
    if (debugging) tlsOptions.debugPrefix = 'tls_';
    const handshake = tlsConnect(sb, tlsOptions);
    try {
      await secured(handshake, url, timeoutMs - (Date.now() - started), options.signal);
    } catch (error) {
      if (sb.valid) berSockbufFree(sb);
      socket.destroy();
      throw error;
    }
  }
  if (debugging) sb.addIo(sockbufIoDebug, LDAP_DEBUG_LAYER_LEVEL, 'ldap_');
  let conn: LdapConnection;
  try {
    conn = new LdapConnection(sb, { url, host: u.host === '' ? 'localhost' : u.host, maxIncoming: options.maxIncoming, firstMessageId: options.firstMessageId });
  } catch (error) {
    if (sb.valid) berSockbufFree(sb);
    socket.destroy();
    throw error;
  }
  conn.debugLayers = debugging;
  conn.tlsDefaults = options.tls;
  return conn;
}

/**
 * Connects to the first URL of `url` that serves. Rejects with an
 * LdapConnectionError: with one URL, its own (CONNECT_FAILED, TIMEOUT,
 * TLS_FAILED, ABORTED); with several that all failed, CONNECT_FAILED whose
 * `cause` is an AggregateError of each URL's error.
 *
 * @see ldap_initialize
 * @see ldap_int_open_connection
 */
export async function openConnection(url: string | readonly string[], options: ConnectOptions = {}): Promise<LdapConnection> {
  const timeout = options.connectTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0)) throw new LdapError('BAD_ARGUMENT', `connectTimeoutMs must be a positive number, not ${timeout}`);
  const urls = parseUrls(url);
  const errors: LdapConnectionError[] = [];
  for (const u of urls) {
    if (options.signal?.aborted === true) throw new LdapConnectionError('ABORTED', 'connect: aborted', { cause: options.signal.reason });
    try {
      return await openOne(u, options);
    } catch (error) {
      if (error instanceof LdapError && !(error instanceof LdapConnectionError)) throw error;
      const e = error instanceof LdapConnectionError ? error : new LdapConnectionError('CONNECT_FAILED', `cannot connect to ${urlText(u)}: ${String(error)}`, { cause: error, url: urlText(u) });
      if (e.code === 'ABORTED') throw e;
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0]!;
  throw new LdapConnectionError('CONNECT_FAILED', `no URL could be connected to:\n${errors.map((e) => `  ${e.message}`).join('\n')}`, {
    cause: new AggregateError(errors, 'every URL failed'),
  });
}
