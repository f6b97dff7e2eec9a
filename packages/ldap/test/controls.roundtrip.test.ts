/**
 * Property tests for every control codec: a value encodes to bytes that
 * asn1js (an independent BER parser) reads as exactly one element, whose
 * tree, read by a small oracle written from the codec's ASN.1, is the
 * value; the codec decodes the bytes back to the value and re-encodes them
 * to the same bytes. Arbitrary and truncated inputs decode or fail with
 * LdapProtocolError (DECODE_ERROR), never anything else.
 */
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import {
  LdapProtocolError,
  PasswordPolicyError,
  PersistentSearchChange,
  SearchEntry,
  SyncMode,
  SyncState,
  assertion,
  createControl,
  createResponseControl,
  decodeControls,
  dontUseCopy,
  entryChangeNotification,
  filterToBer,
  getRequestControl,
  manageDsaIT,
  pagedResults,
  passwordExpired,
  passwordExpiring,
  passwordPolicy,
  persistentSearch,
  postRead,
  preRead,
  proxiedAuthorization,
  relaxRules,
  sortRequest,
  sortResponse,
  subtreeDelete,
  syncDone,
  syncInfo,
  syncRequest,
  syncState,
  vlvRequest,
  vlvResponse,
  formatUuid,
  parseUuid,
  parseSortKey,
  BUILTIN_CONTROLS,
  ControlRegistry,
} from '@lber/ldap';
import type {
  ControlCodec,
  EntryChangeNotification,
  PagedResultsValue,
  Filter,
  PasswordPolicyResponse,
  PersistentSearchChangeName,
  SortKey,
  SortResult,
  SyncDoneValue,
  SyncInfoValue,
  SyncModeName,
  SyncRequest,
  SyncStateName,
  SyncStateValue,
  VlvRequest,
  VlvResponse,
} from '@lber/ldap';

// ------------------------------------------------------------- the oracle

/** One BER element as asn1js sees it. */
interface Node {
  cls: 'universal' | 'application' | 'context' | 'private';
  num: number;
  constructed: boolean;
  children: Node[];
  content: Buffer;
}

const CLASSES = ['', 'universal', 'application', 'context', 'private'] as const;

function toNode(block: asn1js.AsnType): Node {
  const id = block.idBlock;
  const whole = Buffer.from(block.valueBeforeDecodeView);
  const len = block.lenBlock.length;
  const cls = CLASSES[id.tagClass];
  if (cls === '' || cls === undefined) throw new Error(`tag class ${id.tagClass}`);
  const children = id.isConstructed ? (block.valueBlock as unknown as { value: asn1js.AsnType[] }).value.map(toNode) : [];
  return { cls, num: id.tagNumber, constructed: id.isConstructed, children, content: whole.subarray(whole.length - len) };
}

/** asn1js parses `bytes` as one whole element (no error, no bytes left) and returns its tree. */
function parse(bytes: Uint8Array): Node {
  const { offset, result } = asn1js.fromBER(new Uint8Array(bytes));
  if (offset !== bytes.length || result.error !== '') throw new Error(`asn1js: ${result.error} at ${offset}/${bytes.length}`);
  return toNode(result);
}

function is(node: Node | undefined, cls: Node['cls'], num: number, constructed: boolean): Node {
  if (node === undefined) throw new Error(`missing [${cls} ${num}]`);
  if (node.cls !== cls || node.num !== num || node.constructed !== constructed) {
    throw new Error(`expected [${cls} ${num}${constructed ? ' constructed' : ''}], found [${node.cls} ${node.num}${node.constructed ? ' constructed' : ''}]`);
  }
  return node;
}
const seq = (n: Node | undefined): Node => is(n, 'universal', 16, true);
const int = (n: Node | undefined, cls: Node['cls'] = 'universal', num = 2): number => {
  const c = is(n, cls, num, false).content;
  let v = (c[0]! << 24) >> 24;
  for (let i = 1; i < c.length; i++) v = v * 256 + c[i]!;
  return v;
};
const enumerated = (n: Node | undefined): number => int(n, 'universal', 10);
const bool = (n: Node | undefined, cls: Node['cls'] = 'universal', num = 1): boolean => is(n, cls, num, false).content[0] !== 0;
const octets = (n: Node | undefined, cls: Node['cls'] = 'universal', num = 4): Buffer => Buffer.from(is(n, cls, num, false).content);
const str = (n: Node | undefined, cls: Node['cls'] = 'universal', num = 4): string => octets(n, cls, num).toString('utf8');
const isU = (n: Node | undefined, num: number): boolean => n !== undefined && n.cls === 'universal' && n.num === num;
const isC = (n: Node | undefined, num: number): boolean => n !== undefined && n.cls === 'context' && n.num === num;

