/**
 * SASL binds (RFC 4513 section 5.2, RFC 4511 4.2): the multi-step exchange
 * of BindRequests with `sasl` credentials and BindResponses with
 * saslBindInProgress (14), the server's final data checked by the
 * mechanism, and the security layer put on and taken off the live Sockbuf
 * as libldap's cyrus.c does:
 *
 * - the whole exchange, including the BindResponse that ends it, runs
 *   through the layer already in place (a rebind is protected by the layer
 *   of the previous bind);
 * - when the new bind succeeds and negotiated a layer, the old one is
 *   removed (`ber_sockbuf_remove_io`) and the new one added at
 *   APPLICATION level, between that BindResponse and the next byte;
 * - a bind that negotiates no layer (a simple bind, PLAIN, DIGEST-MD5 with
 *   qop auth) or that fails leaves the layer in place: slapd keeps its side
 *   of it too (see docs/sasl.md, "what slapd does on a rebind").
 */
import type { Sockbuf } from '@lber/sockbuf';
import { LdapConnectionError, LdapResultCode } from '../errors.js';
import { saslBindRequest } from '../protocol/bind.js';
import type { LdapClient } from '../client/client.js';
import type { LdapConnection } from '../client/connection.js';
import { exchange } from '../client/operation.js';
import type { OperationOptions } from '../client/operation.js';
import type { BindResult } from '../client/ops/bind.js';
import { search } from '../client/ops/search.js';
import { resultError, resultOf } from '../client/result.js';
import { SaslError } from './errors.js';
import { saslLayerInstall, saslLayerRemove, saslLayerState } from './layer.js';
import type { SaslContext, SaslMechanism, SaslSecurityLayer } from './mechanism.js';

/** The client or its connection: every function here takes either. */
export type SaslTarget = LdapClient | LdapConnection;

function connectionOf(target: SaslTarget): LdapConnection {
  return 'connection' in target ? target.connection : target;
}

/** Options of {@link saslBind}. */
export interface SaslBindOptions extends Omit<OperationOptions, 'onIntermediate'> {
  /** Authorization identity to assume (`dn:<dn>` or `u:<name>`, RFC 4513 5.2.1.8); default: the authenticated one. */
  authzid?: string;
  /** Host name the mechanism names the server by (DIGEST-MD5's digest-uri); default: the URL's host. */
  host?: string;
  /** Service name; default `ldap`. */
  service?: string;
  /** The BindRequest's name field; default empty, as RFC 4513 5.2.1.1 asks. */
  dn?: string;
  /** Install the negotiated security layer (default true). Without it the server's frames cannot be read: only for tests. */
  securityLayer?: boolean;
  /** Also install a debug layer under the security layer with this prefix (libldap's "sasl_generic_"); default: when the connection has debug layers. */
  debugPrefix?: string;
  /** Most round trips before giving up (default 10). */
  maxSteps?: number;
}

/** What a successful SASL bind resolves with. */
export interface SaslBindResult extends BindResult {
  mechanism: string;
  /** The layer now protecting the connection, or undefined. */
  securityLayer: SaslSecurityLayer | undefined;
  /** How many BindRequests the exchange took. */
  steps: number;
}

/** What the connection carries between binds. */
interface SaslConnectionState {
  /** A SASL bind is running. */
  busy: boolean;
  /** The installed layer had a debug layer added under it. */
  debugUnder: boolean;
}

const states = new WeakMap<LdapConnection, SaslConnectionState>();

function stateOf(conn: LdapConnection): SaslConnectionState {
  let st = states.get(conn);
  if (st === undefined) {
    st = { busy: false, debugUnder: false };
    states.set(conn, st);
  }
  return st;
}

/**
 * Sends one SASL BindRequest and resolves with the BindResponse whatever
 * its result code (saslBindInProgress included): the primitive the
 * exchange is made of. Binds cannot be abandoned (RFC 4511 4.11).
 *
 * @see ldap_sasl_bind
 */
