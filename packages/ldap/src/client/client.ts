/**
 * The client facade: `connect()` and one method per operation, each a
 * thin call into its module under ops/. The connection (Sockbuf, read
 * loop, registry) lives in {@link LdapConnection}; `client.sockbuf` is its
 * Sockbuf, so a layer can be pushed onto a live connection and popped again.
 */
import { EventEmitter } from 'node:events';
import type { Sockbuf } from '@lber/sockbuf';
import type { LdapConnectionError } from '../errors.js';
import type { AttributeValueInput } from '../protocol/attribute.js';
import type { Control } from '../protocol/controls.js';
import type { ExtendedResponse } from '../protocol/extended.js';
import type { LdapMessage } from '../protocol/message.js';
import { openConnection } from './connect.js';
import type { ConnectOptions } from './connect.js';
import type { LdapConnection } from './connection.js';
import type { OperationOptions } from './operation.js';
import { add } from './ops/add.js';
import type { EntryAttributes } from './ops/add.js';
import { bind } from './ops/bind.js';
import type { BindOptions, BindResult } from './ops/bind.js';
import { compare } from './ops/compare.js';
import { del } from './ops/delete.js';
import { extended } from './ops/extended.js';
import type { ExtendedOptions, ExtendedResult } from './ops/extended.js';
import { modify } from './ops/modify.js';
import type { ModifyChange } from './ops/modify.js';
import { modifyDN } from './ops/modifydn.js';
import type { ModifyDNOptions } from './ops/modifydn.js';
import { search } from './ops/search.js';
import type { SearchAllResult, SearchOptions, SearchStream } from './ops/search.js';
import { startTls } from './ops/starttls.js';
import type { StartTlsOptions, StartTlsResult } from './ops/starttls.js';
import { abandon, unbind } from './ops/unbind.js';
import type { LdapOperationResult } from './result.js';

/** Options of {@link connect}. */
export interface LdapClientOptions extends ConnectOptions {
  /** Default client-side time limit of every operation, in ms (none by default). */
  timeLimitMs?: number;
}

/** Events of a client. */
export interface LdapClientEvents {
  /** An unsolicited notification (messageID 0), e.g. the Notice of Disconnection. */
  notification: [message: LdapMessage<ExtendedResponse>];
  /** The connection ended: `reason` says why, undefined after unbind/close. */
  close: [reason: LdapConnectionError | undefined];
}

/**
 * An LDAP v3 client on one connection. Any number of operations may be
 * outstanding at once; each takes `signal`, `timeLimitMs` and `controls`.
 *
 * ```ts
 * const client = await connect(['ldap://a.example', 'ldap://b.example'], { connectTimeoutMs: 3000 });
 * await client.bind('cn=admin,dc=example,dc=com', 'secret');
 * for await (const item of client.search('dc=example,dc=com', { filter: '(uid=alice)' })) {
 *   if (item.type === 'entry') console.log(item.dn, item.string('cn'));
 * }
 * await client.unbind();
 * ```
 */
export class LdapClient extends EventEmitter<LdapClientEvents> {
  constructor(
    /** The connection: Sockbuf, read loop, registry. */
    readonly connection: LdapConnection,
    private readonly defaults: { timeLimitMs?: number | undefined } = {},
  ) {
    super();
    connection.hooks.notification = (message) => {
      this.emit('notification', message);
    };
    connection.hooks.close = (reason) => {
      this.emit('close', reason);
    };
  }

  /** The Sockbuf under the connection (push and pop your own layers on it). */
  get sockbuf(): Sockbuf {
    return this.connection.sb;
  }

  /** The URL this client is connected to. */
  get url(): string {
    return this.connection.url;
  }

  /** True once the connection has ended. */
  get closed(): boolean {
    return this.connection.closed;
  }

  /** Operations waiting for their response. */
  get pending(): number {
    return this.connection.pending;
  }

  private opts<T extends OperationOptions>(options: T | undefined): T {
    if (this.defaults.timeLimitMs === undefined || options?.timeLimitMs !== undefined) return options ?? ({} as T);
    return { ...(options ?? ({} as T)), timeLimitMs: this.defaults.timeLimitMs };
  }

  /** Simple bind; `bind()` with no DN is anonymous. @see ldap_sasl_bind */
  bind(dn?: string, password?: string | Uint8Array, options?: BindOptions): Promise<BindResult> {
    return bind(this.connection, dn, password, this.opts(options));
  }

  /** A search as an async iterator of entries, references and intermediate responses. @see ldap_search_ext */
  search(base: string, options?: SearchOptions): SearchStream {
    return search(this.connection, base, this.opts(options));
  }

  /** A search collected to the end. @see ldap_search_ext_s */
  searchAll(base: string, options?: SearchOptions): Promise<SearchAllResult> {
    return search(this.connection, base, this.opts(options)).all();
  }

  /** True when the entry has the value (compareTrue), false when not (compareFalse). @see ldap_compare_ext */
  compare(dn: string, attribute: string, value: AttributeValueInput, options?: OperationOptions): Promise<boolean> {
    return compare(this.connection, dn, attribute, value, this.opts(options));
  }

  /** @see ldap_add_ext */
  add(dn: string, attributes: EntryAttributes, options?: OperationOptions): Promise<LdapOperationResult> {
    return add(this.connection, dn, attributes, this.opts(options));
  }

  /** @see ldap_delete_ext */
  delete(dn: string, options?: OperationOptions): Promise<LdapOperationResult> {
    return del(this.connection, dn, this.opts(options));
  }

  /** @see ldap_modify_ext */
  modify(dn: string, changes: readonly ModifyChange[], options?: OperationOptions): Promise<LdapOperationResult> {
    return modify(this.connection, dn, changes, this.opts(options));
  }

  /** @see ldap_rename */
  modifyDN(dn: string, newRdn: string, options?: ModifyDNOptions): Promise<LdapOperationResult> {
    return modifyDN(this.connection, dn, newRdn, this.opts(options));
  }

  /** @see ldap_extended_operation */
  extended(oid: string, value?: Uint8Array | string, options?: ExtendedOptions): Promise<ExtendedResult> {
    return extended(this.connection, oid, value, this.opts(options));
  }

  /** StartTLS: the tls layer goes in at TRANSPORT level; any failure closes the connection. @see ldap_start_tls_s */
  startTLS(options?: StartTlsOptions): Promise<StartTlsResult> {
    return startTls(this.connection, this.opts(options));
  }

  /** Abandons an outstanding operation by message id; its promise rejects with ABORTED. @see ldap_abandon_ext */
  abandon(messageId: number, controls?: readonly Control[]): boolean {
    return abandon(this.connection, messageId, controls);
  }

  /** Sends an UnbindRequest and closes the connection. @see ldap_unbind_ext */
  unbind(controls?: readonly Control[]): Promise<void> {
    return unbind(this.connection, controls);
  }

  /** Closes the connection without an unbind; outstanding operations fail with CLOSED. */
  close(): void {
    this.connection.close();
  }
}

/**
 * Connects to the first of `url` that serves and returns the client.
 *
 * @see ldap_initialize
 */
export async function connect(url: string | readonly string[], options: LdapClientOptions = {}): Promise<LdapClient> {
  const { timeLimitMs, ...connectOptions } = options;
  const connection = await openConnection(url, connectOptions);
  return new LdapClient(connection, { timeLimitMs });
}
