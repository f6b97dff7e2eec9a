/**
 * Search (RFC 4511 4.5) as an async iterator of entries, references and
 * intermediate responses, with backpressure, abandon on abort/time limit
 * or early `break`, and paged results (RFC 2696) as a loop over pages
 * inside the iterator.
 *
 * Backpressure: items the caller has not pulled yet wait in a small queue.
 * When it holds `highWaterMark` items the stream asks the connection to
 * stop reading PDUs off the Sockbuf; the stream provider's queue then
 * fills and pauses the socket, and TCP flow control stops the server. When
 * the caller has pulled the queue down to a quarter, reading resumes. A
 * slow consumer so holds a bounded amount of memory whatever the result
 * size.
 */
import { LdapConnectionError, LdapError, LdapResultCode } from '../../errors.js';
import { filterToBer } from '../../filter.js';
import type { Filter } from '../../filter.js';
import type { Control } from '../../protocol/controls.js';
import type { LdapMessage, LdapResponse } from '../../protocol/message.js';
import { findPagedResults, pagedResultsControl } from '../../protocol/paged.js';
import { DerefAliases, SearchScope } from '../../protocol/search.js';
import type { SearchRequest } from '../../protocol/search.js';
import type { LdapConnection } from '../connection.js';
import { SearchEntry } from '../entry.js';
import { OperationGuard, abortedError, checkTimeLimit } from '../operation.js';
import type { OperationOptions } from '../operation.js';
import type { PendingOperation } from '../registry.js';
import { resultError, resultOf } from '../result.js';
import type { LdapOperationResult } from '../result.js';

/** Scope names (as in LDAP URLs and ldapsearch -s) or the RFC 4511 numbers. */
export type SearchScopeName = 'base' | 'one' | 'sub' | 'children';

const SCOPES: Record<SearchScopeName, number> = {
  base: SearchScope.baseObject,
  one: SearchScope.singleLevel,
  sub: SearchScope.wholeSubtree,
  children: SearchScope.subordinateSubtree,
};

/** Default number of unpulled items that stops the read loop. */
export const SEARCH_DEFAULT_HIGH_WATER_MARK = 64;

export interface SearchOptions extends Omit<OperationOptions, 'onIntermediate'> {
  /** Default 'sub'. */
  scope?: SearchScopeName | number;
  /** An RFC 4515 string, a parsed Filter, or the bytes of an encoded Filter. Default `(objectClass=*)`. */
  filter?: string | Filter | Uint8Array;
  /** Attributes to return (default: all user attributes). */
  attributes?: readonly string[];
  /** Return attribute types only. */
  typesOnly?: boolean;
  /** Server-side limit on entries (0: none). */
  sizeLimit?: number;
  /** Server-side limit in seconds (0: none). For a client-side limit use `timeLimitMs`. */
  timeLimit?: number;
  /** One of DerefAliases (default never). */
  derefAliases?: number;
  /** Paged results (RFC 2696): the iterator asks for page after page until the server's cookie is empty. */
  paged?: { pageSize: number; critical?: boolean };
  /** Unpulled items at which reading stops (default 64). */
  highWaterMark?: number;
}

/** A SearchResultReference: where more results may be. */
export interface SearchReference {
  readonly type: 'reference';
  readonly uris: readonly string[];
  readonly controls: readonly Control[];
}

/** An IntermediateResponse received during the search. */
export interface SearchIntermediate {
  readonly type: 'intermediate';
  readonly responseName?: string | undefined;
  readonly responseValue?: Buffer | undefined;
  readonly controls: readonly Control[];
}

/** What a search stream yields. */
export type SearchItem = SearchEntry | SearchReference | SearchIntermediate;

/** Everything a search returned, as {@link searchAll} collects it. */
export interface SearchAllResult {
  entries: SearchEntry[];
  references: SearchReference[];
  intermediates: SearchIntermediate[];
  /** The final result (of the last page, when paged). */
  result: LdapOperationResult;
}

type StreamState = 'running' | 'done' | 'failed';

/**
 * The stream of one search. Iterate it with `for await`; `break` abandons
 * the search. `result` settles with the final LDAPResult (of the last
 * page); a result code other than success is thrown by the iterator after
 * the items that came before it.
 *
 * Fields: `items`/`head` the queue of unpulled items; `waiter` a pending
 * `next()` when the queue is empty; `holding` whether this stream holds the
 * connection's read loop; `messageId` the id of the current page's request.
 */
export class SearchStream implements AsyncIterableIterator<SearchItem>, PendingOperation {
  readonly operation = 'search';
  messageId = 0;
  /** Pages requested so far. */
  pages = 0;
  /** Settles with the final result; rejects as the iterator does. */
  readonly result: Promise<LdapOperationResult>;