export async function saslBindStep(
  target: SaslTarget,
  mechanism: string,
  credentials: Uint8Array | null,
  options: Omit<SaslBindOptions, 'authzid' | 'host' | 'service' | 'securityLayer' | 'debugPrefix' | 'maxSteps'> = {},
): Promise<BindResult> {
  const conn = connectionOf(target);
  const request = saslBindRequest(mechanism, credentials ?? undefined, options.dn ?? '');
  const message = await exchange(conn, { operation: `SASL bind ${mechanism}`, request, expect: 'bindResponse', abandonable: false }, options);
  const result: BindResult = resultOf(message);
  result.serverSaslCreds = message.protocolOp.serverSaslCreds;
  return result;
}

/** The layer installed on `sb` by a SASL bind, or undefined. */
export function saslSecurityLayerOf(target: SaslTarget | Sockbuf): SaslSecurityLayer | undefined {
  const sb = 'sb' in target ? target.sb : 'connection' in target ? target.connection.sb : target;
  return saslLayerState(sb)?.ops;
}

/**
 * Takes the SASL security layer (and its debug layer) off the connection.
 * Refused, closing the connection, when the layer holds half a frame.
 * @see ldap_pvt_sasl_remove
 */
export function saslRemoveSecurityLayer(target: SaslTarget): void {
  const conn = connectionOf(target);
  if (conn.closed || !conn.sb.valid) return;
  const st = stateOf(conn);
  if (saslLayerRemove(conn.sb, st.debugUnder) < 0) {
    const error = new LdapConnectionError('IO_ERROR', 'SASL: the security layer holds part of a frame and cannot be removed', { url: conn.url });
    conn.fail(error);
    throw error;
  }
  st.debugUnder = false;
}

function closeWith(conn: LdapConnection, error: SaslError): never {
  conn.fail(new LdapConnectionError('IO_ERROR', `SASL bind: ${error.message}; the connection is closed since the server considers it authenticated`, { cause: error, url: conn.url }));
  throw error;
}

/**
 * Runs a SASL bind with `mechanism` to completion: the initial response,
 * then one step per saslBindInProgress, then the mechanism's check of the
 * server's final data, then the security layer. Rejects with the
 * {@link LdapResultError} when the server refuses (invalidCredentials ...),
 * with a {@link SaslError} when the client stops the exchange (a server
 * signature that does not match closes the connection as well).
 *
 * @see ldap_sasl_interactive_bind_s
 * @see ldap_int_sasl_bind
 */
export async function saslBind(target: SaslTarget, mechanism: SaslMechanism, options: SaslBindOptions = {}): Promise<SaslBindResult> {
  const conn = connectionOf(target);
  if (conn.closed) throw conn.reason ?? new LdapConnectionError('CLOSED', 'SASL bind: the connection is closed', { url: conn.url });
  const st = stateOf(conn);
  if (st.busy) throw new SaslError('SASL_BIND_BUSY', 'SASL bind: another SASL bind is running on this connection', { mechanism: mechanism.name });
  if (conn.pending > 0) throw new SaslError('SASL_BIND_BUSY', `SASL bind: ${conn.pending} operation(s) outstanding; RFC 4511 4.2.1 wants none during a bind`, { mechanism: mechanism.name });
  const maxSteps = options.maxSteps ?? 10;
  const scheme = /^([a-z]+):/.exec(conn.url)?.[1] ?? 'ldap';
  const ctx: SaslContext = {
    service: options.service ?? 'ldap',
    host: options.host ?? conn.host,
    authzid: options.authzid,
    scheme,
  };
  const stepOptions = { signal: options.signal, timeLimitMs: options.timeLimitMs, controls: options.controls, dn: options.dn };
  st.busy = true;
  try {
    let out = await mechanism.start(ctx);
    let steps = 0;
    for (;;) {
      if (steps >= maxSteps) throw new SaslError('SASL_PROTOCOL', `SASL bind ${mechanism.name}: no end after ${maxSteps} steps`, { mechanism: mechanism.name });
      steps++;
      const result = await saslBindStep(conn, mechanism.name, out, stepOptions);
      if (result.resultCode === LdapResultCode.saslBindInProgress) {
        const challenge = result.serverSaslCreds ?? Buffer.alloc(0);
        out = await mechanism.step(challenge, ctx);
        continue;
      }
      if (result.resultCode !== LdapResultCode.success) {
        // The connection is anonymous now, but a layer of an earlier bind
        // stays on both sides.
        throw resultError(result, `SASL bind ${mechanism.name}`);
      }
      try {
        await mechanism.verify?.(result.serverSaslCreds, ctx);
      } catch (error) {
        const e = error instanceof SaslError ? error : new SaslError('SASL_PROTOCOL', String(error instanceof Error ? error.message : error), { cause: error, mechanism: mechanism.name });
        closeWith(conn, e);
      }
      const layer = options.securityLayer === false ? null : (mechanism.securityLayer?.() ?? null);
      if (layer !== null) replaceLayer(conn, st, layer, options.debugPrefix ?? (conn.debugLayers ? 'sasl_generic_' : undefined));
      return { ...result, mechanism: mechanism.name, securityLayer: layer ?? undefined, steps };
    }
  } finally {
    st.busy = false;
  }
}

