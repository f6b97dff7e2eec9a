/**
 * A content synchronization consumer (RFC 4533) over the client's search
 * iterator: refreshOnly (the changes since a cookie, then the end) and
 * refreshAndPersist (the same, then every change as it happens, until
 * stopped), as an async iterator of typed events.
 *
 * ```ts
 * const ac = new AbortController();
 * const sync = syncRepl(client, 'dc=example,dc=com', { mode: 'refreshAndPersist', signal: ac.signal });
 * for await (const event of sync) {
 *   if (event.type === 'entry') console.log(event.state, event.dn, event.entryUUID);
 * }
 * // after ac.abort(): the loop ends without an error; sync.cookie resumes later
 * ```
 */
import { LdapConnectionError, LdapResultCode, LdapResultError } from '../errors.js';
import type { SearchEntry } from '../client/entry.js';
import type { SearchItem, SearchOptions, SearchStream } from '../client/ops/search.js';
import type { LdapOperationResult } from '../client/result.js';
import type { Control } from '../protocol/controls.js';
import type { ExtendedClient } from '../extended/operation.js';
import { cancel } from '../extended/cancel.js';
import { LdapProtocolError } from '../protocol/errors.js';
import { getControl } from './registry.js';
import { SYNC_INFO_OID, formatUuid, syncDone, syncInfo, syncRequestControl, syncState, type SyncInfoValue, type SyncModeName, type SyncStateName } from './sync.js';

/** What the consumer needs of a client: `search` and `extended` (for Cancel). */
export interface SyncClient extends ExtendedClient {
  search(base: string, options?: SearchOptions): SearchStream;
}

/** Options of {@link syncRepl}: a search's, plus the sync request's. */
export interface SyncReplOptions extends Omit<SearchOptions, 'paged' | 'signal'> {
  /** Default refreshAndPersist. */
  mode?: SyncModeName;
  /** The cookie of an earlier session. */
  cookie?: Buffer | undefined;
  reloadHint?: boolean;
  /** Stops the consumer: the iterator ends without an error. */
  signal?: AbortSignal;
  /**
   * How to stop the search on the server: `abandon` (default, RFC 4511
   * Abandon: the connection goes on at once) or `cancel` (RFC 3909 Cancel:
   * the iterator ends once the server has answered canceled).
   */
  stopWith?: 'abandon' | 'cancel';
}

/** An entry (or a deletion) the server reports. */
export interface SyncEntryEvent {
  readonly type: 'entry';
  /** The sync state: present, add, modify or delete. */
  readonly state: SyncStateName;
  /** The entryUUID in text form. */
  readonly entryUUID: string;
  /** The entryUUID's 16 bytes. */
  readonly uuid: Buffer;
  readonly dn: string;
  /** The entry (for a delete, usually only the DN). */
  readonly entry: SearchEntry;
  /** The cookie that came with this entry, when one did. */
  readonly cookie?: Buffer | undefined;
}

/** A Sync Info Message. */
export interface SyncInfoEvent {
  readonly type: 'info';
  readonly info: SyncInfoValue;
  /** The entryUUIDs of a syncIdSet, in text form (else empty). */
  readonly entryUUIDs: readonly string[];
}

/** A SearchResultReference during the sync. */
export interface SyncReferenceEvent {
  readonly type: 'reference';
  readonly uris: readonly string[];
  readonly state?: SyncStateName | undefined;
  readonly controls: readonly Control[];
}

/** The search ended (refreshOnly, or the server ended a persist). */
export interface SyncDoneEvent {
  readonly type: 'done';
  readonly cookie?: Buffer | undefined;
  readonly refreshDeletes: boolean;
  readonly result: LdapOperationResult;
}

export type SyncEvent = SyncEntryEvent | SyncInfoEvent | SyncReferenceEvent | SyncDoneEvent;

/**
 * One content synchronization session. Iterate it once. Fields:
 * `cookie` the latest cookie received (to resume from in a later session);
 * `refreshDone` true once the refresh phase is over (persist has begun, or
 * the refreshOnly search ended); `stopped` true once stopped by the signal
 * or `stop()`; `messageId` the search's id.
 */
