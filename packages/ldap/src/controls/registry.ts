/**
 * The registry of control codecs by OID (RFC 4511 section 4.1.11): a codec
 * turns a typed value into a control's `controlValue` and back. Requests
 * carry raw {@link Control}s built with {@link createControl}; responses
 * (every result, entry, reference and intermediate response, success or
 * error) carry raw controls that {@link decodeControls} turns into typed
 * values for the OIDs a registry knows, leaving the others raw.
 *
 * ```ts
 * const result = await client.modify(dn, changes, { controls: [postReadControl(['cn'])] });
 * const entry = getControl(result.controls, postRead);      // typed, or undefined
 * for (const c of decodeControls(result.controls)) if (!c.known) console.log(c.type, c.value);
 * ```
 */
import type { LdapResultErrorControl } from '../errors.js';
import type { Control } from '../protocol/controls.js';
import { LdapProtocolError, encodeError } from '../protocol/errors.js';

/**
 * How one control's value is written and read. `Req` is the value a client
 * sends, `Res` the value a server returns under the same OID. For a control
 * that only travels one way, both are that one value and both pairs of
 * functions work on it.
 */
export interface ControlCodec<Req = unknown, Res = Req> {
  /** controlType. */
  readonly oid: string;
  /** A short name for messages and docs (`sortRequest`, `passwordPolicy`). */
  readonly name: string;
  /** Request value to controlValue (undefined: the control has no value). */
  encode(value: Req): Buffer | undefined;
  /** Response controlValue (undefined when absent) to the typed value; throws LdapProtocolError DECODE_ERROR when malformed. */
  decode(value: Buffer | undefined): Res;
  /** The request direction read back (servers, proxies, tests); defaults to `decode` when Req and Res are one type. */
  decodeRequest?(value: Buffer | undefined): Req;
  /** The response direction written (servers, tests); defaults to `encode` when Req and Res are one type. */
  encodeResponse?(value: Res): Buffer | undefined;
  /** True when RFCs require the control to be sent critical (dontUseCopy, proxied authorization). */
  readonly mustBeCritical?: boolean;
}

/** What {@link registerControl} accepts: `name` is optional there. */
export type ControlCodecInput<Req, Res> = Omit<ControlCodec<Req, Res>, 'oid' | 'name'> & { name?: string };

/** Defines a codec (identity helper that fixes the types). */
export function defineControl<Req, Res = Req>(codec: ControlCodec<Req, Res>): ControlCodec<Req, Res> {
  return Object.freeze({ ...codec });
}

/** A raw control as results carry it, or as an LdapResultError carries it. */
export type RawControl = Control | LdapResultErrorControl;

/** A control whose OID the registry knows, decoded. */
export interface KnownControl<V = unknown> {
  readonly known: true;
  readonly type: string;
  /** The codec's name. */
  readonly name: string;
  readonly criticality: boolean;
  /** The typed value. */
  readonly value: V;
  /** The controlValue as received. */
  readonly raw: Buffer | undefined;
}

/** A control whose OID the registry does not know (or that failed to decode, when asked to keep those raw). */
export interface UnknownControl {
  readonly known: false;
  readonly type: string;
  readonly criticality: boolean;
  /** The controlValue as received. */
  readonly value: Buffer | undefined;
  /** Set when the OID is known but the value did not decode (with `malformed: 'raw'`). */
  readonly error?: LdapProtocolError;
}

export type DecodedControl = KnownControl | UnknownControl;

function rawFields(control: RawControl): { type: string; criticality: boolean; value: Buffer | undefined } {
  if ('oid' in control) return { type: control.oid, criticality: control.critical, value: control.value };
  return { type: control.type, criticality: control.criticality, value: control.value };
}

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/**
 * Control codecs by OID. Each client may use its own; {@link defaultControlRegistry}
 * holds the built-in codecs and whatever {@link registerControl} adds.
 */
export class ControlRegistry {
  private readonly codecs = new Map<string, ControlCodec<unknown, unknown>>();

  constructor(codecs: Iterable<ControlCodec<unknown, unknown>> = []) {
    for (const codec of codecs) this.add(codec);
  }

  /** Adds (or replaces) a codec under its OID; returns it. */
  add<Req, Res>(codec: ControlCodec<Req, Res>): ControlCodec<Req, Res> {
    if (!OID.test(codec.oid)) encodeError(`control codec: ${JSON.stringify(codec.oid)} is not a numeric OID`);
    this.codecs.set(codec.oid, codec);
    return codec;
  }

  /** Registers `{ encode, decode }` under `oid` and returns the codec. */
  register<Req, Res = Req>(oid: string, codec: ControlCodecInput<Req, Res>): ControlCodec<Req, Res> {
    return this.add(defineControl<Req, Res>({ ...codec, oid, name: codec.name ?? oid }));
  }

  /** Removes the codec of `oid`; true when there was one. */
  unregister(oid: string): boolean {
    return this.codecs.delete(oid);
  }

