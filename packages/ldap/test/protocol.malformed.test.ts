/**
 * Malformed PDUs: every failure is an LdapProtocolError with code
 * DECODE_ERROR and an offset inside the PDU, never another exception and
 * never a hang. Truncation at every offset of every captured PDU, wrong
 * tags, bad lengths, out-of-range values, trailing bytes, and random
 * mutations.
 */
import fc from 'fast-check';
import { BerError } from '@lber/ber';
import { LdapConnectionError, LdapError, LdapProtocolError, createMessageReader, decodeRequest, decodeResponse } from '@lber/ldap';
import { CAPTURED_SESSIONS } from './protocol.fixtures.js';

const responses = CAPTURED_SESSIONS.flatMap((s) => s.pdus.filter((p) => p.dir === 's').map((p) => Buffer.from(p.hex, 'hex')));
const requests = CAPTURED_SESSIONS.flatMap((s) => s.pdus.filter((p) => p.dir === 'c').map((p) => Buffer.from(p.hex, 'hex')));

function pdu(hex: string): Buffer {
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

/** Runs `decode` and returns the LdapProtocolError it must throw. */
function decodeFailure(decode: () => unknown, length: number): LdapProtocolError {
  let caught: unknown;
  try {
    decode();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LdapProtocolError);
  const error = caught as LdapProtocolError;
  expect(error).toBeInstanceOf(LdapConnectionError);
  expect(error).toBeInstanceOf(LdapError);
  expect(error.code).toBe('DECODE_ERROR');
  expect(error.offset).toBeGreaterThanOrEqual(0);
  expect(error.offset).toBeLessThanOrEqual(length);
  return error;
}

function responseFailure(hex: string): LdapProtocolError {
  const bytes = pdu(hex);
  return decodeFailure(() => decodeResponse(bytes), bytes.length);
}

test('every captured PDU, truncated at every offset, fails with DECODE_ERROR', () => {
  const reader = createMessageReader();
  let cases = 0;
  for (const whole of responses) {
    for (let end = 0; end < whole.length; end++) {
      const cut = whole.subarray(0, end);
      decodeFailure(() => decodeResponse(cut, reader), end);
      cases++;
    }
  }
  for (const whole of requests) {
    for (let end = 0; end < whole.length; end++) {
      const cut = whole.subarray(0, end);
      decodeFailure(() => decodeRequest(cut, reader), end);
      cases++;
    }
  }
  expect(cases).toBeGreaterThan(5000);
});

describe('wrong tags', () => {
  test('the envelope is not a SEQUENCE', () => {
    expect(responseFailure('310c02010161070a010004000400').offset).toBe(0);
  });

  test('messageID is not an INTEGER', () => {
    expect(responseFailure('300c04010161070a010004000400').offset).toBe(2);
  });

  test('a request tag where a response is expected, and the reverse', () => {
    const error = responseFailure('300c020101600702010304008000');
    expect(error.message).toMatch(/not a response/);
    expect(error.offset).toBe(5);
    const bytes = pdu('300c02010161070a010004000400');
    expect(decodeFailure(() => decodeRequest(bytes), bytes.length).message).toMatch(/not a request/);
  });

  test('an unknown protocolOp, and none at all', () => {
    expect(responseFailure('30050201017f00').message).toMatch(/0x7f/);
    expect(responseFailure('3003020101').message).toMatch(/no protocolOp/);
  });

  test('resultCode as INTEGER, matchedDN as INTEGER', () => {
    expect(responseFailure('300c020101610702010004000400').message).toMatch(/expected ENUMERATED/);
    expect(responseFailure('300c02010161070a010002000400').message).toMatch(/expected OCTET STRING/);
  });

  test('a SearchResultEntry value that is not an OCTET STRING, and a primitive where a SEQUENCE is', () => {
    // 30 14  02 01 02  64 0f  04 01 "x"  30 0a  30 08  04 01 "a"  31 03  05 01 00
    expect(responseFailure('3014020102640f040178300a3008040161310305 0100').message).toMatch(/expected OCTET STRING tag 0x4, found 0x5/);
    // attributes as a primitive 10 instead of 30
    expect(responseFailure('300a020102640504017810 00').message).toMatch(/found 0x10/);
  });

  test('a control that is not a SEQUENCE, criticality with two octets', () => {
    expect(responseFailure('3013 020105 6507 0a0100 0400 0400 a005 0403312e32').message).toMatch(/found 0x4/);
    expect(responseFailure('3019 020105 6507 0a0100 0400 0400 a00b 3009 0403312e32 0102ffff').message).toMatch(/BOOLEAN with 2 content octets/);
  });
});

describe('bad lengths and values', () => {
  test('indefinite length', () => {
    expect(responseFailure('308002010161070a0100040004000000').message).toMatch(/indefinite/);
  });

  test('an inner length past the end of its element', () => {
    expect(responseFailure('300c02010161080a010004000400').message).toMatch(/overruns|ends inside/);
  });

  test('an outer length past the end of the PDU', () => {
    responseFailure('300d02010161070a010004000400');
  });

  test('nine length octets', () => {
    expect(responseFailure('3089000000000000000c02010161070a010004000400').message).toMatch(/9 length octets/);
  });

  test('an INTEGER with no content octets, a negative messageID, a messageID above maxInt', () => {
    expect(responseFailure('300b020061070a010004000400').message).toMatch(/no content octets/);
    expect(responseFailure('300c0201ff61070a010004000400').message).toMatch(/MessageID -1/);
    expect(responseFailure('30100205008000000061070a010004000400').message).toMatch(/MessageID 2147483648/);
  });

  test('bytes after the LDAPMessage', () => {
    const error = responseFailure('300c02010161070a010004000400 00');
    expect(error.message).toMatch(/1 bytes after/);
    expect(error.offset).toBe(14);
  });

  test('the BER error is the cause', () => {
    const error = responseFailure('300c02010161080a010004000400');
    expect(error.cause).toBeInstanceOf(BerError);
  });
});

describe('random input', () => {
  test('arbitrary bytes decode or fail with DECODE_ERROR', () => {
    const reader = createMessageReader();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        for (const decode of [decodeResponse, decodeRequest]) {
          try {
            decode(data, reader);
          } catch (error) {
            expect(error).toBeInstanceOf(LdapProtocolError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('captured PDUs with bytes changed decode or fail with DECODE_ERROR', () => {
    const reader = createMessageReader();
    const all = [...responses, ...requests];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: all.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (which, changes) => {
          const data = Buffer.from(all[which]!);
          for (const [at, octet] of changes) data[at % data.length] = octet;
          for (const decode of [decodeResponse, decodeRequest]) {
            try {
              decode(data, reader);
            } catch (error) {
              expect(error).toBeInstanceOf(LdapProtocolError);
              expect((error as LdapProtocolError).offset).toBeLessThanOrEqual(data.length);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