// ---------------------------------------------------------- arbitraries

const maxInt = fc.integer({ min: 0, max: 0x7fff_ffff });
const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
const text = fc.string({ unit: 'grapheme', maxLength: 24 });
const attr = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,15}$/);
const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
const cookie = fc.option(bytes, { nil: undefined });

// ------------------------------------------------------------- the check

/**
 * For every value: asn1js reads the encoding as one element whose tree the
 * oracle turns back into the (normalised) value; the codec decodes it to
 * the same; re-encoding gives the same bytes.
 */
function roundTrip<V>(arb: fc.Arbitrary<V>, encode: (v: V) => Buffer | undefined, decode: (b: Buffer) => V, oracle: (n: Node) => V, normalize: (v: V) => V = (v) => v): void {
  fc.assert(
    fc.property(arb, (value) => {
      const encoded = encode(value);
      if (encoded === undefined) throw new Error('no value encoded');
      const expected = normalize(value);
      expect(oracle(parse(encoded))).toEqual(expected);
      const decoded = decode(encoded);
      expect(decoded).toEqual(expected);
      expect(encode(decoded)).toEqual(encoded);
    }),
    { numRuns: 100 },
  );
}

/** Arbitrary bytes, and every truncation of valid encodings, decode or fail with LdapProtocolError only. */
function robust<V>(valid: fc.Arbitrary<V>, encode: (v: V) => Buffer | undefined, decode: (b: Buffer) => unknown): void {
  const check = (input: Buffer): void => {
    try {
      decode(input);
    } catch (error) {
      if (!(error instanceof LdapProtocolError)) throw error;
      expect(error.code).toBe('DECODE_ERROR');
    }
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (a) => check(Buffer.from(a))),
    { numRuns: 100 },
  );
  fc.assert(
    fc.property(valid, fc.nat(), (v, cut) => {
      const encoded = encode(v);
      if (encoded === undefined || encoded.length === 0) return;
      const short = encoded.subarray(0, cut % encoded.length);
      expect(() => decode(short)).toThrow(LdapProtocolError);
    }),
    { numRuns: 100 },
  );
}

/** The request direction of a codec whose request and response differ. */
function reqDecode<Req, Res>(codec: ControlCodec<Req, Res>): (b: Buffer) => Req {
  return (b) => {
    if (codec.decodeRequest === undefined) throw new Error(`${codec.name} has no decodeRequest`);
    return codec.decodeRequest(b);
  };
}
function resEncode<Req, Res>(codec: ControlCodec<Req, Res>): (v: Res) => Buffer | undefined {
  return (v) => {
    if (codec.encodeResponse === undefined) throw new Error(`${codec.name} has no encodeResponse`);
    return codec.encodeResponse(v);
  };
}

// ------------------------------------------------------------------ tests

describe('paged results (RFC 2696)', () => {
  const arb: fc.Arbitrary<PagedResultsValue> = fc.record({ size: maxInt, cookie: bytes });
  test('round trip', () =>
    roundTrip(arb, (v) => pagedResults.encode(v), (b) => pagedResults.decode(b), (n) => {
      const s = seq(n);
      expect(s.children).toHaveLength(2);
      return { size: int(s.children[0]), cookie: octets(s.children[1]) };
    }));
  test('malformed input', () => robust(arb, (v) => pagedResults.encode(v), (b) => pagedResults.decode(b)));
});