export class SyncConsumer implements AsyncIterable<SyncEvent> {
  cookie: Buffer | undefined;
  refreshDone = false;
  stopped = false;
  /** How the search ended on the server after a stop: `canceled` (the server answered the Cancel with resultCode canceled) or `abandoned`. */
  stoppedBy: 'canceled' | 'abandoned' | undefined;
  private stream: SearchStream | undefined;
  private started = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly client: SyncClient,
    private readonly base: string,
    private readonly options: SyncReplOptions = {},
  ) {
    this.cookie = options.cookie;
  }

  /** The search's message id (0 before the iteration starts). */
  get messageId(): number {
    return this.stream?.messageId ?? 0;
  }

  /** Stops the session as the signal would. */
  stop(): void {
    this.controller.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<SyncEvent> {
    if (this.started) throw new LdapConnectionError('PROTOCOL_ERROR', 'syncRepl: a consumer is iterated once');
    this.started = true;
    return this.run();
  }

  private async *run(): AsyncGenerator<SyncEvent, void, undefined> {
    const { mode = 'refreshAndPersist', cookie, reloadHint, signal, stopWith = 'abandon', controls = [], ...searchOptions } = this.options;
    const request = syncRequestControl({ mode, cookie: cookie ?? this.cookie, reloadHint });
    const stream = this.client.search(this.base, { ...searchOptions, controls: [...controls, request] });
    this.stream = stream;
    let cancelling: Promise<unknown> | undefined;
    const onStop = (): void => {
      if (this.stopped) return;
      this.stopped = true;
      if (stopWith === 'cancel') {
        // if the Cancel fails (the search ended meanwhile, or the server refuses), abandon instead
        cancelling = cancel(this.client, stream.messageId).catch(() => {
          this.stoppedBy = 'abandoned';
          stream.abandon();
        });
      } else {
        this.stoppedBy = 'abandoned';
        stream.abandon();
      }
    };
    const onSignal = (): void => onStop();
    this.controller.signal.addEventListener('abort', onStop, { once: true });
    signal?.addEventListener('abort', onSignal, { once: true });
    if (signal?.aborted === true) onStop();
    try {
      for (;;) {
        let next: IteratorResult<SearchItem>;
        try {
          next = await stream.next();
        } catch (error) {
          if (this.stopped && isStopError(error)) {
            await cancelling;
            if (error instanceof LdapResultError) this.stoppedBy = 'canceled';
            return;
          }
          throw error;
        }
        if (next.done === true) break;
        const item = next.value;
        if (item.type === 'entry') {
          const state = getControl(item.controls, syncState);
          if (state === undefined) throw new LdapProtocolError(`syncRepl: entry ${item.dn} came without a sync state control`, -1);
          if (state.cookie !== undefined) this.cookie = state.cookie;
          yield { type: 'entry', state: state.state, entryUUID: formatUuid(state.entryUUID), uuid: state.entryUUID, dn: item.dn, entry: item, cookie: state.cookie };
        } else if (item.type === 'reference') {
          const state = getControl(item.controls, syncState);
          if (state?.cookie !== undefined) this.cookie = state.cookie;
          yield { type: 'reference', uris: item.uris, state: state?.state, controls: item.controls };
        } else if (item.responseName === SYNC_INFO_OID) {
          const info = syncInfo.decode(item.responseValue);
          if (info.cookie !== undefined) this.cookie = info.cookie;
          if ((info.type === 'refreshDelete' || info.type === 'refreshPresent') && info.refreshDone) this.refreshDone = true;
          yield { type: 'info', info, entryUUIDs: info.type === 'syncIdSet' ? info.syncUUIDs.map(formatUuid) : [] };
        }
        // other intermediate responses are not part of the sync protocol: skipped
      }
      if (this.stopped) {
        await cancelling;
        return;
      }
      const result = await stream.result;
      const done = getControl(result.controls, syncDone);
      if (done?.cookie !== undefined) this.cookie = done.cookie;
      this.refreshDone = true;
      yield { type: 'done', cookie: done?.cookie, refreshDeletes: done?.refreshDeletes ?? false, result };
    } finally {
      this.controller.signal.removeEventListener('abort', onStop);
      signal?.removeEventListener('abort', onSignal);
      // an early `break` by the caller: abandon the search if it still runs
      stream.abandon();
    }
  }
}

function isStopError(error: unknown): boolean {
  if (error instanceof LdapConnectionError && error.code === 'ABORTED') return true;
  return error instanceof LdapResultError && error.resultCode === LdapResultCode.canceled;
}

/**
 * Starts a content synchronization session under `base` (RFC 4533 section
 * 3): the search carries a critical sync request control; each entry's
 * sync state, each Sync Info Message and the final sync done control come
 * out as typed events, in the order the server sent them.
 */
export function syncRepl(client: SyncClient, base: string, options: SyncReplOptions = {}): SyncConsumer {
  return new SyncConsumer(client, base, options);
}
