/**
 * LDAP Content Synchronization (RFC 4533): the sync request control on a
 * search, the sync state control on each entry, the sync done control on
 * the SearchResultDone, and the Sync Info Message (an
 * IntermediateResponse). The consumer built on them is in syncrepl.ts.
 */
import { BerTags } from '@lber/ber';
import type { Control } from '../protocol/controls.js';
import { encodeError } from '../protocol/errors.js';
import { copyBytes, decodeValue, encodeValue, invalidValue } from './ber.js';
import { defineControl } from './registry.js';

/** LDAP_CONTROL_SYNC */
export const SYNC_REQUEST_OID = '1.3.6.1.4.1.4203.1.9.1.1';
/** LDAP_CONTROL_SYNC_STATE */
export const SYNC_STATE_OID = '1.3.6.1.4.1.4203.1.9.1.2';
/** LDAP_CONTROL_SYNC_DONE */
export const SYNC_DONE_OID = '1.3.6.1.4.1.4203.1.9.1.3';
/** LDAP_SYNC_INFO: the responseName of the Sync Info Message. */
export const SYNC_INFO_OID = '1.3.6.1.4.1.4203.1.9.1.4';

/** The sync modes (refreshOnly 1, refreshAndPersist 3). */
export const SyncMode = { refreshOnly: 1, refreshAndPersist: 3 } as const;
export type SyncModeName = keyof typeof SyncMode;

/** The sync states of an entry. */
export const SyncState = { present: 0, add: 1, modify: 2, delete: 3 } as const;
export type SyncStateName = keyof typeof SyncState;

const MODE_NAMES: Record<number, SyncModeName | undefined> = { 1: 'refreshOnly', 3: 'refreshAndPersist' };
const STATE_NAMES: Record<number, SyncStateName | undefined> = { 0: 'present', 1: 'add', 2: 'modify', 3: 'delete' };

/** The sync request value. */
export interface SyncRequest {
  mode: SyncModeName;
  /** The cookie of an earlier session, to resume from it. */
  cookie?: Buffer | undefined;
  /** reloadHint: the client would rather reload everything than receive deletions (default false). */
  reloadHint?: boolean | undefined;
}

/**
 * The sync request control (RFC 4533 section 2.2).
 *
 * ```asn1
 * syncRequestValue ::= SEQUENCE {
 *     mode ENUMERATED {
 *         -- 0 unused
 *         refreshOnly       (1),
 *         -- 2 reserved
 *         refreshAndPersist (3)
 *     },
 *     cookie     syncCookie OPTIONAL,
 *     reloadHint BOOLEAN DEFAULT FALSE
 * }
 * syncCookie ::= OCTET STRING
 * ```
 */
export const syncRequest = defineControl<SyncRequest>({
  oid: SYNC_REQUEST_OID,
  name: 'syncRequest',
  encode(value) {
    const mode = SyncMode[value.mode] as number | undefined;
    if (mode === undefined) encodeError(`syncRequest: mode ${String(value.mode)} is not refreshOnly or refreshAndPersist`);
    return encodeValue((w) => {
      w.startSequence();
      w.writeEnum(mode);
      if (value.cookie !== undefined) w.writeOctetString(value.cookie);
      if (value.reloadHint === true) w.writeBoolean(true);
      w.endSequence();
    });
  },
  decode: (value) =>
    decodeValue('syncRequest', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const code = r.readEnum();
      const mode = MODE_NAMES[code];
      if (mode === undefined) return invalidValue('syncRequest', `mode ${code} is not refreshOnly (1) or refreshAndPersist (3)`, r.offset);
      const result: SyncRequest = { mode, reloadHint: false };
      if (r.peekTag() === BerTags.OCTET_STRING) result.cookie = copyBytes(r.readOctetString());
      if (r.peekTag() === BerTags.BOOLEAN) result.reloadHint = r.readBoolean();
      if (r.hasMore()) invalidValue('syncRequest', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
      r.leave();
      return result;
    }),
});

/** A sync request control (critical by default, as RFC 4533 clients send it). */
export function syncRequestControl(request: SyncRequest, critical = true): Control {
  return { type: SYNC_REQUEST_OID, criticality: critical, value: syncRequest.encode(request) };
}

