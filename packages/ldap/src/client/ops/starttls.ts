/**
 * StartTLS (RFC 4511 4.14, RFC 4513 3): the extended request, then the
 * tls layer installed at TRANSPORT level on the live Sockbuf, exactly
 * where libldap's `ldap_pvt_tls_connect` puts it (with a "tls_" debug layer
 * below it when debugging). Any failure — the server refusing, bytes
 * received in clear after the response, a handshake that fails or takes
 * too long — closes the connection: it never continues in clear.
 */
import { tlsConnect, tlsInplace } from '@lber/sockbuf';
import type { TlsConnectOptions } from '@lber/sockbuf';
import type tls from 'node:tls';
import { LdapConnectionError, LdapError } from '../../errors.js';
import type { LdapConnection } from '../connection.js';
import type { OperationOptions } from '../operation.js';
import type { LdapOperationResult } from '../result.js';
import { extended } from './extended.js';

/** The StartTLS extended operation's OID (LDAP_EXOP_START_TLS). */
export const START_TLS_OID = '1.3.6.1.4.1.1466.20037';

export interface StartTlsOptions extends Omit<OperationOptions, 'onIntermediate'> {
  /** The tls layer's options (CA, client certificate, pin, ...). `host` defaults to the URL's host. */
  tls?: TlsConnectOptions;
}

/** What StartTLS resolves with. */
export interface StartTlsResult extends LdapOperationResult {
  /** The TLS session (peer certificate, cipher, protocol). */
  session: tls.TLSSocket;
}

/**
 * Runs StartTLS on `conn`. Refused (BAD_ARGUMENT, connection untouched)
 * while other operations are outstanding or when TLS is already on.
 * Every other failure closes the connection: the promise rejects with the
 * LdapResultError (server said no), or TLS_FAILED (handshake; `cause` is
 * the TlsError), TIMEOUT or ABORTED, and pending operations fail too.
 *
 * @see ldap_start_tls_s
 */
export async function startTls(conn: LdapConnection, options: StartTlsOptions = {}): Promise<StartTlsResult> {
  if (conn.closed) throw conn.reason ?? new LdapConnectionError('CLOSED', 'startTLS: the connection is closed');
  if (tlsInplace(conn.sb)) throw new LdapError('BAD_ARGUMENT', 'startTLS: TLS is already in place');
  if (conn.pending > 0) throw new LdapError('BAD_ARGUMENT', `startTLS: ${conn.pending} operation(s) outstanding; RFC 4511 4.14.1 wants none`);
  const started = Date.now();
  let result: LdapOperationResult;
  try {
    // Between the response and tlsConnect only microtasks run: no socket
    // data can be read in clear in between (and bytes that came with the
    // response are refused below).
    result = await extended(conn, START_TLS_OID, undefined, { ...options, abandonable: false, onIntermediate: undefined });
  } catch (error) {
    conn.fail(
      error instanceof LdapConnectionError
        ? error
        : new LdapConnectionError('TLS_FAILED', `startTLS refused: ${error instanceof Error ? error.message : String(error)}`, { cause: error, url: conn.url }),
    );
    throw error;
  }
  if (conn.closed) throw conn.reason ?? new LdapConnectionError('CLOSED', 'startTLS: the connection is closed');
  if (conn.buffered > 0) {
    const error = new LdapConnectionError('TLS_FAILED', `startTLS: ${conn.buffered} byte(s) received in clear after the StartTLS response; refused`, { url: conn.url });
    conn.fail(error);
    throw error;
  }
  const tlsOptions: TlsConnectOptions = { host: conn.host, ...conn.tlsDefaults, ...options.tls };
  if (options.tls?.debugPrefix === undefined && conn.debugLayers) tlsOptions.debugPrefix = 'tls_';
  conn.tlsInstalling = true;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const handshake = tlsConnect(conn.sb, tlsOptions);
    const limits = new Promise<never>((_, reject) => {
      const ms = options.timeLimitMs;
      if (ms !== undefined) {
        const left = Math.max(1, ms - (Date.now() - started));
        timer = setTimeout(() => reject(new LdapConnectionError('TIMEOUT', `startTLS: the TLS handshake did not finish within ${ms} ms`, { url: conn.url })), left);
      }
      const signal = options.signal;
      if (signal !== undefined) {
        onAbort = () => reject(new LdapConnectionError('ABORTED', 'startTLS: aborted during the TLS handshake', { cause: signal.reason, url: conn.url }));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    const session = await Promise.race([handshake, limits]);
    conn.tlsInstalling = false;
    // Writes queued during the handshake, and data that came with it.
    conn.flush();
    conn.drain();
    return { ...result, session };
  } catch (error) {
    conn.tlsInstalling = false;
    const failure =
      error instanceof LdapConnectionError
        ? error
        : new LdapConnectionError('TLS_FAILED', `startTLS: ${error instanceof Error ? error.message : String(error)}`, { cause: error, url: conn.url });
    conn.fail(failure);
    throw failure;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort !== undefined) options.signal?.removeEventListener('abort', onAbort);
  }
}
