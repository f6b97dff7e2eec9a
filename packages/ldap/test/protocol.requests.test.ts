/**
 * Golden encodings of every request: the expected bytes are what OpenLDAP
 * 2.5's libldap sent (captured from ldapsearch, ldapmodify, ldapcompare,
 * ldapexop, ldappasswd and ldapwhoami through a recording proxy, see
 * protocol.fixtures.ts), except where noted as built from libldap's
 * ber_printf format by hand. Each request is also decoded back.
 */
import { BerWriter } from '@lber/ber';
import {
  LdapError,
  ModifyOperation,
  SearchScope,
  DerefAliases,
  anonymousBindRequest,
  decodeRequest,
  encodeRequest,
  pagedResultsControl,
  saslBindRequest,
  simpleBindRequest,
  type Control,
  type LdapRequest,
} from '@lber/ldap';

const MANAGE_DSA_IT: Control = { type: '2.16.840.1.113730.3.4.2', criticality: true };
const ROOT = 'cn=admin,dc=example,dc=com';
const DAVE = 'uid=dave,ou=people,dc=example,dc=com';

function encode(messageID: number, op: LdapRequest, controls?: readonly Control[]): string {
  const w = new BerWriter();
  encodeRequest(w, messageID, op, controls);
  return w.view().toString('hex');
}

function hex(text: string): string {
  return text.replace(/\s+/g, '');
}

/** Encodes, compares with the golden bytes, then decodes them and encodes again. */
function golden(messageID: number, op: LdapRequest, controls: readonly Control[] | undefined, expected: string): void {
  const want = hex(expected);
  expect(encode(messageID, op, controls)).toBe(want);
  const decoded = decodeRequest(Buffer.from(want, 'hex'));
  expect(decoded.messageID).toBe(messageID);
  expect(decoded.protocolOp.type).toBe(op.type);
  expect(decoded.controls).toEqual(controls ?? []);
  expect(encode(decoded.messageID, decoded.protocolOp, decoded.controls)).toBe(want);
}

