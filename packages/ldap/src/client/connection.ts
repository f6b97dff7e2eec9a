/**
 * One LDAP connection over a Sockbuf: the read loop that frames PDUs off
 * the Sockbuf and routes them by message id, the write side that batches
 * every request of one tick into one write, and the one place where the
 * connection ends (every pending operation then fails with the reason).
 *
 * libldap's equivalents: `ldap_int_select` + `try_read1msg` (result.c) for
 * the read side, `ldap_send_initial_request` + `ber_flush2` (request.c) for
 * the write side, `ldap_free_connection` for the end.
 */
import { BER_FRAME_EOF, BER_FRAME_WOULD_BLOCK, BerError, BerFramer, BerWriter } from '@lber/ber';
import { SB_WOULD_BLOCK, SockbufError, berSockbufFree, LBER_SB_OPT_SET_MAX_INCOMING } from '@lber/sockbuf';
import type { Sockbuf, SockbufEventType, TlsConnectOptions } from '@lber/sockbuf';
import { LdapConnectionError, LdapError } from '../errors.js';
import type { LdapConnectionErrorCode } from '../errors.js';
import type { Control } from '../protocol/controls.js';
import type { ExtendedResponse } from '../protocol/extended.js';
import { createMessageReader, decodeResponse, encodeRequest } from '../protocol/message.js';
import type { LdapMessage, LdapRequest, LdapResponse } from '../protocol/message.js';
import { NOTICE_OF_DISCONNECTION_OID } from '../protocol/tags.js';
import { MessageRegistry } from './registry.js';
import type { PendingOperation } from './registry.js';

/** Default largest incoming PDU (contents length), 16 MiB. */
export const LDAP_DEFAULT_MAX_INCOMING = 16 * 1024 * 1024;

/** Options of a connection (a subset of the client's options). */
export interface LdapConnectionOptions {
  /** Largest incoming PDU contents length in bytes (default 16 MiB); set on the Sockbuf as LBER_SB_OPT_SET_MAX_INCOMING. */
  maxIncoming?: number;
  /** The first message id to use (default 1). Only tests need it, to reach the wrap-around at maxInt. */
  firstMessageId?: number;
  /** The URL connected to, for error messages. */
  url?: string;
  /** The host of that URL (the name StartTLS checks the certificate against). */
  host?: string;
}

/** Listeners a connection calls; the client facade sets them. */
export interface LdapConnectionHooks {
  /** An unsolicited notification (messageID 0), the Notice of Disconnection included. */
  notification?: (message: LdapMessage<ExtendedResponse>) => void;
  /** The connection ended; `reason` is undefined after a local close or unbind. */
  close?: (reason: LdapConnectionError | undefined) => void;
}

/**
 * The connection: a Sockbuf with its layers, a framer over it, the message
 * registry and the output batch.
 *
 * Fields:
 * - `sb`: the Sockbuf (layers may be pushed and popped by the user);
 * - `registry`: outstanding operations by message id;
 * - `framer`: pulls complete PDUs off `sb` (views into its buffer);
 * - `writer`: the requests queued in the current tick, flushed in a microtask;
 * - `backlog`: bytes of an earlier flush the Sockbuf would not take yet
 *   (written first once 'writable' arrives);
 * - `holds`: how many readers asked the read loop to stop (search
 *   backpressure); while > 0 no PDU is taken off the Sockbuf, so the
 *   provider's queue fills and it pauses the socket;
 * - `closed` / `reason`: set once, when the connection ends.
 */
export class LdapConnection {
  readonly sb: Sockbuf;
  readonly registry: MessageRegistry;
  readonly url: string;
  readonly host: string;
  readonly hooks: LdapConnectionHooks = {};
  closed = false;
  reason: LdapConnectionError | undefined;
  /** The tls options given at connect, StartTLS's defaults. */
  tlsDefaults: Omit<TlsConnectOptions, 'debugPrefix'> | undefined;
  /** Debug layers were installed at connect ("tls_" goes under a StartTLS layer too). */
  debugLayers = false;
  /** While a TLS handshake runs on a live connection, Sockbuf errors are left to the StartTLS operation. */
  tlsInstalling = false;

  private readonly framer: BerFramer;
  private readonly reader = createMessageReader();
  private readonly writer = new BerWriter({ initialSize: 4096 });
  private backlog: Buffer[] = [];
  private backlogOff = 0;
  private flushQueued = false;
  private holds = 0;
  private draining = false;
  private drainQueued = false;
  private readonly unsubscribe: () => void;