  get(oid: string): ControlCodec<unknown, unknown> | undefined {
    return this.codecs.get(oid);
  }

  has(oid: string): boolean {
    return this.codecs.has(oid);
  }

  /** The OIDs known. */
  oids(): string[] {
    return [...this.codecs.keys()];
  }

  /** A registry with the same codecs, to extend without touching this one. */
  clone(): ControlRegistry {
    return new ControlRegistry(this.codecs.values());
  }

  /** Decodes one control: typed when known, raw otherwise. */
  decode(control: RawControl, options: DecodeControlsOptions = {}): DecodedControl {
    const { type, criticality, value } = rawFields(control);
    const codec = this.codecs.get(type);
    if (codec === undefined) return { known: false, type, criticality, value };
    try {
      const decoded = options.direction === 'request' && codec.decodeRequest !== undefined ? codec.decodeRequest(value) : codec.decode(value);
      return { known: true, type, name: codec.name, criticality, value: decoded, raw: value };
    } catch (error) {
      const wrapped = error instanceof LdapProtocolError ? error : new LdapProtocolError(`${codec.name}: ${error instanceof Error ? error.message : String(error)}`, -1, { cause: error });
      if (options.malformed === 'raw') return { known: false, type, criticality, value, error: wrapped };
      throw wrapped;
    }
  }
}

/** Options of {@link decodeControls}. */
export interface DecodeControlsOptions {
  /** Where to look codecs up (default {@link defaultControlRegistry}). */
  registry?: ControlRegistry;
  /** A known control whose value does not decode: `throw` (default, LdapProtocolError DECODE_ERROR) or keep it `raw` with `error` set. */
  malformed?: 'throw' | 'raw';
  /** `response` (default): controls a server sent; `request`: controls a client sent (servers, proxies, tests). */
  direction?: 'request' | 'response';
}

/** The registry used when none is given: the built-in codecs (added by builtins.ts) and the user's. */
export const defaultControlRegistry = new ControlRegistry();

/**
 * Registers a codec for `oid` in the default registry, so that
 * {@link decodeControls} returns typed values for it.
 *
 * ```ts
 * const myCtl = registerControl<string>('1.3.6.1.4.1.99999.1', {
 *   encode: (s) => Buffer.from(s), decode: (v) => v?.toString() ?? '',
 * });
 * client.search(base, { controls: [createControl(myCtl, 'hello')] });
 * ```
 */
export function registerControl<Req, Res = Req>(oid: string, codec: ControlCodecInput<Req, Res>): ControlCodec<Req, Res> {
  return defaultControlRegistry.register(oid, codec);
}

/**
 * Decodes controls: typed values for known OIDs, raw values for the rest.
 * Accepts the controls of results, entries and intermediate responses and
 * those of an LdapResultError.
 */
export function decodeControls(controls: readonly RawControl[] | undefined, options: DecodeControlsOptions = {}): DecodedControl[] {
  const registry = options.registry ?? defaultControlRegistry;
  return (controls ?? []).map((c) => registry.decode(c, options));
}

/**
 * The typed value of the first control of `codec`'s OID among `controls`
 * (a response's, by default), or undefined when there is none. Throws
 * LdapProtocolError DECODE_ERROR when it does not decode.
 */
export function getControl<Req, Res>(controls: readonly RawControl[] | undefined, codec: ControlCodec<Req, Res>): Res | undefined {
  for (const control of controls ?? []) {
    const { type, value } = rawFields(control);
    if (type === codec.oid) return codec.decode(value);
  }
  return undefined;
}

/** Like {@link getControl} for a control a client sent. */
export function getRequestControl<Req, Res>(controls: readonly RawControl[] | undefined, codec: ControlCodec<Req, Res>): Req | undefined {
  for (const control of controls ?? []) {
    const { type, value } = rawFields(control);
    if (type === codec.oid) return codec.decodeRequest !== undefined ? codec.decodeRequest(value) : (codec.decode(value) as unknown as Req);
  }
  return undefined;
}

/** Options of {@link createControl}. */
export interface CreateControlOptions {
  /** criticality (default: false, or true for controls that must be critical). */
  critical?: boolean;
}

/**
 * A request control of `codec` with `value`, ready for an operation's
 * `controls` option.
 */
export function createControl<Req, Res>(codec: ControlCodec<Req, Res>, value: Req, options: CreateControlOptions = {}): Control {
  const criticality = options.critical ?? codec.mustBeCritical ?? false;
  const encoded = codec.encode(value);
  return encoded === undefined ? { type: codec.oid, criticality } : { type: codec.oid, criticality, value: encoded };
}

/** A response control of `codec` with `value` (servers and tests). */
export function createResponseControl<Req, Res>(codec: ControlCodec<Req, Res>, value: Res, criticality = false): Control {
  const encoded = codec.encodeResponse !== undefined ? codec.encodeResponse(value) : codec.encode(value as unknown as Req);
  return encoded === undefined ? { type: codec.oid, criticality } : { type: codec.oid, criticality, value: encoded };
}
