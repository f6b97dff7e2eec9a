/**
 * Persistent search (draft-ietf-ldapext-psearch-03) and its entry change
 * notification. (OpenLDAP's slapd does not implement it: it answers a
 * critical persistent search control with unavailableCriticalExtension and
 * offers content synchronization, sync.ts, instead.)
 */
import { BerTags } from '@lber/ber';
import type { Control } from '../protocol/controls.js';
import { encodeError } from '../protocol/errors.js';
import { checkMaxInt, decodeValue, encodeValue, invalidValue } from './ber.js';
import { defineControl } from './registry.js';

/** LDAP_CONTROL_PERSIST_REQUEST */
export const PERSISTENT_SEARCH_OID = '2.16.840.1.113730.3.4.3';
/** LDAP_CONTROL_PERSIST_ENTRY_CHANGE_NOTICE */
export const ENTRY_CHANGE_NOTIFICATION_OID = '2.16.840.1.113730.3.4.7';

/** The change types, as bits of `changeTypes` and as `changeType` values. */
export const PersistentSearchChange = {
  add: 1,
  delete: 2,
  modify: 4,
  modDN: 8,
} as const;

export type PersistentSearchChangeName = keyof typeof PersistentSearchChange;

/** The persistent search request value. */
export interface PersistentSearchRequest {
  /** Bit set of {@link PersistentSearchChange} (1..15). */
  changeTypes: number;
  /** Only changes, no initial result set. */
  changesOnly: boolean;
  /** Attach an entry change notification control to each changed entry. */
  returnECs: boolean;
}

/**
 * The persistent search request control.
 *
 * ```asn1
 * PersistentSearch ::= SEQUENCE {
 *         changeTypes INTEGER,
 *         changesOnly BOOLEAN,
 *         returnECs BOOLEAN
 * }
 * ```
 *
 * @see ldap_create_persistentsearch_control_value
 */
export const persistentSearch = defineControl<PersistentSearchRequest>({
  oid: PERSISTENT_SEARCH_OID,
  name: 'persistentSearch',
  encode(value) {
    if (!Number.isInteger(value.changeTypes) || value.changeTypes < 1 || value.changeTypes > 15) {
      encodeError(`persistentSearch: changeTypes ${value.changeTypes} is not a set of add (1), delete (2), modify (4), modDN (8)`);
    }
    return encodeValue((w) => {
      w.startSequence();
      w.writeInt(value.changeTypes);
      w.writeBoolean(value.changesOnly);
      w.writeBoolean(value.returnECs);
      w.endSequence();
    });
  },
  decode: (value) =>
    decodeValue('persistentSearch', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const result = { changeTypes: r.readInt(), changesOnly: r.readBoolean(), returnECs: r.readBoolean() };
      r.leave();
      return result;
    }),
});

/** The entry change notification value. */
export interface EntryChangeNotification {
  /** The change, by name. */
  changeType: PersistentSearchChangeName;
  /** previousDN: the DN before a modDN. */
  previousDN?: string | undefined;
  /** changeNumber, when the server keeps a change log. */
  changeNumber?: number | undefined;
}

const CHANGE_NAMES = new Map<number, PersistentSearchChangeName>(Object.entries(PersistentSearchChange).map(([k, v]) => [v, k as PersistentSearchChangeName]));

/**
 * The entry change notification response control, on each entry a
 * persistent search returns.
 *
 * ```asn1
 * EntryChangeNotification ::= SEQUENCE {
 *         changeType ENUMERATED {
 *                 add             (1),
 *                 delete          (2),
 *                 modify          (4),
 *                 modDN           (8)
 *         },
 *         previousDN   LDAPDN OPTIONAL,     -- modifyDN ops. only
 *         changeNumber INTEGER OPTIONAL     -- if supported
 * }
 * ```
 *
 * @see ldap_parse_entrychange_control
 */
export const entryChangeNotification = defineControl<EntryChangeNotification>({
  oid: ENTRY_CHANGE_NOTIFICATION_OID,
  name: 'entryChangeNotification',
  encode(value) {
    const code = PersistentSearchChange[value.changeType] as number | undefined;
    if (code === undefined) encodeError(`entryChangeNotification: unknown changeType ${String(value.changeType)}`);
    if (value.changeNumber !== undefined) checkMaxInt('entryChangeNotification changeNumber', value.changeNumber);
    return encodeValue((w) => {
      w.startSequence();
      w.writeEnum(code);
      if (value.previousDN !== undefined) w.writeString(value.previousDN);
      if (value.changeNumber !== undefined) w.writeInt(value.changeNumber);
      w.endSequence();
    });
  },
  decode: (value) =>
    decodeValue('entryChangeNotification', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const code = r.readEnum();
      const changeType = CHANGE_NAMES.get(code);
      if (changeType === undefined) return invalidValue('entryChangeNotification', `changeType ${code} is not add, delete, modify or modDN`, r.offset);
      const result: EntryChangeNotification = { changeType };
      if (r.peekTag() === BerTags.OCTET_STRING) result.previousDN = r.readString();
      if (r.peekTag() === BerTags.INTEGER) result.changeNumber = r.readInt();
      if (r.hasMore()) invalidValue('entryChangeNotification', `unexpected tag 0x${r.peekTag().toString(16)}`, r.offset);
      r.leave();
      return result;
    }),
});

/** A persistent search request control (critical by default: without it the search would just end). */
export function persistentSearchControl(
  options: { changeTypes?: readonly PersistentSearchChangeName[] | number; changesOnly?: boolean; returnECs?: boolean } = {},
  critical = true,
): Control {
  const t = options.changeTypes ?? 15;
  const changeTypes = typeof t === 'number' ? t : t.reduce((bits, name) => bits | PersistentSearchChange[name], 0);
  const value = persistentSearch.encode({ changeTypes, changesOnly: options.changesOnly ?? true, returnECs: options.returnECs ?? true });
  return { type: PERSISTENT_SEARCH_OID, criticality: critical, value };
}
