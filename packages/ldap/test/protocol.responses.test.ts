/**
 * Decoding responses: the PDUs slapd sent in the captured sessions
 * (protocol.fixtures.ts), each checked field by field; the shapes slapd
 * did not send there (serverSaslCreds, IntermediateResponse, the Notice of
 * Disconnection, unknown extensions) built by hand; and every captured PDU,
 * requests and responses, decoded and encoded again to the same bytes.
 */
import { BerWriter } from '@lber/ber';
import {
  NO_CONTROLS,
  NOTICE_OF_DISCONNECTION_OID,
  PAGED_RESULTS_OID,
  attributeStrings,
  createMessageReader,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  findAttribute,
  findPagedResults,
  isFinalResponse,
  valueToString,
  valuesToStrings,
  type LdapMessage,
  type LdapResponse,
} from '@lber/ldap';
import { CAPTURED_SESSIONS } from './protocol.fixtures.js';

/** A TLV as hex: tag and length computed (short or long form) around the contents' hex. */
function tlv(tag: number, ...contents: string[]): string {
  const body = contents.join('').replace(/\s+/g, '');
  const len = body.length / 2;
  const length = len < 0x80 ? len.toString(16).padStart(2, '0') : len < 0x100 ? `81${len.toString(16).padStart(2, '0')}` : `82${len.toString(16).padStart(4, '0')}`;
  return tag.toString(16).padStart(2, '0') + length + body;
}

function str(tag: number, text: string): string {
  return tlv(tag, Buffer.from(text).toString('hex'));
}