describe('server-side sort (RFC 2891)', () => {
  const key: fc.Arbitrary<SortKey> = fc.record({ attributeType: attr, orderingRule: fc.option(attr, { nil: undefined }), reverseOrder: fc.option(fc.boolean(), { nil: undefined }) });
  const keys = fc.array(key, { minLength: 1, maxLength: 4 });
  const normKeys = (ks: readonly SortKey[]): SortKey[] =>
    ks.map((k) => (k.orderingRule === undefined ? { attributeType: k.attributeType, reverseOrder: k.reverseOrder ?? false } : { attributeType: k.attributeType, orderingRule: k.orderingRule, reverseOrder: k.reverseOrder ?? false }));
  const keysOracle = (n: Node): readonly SortKey[] =>
    seq(n).children.map((k) => {
      const [type, ...rest] = seq(k).children;
      const out: SortKey = { attributeType: str(type), reverseOrder: false };
      for (const c of rest) {
        if (isC(c, 0)) out.orderingRule = str(c, 'context', 0);
        else out.reverseOrder = bool(c, 'context', 1);
      }
      return out;
    });
  test('request round trip', () => roundTrip<readonly SortKey[]>(keys, (v) => sortRequest.encode(v), (b) => sortRequest.decode(b), keysOracle, normKeys));
  test('request malformed input', () => robust(keys, (v) => sortRequest.encode(v), (b) => sortRequest.decode(b)));
  test('reverseOrder FALSE is left out (DEFAULT)', () => {
    expect(sortRequest.encode([{ attributeType: 'cn', reverseOrder: false }])?.toString('hex')).toBe('300630040402636e');
    expect(sortRequest.encode([{ attributeType: 'cn', orderingRule: 'x', reverseOrder: true }])?.toString('hex')).toBe('300c300a0402636e8001788101ff');
  });
  test('ldapsearch-style keys', () => {
    expect(parseSortKey('-cn:caseIgnoreOrderingMatch')).toEqual({ attributeType: 'cn', orderingRule: 'caseIgnoreOrderingMatch', reverseOrder: true });
    expect(parseSortKey('sn')).toEqual({ attributeType: 'sn', reverseOrder: false });
    expect(() => parseSortKey('-')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
    expect(() => sortRequest.encode([])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
  });

  const result: fc.Arbitrary<SortResult> = fc.record({ sortResult: fc.constantFrom(0, 1, 3, 8, 11, 16, 18, 50, 51, 53, 80), attributeType: fc.option(attr, { nil: undefined }) });
  test('response round trip', () =>
    roundTrip(result, (v) => sortResponse.encode(v), (b) => sortResponse.decode(b), (n) => {
      const [code, type] = seq(n).children;
      const out: SortResult = { sortResult: enumerated(code) };
      if (type !== undefined) out.attributeType = str(type, 'context', 0);
      return out;
    }));
  test('response malformed input', () => robust(result, (v) => sortResponse.encode(v), (b) => sortResponse.decode(b)));
});

describe('VLV (draft-ietf-ldapext-ldapv3-vlv-09)', () => {
  const request: fc.Arbitrary<VlvRequest> = fc.record({
    beforeCount: maxInt,
    afterCount: maxInt,
    target: fc.oneof(fc.record({ byOffset: fc.record({ offset: maxInt, contentCount: maxInt }) }), fc.record({ greaterThanOrEqual: bytes })),
    contextID: fc.option(bytes, { nil: undefined }),
  });
  test('request round trip', () =>
    roundTrip(request, (v) => vlvRequest.encode(v), (b) => vlvRequest.decode(b), (n) => {
      const [before, after, target, ctx] = seq(n).children;
      const t = target!;
      const out: VlvRequest = {
        beforeCount: int(before),
        afterCount: int(after),
        target: isC(t, 0)
          ? { byOffset: { offset: int(is(t, 'context', 0, true).children[0]), contentCount: int(t.children[1]) } }
          : { greaterThanOrEqual: octets(t, 'context', 1) },
      };
      if (ctx !== undefined) out.contextID = octets(ctx);
      return out;
    }));
  test('request malformed input', () => robust(request, (v) => vlvRequest.encode(v), (b) => vlvRequest.decode(b)));

  const response: fc.Arbitrary<VlvResponse> = fc.record({ targetPosition: maxInt, contentCount: maxInt, virtualListViewResult: fc.constantFrom(0, 1, 3, 11, 50, 51, 53, 60, 61, 80), contextID: fc.option(bytes, { nil: undefined }) });
  test('response round trip', () =>
    roundTrip(response, (v) => vlvResponse.encode(v), (b) => vlvResponse.decode(b), (n) => {
      const [pos, count, result, ctx] = seq(n).children;
      const out: VlvResponse = { targetPosition: int(pos), contentCount: int(count), virtualListViewResult: enumerated(result) };
      if (ctx !== undefined) out.contextID = octets(ctx);
      return out;
    }));
  test('response malformed input', () => robust(response, (v) => vlvResponse.encode(v), (b) => vlvResponse.decode(b)));
  test('out-of-range counts are refused before encoding', () => {
    expect(() => vlvRequest.encode({ beforeCount: -1, afterCount: 0, target: { byOffset: { offset: 1, contentCount: 0 } } })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
    expect(() => vlvResponse.encode({ targetPosition: 2 ** 31, contentCount: 0, virtualListViewResult: 0 })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
  });
});

describe('proxied authorization v2 (RFC 4370)', () => {
  test('the value is the authzId itself, and the control is critical', () => {
    fc.assert(
      fc.property(text, (authzId) => {
        const c = createControl(proxiedAuthorization, authzId);
        expect(c.criticality).toBe(true);
        expect(c.value?.toString('utf8')).toBe(authzId);
        expect(proxiedAuthorization.decode(c.value)).toBe(authzId);
      }),
    );
    expect(() => proxiedAuthorization.decode(undefined)).toThrow(LdapProtocolError);
  });
});

describe('assertion (RFC 4528)', () => {
  const leaf: fc.Arbitrary<Filter> = fc.oneof(
    fc.record({ type: fc.constant('present' as const), attribute: attr }),
    fc.record({ type: fc.constantFrom('equality' as const, 'greaterOrEqual' as const, 'lessOrEqual' as const, 'approx' as const), attribute: attr, value: bytes }),
  );
  const filter: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ type: fc.constantFrom('and' as const, 'or' as const), filters: fc.array(tie('f'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ type: fc.constant('not' as const), filter: tie('f') }),
    ),
  })).f;
  const AVA: Record<number, 'equality' | 'greaterOrEqual' | 'lessOrEqual' | 'approx'> = { 3: 'equality', 5: 'greaterOrEqual', 6: 'lessOrEqual', 8: 'approx' };
  const oracle = (n: Node): Filter => {
    if (n.cls !== 'context') throw new Error('a Filter is context-tagged');
    if (n.num === 0 || n.num === 1) return { type: n.num === 0 ? 'and' : 'or', filters: is(n, 'context', n.num, true).children.map(oracle) };
    if (n.num === 2) return { type: 'not', filter: oracle(is(n, 'context', 2, true).children[0]!) };
    if (n.num === 7) return { type: 'present', attribute: str(n, 'context', 7) };
    const kind = AVA[n.num];
    if (kind === undefined) throw new Error(`filter [${n.num}]`);
    const [a, v] = is(n, 'context', n.num, true).children;
    return { type: kind, attribute: str(a), value: octets(v) };
  };
  test('round trip (the value is an RFC 4511 Filter)', () => roundTrip(filter, (v) => assertion.encode(v), (b) => assertion.decode(b), oracle));
  test('malformed input', () => robust(filter, (v) => assertion.encode(v), (b) => assertion.decode(b)));
  test('the control of a string filter carries the same bytes as filterToBer', () => {
    expect(createControl(assertion, { type: 'present', attribute: 'cn' }).value).toEqual(filterToBer('(cn=*)'));
  });
});

