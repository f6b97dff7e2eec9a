/**
 * The life of one request that ends with one final response: send it,
 * register it under its message id, hand intermediate responses to the
 * caller, resolve with the final response, and on the caller's AbortSignal
 * or time limit abandon it (RFC 4511 4.11) and reject only this operation.
 * Every operation module builds on {@link exchange}.
 */
import { LdapConnectionError, LdapError } from '../errors.js';
import type { Control } from '../protocol/controls.js';
import type { IntermediateResponse } from '../protocol/extended.js';
import type { LdapFinalResponse, LdapMessage, LdapRequest, LdapResponse } from '../protocol/message.js';
import type { LdapConnection } from './connection.js';
import type { PendingOperation } from './registry.js';

/** Options every operation takes. */
export interface OperationOptions {
  /** Abandons the operation when it fires: the promise rejects with code ABORTED; siblings and the connection go on. */
  signal?: AbortSignal;
  /** Client-side limit in milliseconds: past it the operation is abandoned and rejects with code TIMEOUT. */
  timeLimitMs?: number;
  /** Request controls. */
  controls?: readonly Control[];
  /** Called with each IntermediateResponse (RFC 4511 4.13) the operation receives. */
  onIntermediate?: (response: IntermediateResponse, controls: readonly Control[]) => void;
}

/** What one exchange is. */
export interface ExchangeSpec<T extends LdapFinalResponse['type']> {
  /** Name for messages (`bind`, `modify`, ...). */
  operation: string;
  request: LdapRequest;
  /** The final response type that ends the operation. */
  expect: T;
  /** False for the operations RFC 4511 says cannot be abandoned (bind, StartTLS): on abort or timeout the id is forgotten and nothing is sent. */
  abandonable?: boolean;
}

/** The final response message of type `T`. */
export type FinalMessage<T extends LdapFinalResponse['type']> = LdapMessage<Extract<LdapFinalResponse, { type: T }>>;

/** The rejection of an aborted operation. */
export function abortedError(operation: string, signal: AbortSignal | undefined, url: string): LdapConnectionError {
  return new LdapConnectionError('ABORTED', `${operation}: aborted`, { cause: signal?.reason, url });
}

/** The rejection of an operation past its time limit. */
export function timeoutError(operation: string, ms: number, url: string): LdapConnectionError {
  return new LdapConnectionError('TIMEOUT', `${operation}: no response within ${ms} ms`, { url });
}

/** Checks a time limit option. */
export function checkTimeLimit(ms: number | undefined): void {
  if (ms !== undefined && (!Number.isFinite(ms) || ms <= 0)) throw new LdapError('BAD_ARGUMENT', `timeLimitMs must be a positive number, not ${ms}`);
}

/**
 * Watches an AbortSignal and a time limit for one operation; `stop()`
 * detaches both. `onStop` gets the error to reject with.
 */
export class OperationGuard {
  private timer: NodeJS.Timeout | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(operation: string, url: string, options: { signal?: AbortSignal | undefined; timeLimitMs?: number | undefined }, onStop: (error: LdapConnectionError) => void) {
    const ms = options.timeLimitMs;
    checkTimeLimit(ms);
    if (ms !== undefined) {
      this.timer = setTimeout(() => onStop(timeoutError(operation, ms, url)), ms);
    }
    const signal = options.signal;
    if (signal !== undefined) {
      this.signal = signal;
      this.onAbort = () => onStop(abortedError(operation, signal, url));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.signal !== undefined && this.onAbort !== undefined) this.signal.removeEventListener('abort', this.onAbort);
  }
}

class Exchange<T extends LdapFinalResponse['type']> implements PendingOperation {
  messageId = 0;
  readonly operation: string;
  private done = false;
  private guard: OperationGuard | undefined;

  constructor(
    private readonly conn: LdapConnection,
    private readonly spec: ExchangeSpec<T>,
    private readonly options: OperationOptions,
    private readonly resolve: (m: FinalMessage<T>) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    this.operation = spec.operation;
  }

  start(): void {
    const { conn, spec, options } = this;
    if (options.signal?.aborted === true) {
      this.finish(abortedError(spec.operation, options.signal, conn.url));
      return;
    }
    checkTimeLimit(options.timeLimitMs);
    this.messageId = conn.send(spec.request, options.controls);
    conn.register(this);
    this.guard = new OperationGuard(spec.operation, conn.url, options, (error) => this.cutOff(error));
  }

  receive(message: LdapMessage<LdapResponse>): void {
    if (this.done) return;
    const op = message.protocolOp;
    if (op.type === 'intermediateResponse') {
      try {
        this.options.onIntermediate?.(op, message.controls);
      } catch {
        // the caller's callback failing does not end the operation
      }
      return;
    }
    this.conn.registry.delete(this.messageId);
    if (op.type !== this.spec.expect) {
      this.finish(new LdapConnectionError('PROTOCOL_ERROR', `${this.spec.operation}: the server answered with a ${op.type}, not a ${this.spec.expect}`, { url: this.conn.url }));
      return;
    }
    this.done = true;
    this.guard?.stop();
    this.resolve(message as FinalMessage<T>);
  }

  fail(error: LdapError): void {
    this.finish(error);
  }

  /** Abort or time limit: abandon (when allowed), then reject. */
  private cutOff(error: LdapConnectionError): void {
    if (this.done) return;
    if (this.spec.abandonable === false) this.conn.registry.delete(this.messageId);
    else this.conn.abandon(this.messageId);
    this.finish(error);
  }

  private finish(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.guard?.stop();
    this.reject(error);
  }
}

/**
 * Sends `spec.request` and resolves with the final response message of
 * type `spec.expect` (whatever its resultCode: the operation module decides
 * what is an error). Rejects with an LdapConnectionError when the
 * connection ends first (its code says why), ABORTED or TIMEOUT for this
 * operation alone, BAD_ARGUMENT when the request does not encode.
 */
export function exchange<T extends LdapFinalResponse['type']>(conn: LdapConnection, spec: ExchangeSpec<T>, options: OperationOptions = {}): Promise<FinalMessage<T>> {
  return new Promise<FinalMessage<T>>((resolve, reject) => {
    const ex = new Exchange(conn, spec, options, resolve, reject);
    try {
      ex.start();
    } catch (error) {
      reject(error instanceof Error ? error : new LdapError('BAD_ARGUMENT', String(error)));
    }
  });
}