function pdu(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

function captured(cmdStart: string, index: number): Buffer {
  const session = CAPTURED_SESSIONS.find((s) => s.cmd.startsWith(cmdStart));
  const pdu = session?.pdus[index];
  if (pdu === undefined) throw new Error(`no captured PDU ${index} for ${cmdStart}`);
  return Buffer.from(pdu.hex, 'hex');
}

function op<T extends LdapResponse['type']>(message: LdapMessage<LdapResponse>, type: T): Extract<LdapResponse, { type: T }> {
  expect(message.protocolOp.type).toBe(type);
  return message.protocolOp as Extract<LdapResponse, { type: T }>;
}

const SEARCH_ALICE = 'ldapsearch -x -H H -D cn=admin,dc=example,dc=com -w secret -b dc=example,dc=com -s sub (uid=alice)';
const PAGED = 'ldapsearch -x -H H -D cn=admin,dc=example,dc=com -w secret -b ou=people,dc=example,dc=com -E pr=2';

describe('captured slapd responses', () => {
  /*
   * 30 0c
   *    02 01 01
   *    61 07               [APPLICATION 1] BindResponse
   *       0a 01 00         success
   *       04 00            matchedDN ""
   *       04 00            diagnosticMessage ""
   */
  test('BindResponse success', () => {
    const m = decodeResponse(captured(SEARCH_ALICE, 1));
    expect(m.messageID).toBe(1);
    expect(m.controls).toBe(NO_CONTROLS);
    const bind = op(m, 'bindResponse');
    expect(bind).toEqual({ type: 'bindResponse', resultCode: 0, matchedDN: '', diagnosticMessage: '', referral: undefined, serverSaslCreds: undefined });
    expect(isFinalResponse(bind)).toBe(true);
  });

  test('BindResponse invalidCredentials (49)', () => {
    const bind = op(decodeResponse(captured('ldapsearch -x -H H -D cn=admin,dc=example,dc=com -w wrong', 1)), 'bindResponse');
    expect(bind.resultCode).toBe(49);
  });

  /*
   * 30 61
   *    02 01 02
   *    64 5c                                   [APPLICATION 4] SearchResultEntry
   *       04 25 "uid=alice,ou=people,dc=example,dc=com"
   *       30 33
   *          30 14
   *             04 02 "cn"
   *             31 0e
   *                04 0c "Alice Archer"
   *          30 1b
   *             04 04 "mail"
   *             31 13
   *                04 11 "alice@example.com"
   */
  test('SearchResultEntry: values are views into the PDU', () => {
    const pdu = captured(SEARCH_ALICE, 3);
    const m = decodeResponse(pdu);
    expect(m.messageID).toBe(2);
    const entry = op(m, 'searchResEntry');
    expect(isFinalResponse(entry)).toBe(false);
    expect(entry.objectName).toBe('uid=alice,ou=people,dc=example,dc=com');
    expect(entry.attributes.map((a) => a.type)).toEqual(['cn', 'mail']);
    expect(attributeStrings(entry.attributes, 'CN')).toEqual(['Alice Archer']);
    expect(attributeStrings(entry.attributes, 'mail')).toEqual(['alice@example.com']);
    expect(attributeStrings(entry.attributes, 'sn')).toEqual([]);
    const cn = findAttribute(entry.attributes, 'cn')!.values[0]!;
    expect(cn.buffer).toBe(pdu.buffer);
    expect(cn.byteOffset - pdu.byteOffset).toBe(pdu.indexOf('Alice Archer'));
  });

  test('SearchResultEntry with typesOnly: empty value sets', () => {
    const entry = op(decodeResponse(captured('ldapsearch -x -H H -b ou=people,dc=example,dc=com -s one', 3)), 'searchResEntry');
    expect(entry.objectName).toBe('uid=bob,ou=people,dc=example,dc=com');
    expect(entry.attributes).toEqual([
      { type: 'objectClass', values: [] },
      { type: 'uid', values: [] },
      { type: 'cn', values: [] },
      { type: 'sn', values: [] },
      { type: 'givenName', values: [] },
      { type: 'mail', values: [] },
    ]);
  });

  test('SearchResultEntry with a binary value (a JPEG) and long-form lengths', () => {
    const pdu = captured('ldapsearch -x -H H -D cn=admin,dc=example,dc=com -w secret -b uid=carol', 3);
    expect(pdu.subarray(0, 2).toString('hex')).toBe('3082');
    const entry = op(decodeResponse(pdu), 'searchResEntry');
    const photo = findAttribute(entry.attributes, 'jpegPhoto')!.values;
    expect(photo).toHaveLength(1);
    expect(photo[0]!.subarray(0, 4).toString('hex')).toBe('ffd8ffe0');
    expect(photo[0]!.length).toBe(0x10d);
    expect(attributeStrings(entry.attributes, 'cn')).toEqual(['Carol Cooper']);
  });

  test('SearchResultEntry with UTF-8 values', () => {
    const entry = op(decodeResponse(captured('ldapsearch -x -H H -D cn=admin,dc=example,dc=com -w secret -b uid=zoe', 3)), 'searchResEntry');
    expect(attributeStrings(entry.attributes, 'cn')).toEqual(['Zoë Ångström']);
    expect(valuesToStrings(findAttribute(entry.attributes, 'objectClass')!.values)).toEqual(['inetOrgPerson']);
  });

  /*
   * 30 39
   *    02 01 02
   *    65 07                                   [APPLICATION 5] SearchResultDone
   *       0a 01 00
   *       04 00
   *       04 00
   *    a0 2b                                   controls [0]
   *       30 29
   *          04 16 "1.2.840.113556.1.4.319"
   *          04 0f 30 0d 02 01 00 04 08 05 00 00 00 00 00 00 00
   */
  test('SearchResultDone with the paged results response control', () => {
    const m = decodeResponse(captured(PAGED, 5));
    expect(op(m, 'searchResDone').resultCode).toBe(0);
    expect(m.controls).toHaveLength(1);
    expect(m.controls[0]!.type).toBe(PAGED_RESULTS_OID);
    expect(m.controls[0]!.criticality).toBe(false);
    const paged = findPagedResults(m.controls)!;
    expect(paged.size).toBe(0);
    expect(paged.cookie.toString('hex')).toBe('0500000000000000');
    // the last page: an empty cookie
    expect(findPagedResults(decodeResponse(captured(PAGED, 9)).controls)!.cookie.length).toBe(0);
  });

  /*
   * 30 1d
   *    02 01 02
   *    65 18
   *       0a 01 20                             noSuchObject (32)
   *       04 11 "dc=example,dc=com"            matchedDN
   *       04 00
   */
  test('SearchResultDone noSuchObject with matchedDN', () => {
    const done = op(decodeResponse(captured('ldapsearch -x -H H -b ou=nowhere', 3)), 'searchResDone');
    expect(done).toEqual({ type: 'searchResDone', resultCode: 32, matchedDN: 'dc=example,dc=com', diagnosticMessage: '', referral: undefined });
  });

  /*
   * 30 6f
   *    02 01 02
   *    65 6a
   *       0a 01 0a                             referral (10)
   *       04 1e "ou=elsewhere,dc=example,dc=com"
   *       04 00
   *       a3 43                                referral [3]
   *          04 41 "ldap://other.example.com/cn=x,ou=elsewhere,dc=example,dc=com??sub"
   */
  test('SearchResultDone referral with referral [3]', () => {
    const done = op(decodeResponse(captured('ldapsearch -x -H H -b cn=x,ou=elsewhere', 3)), 'searchResDone');
    expect(done.resultCode).toBe(10);
    expect(done.matchedDN).toBe('ou=elsewhere,dc=example,dc=com');
    expect(done.referral).toEqual(['ldap://other.example.com/cn=x,ou=elsewhere,dc=example,dc=com??sub']);
  });

  test('SearchResultReference', () => {
    const ref = op(decodeResponse(captured('ldapsearch -x -H H -b dc=example,dc=com (ou=*) ou', 6)), 'searchResRef');
    expect(ref).toEqual({ type: 'searchResRef', uris: ['ldap://other.example.com/ou=elsewhere,dc=example,dc=com??sub'] });
    expect(isFinalResponse(ref)).toBe(false);
  });

  test('Add, Modify (with a diagnosticMessage), ModifyDN and Del responses', () => {
    const modify = 'ldapmodify -x -H H';
    expect(op(decodeResponse(captured(modify, 3)), 'addResponse').resultCode).toBe(0);
    const mod = op(decodeResponse(captured(modify, 7)), 'modifyResponse');
    expect(mod.resultCode).toBe(16);
    expect(mod.diagnosticMessage).toBe('modify/delete: title: no such attribute');
    expect(op(decodeResponse(captured(modify, 9)), 'modifyResponse').resultCode).toBe(19);
    expect(op(decodeResponse(captured(modify, 11)), 'modDNResponse').resultCode).toBe(0);
    expect(op(decodeResponse(captured(modify, 15)), 'delResponse').resultCode).toBe(0);
    const del = op(decodeResponse(captured(modify, 17)), 'delResponse');
    expect([del.resultCode, del.matchedDN]).toEqual([32, 'ou=people,dc=example,dc=com']);
  });

  test('CompareResponse compareTrue (6) and compareFalse (5)', () => {
    expect(op(decodeResponse(captured('ldapcompare -x -H H -D cn=admin,dc=example,dc=com -w secret uid=alice,ou=people,dc=example,dc=com cn:', 3)), 'compareResponse').resultCode).toBe(6);
    expect(op(decodeResponse(captured('ldapcompare -x -H H -D cn=admin,dc=example,dc=com -w secret uid=alice,ou=people,dc=example,dc=com sn:', 3)), 'compareResponse').resultCode).toBe(5);
  });

  /*
   * 30 1a
   *    02 01 02
   *    78 15                                   [APPLICATION 24] ExtendedResponse
   *       0a 01 00
   *       04 00
   *       04 00
   *       8b 0c 30 0a 80 08 "4WSxNeRw"         responseValue [11]: the generated password
   */
  test('ExtendedResponse: WhoAmI (an empty and a non-empty value) and Password Modify', () => {
    const anon = op(decodeResponse(captured('ldapwhoami -x -H H', 3)), 'extendedResp');
    expect(anon.responseName).toBeUndefined();
    expect(anon.responseValue!.length).toBe(0);
    const root = op(decodeResponse(captured('ldapexop', 3)), 'extendedResp');
    expect(valueToString(root.responseValue!)).toBe('dn:cn=admin,dc=example,dc=com');
    const generated = op(decodeResponse(captured('ldappasswd -x -H H -D cn=admin,dc=example,dc=com -w secret uid=bob', 3)), 'extendedResp');
    expect(generated.responseValue!.toString('hex')).toBe('300a8008345753784e655277');
  });

  test('every captured PDU decodes and encodes back to the same bytes', () => {
    const reader = createMessageReader();
    let count = 0;
    for (const session of CAPTURED_SESSIONS) {
      for (const pdu of session.pdus) {
        const bytes = Buffer.from(pdu.hex, 'hex');
        const w = new BerWriter();
        if (pdu.dir === 'c') {
          const m = decodeRequest(bytes, reader);
          encodeRequest(w, m.messageID, m.protocolOp, m.controls);
        } else {
          const m = decodeResponse(bytes, reader);
          encodeResponse(w, m.messageID, m.protocolOp, m.controls);
        }
        expect(w.view().toString('hex')).toBe(pdu.hex);
        count++;
      }
    }
    expect(count).toBeGreaterThan(100);
  });
});

describe('shapes built by hand', () => {
  /*
   * 30 15
   *    02 01 01
   *    61 10
   *       0a 01 0e                             saslBindInProgress (14)
   *       04 00
   *       04 00
   *       87 07 "r=nonce"                      serverSaslCreds [7]
   */
  test('BindResponse with serverSaslCreds', () => {
    const bind = op(decodeResponse(Buffer.from('3015020101611 00a010e040004008707723d6e6f6e6365'.replace(/\s/g, ''), 'hex')), 'bindResponse');
    expect(bind.resultCode).toBe(14);
    expect(bind.serverSaslCreds!.toString()).toBe('r=nonce');
  });

  /*
   * 30 24
   *    02 01 00                                messageID 0: unsolicited
   *    78 1f                                   [APPLICATION 24] ExtendedResponse
   *       0a 01 34                             unavailable (52)
   *       04 00
   *       04 00
   *       8a 16 "1.3.6.1.4.1.1466.20036"       responseName [10]
   */
  test('the Notice of Disconnection', () => {
    const hex = tlv(0x30, '020100', tlv(0x78, '0a0134', '0400', '0400', str(0x8a, '1.3.6.1.4.1.1466.20036')));
    expect(hex).toBe('302402010078 1f 0a0134 0400 0400 8a16312e332e362e312e342e312e313436362e3230303336'.replace(/\s/g, ''));
    const m = decodeResponse(pdu(hex));
    expect(m.messageID).toBe(0);
    const notice = op(m, 'extendedResp');
    expect(notice.resultCode).toBe(52);
    expect(notice.responseName).toBe(NOTICE_OF_DISCONNECTION_OID);
    expect(notice.responseValue).toBeUndefined();
  });

  /*
   * 30 16
   *    02 01 07
   *    79 11                                   [APPLICATION 25] IntermediateResponse
   *       80 0b "1.3.6.1.4.1"                  responseName [0]
   *       81 02 01 02                          responseValue [1]
   */
  test('IntermediateResponse with name and value, with a value only, and with neither', () => {
    const hex = tlv(0x30, '020107', tlv(0x79, str(0x80, '1.3.6.1.4.1'), '81020102'));
    expect(hex).toBe('30160201077911800b312e332e362e312e342e3181020102');
    const full = op(decodeResponse(pdu(hex)), 'intermediateResponse');
    expect(full.responseName).toBe('1.3.6.1.4.1');
    expect(full.responseValue!.toString('hex')).toBe('0102');
    expect(isFinalResponse(full)).toBe(false);
    const valueOnly = op(decodeResponse(pdu(tlv(0x30, '020107', tlv(0x79, '810100')))), 'intermediateResponse');
    expect(valueOnly).toEqual({ type: 'intermediateResponse', responseName: undefined, responseValue: Buffer.from([0]) });
    const empty = op(decodeResponse(pdu('30050201077900')), 'intermediateResponse');
    expect(empty).toEqual({ type: 'intermediateResponse', responseName: undefined, responseValue: undefined });
  });

  test('response controls: criticality and value optional, several in a row', () => {
    const controls = tlv(
      0xa0,
      tlv(0x30, str(0x04, '1.2.3')),
      tlv(0x30, str(0x04, '1.2.4'), '0101ff'),
      tlv(0x30, str(0x04, '1.2.5'), '040101'),
      tlv(0x30, str(0x04, '1.2.6'), '0101ff', '0400'),
    );
    const m = decodeResponse(pdu(tlv(0x30, '020105', tlv(0x65, '0a0100', '0400', '0400'), controls)));
    expect(m.controls).toEqual([
      { type: '1.2.3', criticality: false },
      { type: '1.2.4', criticality: true },
      { type: '1.2.5', criticality: false, value: Buffer.from([1]) },
      { type: '1.2.6', criticality: true, value: Buffer.alloc(0) },
    ]);
  });

  test('elements after the LDAPResult, and after the protocolOp other than controls, are skipped', () => {
    // SearchResultDone with an unknown [9] after the result, then an unknown [1] before controls [0]
    const m = decodeResponse(pdu(tlv(0x30, '020103', tlv(0x65, '0a0100', '0400', '0400', '8900'), '8100', tlv(0xa0, tlv(0x30, str(0x04, '1.2.3'))))));
    expect(op(m, 'searchResDone').resultCode).toBe(0);
    expect(m.controls).toEqual([{ type: '1.2.3', criticality: false }]);
  });

  test('a reader is reused across messages', () => {
    const reader = createMessageReader();
    const a = decodeResponse(captured(SEARCH_ALICE, 3), reader);
    const b = decodeResponse(captured(SEARCH_ALICE, 4), reader);
    expect(a.protocolOp.type).toBe('searchResEntry');
    expect(b.protocolOp.type).toBe('searchResDone');
    expect(reader.depth).toBe(0);
  });
});