describe('bind', () => {
  /*
   * 30 0c                LDAPMessage
   *    02 01 01          messageID 1
   *    60 07             [APPLICATION 0] BindRequest
   *       02 01 03       version 3
   *       04 00          name ""
   *       80 00          simple [0] ""
   */
  test('anonymous (ldapwhoami -x)', () => {
    golden(1, anonymousBindRequest(), undefined, '300c020101600702010304008000');
  });

  /*
   * 30 2c
   *    02 01 01
   *    60 27
   *       02 01 03
   *       04 1a "cn=admin,dc=example,dc=com"
   *       80 06 "secret"
   */
  test('simple (ldapsearch -x -D ... -w secret)', () => {
    golden(1, simpleBindRequest(ROOT, 'secret'), undefined, '302c0201016027020103041a636e3d61646d696e2c64633d6578616d706c652c64633d636f6d8006736563726574');
    golden(1, simpleBindRequest(ROOT, Buffer.from('secret')), undefined, '302c0201016027020103041a636e3d61646d696e2c64633d6578616d706c652c64633d636f6d8006736563726574');
  });

  /*
   * 30 18
   *    02 01 01
   *    60 13
   *       02 01 03
   *       04 00
   *       a3 0c          sasl [3] SaslCredentials
   *          04 08 "EXTERNAL"
   *          04 00       credentials ""
   */
  test('SASL EXTERNAL with empty credentials (ldapwhoami -Y EXTERNAL over ldapi://)', () => {
    golden(1, saslBindRequest('EXTERNAL', Buffer.alloc(0)), undefined, '301802010160130201030400a30c040845585445524e414c0400');
  });

  /*
   * By hand from sasl.c's `{it{ist{sN}N}` (credentials absent):
   * 30 16
   *    02 01 01
   *    60 11
   *       02 01 03
   *       04 00
   *       a3 0a
   *          04 08 "EXTERNAL"
   */
  test('SASL without credentials', () => {
    golden(1, saslBindRequest('EXTERNAL'), undefined, '3016020101601102010304 00 a30a040845585445524e414c');
  });

  /*
   * 30 20
   *    02 01 02
   *    60 1b
   *       02 01 03
   *       04 00
   *       a3 14
   *          04 05 "PLAIN"
   *          04 0b 00 "bob" 00 "secret"
   */
  test('SASL PLAIN with credentials', () => {
    golden(2, saslBindRequest('PLAIN', Buffer.from('\0bob\0secret')), undefined, '3020020102601b0201030400 a314 0405504c41494e 040b00626f6200736563726574');
  });

  test('a version outside 1..127 is a BAD_ARGUMENT', () => {
    const w = new BerWriter();
    expect(() => encodeRequest(w, 1, { ...anonymousBindRequest(), version: 128 })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
    expect(w.offset).toBe(0);
  });
});

describe('search', () => {
  /*
   * 30 41
   *    02 01 02
   *    63 3c                         [APPLICATION 3] SearchRequest
   *       04 11 "dc=example,dc=com"  baseObject
   *       0a 01 02                   scope wholeSubtree
   *       0a 01 00                   derefAliases never
   *       02 01 00                   sizeLimit 0
   *       02 01 00                   timeLimit 0
   *       01 01 00                   typesOnly FALSE
   *       a3 0c                      filter equalityMatch (uid=alice)
   *          04 03 "uid"
   *          04 05 "alice"
   *       30 0a                      attributes
   *          04 02 "cn"
   *          04 04 "mail"
   */
  test('(uid=alice) cn mail, the filter from a writer callback', () => {
    golden(
      2,
      {
        type: 'searchRequest',
        baseObject: 'dc=example,dc=com',
        scope: SearchScope.wholeSubtree,
        filter: (w) => {
          w.startSequence(0xa3);
          w.writeString('uid');
          w.writeString('alice');
          w.endSequence();
        },
        attributes: ['cn', 'mail'],
      },
      undefined,
      '3041020102633c041164633d6578616d706c652c64633d636f6d0a01020a0100020100020100010100a30c04037569640405616c696365300a0402636e04046d61696c',
    );
  });

  /*
   * 30 40
   *    02 01 02
   *    63 3b
   *       04 1b "ou=people,dc=example,dc=com"
   *       0a 01 01                   singleLevel
   *       0a 01 03                   derefAlways
   *       02 01 0a                   sizeLimit 10
   *       02 01 05                   timeLimit 5
   *       01 01 ff                   typesOnly TRUE
   *       87 0b "objectClass"        present
   *       30 00                      no attributes
   */
  test('-s one -a always -z 10 -l 5 -A (objectClass=*), the filter as bytes', () => {
    golden(
      2,
      {
        type: 'searchRequest',
        baseObject: 'ou=people,dc=example,dc=com',
        scope: SearchScope.singleLevel,
        derefAliases: DerefAliases.derefAlways,
        sizeLimit: 10,
        timeLimit: 5,
        typesOnly: true,
        filter: Buffer.from('870b6f626a656374436c617373', 'hex'),
      },
      undefined,
      '3040020102633b041b6f753d70656f706c652c64633d6578616d706c652c64633d636f6d0a01010a010302010a0201050101ff870b6f626a656374436c6173733000',
    );
  });

  const inetOrgPerson = Buffer.from('a31c040b6f626a656374436c617373040d696e65744f7267506572736f6e', 'hex');
  const pagedSearch: LdapRequest = {
    type: 'searchRequest',
    baseObject: 'ou=people,dc=example,dc=com',
    scope: SearchScope.wholeSubtree,
    filter: inetOrgPerson,
    attributes: ['uid'],
  };

  /*
   * 30 7b
   *    02 01 02
   *    63 51
   *       04 1b "ou=people,dc=example,dc=com"
   *       0a 01 02
   *       0a 01 00
   *       02 01 00
   *       02 01 00
   *       01 01 00
   *       a3 1c
   *          04 0b "objectClass"
   *          04 0d "inetOrgPerson"
   *       30 05
   *          04 03 "uid"
   *    a0 23                                   controls [0]
   *       30 21
   *          04 16 "1.2.840.113556.1.4.319"    paged results
   *          04 07 30 05 02 01 02 04 00        { size 2, cookie "" }
   */
  test('-E pr=2/noprompt: the first page', () => {
    golden(
      2,
      pagedSearch,
      [pagedResultsControl(2)],
      '307b0201026351041b6f753d70656f706c652c64633d6578616d706c652c64633d636f6d0a01020a0100020100020100010100a31c040b6f626a656374436c617373040d696e65744f7267506572736f6e30050403756964a02330210416312e322e3834302e3131333535362e312e342e3331390407300502010204 00',
    );
  });

  /*
   * 30 81 83                                 (long form: 131 bytes)
   *    02 01 03
   *    63 51 ...                             as above
   *    a0 2b
   *       30 29
   *          04 16 "1.2.840.113556.1.4.319"
   *          04 0f 30 0d 02 01 02 04 08 05 00 00 00 00 00 00 00   the server's cookie
   */
  test('-E pr=2/noprompt: the second page, with the cookie', () => {
    golden(
      3,
      pagedSearch,
      [pagedResultsControl(2, Buffer.from('0500000000000000', 'hex'))],
      '3081830201036351041b6f753d70656f706c652c64633d6578616d706c652c64633d636f6d0a01020a0100020100020100010100a31c040b6f626a656374436c617373040d696e65744f7267506572736f6e30050403756964a02b30290416312e322e3834302e3131333535362e312e342e333139040f300d020102040805 00000000000000',
    );
  });

  /*
   * 30 68
   *    02 01 02
   *    63 43
   *       04 23 "uid=zoe,ou=people,dc=example,dc=com"
   *       0a 01 00                   baseObject
   *       0a 01 00
   *       02 01 00
   *       02 01 00
   *       01 01 00
   *       87 0b "objectclass"
   *       30 00
   *    a0 1e
   *       30 1c
   *          04 17 "2.16.840.1.113730.3.4.2"   ManageDsaIT
   *          01 01 ff                         critical, no value
   */
  test('-e !manageDSAit: a critical control without a value', () => {
    golden(
      2,
      { type: 'searchRequest', baseObject: 'uid=zoe,ou=people,dc=example,dc=com', scope: SearchScope.baseObject, filter: Buffer.from('870b6f626a656374636c617373', 'hex') },
      [MANAGE_DSA_IT],
      '3068020102634304237569643d7a6f652c6f753d70656f706c652c64633d6578616d706c652c64633d636f6d0a01000a0100020100020100010100870b6f626a656374636c6173733000a01e301c0417322e31362e3834302e312e3131333733302e332e342e320101ff',
    );
  });

  test('out-of-range limits and a filter writer that writes nothing are BAD_ARGUMENT, and leave the writer as it was', () => {
    const w = new BerWriter();
    encodeRequest(w, 1, anonymousBindRequest());
    const before = w.view().toString('hex');
    const base = { type: 'searchRequest' as const, baseObject: '', scope: 0, filter: Buffer.from('8700', 'hex') };
    for (const bad of [{ ...base, sizeLimit: -1 }, { ...base, timeLimit: 2 ** 31 }, { ...base, scope: 1.5 }, { ...base, filter: (): void => {} }, { ...base, filter: Buffer.alloc(0) }]) {
      expect(() => encodeRequest(w, 2, bad)).toThrow(LdapError);
      expect(w.view().toString('hex')).toBe(before);
    }
  });
});

describe('add', () => {
  /*
   * 30 81 c8
   *    02 01 02
   *    68 81 a5                              [APPLICATION 8] AddRequest
   *       04 1e "ou=elsewhere,dc=example,dc=com"
   *       30 81 82
   *          30 2b
   *             04 0b "objectClass"
   *             31 1c
   *                04 08 "referral"
   *                04 10 "extensibleObject"
   *          30 11
   *             04 02 "ou"
   *             31 0b
   *                04 09 "elsewhere"
   *          30 40
   *             04 03 "ref"
   *             31 39
   *                04 37 "ldap://other.example.com/ou=elsewhere,dc=example,dc=com"
   *    a0 1b
   *       30 19
   *          04 17 "2.16.840.1.113730.3.4.2"
   *
   * (ldapmodify -M sends ManageDsaIT not critical; -MM would make it
   * critical.)
   */
  test('a referral object (ldapmodify -M)', () => {
    golden(
      2,
      {
        type: 'addRequest',
        entry: 'ou=elsewhere,dc=example,dc=com',
        attributes: [
          { type: 'objectClass', values: ['referral', 'extensibleObject'] },
          { type: 'ou', values: ['elsewhere'] },
          { type: 'ref', values: ['ldap://other.example.com/ou=elsewhere,dc=example,dc=com'] },
        ],
      },
      [{ type: '2.16.840.1.113730.3.4.2', criticality: false }],
      '3081c80201026881a5041e6f753d656c736577686572652c64633d6578616d706c652c64633d636f6d308182302b040b6f626a656374436c617373311c0408726566657272616c0410657874656e7369626c654f626a656374301104026f75310b0409656c7365776865726530400403726566313904376c6461703a2f2f6f746865722e6578616d706c652e636f6d2f6f753d656c736577686572652c64633d6578616d706c652c64633d636f6da01b30190417322e31362e3834302e312e3131333733302e332e342e32',
    );
  });

  /*
   * 30 81 cc
   *    02 01 03
   *    68 81 a9
   *       04 24 "uid=dave,ou=people,dc=example,dc=com"
   *       30 81 80
   *          30 1e  04 0b "objectClass"  31 0f  04 0d "inetOrgPerson"
   *          30 0d  04 03 "uid"          31 06  04 04 "dave"
   *          30 11  04 02 "cn"           31 0b  04 09 "Dave Dane"
   *          30 0c  04 02 "sn"           31 06  04 04 "Dane"
   *          30 2e  04 04 "mail"         31 26  04 10 "dave@example.com"
   *                                             04 12 "d.dane@example.com"
   *    a0 1b
   *       30 19
   *          04 17 "2.16.840.1.113730.3.4.2"
   */
  test('an inetOrgPerson with byte values', () => {
    golden(
      3,
      {
        type: 'addRequest',
        entry: DAVE,
        attributes: [
          { type: 'objectClass', values: ['inetOrgPerson'] },
          { type: 'uid', values: [Buffer.from('dave')] },
          { type: 'cn', values: ['Dave Dane'] },
          { type: 'sn', values: ['Dane'] },
          { type: 'mail', values: ['dave@example.com', new Uint8Array(Buffer.from('d.dane@example.com'))] },
        ],
      },
      [{ type: '2.16.840.1.113730.3.4.2', criticality: false }],
      '3081cc0201036881a904247569643d646176652c6f753d70656f706c652c64633d6578616d706c652c64633d636f6d308180301e040b6f626a656374436c617373310f040d696e65744f7267506572736f6e300d0403756964310604046461766530110402636e310b0409446176652044616e65300c0402736e31060404446' +
        '16e65302e04046d61696c312604106461766540' +
        '6578616d706c652e636f6d0412642e64616e65406578616d706c652e636f6da01b30190417322e31362e3834302e312e3131333733302e332e342e32',
    );
  });
});

describe('modify', () => {
  /*
   * 30 81 b7
   *    02 01 04
   *    66 81 94                              [APPLICATION 6] ModifyRequest
   *       04 24 "uid=dave,ou=people,dc=example,dc=com"
   *       30 6c
   *          30 23  0a 01 00  30 1e  04 0b "description"  31 0f  04 05 "first"  04 06 "second"
   *          30 21  0a 01 01  30 1c  04 04 "mail"  31 14  04 12 "d.dane@example.com"
   *          30 12  0a 01 02  30 0d  04 02 "sn"  31 07  04 05 44 61 6e c3 a9 ("Dané")
   *          30 0e  0a 01 01  30 09  04 05 "title"  31 00     (delete every value)
   *    a0 1b
   *       30 19
   *          04 17 "2.16.840.1.113730.3.4.2"
   */
  test('add, delete, replace and delete-all in one request', () => {
    golden(
      4,
      {
        type: 'modifyRequest',
        object: DAVE,
        changes: [
          { operation: ModifyOperation.add, modification: { type: 'description', values: ['first', 'second'] } },
          { operation: ModifyOperation.delete, modification: { type: 'mail', values: ['d.dane@example.com'] } },
          { operation: ModifyOperation.replace, modification: { type: 'sn', values: ['Dané'] } },
          { operation: ModifyOperation.delete, modification: { type: 'title', values: [] } },
        ],
      },
      [{ type: '2.16.840.1.113730.3.4.2', criticality: false }],
      '3081b702010466819404247569643d646176652c6f753d70656f706c652c64633d6578616d706c652c64633d636f6d306c30230a0100301e040b6465736372697074696f6e310f0405666972737404067365636f6e6430210a0101301c04046d61696c31140412642e64616e65406578616d706c652e636f6d30120a0102300d0402736e310704054461' +
        '6ec3a9300e0a0101300904057469746c653100a01b30190417322e31362e3834302e312e3131333733302e332e342e32',
    );
  });

  /*
   * 30 66
   *    02 01 05
   *    66 44
   *       04 24 "uid=dave,ou=people,dc=example,dc=com"
   *       30 1c
   *          30 1a
   *             0a 01 03                     increment (RFC 4525)
   *             30 15
   *                04 0e "employeeNumber"
   *                31 03
   *                   04 01 "5"
   *    a0 1b ...
   */
  test('increment (RFC 4525)', () => {
    golden(
      5,
      { type: 'modifyRequest', object: DAVE, changes: [{ operation: ModifyOperation.increment, modification: { type: 'employeeNumber', values: ['5'] } }] },
      [{ type: '2.16.840.1.113730.3.4.2', criticality: false }],
      '3066020105664404247569643d646176652c6f753d70656f706c652c64633d6578616d706c652c64633d636f6d301c301a0a01033015040e656d706c6f7965654e756d6265723103040135a01b30190417322e31362e3834302e312e3131333733302e332e342e32',
    );
  });
});

describe('modifyDN', () => {
  /*
   * 30 73
   *    02 01 06
   *    6c 51                                 [APPLICATION 12] ModifyDNRequest
   *       04 24 "uid=dave,ou=people,dc=example,dc=com"
   *       04 09 "uid=david"                  newrdn
   *       01 01 ff                           deleteoldrdn TRUE
   *       80 1b "ou=groups,dc=example,dc=com"  newSuperior [0]
   *    a0 1b ...
   */
  test('with newSuperior', () => {
    golden(
      6,
      { type: 'modDNRequest', entry: DAVE, newrdn: 'uid=david', deleteoldrdn: true, newSuperior: 'ou=groups,dc=example,dc=com' },
      [{ type: '2.16.840.1.113730.3.4.2', criticality: false }],
      '30730201066c5104247569643d646176652c6f753d70656f706c652c64633d6578616d706c652c64633d636f6d04097569643d64617669640101ff801b6f753d67726f7570732c64633d6578616d706c652c64633d636f6da01b30190417322e31362e3834302e312e3131333733302e332e342e32',
    );
  });

  /*
   * 30 56
   *    02 01 07
   *    6c 34
   *       04 25 "uid=david,ou=groups,dc=example,dc=com"
   *       04 08 "uid=dave"
   *       01 01 00                           deleteoldrdn FALSE
   *    a0 1b ...
   */
  test('without newSuperior', () => {
    golden(
      7,
      { type: 'modDNRequest', entry: 'uid=david,ou=groups,dc=example,dc=com', newrdn: 'uid=dave', deleteoldrdn: false },
      [{ type: '2.16.840.1.113730.3.4.2', criticality: false }],
      '30560201076c3404257569643d64617669642c6f753d67726f7570732c64633d6578616d706c652c64633d636f6d04087569643d64617665010100a01b30190417322e31362e3834302e312e3131333733302e332e342e32',
    );
  });
});

describe('delete, compare, extended, abandon, unbind', () => {
  /*
   * 30 46
   *    02 01 08
   *    4a 24 "uid=dave,ou=groups,dc=example,dc=com"   [APPLICATION 10] primitive
   *    a0 1b ...
   */
  test('delete', () => {
    golden(
      8,
      { type: 'delRequest', entry: 'uid=dave,ou=groups,dc=example,dc=com' },
      [{ type: '2.16.840.1.113730.3.4.2', criticality: false }],
      '30460201084a247569643d646176652c6f753d67726f7570732c64633d6578616d706c652c64633d636f6da01b30190417322e31362e3834302e312e3131333733302e332e342e32',
    );
  });

  /*
   * 30 40
   *    02 01 02
   *    6e 3b                                 [APPLICATION 14] CompareRequest
   *       04 25 "uid=alice,ou=people,dc=example,dc=com"
   *       30 12                              ava
   *          04 02 "cn"
   *          04 0c "Alice Archer"
   */
  test('compare', () => {
    golden(
      2,
      { type: 'compareRequest', entry: 'uid=alice,ou=people,dc=example,dc=com', ava: { attributeDesc: 'cn', assertionValue: 'Alice Archer' } },
      undefined,
      '30400201026e3b04257569643d616c6963652c6f753d70656f706c652c64633d6578616d706c652c64633d636f6d30120402636e040c416c69636520417263686572',
    );
  });

  /*
   * 30 1e
   *    02 01 02
   *    77 19                                 [APPLICATION 23] ExtendedRequest
   *       80 17 "1.3.6.1.4.1.4203.1.11.3"    requestName [0]: WhoAmI
   */
  test('extended without a value (WhoAmI)', () => {
    golden(2, { type: 'extendedReq', requestName: '1.3.6.1.4.1.4203.1.11.3' }, undefined, '301e02010277198017312e332e362e312e342e312e343230332e312e31312e33');
  });

  /*
   * 30 53
   *    02 01 02
   *    77 4e
   *       80 17 "1.3.6.1.4.1.4203.1.11.1"    Password Modify
   *       81 33                              requestValue [1]
   *          30 31 80 23 "uid=bob,ou=people,dc=example,dc=com" 82 0a "new-secret"
   */
  test('extended with a value (Password Modify from ldappasswd -s)', () => {
    const value = Buffer.from('303180237569643d626f622c6f753d70656f706c652c64633d6578616d706c652c64633d636f6d820a6e65772d736563726574', 'hex');
    golden(2, { type: 'extendedReq', requestName: '1.3.6.1.4.1.4203.1.11.1', requestValue: value }, undefined, '3053020102774e8017312e332e362e312e342e312e343230332e312e31312e318133' + value.toString('hex'));
  });

  /*
   * By hand from abandon.c's `{iti` + `N}`:
   * 30 06
   *    02 01 05
   *    50 01 02                              [APPLICATION 16] primitive: abandon 2
   */
  test('abandon', () => {
    golden(5, { type: 'abandonRequest', idToAbandon: 2 }, undefined, '300602010550 0102');
    golden(6, { type: 'abandonRequest', idToAbandon: 0x7fffffff }, undefined, '300902010650047fffffff');
    expect(() => encode(1, { type: 'abandonRequest', idToAbandon: -1 })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
  });

  /*
   * 30 05
   *    02 01 03
   *    42 00                                 [APPLICATION 2] NULL
   */
  test('unbind', () => {
    golden(3, { type: 'unbindRequest' }, undefined, '30050201034200');
  });
});

describe('the envelope', () => {
  test('messages appended to one writer go out as one buffer', () => {
    const w = new BerWriter({ initialSize: 16 });
    const starts = [encodeRequest(w, 1, anonymousBindRequest()), encodeRequest(w, 2, { type: 'extendedReq', requestName: '1.3.6.1.4.1.4203.1.11.3' }), encodeRequest(w, 3, { type: 'unbindRequest' })];
    expect(starts).toEqual([0, 14, 46]);
    expect(w.view().toString('hex')).toBe('300c020101600702010304008000' + '301e02010277198017312e332e362e312e342e312e343230332e312e31312e33' + '30050201034200');
  });

  test('messageID must be in 0..maxInt', () => {
    const w = new BerWriter();
    for (const id of [-1, 2 ** 31, 1.5, Number.NaN]) expect(() => encodeRequest(w, id, { type: 'unbindRequest' })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
    expect(encode(0x7fffffff, { type: 'unbindRequest' })).toBe('30080204 7fffffff 4200'.replace(/\s/g, ''));
  });

  test('an unknown request type is a BAD_ARGUMENT', () => {
    const w = new BerWriter();
    expect(() => encodeRequest(w, 1, { type: 'nope' } as unknown as LdapRequest)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
    expect(w.offset).toBe(0);
    expect(w.depth).toBe(0);
  });

  test('an empty controls array writes no [0]', () => {
    expect(encode(3, { type: 'unbindRequest' }, [])).toBe('30050201034200');
  });
});
