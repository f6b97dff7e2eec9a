/**
 * Property tests: every request and response the codecs can express
 * encodes, decodes back to the same value, and encodes again to the same
 * bytes; asn1js (an independent BER parser) reads every encoding as one
 * whole element; several messages appended to one writer decode one by
 * one; and the paged results value round-trips.
 */
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { BerWriter, berElementSize } from '@lber/ber';
import {
  PAGED_RESULTS_OID,
  createMessageReader,
  decodePagedResultsValue,
  decodeRequest,
  decodeResponse,
  encodePagedResultsValue,
  encodeRequest,
  encodeResponse,
  findPagedResults,
  pagedResultsControl,
  type AttributeInput,
  type Control,
  type LdapRequest,
  type LdapResponseInput,
} from '@lber/ldap';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const shortText = fc.string({ unit: 'grapheme', maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const maxInt = fc.integer({ min: 0, max: 0x7fff_ffff });
const oid = fc.array(fc.integer({ min: 0, max: 99999 }), { minLength: 2, maxLength: 8 }).map((arcs) => arcs.join('.'));
const value = fc.oneof(text, bytes);
const attribute: fc.Arbitrary<AttributeInput> = fc.record({ type: shortText, values: fc.array(value, { maxLength: 5 }) });

const control: fc.Arbitrary<Control> = fc.oneof(
  fc.record({ type: oid, criticality: fc.boolean() }),
  fc.record({ type: oid, criticality: fc.boolean(), value: bytes }),
);
const controls = fc.option(fc.array(control, { maxLength: 3 }), { nil: undefined });

/** A Filter element of some kind: present, equalityMatch or an and of those, as bytes. */
const filter = fc.oneof(
  shortText.map((attr) => {
    const w = new BerWriter();
    w.writeString(attr, 0x87);
    return w.toBuffer();
  }),
  fc.array(fc.tuple(shortText, value), { maxLength: 3 }).map((avas) => {
    const w = new BerWriter();
    w.startSequence(0xa0);
    for (const [attr, v] of avas) {
      w.startSequence(0xa3);
      w.writeString(attr);
      if (typeof v === 'string') w.writeString(v);
      else w.writeOctetString(v);
      w.endSequence();
    }
    w.endSequence();
    return w.toBuffer();
  }),
);

const request: fc.Arbitrary<LdapRequest> = fc.oneof(
  fc.record({
    type: fc.constant('bindRequest' as const),
    version: fc.option(fc.integer({ min: 1, max: 127 }), { nil: undefined }),
    name: text,
    authentication: fc.oneof(
      fc.record({ type: fc.constant('simple' as const), password: value }),
      fc.record({ type: fc.constant('sasl' as const), mechanism: shortText }),
      fc.record({ type: fc.constant('sasl' as const), mechanism: shortText, credentials: bytes }),
    ),
  }),
  fc.constant({ type: 'unbindRequest' as const }),
  fc.record(
    {
      type: fc.constant('searchRequest' as const),
      baseObject: text,
      scope: fc.integer({ min: 0, max: 3 }),
      derefAliases: fc.integer({ min: 0, max: 3 }),
      sizeLimit: maxInt,
      timeLimit: maxInt,
      typesOnly: fc.boolean(),
      filter,
      attributes: fc.array(shortText, { maxLength: 6 }),
    },
    { requiredKeys: ['type', 'baseObject', 'scope', 'filter'] },
  ),
  fc.record({
    type: fc.constant('modifyRequest' as const),
    object: text,
    changes: fc.array(fc.record({ operation: fc.integer({ min: 0, max: 3 }), modification: attribute }), { maxLength: 4 }),
  }),
  fc.record({ type: fc.constant('addRequest' as const), entry: text, attributes: fc.array(attribute, { maxLength: 5 }) }),
  fc.record({ type: fc.constant('delRequest' as const), entry: text }),
  fc.record(
    { type: fc.constant('modDNRequest' as const), entry: text, newrdn: shortText, deleteoldrdn: fc.boolean(), newSuperior: text },
    { requiredKeys: ['type', 'entry', 'newrdn', 'deleteoldrdn'] },
  ),
  fc.record({ type: fc.constant('compareRequest' as const), entry: text, ava: fc.record({ attributeDesc: shortText, assertionValue: value }) }),
  fc.record({ type: fc.constant('abandonRequest' as const), idToAbandon: maxInt }),
  fc.record({ type: fc.constant('extendedReq' as const), requestName: oid, requestValue: bytes }, { requiredKeys: ['type', 'requestName'] }),
);

const resultFields = {
  resultCode: fc.integer({ min: 0, max: 200 }),
  matchedDN: text,
  diagnosticMessage: text,
  referral: fc.array(text, { minLength: 1, maxLength: 3 }),
};
const resultKeys = ['type', 'resultCode', 'matchedDN', 'diagnosticMessage'] as const;

function resultOp<T extends string>(type: T): fc.Arbitrary<LdapResponseInput> {
  return fc.record({ type: fc.constant(type), ...resultFields }, { requiredKeys: [...resultKeys] }) as unknown as fc.Arbitrary<LdapResponseInput>;
}

const response: fc.Arbitrary<LdapResponseInput> = fc.oneof(
  fc.record({ type: fc.constant('bindResponse' as const), ...resultFields, serverSaslCreds: bytes }, { requiredKeys: [...resultKeys] }),
  fc.record({ type: fc.constant('searchResEntry' as const), objectName: text, attributes: fc.array(attribute, { maxLength: 6 }) }),
  fc.record({ type: fc.constant('searchResRef' as const), uris: fc.array(text, { minLength: 1, maxLength: 3 }) }),
  resultOp('searchResDone'),
  resultOp('modifyResponse'),
  resultOp('addResponse'),
  resultOp('delResponse'),
  resultOp('modDNResponse'),
  resultOp('compareResponse'),
  fc.record({ type: fc.constant('extendedResp' as const), ...resultFields, responseName: oid, responseValue: bytes }, { requiredKeys: [...resultKeys] }),
  fc.record({ type: fc.constant('intermediateResponse' as const), responseName: oid, responseValue: bytes }, { requiredKeys: ['type'] }),
);

const asBuffer = (v: string | Uint8Array): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v));
const normalizeAttribute = (a: AttributeInput): { type: string; values: Buffer[] } => ({ type: a.type, values: a.values.map(asBuffer) });

