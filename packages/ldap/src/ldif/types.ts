/**
 * The records of RFC 2849 LDIF, as the reader gives them and the writer
 * takes them.
 *
 * ```
 * ldif-file             = ldif-content / ldif-changes
 * ldif-attrval-record   = dn-spec SEP 1*attrval-spec
 * ldif-change-record    = dn-spec SEP *control changerecord
 * changerecord          = "changetype:" FILL
 *                         (change-add / change-delete /
 *                          change-modify / change-moddn)
 * change-add            = "add"                SEP 1*attrval-spec
 * change-delete         = "delete"             SEP
 * change-moddn          = ("modrdn" / "moddn") SEP
 *                          "newrdn:" (    FILL rdn /
 *                                     ":" FILL base64-rdn)
 *                          SEP
 *                          "deleteoldrdn:" FILL ("0" / "1")  SEP
 *                          0*1("newsuperior:"
 *                          (    FILL distinguishedName /
 *                           ":" FILL base64-distinguishedName) SEP)
 * change-modify         = "modify"             SEP *mod-spec
 * mod-spec              = ("add:" / "delete:" / "replace:")
 *                         FILL AttributeDescription SEP
 *                         *attrval-spec
 *                         "-" SEP
 * ```
 *
 * plus RFC 4525's `increment:` mod-spec. Values are Buffers (the bytes the
 * LDIF spelled, after base64 decoding or reading the URL); DNs and RDNs are
 * strings (their UTF-8 decoding).
 */

/** A value given to the writer: a string (written as its UTF-8) or bytes. */
export type LdifValueInput = string | Uint8Array;

/** One attribute: its description (type and options) and its values. */
export interface LdifAttribute<V = Buffer> {
  /** The AttributeDescription as written, e.g. `cn`, `jpegPhoto`, `cn;lang-en`. */
  type: string;
  values: V[];
}

/** A `control:` line: `control: oid [true|false] [value-spec]`. */
export interface LdifControl<V = Buffer> {
  /** The control's OID. */
  type: string;
  criticality: boolean;
  /** The value, absent when the line has none. */
  value?: V | undefined;
}

/** Where a record came from. */
interface LdifRecordBase {
  /** The record's DN (the UTF-8 decoding of the `dn:` value). */
  dn: string;
  /** 1-based number of the record's `dn:` line in the input. */
  line: number;
  /** The `control:` lines between `dn:` and `changetype:` (usually none). */
  controls: LdifControl[];
}

/** A content record: `dn:` and the entry's attributes (the ldapsearch/slapcat form). */
export interface LdifContentRecord extends LdifRecordBase {
  kind: 'content';
  /** The attributes in the order of their first line; repeated types are merged (case-insensitively). */
  attributes: LdifAttribute[];
}

/** `changetype: add`. */
export interface LdifAddRecord extends LdifRecordBase {
  kind: 'change';
  changeType: 'add';
  attributes: LdifAttribute[];
}

/** `changetype: delete`. */
export interface LdifDeleteRecord extends LdifRecordBase {
  kind: 'change';
  changeType: 'delete';
}

/** The operation of one mod-spec. */
export type LdifModOperation = 'add' | 'delete' | 'replace' | 'increment';

/** One mod-spec of a modify record: `replace: cn` / values / `-`. */
export interface LdifModification<V = Buffer> {
  operation: LdifModOperation;
  /** The AttributeDescription the mod-spec names. */
  type: string;
  /** The values (none for "delete the attribute" or "replace with nothing"). */
  values: V[];
}

/** `changetype: modify`. */
export interface LdifModifyRecord extends LdifRecordBase {
  kind: 'change';
  changeType: 'modify';
  changes: LdifModification[];
}

/** `changetype: modrdn` or `changetype: moddn` (the two are synonyms). */
export interface LdifModDnRecord extends LdifRecordBase {
  kind: 'change';
  changeType: 'modrdn' | 'moddn';
  newRdn: string;
  deleteOldRdn: boolean;
  /** The new parent's DN, absent when the line is. */
  newSuperior?: string | undefined;
}

/** A change record (RFC 2849 `ldif-change-record`). */
export type LdifChangeRecord = LdifAddRecord | LdifDeleteRecord | LdifModifyRecord | LdifModDnRecord;

/** A record read from LDIF. */
export type LdifRecord = LdifContentRecord | LdifChangeRecord;

/** What every record given to the writer has. */
interface LdifRecordInputBase {
  dn: string | Uint8Array;
  controls?: ReadonlyArray<LdifControl<LdifValueInput>> | undefined;
  line?: number | undefined;
}

/** A record the writer accepts: the shapes of {@link LdifRecord}, with string or byte values. */
export type LdifRecordInput =
  | (LdifRecordInputBase & { kind: 'content'; attributes: ReadonlyArray<LdifAttributeInput> })
  | (LdifRecordInputBase & { kind: 'change'; changeType: 'add'; attributes: ReadonlyArray<LdifAttributeInput> })
  | (LdifRecordInputBase & { kind: 'change'; changeType: 'delete' })
  | (LdifRecordInputBase & { kind: 'change'; changeType: 'modify'; changes: ReadonlyArray<LdifModificationInput> })
  | (LdifRecordInputBase & {
      kind: 'change';
      changeType: 'modrdn' | 'moddn';
      newRdn: string | Uint8Array;
      deleteOldRdn: boolean;
      newSuperior?: string | Uint8Array | undefined;
    });

/** An attribute given to the writer. */
export interface LdifAttributeInput {
  type: string;
  values: readonly LdifValueInput[];
}

/** A mod-spec given to the writer. */
export interface LdifModificationInput {
  operation: LdifModOperation;
  type: string;
  values: readonly LdifValueInput[];
}