describe('pre-read and post-read (RFC 4527)', () => {
  const selection = fc.array(fc.oneof(attr, fc.constantFrom('*', '+', '1.1')), { maxLength: 5 });
  const selOracle = (n: Node): string[] => seq(n).children.map((c) => str(c));
  const entry = fc
    .record({ dn: text, attributes: fc.array(fc.record({ type: attr, values: fc.array(bytes, { maxLength: 3 }) }), { maxLength: 4 }) })
    .map(({ dn, attributes }) => new SearchEntry(dn, attributes));
  const entryOracle = (n: Node): SearchEntry => {
    const [dn, list] = is(n, 'application', 4, true).children;
    return new SearchEntry(
      str(dn),
      seq(list).children.map((a) => {
        const [type, vals] = seq(a).children;
        return { type: str(type), values: is(vals, 'universal', 17, true).children.map((v) => octets(v)) };
      }),
    );
  };
  for (const codec of [preRead, postRead]) {
    test(`${codec.name} request round trip`, () => roundTrip<readonly string[]>(selection, (v) => codec.encode(v), reqDecode(codec), selOracle));
    test(`${codec.name} response round trip`, () => roundTrip(entry, resEncode(codec), (b) => codec.decode(b), entryOracle));
    test(`${codec.name} malformed input`, () => robust(entry, resEncode(codec), (b) => codec.decode(b)));
  }
});