  constructor(sb: Sockbuf, options: LdapConnectionOptions = {}) {
    this.sb = sb;
    this.url = options.url ?? '';
    this.host = options.host ?? 'localhost';
    this.registry = new MessageRegistry(options.firstMessageId ?? 1);
    const max = options.maxIncoming ?? LDAP_DEFAULT_MAX_INCOMING;
    if (!Number.isSafeInteger(max) || max < 1) throw new LdapError('BAD_ARGUMENT', 'maxIncoming must be a positive integer');
    sb.ctrl(LBER_SB_OPT_SET_MAX_INCOMING, max);
    this.framer = new BerFramer(sb);
    this.unsubscribe = sb.subscribe((type, error) => this.onSockbuf(type, error));
    // Bytes may already be queued (a TLS session that was quick).
    this.scheduleDrain();
  }

  /** Bytes taken off the Sockbuf and not yet handed out as PDUs. */
  get buffered(): number {
    return this.framer.buffered;
  }

  /** Request bytes the Sockbuf has not taken yet (waiting for 'writable'). */
  get backlogBytes(): number {
    let n = 0;
    for (let i = this.backlogOff; i < this.backlog.length; i++) n += this.backlog[i]!.length;
    return n;
  }

  /** Outstanding operations. */
  get pending(): number {
    return this.registry.size;
  }

  // ------------------------------------------------------------- writing

  /**
   * Encodes a request with a fresh message id into this tick's batch and
   * returns the id. Throws (and sends nothing) when the request does not
   * encode or the connection is closed. Register the operation before
   * yielding: the batch is written in a microtask.
   */
  send(op: LdapRequest, controls?: readonly Control[]): number {
    this.assertOpen();
    const id = this.registry.nextId();
    encodeRequest(this.writer, id, op, controls);
    this.scheduleFlush();
    return id;
  }

  /** Registers an operation under its id. */
  register(op: PendingOperation): void {
    this.registry.add(op);
  }