  private items: SearchItem[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<SearchItem>) => void; reject: (e: unknown) => void } | null = null;
  private state: StreamState = 'running';
  private error: Error | null = null;
  private holding = false;
  private readonly highWater: number;
  private readonly lowWater: number;
  private guard: OperationGuard | undefined;
  private request: SearchRequest | undefined;
  private settle!: { resolve: (r: LdapOperationResult) => void; reject: (e: unknown) => void };
  /** Set by {@link all}: items go straight into these lists, with no promise per item. */
  private collected: Omit<SearchAllResult, 'result'> | null = null;

  constructor(
    private readonly conn: LdapConnection,
    base: string,
    private readonly options: SearchOptions,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.result.catch(() => undefined);
    const hwm = options.highWaterMark ?? SEARCH_DEFAULT_HIGH_WATER_MARK;
    this.highWater = Number.isSafeInteger(hwm) && hwm > 0 ? hwm : SEARCH_DEFAULT_HIGH_WATER_MARK;
    this.lowWater = Math.floor(this.highWater / 4);
    try {
      if (options.signal?.aborted === true) throw abortedError('search', options.signal, conn.url);
      checkTimeLimit(options.timeLimitMs);
      this.request = buildRequest(base, options);
      this.sendPage(undefined);
      this.guard = new OperationGuard('search', conn.url, options, (error) => this.cutOff(error));
    } catch (error) {
      this.fail(error instanceof LdapError ? error : new LdapError('BAD_ARGUMENT', String(error), { cause: error }));
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Unpulled items in the queue. */
  get buffered(): number {
    return this.items.length - this.head;
  }

  private sendPage(cookie: Buffer | undefined): void {
    const request = this.request;
    if (request === undefined) return;
    const paged = this.options.paged;
    let controls = this.options.controls;
    if (paged !== undefined) controls = [...(controls ?? []), pagedResultsControl(paged.pageSize, cookie, paged.critical ?? false)];
    this.messageId = this.conn.send(request, controls);
    this.conn.register(this);
    this.pages++;
  }

  // ----------------------------------------------------- from the connection

  receive(message: LdapMessage<LdapResponse>): void {
    if (this.state !== 'running') return;
    const op = message.protocolOp;
    switch (op.type) {
      case 'searchResEntry':
        this.push(SearchEntry.from(op, message.controls));
        return;
      case 'searchResRef':
        this.push({ type: 'reference', uris: op.uris, controls: message.controls });
        return;
      case 'intermediateResponse':
        this.push({ type: 'intermediate', responseName: op.responseName, responseValue: op.responseValue, controls: message.controls });
        return;
      case 'searchResDone': {
        this.conn.registry.delete(this.messageId);
        const result = resultOf(message as LdapMessage<typeof op>);
        if (result.resultCode !== LdapResultCode.success) {
          this.fail(resultError(result, 'search'));
          return;
        }
        if (this.options.paged !== undefined) {
          let cookie: Buffer | undefined;
          try {
            cookie = findPagedResults(message.controls)?.cookie;
          } catch (error) {
            this.fail(error instanceof Error ? error : new LdapError('BAD_ARGUMENT', String(error)));
            return;
          }
          if (cookie !== undefined && cookie.length > 0) {
            try {
              this.sendPage(Buffer.from(cookie));
            } catch (error) {
              this.fail(error instanceof Error ? error : new LdapError('BAD_ARGUMENT', String(error)));
            }
            return;
          }
        }
        this.finish(result);
        return;
      }
      default:
        this.conn.registry.delete(this.messageId);
        this.fail(new LdapConnectionError('PROTOCOL_ERROR', `search: the server answered with a ${op.type}`, { url: this.conn.url }));
    }
  }

  /** The connection ended (or the request failed): items already queued are still handed out, then the error. */
  fail(error: Error): void {
    if (this.state !== 'running') return;
    this.state = 'failed';
    this.error = error;
    this.stopGuard();
    this.unhold();
    this.settle.reject(error);
    if (this.waiter !== null && this.buffered === 0) {
      const w = this.waiter;
      this.waiter = null;
      this.error = null;
      this.state = 'done';
      w.reject(error);
    }
  }

  private finish(result: LdapOperationResult): void {
    this.state = 'done';
    this.stopGuard();
    this.unhold();
    this.settle.resolve(result);
    if (this.waiter !== null && this.buffered === 0) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: undefined, done: true });
    }
  }

  private push(item: SearchItem): void {
    if (this.collected !== null) {
      collect(this.collected, item);
      return;
    }
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.holding && this.buffered >= this.highWater) {
      this.holding = true;
      this.conn.hold();
    }
  }

  private unhold(): void {
    if (this.holding) {
      this.holding = false;
      this.conn.release();
    }
  }

  private stopGuard(): void {
    this.guard?.stop();
    this.guard = undefined;
  }

  /** Abort or time limit: abandon, drop what is queued, and reject. */
  private cutOff(error: LdapConnectionError): void {
    if (this.state !== 'running') return;
    this.conn.abandon(this.messageId);
    this.items = [];
    this.head = 0;
    this.fail(error);
  }

  // ----------------------------------------------------------- to the caller

  next(): Promise<IteratorResult<SearchItem>> {
    if (this.head < this.items.length) {
      const item = this.items[this.head]!;
      this.items[this.head] = undefined as unknown as SearchItem;
      this.head++;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (this.holding && this.buffered <= this.lowWater) this.unhold();
      return Promise.resolve({ value: item, done: false });
    }
    if (this.state === 'failed') {
      const error = this.error ?? new LdapError('BAD_ARGUMENT', 'search failed');
      this.error = null;
      this.state = 'done';
      return Promise.reject(error);
    }
    if (this.state === 'done') return Promise.resolve({ value: undefined, done: true });
    if (this.waiter !== null) return Promise.reject(new LdapError('BAD_ARGUMENT', 'search: next() called again before the previous call settled'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Ends the iteration early (`break`): abandons the search if it is still running. */
  return(): Promise<IteratorResult<SearchItem>> {
    this.abandon();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Abandons the search (RFC 4511 4.11); the iterator ends and `result` rejects with ABORTED. */
  abandon(): void {
    if (this.state === 'running') this.cutOff(abortedError('search', undefined, this.conn.url));
    this.items = [];
    this.head = 0;
    this.error = null;
    this.state = 'done';
  }

  /**
   * Collects every item; resolves with them and the final result. Items go
   * straight from the connection into the lists (no iterator round trip
   * per item), so a small search costs one promise, not one per entry.
   */
  all(): Promise<SearchAllResult> {
    if (this.waiter !== null) return Promise.reject(new LdapError('BAD_ARGUMENT', 'search: all() called while next() is pending'));
    const collected: Omit<SearchAllResult, 'result'> = { entries: [], references: [], intermediates: [] };
    for (let i = this.head; i < this.items.length; i++) collect(collected, this.items[i]!);
    this.items = [];
    this.head = 0;
    this.collected = collected;
    // everything is kept anyway: reading need not wait for a consumer
    this.unhold();
    if (this.state === 'failed') this.state = 'done';
    return this.result.then((result) => ({ ...collected, result }));
  }
}

function collect(into: Omit<SearchAllResult, 'result'>, item: SearchItem): void {
  if (item.type === 'entry') into.entries.push(item);
  else if (item.type === 'reference') into.references.push(item);
  else into.intermediates.push(item);
}

function scopeNumber(scope: SearchScopeName | number | undefined): number {
  if (scope === undefined) return SearchScope.wholeSubtree;
  if (typeof scope === 'number') return scope;
  const n = SCOPES[scope];
  if (n === undefined) throw new LdapError('BAD_ARGUMENT', `search: unknown scope ${JSON.stringify(scope)}`);
  return n;
}

function buildRequest(base: string, options: SearchOptions): SearchRequest {
  const f = options.filter ?? '(objectClass=*)';
  const filter = f instanceof Uint8Array ? f : filterToBer(f);
  const paged = options.paged;
  if (paged !== undefined && (!Number.isSafeInteger(paged.pageSize) || paged.pageSize < 1)) {
    throw new LdapError('BAD_ARGUMENT', `search: paged.pageSize must be a positive integer, not ${paged.pageSize}`);
  }
  return {
    type: 'searchRequest',
    baseObject: base,
    scope: scopeNumber(options.scope),
    derefAliases: options.derefAliases ?? DerefAliases.neverDerefAliases,
    sizeLimit: options.sizeLimit ?? 0,
    timeLimit: options.timeLimit ?? 0,
    typesOnly: options.typesOnly ?? false,
    filter,
    attributes: options.attributes ?? [],
  };
}

/**
 * Starts a search under `base` and returns its stream.
 *
 * @see ldap_search_ext
 */
export function search(conn: LdapConnection, base: string, options: SearchOptions = {}): SearchStream {
  return new SearchStream(conn, base, options);
}

/** Runs a search to the end and collects everything. @see ldap_search_ext_s */
export function searchAll(conn: LdapConnection, base: string, options: SearchOptions = {}): Promise<SearchAllResult> {
  return search(conn, base, options).all();
}