describe('controls without a value', () => {
  test.each([manageDsaIT, subtreeDelete, relaxRules, dontUseCopy])('$name has no value and refuses one', (codec) => {
    expect(codec.encode(undefined)).toBeUndefined();
    expect(codec.decode(undefined)).toBeUndefined();
    expect(() => codec.decode(Buffer.from([0x30, 0x00]))).toThrow(LdapProtocolError);
    const c = createControl(codec, undefined);
    expect(c).toEqual({ type: codec.oid, criticality: codec === dontUseCopy });
  });
});

describe('password policy (draft-behera-ldap-password-policy-10)', () => {
  const errorName = fc.constantFrom(...(Object.keys(PasswordPolicyError) as (keyof typeof PasswordPolicyError)[]));
  const response: fc.Arbitrary<PasswordPolicyResponse> = fc
    .tuple(fc.oneof(fc.constant({}), fc.record({ timeBeforeExpiration: maxInt }), fc.record({ graceAuthNsRemaining: maxInt })), fc.option(errorName, { nil: undefined }))
    .map(([warning, error]) => (error === undefined ? warning : { ...warning, error, errorCode: PasswordPolicyError[error] }));
  const oracle = (n: Node): PasswordPolicyResponse => {
    const out: PasswordPolicyResponse = {};
    for (const c of seq(n).children) {
      if (isC(c, 0)) {
        const w = is(c, 'context', 0, true).children;
        expect(w).toHaveLength(1);
        if (isC(w[0], 0)) out.timeBeforeExpiration = int(w[0], 'context', 0);
        else out.graceAuthNsRemaining = int(w[0], 'context', 1);
      } else {
        const code = int(c, 'context', 1);
        out.errorCode = code;
        out.error = (Object.keys(PasswordPolicyError) as (keyof typeof PasswordPolicyError)[]).find((k) => PasswordPolicyError[k] === code);
      }
    }
    return out;
  };
  test('response round trip', () => roundTrip(response, resEncode(passwordPolicy), (b) => passwordPolicy.decode(b), oracle));
  test('response malformed input', () => robust(response, resEncode(passwordPolicy), (b) => passwordPolicy.decode(b)));
  test('an error code outside the enumeration keeps its number', () => {
    const v = createResponseControl(passwordPolicy, { errorCode: 42 }).value;
    expect(passwordPolicy.decode(v)).toEqual({ errorCode: 42 });
  });
  test('the request has no value', () => {
    expect(createControl(passwordPolicy, undefined)).toEqual({ type: passwordPolicy.oid, criticality: false });
    expect(() => getRequestControl([{ type: passwordPolicy.oid, criticality: false, value: Buffer.from([0x30, 0]) }], passwordPolicy)).toThrow(LdapProtocolError);
  });
  test.each([passwordExpired, passwordExpiring])('$name: decimal seconds', (codec) => {
    fc.assert(fc.property(maxInt, (s) => expect(codec.decode(codec.encode(s))).toBe(s)));
    expect(() => codec.decode(Buffer.from('12x'))).toThrow(LdapProtocolError);
  });
});

describe('persistent search (draft-ietf-ldapext-psearch-03)', () => {
  const request = fc.record({ changeTypes: fc.integer({ min: 1, max: 15 }), changesOnly: fc.boolean(), returnECs: fc.boolean() });
  test('request round trip', () =>
    roundTrip(request, (v) => persistentSearch.encode(v), (b) => persistentSearch.decode(b), (n) => {
      const [t, c, r] = seq(n).children;
      return { changeTypes: int(t), changesOnly: bool(c), returnECs: bool(r) };
    }));
  const names = Object.keys(PersistentSearchChange) as PersistentSearchChangeName[];
  const ecn: fc.Arbitrary<EntryChangeNotification> = fc.record({ changeType: fc.constantFrom(...names), previousDN: fc.option(text, { nil: undefined }), changeNumber: fc.option(maxInt, { nil: undefined }) });
  test('entry change notification round trip', () =>
    roundTrip(ecn, (v) => entryChangeNotification.encode(v), (b) => entryChangeNotification.decode(b), (n) => {
      const [t, ...rest] = seq(n).children;
      const code = enumerated(t);
      const out: EntryChangeNotification = { changeType: names.find((k) => PersistentSearchChange[k] === code)! };
      for (const c of rest) {
        if (isU(c, 4)) out.previousDN = str(c);
        else out.changeNumber = int(c);
      }
      return out;
    }));
  test('malformed input', () => {
    robust(request, (v) => persistentSearch.encode(v), (b) => persistentSearch.decode(b));
    robust(ecn, (v) => entryChangeNotification.encode(v), (b) => entryChangeNotification.decode(b));
  });
});