  /**
   * Abandons an outstanding operation (RFC 4511 4.11): forgets its id, so
   * later responses to it are dropped, and sends an AbandonRequest. Returns
   * false when the id was not outstanding (nothing sent).
   *
   * @see ldap_abandon_ext
   */
  abandon(messageId: number, controls?: readonly Control[]): boolean {
    const known = this.registry.delete(messageId);
    if (!known || this.closed) return false;
    try {
      this.send({ type: 'abandonRequest', idToAbandon: messageId }, controls);
    } catch {
      return false;
    }
    return true;
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /**
   * Writes the backlog, then the batch, until the Sockbuf would block;
   * what it does not take waits for 'writable'. Returns true when
   * everything went out.
   */
  flush(): boolean {
    if (this.closed) return false;
    const sb = this.sb;
    const w = this.writer;
    try {
      while (this.backlogOff < this.backlog.length) {
        const b = this.backlog[this.backlogOff]!;
        let off = 0;
        while (off < b.length) {
          const n = sb.write(b, off, b.length - off);
          if (n === SB_WOULD_BLOCK) {
            this.backlog[this.backlogOff] = b.subarray(off);
            this.keepBatch();
            return false;
          }
          off += n;
        }
        this.backlogOff++;
      }
      this.backlog = [];
      this.backlogOff = 0;
      let off = 0;
      const end = w.offset;
      while (off < end) {
        const n = sb.write(w.buf, off, end - off);
        if (n === SB_WOULD_BLOCK) {
          this.backlog.push(Buffer.from(w.buf.subarray(off, end)));
          w.reset();
          return false;
        }
        off += n;
      }
      w.reset();
      return true;
    } catch (error) {
      this.fail(this.errorFrom(error));
      return false;
    }
  }

  /** Moves the current batch behind the backlog (copied: the writer is reused). */
  private keepBatch(): void {
    const w = this.writer;
    if (w.offset > 0) {
      this.backlog.push(Buffer.from(w.buf.subarray(0, w.offset)));
      w.reset();
    }
  }

  // ------------------------------------------------------------- reading

  /**
   * Stops taking PDUs off the Sockbuf until {@link release} (counted: each
   * hold needs its release). The provider below then fills its queue and
   * pauses the socket.
   */
  hold(): void {
    this.holds++;
  }

  /** Undoes one {@link hold}; the read loop resumes when none is left. */
  release(): void {
    if (this.holds === 0) return;
    this.holds--;
    if (this.holds === 0) this.scheduleDrain();
  }

  /** True while reading is held. */
  get held(): boolean {
    return this.holds > 0;
  }

  private scheduleDrain(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    queueMicrotask(() => {
      this.drainQueued = false;
      this.drain();
    });
  }

  private onSockbuf(type: SockbufEventType, error?: SockbufError): void {
    if (this.closed) return;
    switch (type) {
      case 'readable':
      case 'end':
        this.drain();
        return;
      case 'writable':
        if (this.backlog.length > 0 || this.writer.offset > 0) this.flush();
        return;
      case 'error':
        if (this.tlsInstalling) return;
        if (this.holds > 0) this.fail(this.errorFrom(error ?? new SockbufError('EIO')));
        else this.drain();
        return;
    }
  }

  /** Takes PDUs off the Sockbuf and routes them, until it would block or reading is held. */
  drain(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    try {
      while (this.holds === 0 && !this.closed) {
        const frame = this.framer.next();
        if (frame === BER_FRAME_WOULD_BLOCK) break;
        if (frame === BER_FRAME_EOF) {
          if (this.tlsInstalling) break;
          this.fail(new LdapConnectionError('CLOSED_BY_SERVER', `the server closed the connection${this.where()}`, { url: this.url }));
          break;
        }
        let message: LdapMessage<LdapResponse>;
        try {
          message = decodeResponse(frame.pdu, this.reader);
        } catch (error) {
          this.fail(this.errorFrom(error));
          break;
        }
        this.route(message);
      }
    } catch (error) {
      if (!(this.tlsInstalling && error instanceof SockbufError)) this.fail(this.errorFrom(error));
    } finally {
      this.draining = false;
    }
  }

  private route(message: LdapMessage<LdapResponse>): void {
    const id = message.messageID;
    if (id === 0) {
      const op = message.protocolOp;
      if (op.type !== 'extendedResp') {
        this.fail(new LdapConnectionError('PROTOCOL_ERROR', `an unsolicited ${op.type} with messageID 0${this.where()}`, { url: this.url }));
        return;
      }
      const notice = message as LdapMessage<ExtendedResponse>;
      try {
        this.hooks.notification?.(notice);
      } catch {
        // a listener's failure is not the connection's
      }
      if (op.responseName === NOTICE_OF_DISCONNECTION_OID) {
        const diag = op.diagnosticMessage !== '' ? `: ${op.diagnosticMessage}` : '';
        this.fail(new LdapConnectionError('NOTICE_OF_DISCONNECTION', `the server sent a Notice of Disconnection (result ${op.resultCode})${diag}${this.where()}`, { url: this.url }));
      }
      return;
    }
    // Responses to an abandoned or timed-out operation are dropped, as libldap does.
    this.registry.get(id)?.receive(message);
  }

  // ------------------------------------------------------------- ending

  private where(): string {
    return this.url !== '' ? ` (${this.url})` : '';
  }

  /** Maps what the framer, codec or Sockbuf threw to the connection error that says why. */
  errorFrom(error: unknown): LdapConnectionError {
    if (error instanceof LdapConnectionError) return error;
    const url = this.url;
    if (error instanceof BerError) {
      // BER_TRUNCATED from the framer: the stream ended inside a PDU.
      const code: LdapConnectionErrorCode = error.code === 'BER_LENGTH_LIMIT' ? 'PDU_TOO_LARGE' : error.code === 'BER_TRUNCATED' ? 'CLOSED_BY_SERVER' : 'DECODE_ERROR';
      return new LdapConnectionError(code, `${error.message}${this.where()}`, { cause: error, url });
    }
    if (error instanceof SockbufError) {
      return new LdapConnectionError('IO_ERROR', `I/O error ${error.code}: ${error.message}${this.where()}`, { cause: error, url });
    }
    const text = error instanceof Error ? error.message : String(error);
    return new LdapConnectionError('IO_ERROR', `${text}${this.where()}`, { cause: error, url });
  }

  private assertOpen(): void {
    if (this.closed) {
      throw this.reason ?? new LdapConnectionError('CLOSED', `the connection is closed${this.where()}`, { url: this.url });
    }
  }

  /**
   * Ends the connection because of `error`: the Sockbuf is closed and
   * freed, and every outstanding operation fails with `error`. Idempotent.
   */
  fail(error: LdapConnectionError): void {
    this.end(error, error);
  }

  /**
   * Ends the connection locally (after an unbind, or `client.close()`):
   * outstanding operations fail with code CLOSED.
   */
  close(): void {
    this.end(undefined, new LdapConnectionError('CLOSED', `the connection was closed by the client${this.where()}`, { url: this.url }));
  }

  private end(reason: LdapConnectionError | undefined, pendingError: LdapConnectionError): void {
    if (this.closed) return;
    this.closed = true;
    this.reason = pendingError;
    this.unsubscribe();
    this.backlog = [];
    this.writer.reset();
    try {
      if (this.sb.valid) berSockbufFree(this.sb);
    } catch {
      // a layer's close failing does not stop the end
    }
    this.registry.failAll(pendingError);
    try {
      this.hooks.close?.(reason);
    } catch {
      // a listener's failure is not the connection's
    }
  }
}
