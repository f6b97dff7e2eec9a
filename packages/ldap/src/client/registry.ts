/**
 * The registry of outstanding requests on one connection: message ids
 * handed out in order, wrapping around within 1..maxInt (RFC 4511 4.1.1.1:
 * 0 is reserved for unsolicited notifications), and the operation waiting
 * on each id, by number key (libldap's `ld_requests` list, as a Map).
 */
import { LDAP_MAX_INT } from '../protocol/tags.js';
import type { LdapMessage, LdapResponse } from '../protocol/message.js';
import { LdapError } from '../errors.js';

/**
 * An operation waiting for responses. The connection calls `receive` for
 * each PDU with the operation's id and `fail` once, when the connection
 * ends while the operation is still registered.
 */
export interface PendingOperation {
  /** The message id of the request. */
  readonly messageId: number;
  /** What the operation is, for messages (`bind`, `search`, ...). */
  readonly operation: string;
  /** One response PDU for this id. */
  receive(message: LdapMessage<LdapResponse>): void;
  /** The connection ended (or the operation was cut off); reject with `error`. */
  fail(error: LdapError): void;
}

/** Largest message id; after it the ids start again at 1. */
export const MESSAGE_ID_MAX = LDAP_MAX_INT;

/**
 * Message ids and the operations waiting on them.
 *
 * ```ts
 * const id = registry.nextId();
 * registry.add(pending);             // pending.messageId === id
 * registry.get(id)?.receive(msg);    // routing
 * registry.delete(id);               // done, abandoned or timed out
 * ```
 */
export class MessageRegistry {
  private readonly pending = new Map<number, PendingOperation>();
  /** The id handed out last (0 before the first). */
  private last: number;

  /** `firstId`: the first id to hand out (default 1); tests use it to reach the wrap quickly. */
  constructor(firstId = 1) {
    if (!Number.isInteger(firstId) || firstId < 1 || firstId > MESSAGE_ID_MAX) throw new LdapError('BAD_ARGUMENT', `firstMessageId must be an integer in 1..${MESSAGE_ID_MAX}`);
    this.last = firstId - 1;
  }

  /**
   * The next free message id: one more than the last, 1 after maxInt, and
   * never an id that is still outstanding.
   */
  nextId(): number {
    if (this.pending.size >= MESSAGE_ID_MAX) throw new LdapError('BAD_ARGUMENT', 'every message id is in use');
    let id = this.last;
    do {
      id = id >= MESSAGE_ID_MAX ? 1 : id + 1;
    } while (this.pending.has(id));
    this.last = id;
    return id;
  }

  add(op: PendingOperation): void {
    this.pending.set(op.messageId, op);
  }

  get(messageId: number): PendingOperation | undefined {
    return this.pending.get(messageId);
  }

  /** Forgets an id; true when it was outstanding. */
  delete(messageId: number): boolean {
    return this.pending.delete(messageId);
  }

  has(messageId: number): boolean {
    return this.pending.has(messageId);
  }

  /** How many operations are outstanding. */
  get size(): number {
    return this.pending.size;
  }

  /** The outstanding ids, oldest first. */
  ids(): number[] {
    return [...this.pending.keys()];
  }

  /** Fails and forgets every outstanding operation. */
  failAll(error: LdapError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const op of all) op.fail(error);
  }
}