describe('content synchronization (RFC 4533)', () => {
  const modes = Object.keys(SyncMode) as SyncModeName[];
  const states = Object.keys(SyncState) as SyncStateName[];
  const request: fc.Arbitrary<SyncRequest> = fc.record({ mode: fc.constantFrom(...modes), cookie, reloadHint: fc.option(fc.boolean(), { nil: undefined }) });
  test('sync request round trip', () =>
    roundTrip(
      request,
      (v) => syncRequest.encode(v),
      (b) => syncRequest.decode(b),
      (n) => {
        const [m, ...rest] = seq(n).children;
        const code = enumerated(m);
        const out: SyncRequest = { mode: modes.find((k) => SyncMode[k] === code)!, reloadHint: false };
        for (const c of rest) {
          if (isU(c, 4)) out.cookie = octets(c);
          else out.reloadHint = bool(c);
        }
        return out;
      },
      (v) => ({ ...v, reloadHint: v.reloadHint ?? false }),
    ));
  const state: fc.Arbitrary<SyncStateValue> = fc.record({ state: fc.constantFrom(...states), entryUUID: uuid, cookie });
  test('sync state round trip', () =>
    roundTrip(state, (v) => syncState.encode(v), (b) => syncState.decode(b), (n) => {
      const [s, u, c] = seq(n).children;
      const code = enumerated(s);
      const out: SyncStateValue = { state: states.find((k) => SyncState[k] === code)!, entryUUID: octets(u) };
      if (c !== undefined) out.cookie = octets(c);
      return out;
    }));
  const done: fc.Arbitrary<SyncDoneValue> = fc.record({ cookie, refreshDeletes: fc.option(fc.boolean(), { nil: undefined }) });
  test('sync done round trip', () =>
    roundTrip(
      done,
      (v) => syncDone.encode(v),
      (b) => syncDone.decode(b),
      (n) => {
        const out: SyncDoneValue = { refreshDeletes: false };
        for (const c of seq(n).children) {
          if (isU(c, 4)) out.cookie = octets(c);
          else out.refreshDeletes = bool(c);
        }
        return out;
      },
      (v) => ({ ...v, refreshDeletes: v.refreshDeletes ?? false }),
    ));
  const info: fc.Arbitrary<SyncInfoValue> = fc.oneof(
    fc.record({ type: fc.constant('newcookie' as const), cookie: bytes }),
    fc.record({ type: fc.constantFrom('refreshDelete' as const, 'refreshPresent' as const), cookie, refreshDone: fc.boolean() }),
    fc.record({ type: fc.constant('syncIdSet' as const), cookie, refreshDeletes: fc.boolean(), syncUUIDs: fc.array(uuid, { maxLength: 5 }) }),
  );
  const infoOracle = (n: Node): SyncInfoValue => {
    if (isC(n, 0)) return { type: 'newcookie', cookie: octets(n, 'context', 0) };
    if (isC(n, 1) || isC(n, 2)) {
      let c: Buffer | undefined;
      let refreshDone = true;
      for (const x of is(n, 'context', n.num, true).children) {
        if (isU(x, 4)) c = octets(x);
        else refreshDone = bool(x);
      }
      return { type: n.num === 1 ? 'refreshDelete' : 'refreshPresent', cookie: c, refreshDone };
    }
    let c: Buffer | undefined;
    let refreshDeletes = false;
    let syncUUIDs: Buffer[] = [];
    for (const x of is(n, 'context', 3, true).children) {
      if (isU(x, 4)) c = octets(x);
      else if (isU(x, 1)) refreshDeletes = bool(x);
      else syncUUIDs = is(x, 'universal', 17, true).children.map((u) => octets(u));
    }
    return { type: 'syncIdSet', cookie: c, refreshDeletes, syncUUIDs };
  };
  test('sync info round trip', () => roundTrip(info, (v) => syncInfo.encode(v), (b) => syncInfo.decode(b), infoOracle));
  test('DEFAULTs are left out: refreshDone TRUE, refreshDeletes FALSE', () => {
    expect(syncInfo.encode({ type: 'refreshPresent', refreshDone: true }).toString('hex')).toBe('a200');
    expect(syncInfo.encode({ type: 'refreshDelete', refreshDone: false }).toString('hex')).toBe('a103010100');
    expect(syncInfo.encode({ type: 'syncIdSet', refreshDeletes: false, syncUUIDs: [] }).toString('hex')).toBe('a3023100');
  });
  test('malformed input', () => {
    robust(request, (v) => syncRequest.encode(v), (b) => syncRequest.decode(b));
    robust(state, (v) => syncState.encode(v), (b) => syncState.decode(b));
    robust(done, (v) => syncDone.encode(v), (b) => syncDone.decode(b));
    robust(info, (v) => syncInfo.encode(v), (b) => syncInfo.decode(b));
  });
  test('a syncUUID is 16 bytes; UUIDs format and parse', () => {
    expect(() => syncState.encode({ state: 'add', entryUUID: Buffer.alloc(15) })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
    const bad = Buffer.from('30080a0101040300000004', 'hex').subarray(0, 10);
    expect(() => syncState.decode(bad)).toThrow(LdapProtocolError);
    fc.assert(fc.property(uuid, (u) => expect(parseUuid(formatUuid(u))).toEqual(u)));
    expect(formatUuid(Buffer.from('00112233445566778899aabbccddeeff', 'hex'))).toBe('00112233-4455-6677-8899-aabbccddeeff');
  });
});

describe('the registry', () => {
  test('every built-in codec is in the default registry and decodes its own response encoding', () => {
    const oids = new Set(BUILTIN_CONTROLS.map((c) => c.oid));
    expect(oids.size).toBe(BUILTIN_CONTROLS.length);
    const decoded = decodeControls([
      createResponseControl(sortResponse, { sortResult: 0 }),
      createResponseControl(syncDone, { cookie: Buffer.from('c') }),
      { type: '1.2.3.4', criticality: true },
    ]);
    expect(decoded.map((d) => [d.type, d.known])).toEqual([
      [sortResponse.oid, true],
      [syncDone.oid, true],
      ['1.2.3.4', false],
    ]);
  });

  test('a malformed known control throws DECODE_ERROR, or stays raw with malformed: raw', () => {
    const bad = { type: sortResponse.oid, criticality: false, value: Buffer.from([0x30, 0x03, 0x0a]) };
    expect(() => decodeControls([bad])).toThrow(LdapProtocolError);
    const [kept] = decodeControls([bad], { malformed: 'raw' });
    expect(kept).toMatchObject({ known: false, type: sortResponse.oid, value: bad.value });
    expect(kept?.known === false && kept.error instanceof LdapProtocolError).toBe(true);
  });

  test('requests decode in the request direction; LdapResultError-shaped controls are accepted', () => {
    const c = createControl(preRead, ['cn', 'sn']);
    expect(decodeControls([c], { direction: 'request' })[0]).toMatchObject({ known: true, value: ['cn', 'sn'] });
    expect(decodeControls([{ oid: sortResponse.oid, critical: false, value: sortResponse.encode({ sortResult: 16, attributeType: 'x' }) }])[0]).toMatchObject({
      value: { sortResult: 16, attributeType: 'x' },
    });
  });

  test('a private registry: register, clone, unregister; a bad OID is refused', () => {
    const r = new ControlRegistry();
    const codec = r.register<number>('1.3.6.1.4.1.99999.9', { encode: (n) => Buffer.from([n]), decode: (v) => v?.[0] ?? -1 });
    expect(r.decode(createControl(codec, 7))).toMatchObject({ known: true, value: 7, name: '1.3.6.1.4.1.99999.9' });
    const copy = r.clone();
    r.unregister(codec.oid);
    expect(r.has(codec.oid)).toBe(false);
    expect(copy.has(codec.oid)).toBe(true);
    expect(decodeControls([createControl(codec, 1)], { registry: r })[0]?.known).toBe(false);
    expect(() => r.register('not-an-oid', { encode: () => undefined, decode: () => 0 })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
  });
});