/** Formats a 16-byte syncUUID as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (entryUUID's text form). */
export function formatUuid(uuid: Uint8Array): string {
  const hex = Buffer.from(uuid.buffer, uuid.byteOffset, uuid.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Parses the text form of a UUID into its 16 bytes. */
export function parseUuid(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) encodeError(`${JSON.stringify(text)} is not a UUID`);
  return Buffer.from(hex, 'hex');
}

function readUuid(what: string, view: Buffer, offset: number): Buffer {
  if (view.length !== 16) invalidValue(what, `a syncUUID of ${view.length} bytes, not 16`, offset);
  return copyBytes(view);
}

function checkUuid(what: string, uuid: Uint8Array): void {
  if (uuid.length !== 16) encodeError(`${what}: a syncUUID has 16 bytes, not ${uuid.length}`);
}

/** The sync state value. */
export interface SyncStateValue {
  state: SyncStateName;
  /** The entry's entryUUID, 16 bytes (see {@link formatUuid}). */
  entryUUID: Buffer;
  cookie?: Buffer | undefined;
}

/**
 * The sync state control (RFC 4533 section 2.3), on each SearchResultEntry
 * and SearchResultReference of a sync search.
 *
 * ```asn1
 * syncStateValue ::= SEQUENCE {
 *     state ENUMERATED {
 *         present (0),
 *         add (1),
 *         modify (2),
 *         delete (3)
 *     },
 *     entryUUID syncUUID,
 *     cookie    syncCookie OPTIONAL
 * }
 * syncUUID ::= OCTET STRING (SIZE(16))
 * ```
 */
export const syncState = defineControl<SyncStateValue>({
  oid: SYNC_STATE_OID,
  name: 'syncState',
  encode(value) {
    const state = SyncState[value.state] as number | undefined;
    if (state === undefined) encodeError(`syncState: unknown state ${String(value.state)}`);
    checkUuid('syncState', value.entryUUID);
    return encodeValue((w) => {
      w.startSequence();
      w.writeEnum(state);
      w.writeOctetString(value.entryUUID);
      if (value.cookie !== undefined) w.writeOctetString(value.cookie);
      w.endSequence();
    });
  },
  decode: (value) =>
    decodeValue('syncState', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const code = r.readEnum();
      const state = STATE_NAMES[code];
      if (state === undefined) return invalidValue('syncState', `state ${code} is not present, add, modify or delete`, r.offset);
      const at = r.offset;
      const result: SyncStateValue = { state, entryUUID: readUuid('syncState', r.readOctetString(), at) };
      if (r.hasMore()) result.cookie = copyBytes(r.readOctetString());
      r.leave();
      return result;
    }),
});

/** The sync done value. */
export interface SyncDoneValue {
  cookie?: Buffer | undefined;
  /** refreshDeletes: the refresh used the delete phase (entries not sent were deleted), default false. */
  refreshDeletes?: boolean | undefined;
}

/**
 * The sync done control (RFC 4533 section 2.4), on the SearchResultDone
 * that ends a refreshOnly search.
 *
 * ```asn1
 * syncDoneValue ::= SEQUENCE {
 *     cookie          syncCookie OPTIONAL,
 *     refreshDeletes  BOOLEAN DEFAULT FALSE
 * }
 * ```
 */
export const syncDone = defineControl<SyncDoneValue>({
  oid: SYNC_DONE_OID,
  name: 'syncDone',
  encode: (value) =>
    encodeValue((w) => {
      w.startSequence();
      if (value.cookie !== undefined) w.writeOctetString(value.cookie);
      if (value.refreshDeletes === true) w.writeBoolean(true);
      w.endSequence();
    }),
  decode: (value) =>
    decodeValue('syncDone', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const result: SyncDoneValue = { refreshDeletes: false };
      if (r.peekTag() === BerTags.OCTET_STRING) result.cookie = copyBytes(r.readOctetString());
      if (r.peekTag() === BerTags.BOOLEAN) result.refreshDeletes = r.readBoolean();
      if (r.hasMore()) invalidValue('syncDone', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
      r.leave();
      return result;
    }),
});

/** The Sync Info Message value, one of four kinds. */
export type SyncInfoValue =
  /** newcookie: a new cookie, nothing else changed. */
  | { type: 'newcookie'; cookie: Buffer }
  /** refreshDelete: the end of a delete phase (refreshDone: the refresh is over). */
  | { type: 'refreshDelete'; cookie?: Buffer | undefined; refreshDone: boolean }
  /** refreshPresent: the end of a present phase (refreshDone: the refresh is over). */
  | { type: 'refreshPresent'; cookie?: Buffer | undefined; refreshDone: boolean }
  /** syncIdSet: many entries at once, each by entryUUID: deleted (refreshDeletes) or present. */
  | { type: 'syncIdSet'; cookie?: Buffer | undefined; refreshDeletes: boolean; syncUUIDs: Buffer[] };