/**
 * Between the final BindResponse and the next byte: the old layer off,
 * the new one on (libldap: `ldap_pvt_sasl_remove` then
 * `ldap_pvt_sasl_install`). Bytes already framed past the response would
 * have been read with the wrong layer: they close the connection.
 */
function replaceLayer(conn: LdapConnection, st: SaslConnectionState, layer: SaslSecurityLayer, debugPrefix: string | undefined): void {
  if (conn.closed) throw conn.reason ?? new LdapConnectionError('CLOSED', 'SASL bind: the connection is closed', { url: conn.url });
  if (conn.buffered > 0) {
    const error = new LdapConnectionError('IO_ERROR', `SASL bind: ${conn.buffered} byte(s) arrived after the BindResponse, before the security layer changed`, { url: conn.url });
    conn.fail(error);
    throw error;
  }
  saslRemoveSecurityLayer(conn);
  if (saslLayerInstall(conn.sb, layer, debugPrefix) < 0) {
    const error = new LdapConnectionError('IO_ERROR', `SASL bind: the ${layer.name} security layer could not be installed`, { url: conn.url });
    conn.fail(error);
    throw error;
  }
  st.debugUnder = debugPrefix !== undefined;
  // Bytes that came in meanwhile are read through the new stack.
  conn.drain();
}

/**
 * The mechanisms the server offers, from the root DSE's
 * supportedSASLMechanisms (RFC 4512 5.1.5).
 */
export async function supportedSaslMechanisms(target: SaslTarget, options: Omit<OperationOptions, 'onIntermediate'> = {}): Promise<string[]> {
  const conn = connectionOf(target);
  const r = await search(conn, '', { ...options, scope: 'base', filter: '(objectClass=*)', attributes: ['supportedSASLMechanisms'] }).all();
  return r.entries[0]?.strings('supportedSASLMechanisms') ?? [];
}

/**
 * The first of `mechanisms` the server offers (in the caller's order of
 * preference); rejects with SASL_NOT_OFFERED when none is.
 */
export async function chooseSaslMechanism(target: SaslTarget, mechanisms: readonly SaslMechanism[], options: Omit<OperationOptions, 'onIntermediate'> = {}): Promise<SaslMechanism> {
  const offered = new Set((await supportedSaslMechanisms(target, options)).map((m) => m.toUpperCase()));
  const found = mechanisms.find((m) => offered.has(m.name.toUpperCase()));
  if (found === undefined) {
    throw new SaslError('SASL_NOT_OFFERED', `SASL: the server offers ${[...offered].join(', ') || 'no mechanism'}, none of ${mechanisms.map((m) => m.name).join(', ')}`);
  }
  return found;
}

export { saslBind as ldap_sasl_interactive_bind_s, saslBindStep as ldap_sasl_bind };