/** What decoding the encoding of `op` gives: defaults filled in, values as Buffers. */
function expectedRequest(op: LdapRequest): unknown {
  switch (op.type) {
    case 'bindRequest': {
      const auth = op.authentication;
      return {
        ...op,
        version: op.version ?? 3,
        authentication: auth.type === 'simple' ? { type: 'simple', password: asBuffer(auth.password) } : auth.credentials === undefined ? auth : { ...auth, credentials: asBuffer(auth.credentials) },
      };
    }
    case 'searchRequest':
      return {
        ...op,
        derefAliases: op.derefAliases ?? 0,
        sizeLimit: op.sizeLimit ?? 0,
        timeLimit: op.timeLimit ?? 0,
        typesOnly: op.typesOnly ?? false,
        filter: typeof op.filter === 'function' ? undefined : asBuffer(op.filter),
        attributes: op.attributes ?? [],
      };
    case 'modifyRequest':
      return { ...op, changes: op.changes.map((c) => ({ operation: c.operation, modification: normalizeAttribute(c.modification) })) };
    case 'addRequest':
      return { ...op, attributes: op.attributes.map(normalizeAttribute) };
    case 'compareRequest':
      return { ...op, ava: { attributeDesc: op.ava.attributeDesc, assertionValue: asBuffer(op.ava.assertionValue) } };
    case 'extendedReq':
      return op.requestValue === undefined ? op : { ...op, requestValue: asBuffer(op.requestValue) };
    default:
      return op;
  }
}

function expectedResponse(op: LdapResponseInput): unknown {
  if (op.type === 'searchResEntry') return { ...op, attributes: op.attributes.map(normalizeAttribute) };
  return op;
}

function wholeForAsn1js(encoded: Buffer): void {
  const parsed = asn1js.fromBER(new Uint8Array(encoded));
  expect(parsed.offset).toBe(encoded.length);
  expect(parsed.result.error).toBe('');
}