const TAG_NEWCOOKIE = 0x80; // [0] primitive
const TAG_REFRESH_DELETE = 0xa1; // [1] constructed
const TAG_REFRESH_PRESENT = 0xa2; // [2] constructed
const TAG_SYNC_ID_SET = 0xa3; // [3] constructed

/** How an IntermediateResponse value is written and read, by responseName. */
export interface IntermediateCodec<V> {
  /** responseName. */
  readonly oid: string;
  readonly name: string;
  encode(value: V): Buffer;
  /** Throws LdapProtocolError DECODE_ERROR when malformed. */
  decode(value: Buffer | undefined): V;
}

/**
 * The Sync Info Message (RFC 4533 section 2.5), the responseValue of an
 * IntermediateResponse named {@link SYNC_INFO_OID}.
 *
 * ```asn1
 * syncInfoValue ::= CHOICE {
 *     newcookie      [0] syncCookie,
 *     refreshDelete  [1] SEQUENCE {
 *         cookie         syncCookie OPTIONAL,
 *         refreshDone    BOOLEAN DEFAULT TRUE
 *     },
 *     refreshPresent [2] SEQUENCE {
 *         cookie         syncCookie OPTIONAL,
 *         refreshDone    BOOLEAN DEFAULT TRUE
 *     },
 *     syncIdSet      [3] SEQUENCE {
 *         cookie         syncCookie OPTIONAL,
 *         refreshDeletes BOOLEAN DEFAULT FALSE,
 *         syncUUIDs      SET OF syncUUID
 *     }
 * }
 * ```
 */
export const syncInfo: IntermediateCodec<SyncInfoValue> = Object.freeze({
  oid: SYNC_INFO_OID,
  name: 'syncInfo',
  encode(value: SyncInfoValue): Buffer {
    return encodeValue((w) => {
      switch (value.type) {
        case 'newcookie':
          w.writeOctetString(value.cookie, TAG_NEWCOOKIE);
          return;
        case 'refreshDelete':
        case 'refreshPresent':
          w.startSequence(value.type === 'refreshDelete' ? TAG_REFRESH_DELETE : TAG_REFRESH_PRESENT);
          if (value.cookie !== undefined) w.writeOctetString(value.cookie);
          if (!value.refreshDone) w.writeBoolean(false);
          w.endSequence();
          return;
        case 'syncIdSet':
          w.startSequence(TAG_SYNC_ID_SET);
          if (value.cookie !== undefined) w.writeOctetString(value.cookie);
          if (value.refreshDeletes) w.writeBoolean(true);
          w.startSet();
          for (const uuid of value.syncUUIDs) {
            checkUuid('syncInfo syncIdSet', uuid);
            w.writeOctetString(uuid);
          }
          w.endSequence();
          w.endSequence();
          return;
        default:
          encodeError(`syncInfo: unknown kind ${String((value as { type: unknown }).type)}`);
      }
    });
  },
  decode(value: Buffer | undefined): SyncInfoValue {
    return decodeValue('syncInfo', value, (r): SyncInfoValue => {
      const tag = r.peekTag();
      if (tag === TAG_NEWCOOKIE) return { type: 'newcookie', cookie: copyBytes(r.readOctetString(TAG_NEWCOOKIE)) };
      if (tag === TAG_REFRESH_DELETE || tag === TAG_REFRESH_PRESENT) {
        r.enter(tag);
        const cookie = r.peekTag() === BerTags.OCTET_STRING ? copyBytes(r.readOctetString()) : undefined;
        const refreshDone = r.peekTag() === BerTags.BOOLEAN ? r.readBoolean() : true;
        if (r.hasMore()) invalidValue('syncInfo', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
        r.leave();
        return { type: tag === TAG_REFRESH_DELETE ? 'refreshDelete' : 'refreshPresent', cookie, refreshDone };
      }
      if (tag === TAG_SYNC_ID_SET) {
        r.enter(tag);
        const cookie = r.peekTag() === BerTags.OCTET_STRING ? copyBytes(r.readOctetString()) : undefined;
        const refreshDeletes = r.peekTag() === BerTags.BOOLEAN ? r.readBoolean() : false;
        const at = r.offset;
        const syncUUIDs = r.readOctetStringList(BerTags.SET).map((u) => readUuid('syncInfo', u, at));
        if (r.hasMore()) invalidValue('syncInfo', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
        r.leave();
        return { type: 'syncIdSet', cookie, refreshDeletes, syncUUIDs };
      }
      return invalidValue('syncInfo', `tag 0x${tag.toString(16)} is not newcookie [0], refreshDelete [1], refreshPresent [2] or syncIdSet [3]`, r.offset);
    });
  },
});