describe('round trips', () => {
  test('requests', () => {
    const reader = createMessageReader();
    fc.assert(
      fc.property(maxInt, request, controls, (messageID, op, ctrls) => {
        const w = new BerWriter({ initialSize: 16 });
        encodeRequest(w, messageID, op, ctrls);
        const encoded = w.toBuffer();
        const decoded = decodeRequest(encoded, reader);
        expect(decoded.messageID).toBe(messageID);
        expect(decoded.protocolOp).toEqual(expectedRequest(op));
        expect(decoded.controls).toEqual(ctrls ?? []);
        const again = new BerWriter();
        encodeRequest(again, decoded.messageID, decoded.protocolOp, decoded.controls);
        expect(again.view().equals(encoded)).toBe(true);
        wholeForAsn1js(encoded);
      }),
      { numRuns: 400 },
    );
  });

  test('responses', () => {
    const reader = createMessageReader();
    fc.assert(
      fc.property(maxInt, response, controls, (messageID, op, ctrls) => {
        const w = new BerWriter({ initialSize: 16 });
        encodeResponse(w, messageID, op, ctrls);
        const encoded = w.toBuffer();
        const decoded = decodeResponse(encoded, reader);
        expect(decoded.messageID).toBe(messageID);
        expect(decoded.protocolOp).toEqual(expectedResponse(op));
        expect(decoded.controls).toEqual(ctrls ?? []);
        const again = new BerWriter();
        encodeResponse(again, decoded.messageID, decoded.protocolOp, decoded.controls);
        expect(again.view().equals(encoded)).toBe(true);
        wholeForAsn1js(encoded);
      }),
      { numRuns: 400 },
    );
  });

  test('the fixed4 writer (liblber BER mode) produces messages that decode the same', () => {
    fc.assert(
      fc.property(maxInt, response, controls, (messageID, op, ctrls) => {
        const der = new BerWriter();
        const ber = new BerWriter({ lengthForm: 'fixed4' });
        encodeResponse(der, messageID, op, ctrls);
        encodeResponse(ber, messageID, op, ctrls);
        const a = decodeResponse(der.toBuffer());
        const b = decodeResponse(ber.toBuffer());
        expect(b).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });

  test('messages appended to one writer frame and decode one by one', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(maxInt, response, controls), { minLength: 1, maxLength: 8 }), (messages) => {
        const w = new BerWriter({ initialSize: 16 });
        for (const [id, op, ctrls] of messages) encodeResponse(w, id, op, ctrls);
        const stream = w.toBuffer();
        const reader = createMessageReader();
        let at = 0;
        for (const [id, op] of messages) {
          const size = berElementSize(stream, at);
          expect(size).toBeGreaterThan(0);
          const m = decodeResponse(stream.subarray(at, at + size), reader);
          expect(m.messageID).toBe(id);
          expect(m.protocolOp).toEqual(expectedResponse(op));
          at += size;
        }
        expect(at).toBe(stream.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('paged results (RFC 2696)', () => {
  /*
   * 30 05
   *    02 01 02          size 2
   *    04 00             cookie ""
   */
  test('the value libldap sends for pr=2 (captured)', () => {
    expect(encodePagedResultsValue(2).toString('hex')).toBe('3005020102' + '0400');
    expect(pagedResultsControl(2, Buffer.from('0500000000000000', 'hex'), true)).toEqual({
      type: PAGED_RESULTS_OID,
      criticality: true,
      value: Buffer.from('300d020102040805' + '00000000000000', 'hex'),
    });
  });

  test('round trip', () => {
    fc.assert(
      fc.property(maxInt, bytes, (size, cookie) => {
        const decoded = decodePagedResultsValue(encodePagedResultsValue(size, cookie));
        expect(decoded.size).toBe(size);
        expect(decoded.cookie.equals(cookie)).toBe(true);
        expect(findPagedResults([{ type: '1.2.3', criticality: false }, pagedResultsControl(size, cookie)])).toEqual(decoded);
      }),
    );
    expect(findPagedResults([])).toBeUndefined();
  });

  test('bad values', () => {
    expect(() => encodePagedResultsValue(-1)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
    for (const hex of ['', '3003020102', '30050201020400ff', '3005040102 0400', '300302010204', '3000']) {
      expect(() => decodePagedResultsValue(Buffer.from(hex.replace(/\s/g, ''), 'hex'))).toThrow(expect.objectContaining({ code: 'DECODE_ERROR' }) as Error);
    }
    expect(() => findPagedResults([{ type: PAGED_RESULTS_OID, criticality: false }])).toThrow(expect.objectContaining({ code: 'DECODE_ERROR' }) as Error);
  });
});
