/**
 * The LDIF writer: every line type of ldif_put_wrap compared with what
 * libldap 2.5.13 returned for the same arguments (fixtures/libldap-ldif-put.json,
 * made by fixtures/ldif_put.c), the encoding and folding rules one by one,
 * and whole records.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  LDIF_LINE_WIDTH,
  LdifError,
  LdifPut,
  LdifSink,
  LdifWriter,
  formatLdif,
  ldifIsNotPrintable,
  ldifPutWrap,
  ldifSputWrap,
  writeLdif,
  type LdifPutType,
  type LdifRecordInput,
} from '@lber/ldap';

interface PutCase {
  type: number | 'np';
  wrap?: string;
  name: string | null;
  value: string;
  out?: string;
  notPrintable?: number;
}

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/libldap-ldif-put.json', import.meta.url)), 'utf8')) as { cases: PutCase[] };

const text = (b: Buffer): string => b.toString('latin1');

describe('ldif_put_wrap and ldif_is_not_printable against libldap', () => {
  test('the fixture has cases of every line type and width', () => {
    const types = new Set(fixture.cases.map((c) => c.type));
    for (const t of [0, 1, 2, 4, 8, 16, 32, 64, 'np']) expect(types.has(t as number)).toBe(true);
    expect(fixture.cases.length).toBeGreaterThan(1000);
  });

  test.each(fixture.cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const value = Buffer.from(c.value, 'hex');
    if (c.type === 'np') {
      expect(ldifIsNotPrintable(value)).toBe(c.notPrintable);
      return;
    }
    const name = c.name;
    const wrap = c.wrap === 'max' ? 'no' : Number(c.wrap);
    const out = ldifPutWrap(c.type as LdifPutType, name, value, wrap);
    expect(out.toString('hex')).toBe(c.out);
  });
});

describe('ldifPutWrap: when a value is base64', () => {
  test.each([
    ['Babs', 'cn: Babs\n'],
    ['', 'cn:\n'],
    [' leading space', 'cn:: IGxlYWRpbmcgc3BhY2U=\n'],
    ['trailing space ', 'cn:: dHJhaWxpbmcgc3BhY2Ug\n'],
    [':colon', 'cn:: OmNvbG9u\n'],
    ['<less', 'cn:: PGxlc3M=\n'],
    ['#hash and -dash are plain', 'cn: #hash and -dash are plain\n'],
    ['inner: colon <and> less', 'cn: inner: colon <and> less\n'],
    ['tab\there', 'cn:: dGFiCWhlcmU=\n'],
    ['del\x7f', 'cn:: ZGVsfw==\n'],
    ['Zoë', 'cn:: Wm/Dqw==\n'],
  ])('%j', (value, expected) => {
    expect(text(ldifPutWrap(LdifPut.VALUE, 'cn', value))).toBe(expected);
  });

  test('userPassword (by name in any case, or by OID) is always base64; userPassword with an option is not', () => {
    expect(text(ldifPutWrap(LdifPut.VALUE, 'userPassword', 'secret'))).toBe('userPassword:: c2VjcmV0\n');
    expect(text(ldifPutWrap(LdifPut.VALUE, 'USERPASSWORD', 'secret'))).toBe('USERPASSWORD:: c2VjcmV0\n');
    expect(text(ldifPutWrap(LdifPut.VALUE, '2.5.4.35', 'secret'))).toBe('2.5.4.35:: c2VjcmV0\n');
    expect(text(ldifPutWrap(LdifPut.VALUE, 'userPassword;x', 'secret'))).toBe('userPassword;x: secret\n');
  });

  test('an attribute description with ;binary (case-sensitive, as strstr) is always base64', () => {
    expect(text(ldifPutWrap(LdifPut.VALUE, 'userCertificate;binary', 'abc'))).toBe('userCertificate;binary:: YWJj\n');
    expect(text(ldifPutWrap(LdifPut.VALUE, 'userCertificate;BINARY', 'abc'))).toBe('userCertificate;BINARY: abc\n');
  });

  test('the always-base64 table can be replaced (ldif_must_b64_encode_register)', () => {
    const writer = new LdifWriter({ mustBase64: [['secretary', '2.5.4.999']] });
    const out = text(writer.write({ kind: 'content', dn: 'cn=a', attributes: [{ type: 'secretary', values: ['x'] }, { type: 'userPassword', values: ['y'] }] }));
    expect(out).toBe('dn: cn=a\nsecretary:: eA==\nuserPassword: y\n\n');
  });
});

describe('ldifPutWrap: the other line types', () => {
  test.each([
    [LdifPut.NOVALUE, 'cn', 'ignored', 'cn:\n'],
    [LdifPut.TEXT, 'text', ' as is: <', 'text:  as is: <\n'],
    [LdifPut.BINARY, 'cn', 'abc', 'cn:: YWJj\n'],
    [LdifPut.B64, 'cn', 'YWJj', 'cn:: YWJj\n'],
    [LdifPut.URL, 'jpegPhoto', 'file:///tmp/x.jpg', 'jpegPhoto:< file:///tmp/x.jpg\n'],
    [LdifPut.COMMENT, null, 'a comment', '# a comment\n'],
    [LdifPut.COMMENT, null, '', '#\n'],
    [LdifPut.COMMENT, '==> ', 'name first', '# ==> name first\n'],
    [LdifPut.SEP, null, null, '\n'],
  ] as const)('type %i name %j value %j', (type, name, value, expected) => {
    expect(text(ldifPutWrap(type, name, value))).toBe(expected);
  });
});

describe('ldifPutWrap: folding', () => {
  const lines = (s: string): string[] => s.slice(0, -1).split('\n');

  test('default width 78: the first line holds 78 octets, each continuation a space and 77', () => {
    const out = text(ldifPutWrap(LdifPut.VALUE, 'description', 'x'.repeat(300)));
    const ls = lines(out);
    expect(LDIF_LINE_WIDTH).toBe(78);
    expect(ls[0]).toHaveLength(78);
    for (const l of ls.slice(1, -1)) expect(l).toMatch(/^ x{77}$/);
    expect(ls.join('').replace(/\n /g, '')).toContain('x'.repeat(50));
  });

  test('a value that just fits stays on one line; one more octet folds', () => {
    const fits = 'v'.repeat(78 - 'cn: '.length);
    expect(lines(text(ldifPutWrap(LdifPut.VALUE, 'cn', fits)))).toHaveLength(1);
    expect(lines(text(ldifPutWrap(LdifPut.VALUE, 'cn', `${fits}v`)))).toEqual([`cn: ${fits}`, ' v']);
  });

  test('comments, text and URLs fold one octet later than values (a first line of 79 octets)', () => {
    const v = 'c'.repeat(78);
    expect(lines(text(ldifPutWrap(LdifPut.COMMENT, null, v)))).toEqual([`# ${'c'.repeat(77)}`, ' c']);
    expect(lines(text(ldifPutWrap(LdifPut.TEXT, 'text', `${v.slice(5)}x`)))).toEqual([`text: ${'c'.repeat(73)}`, ' x']);
    expect(lines(text(ldifPutWrap(LdifPut.COMMENT, null, v.slice(1))))).toHaveLength(1);
  });

  test('a name longer than the width is not folded; the value starts on a continuation line', () => {
    const name = 'n'.repeat(90);
    expect(text(ldifPutWrap(LdifPut.VALUE, name, 'abc'))).toBe(`${name}: \n abc\n`);
  });

  test("'no' (and Infinity) never fold; 0 is the default width", () => {
    const v = 'w'.repeat(5000);
    expect(text(ldifPutWrap(LdifPut.VALUE, 'cn', v, 'no'))).toBe(`cn: ${v}\n`);
    expect(text(ldifPutWrap(LdifPut.VALUE, 'cn', v, Number.POSITIVE_INFINITY))).toBe(`cn: ${v}\n`);
    expect(ldifPutWrap(LdifPut.VALUE, 'cn', v, 0).equals(ldifPutWrap(LdifPut.VALUE, 'cn', v))).toBe(true);
    const sink = new LdifSink();
    ldifSputWrap(sink, LdifPut.VALUE, 'cn', Buffer.from(v), 0);
    expect(sink.take().equals(ldifPutWrap(LdifPut.VALUE, 'cn', v, LDIF_LINE_WIDTH))).toBe(true);
  });

  test('a bad width is an LDIF_ARGUMENT error', () => {
    expect(() => ldifPutWrap(LdifPut.VALUE, 'cn', 'x', -1)).toThrow(LdifError);
    expect(() => ldifPutWrap(LdifPut.VALUE, 'cn', 'x', Number.NaN)).toThrow(expect.objectContaining({ code: 'LDIF_ARGUMENT' }) as Error);
  });
});

describe('LdifWriter', () => {
  test('content records are separated as ldapsearch -LLL separates entries; version as -LL', () => {
    const records: LdifRecordInput[] = [
      { kind: 'content', dn: 'cn=a,dc=x', attributes: [{ type: 'cn', values: ['a'] }] },
      { kind: 'content', dn: 'cn=b,dc=x', attributes: [{ type: 'cn', values: ['b', Buffer.from([0xff])] }] },
    ];
    expect(text(formatLdif(records))).toBe('dn: cn=a,dc=x\ncn: a\n\ndn: cn=b,dc=x\ncn: b\ncn:: /w==\n\n');
    expect(text(formatLdif(records, { version: true }))).toBe('version: 1\n\ndn: cn=a,dc=x\ncn: a\n\ndn: cn=b,dc=x\ncn: b\ncn:: /w==\n\n');
    expect(text(formatLdif([], { version: true }))).toBe('version: 1\n\n');
    expect(text(formatLdif([]))).toBe('');
  });

  test('a non-ASCII DN is written dn:: base64; an empty DN as dn:', () => {
    expect(text(formatLdif([{ kind: 'content', dn: 'cn=Zoë', attributes: [] }]))).toBe('dn:: Y249Wm/Dqw==\n\n');
    expect(text(formatLdif([{ kind: 'content', dn: '', attributes: [] }]))).toBe('dn:\n\n');
  });

  test('change records of every kind, with controls', () => {
    const out = formatLdif([
      { kind: 'change', changeType: 'add', dn: 'cn=a', controls: [{ type: '1.2.3', criticality: false, value: 'v' }], attributes: [{ type: 'cn', values: ['a'] }] },
      { kind: 'change', changeType: 'delete', dn: 'cn=a', controls: [{ type: '1.2.840.113556.1.4.805', criticality: true }] },
      { kind: 'change', changeType: 'modify', dn: 'cn=a', controls: [{ type: '1.2.3', criticality: true, value: Buffer.from([0, 1]) }], changes: [{ operation: 'increment', type: 'uidNumber', values: ['1'] }, { operation: 'delete', type: 'sn', values: [] }] },
      { kind: 'change', changeType: 'moddn', dn: 'cn=a', newRdn: 'cn=b', deleteOldRdn: false, newSuperior: 'ou=Zoë' },
    ]);
    expect(text(out)).toBe(
      [
        'dn: cn=a\ncontrol: 1.2.3 false: v\nchangetype: add\ncn: a\n',
        'dn: cn=a\ncontrol: 1.2.840.113556.1.4.805 true\nchangetype: delete\n',
        'dn: cn=a\ncontrol: 1.2.3 true:: AAE=\nchangetype: modify\nincrement: uidNumber\nuidNumber: 1\n-\ndelete: sn\n-\n',
        'dn: cn=a\nchangetype: moddn\nnewrdn: cn=b\ndeleteoldrdn: 0\nnewsuperior:: b3U9Wm/Dqw==\n',
        '',
      ].join('\n'),
    );
  });

  test('what LDIF cannot carry is an LDIF_ARGUMENT error, not broken output', () => {
    const bad: LdifRecordInput[] = [
      { kind: 'content', dn: 'cn=a', attributes: [{ type: 'c\nn', values: ['x'] }] },
      { kind: 'content', dn: 'cn=a', attributes: [{ type: 'cn:', values: ['x'] }] },
      { kind: 'content', dn: 'cn=a', attributes: [{ type: '', values: ['x'] }] },
      { kind: 'change', changeType: 'modify', dn: 'cn=a', changes: [{ operation: 'add', type: 'a b', values: [] }] },
      { kind: 'change', changeType: 'delete', dn: 'cn=a', controls: [{ type: 'not-an-oid', criticality: false }] },
    ];
    for (const record of bad) {
      expect(() => new LdifWriter().write(record)).toThrow(expect.objectContaining({ code: 'LDIF_ARGUMENT', line: 0 }) as Error);
    }
  });

  test('comment() folds as ldif_sput_wrap folds comments', () => {
    const w = new LdifWriter({ wrap: 10 });
    // '#' and ' ' count 2; octets go on while the count is at most 10.
    expect(text(w.comment('abcdefghijklmnop'))).toBe('# abcdefghi\n jklmnop\n');
  });

  test('writeLdif streams one Buffer per record, after the version header', async () => {
    async function* source(): AsyncGenerator<LdifRecordInput> {
      yield { kind: 'content', dn: 'cn=a', attributes: [] };
      await Promise.resolve();
      yield { kind: 'change', changeType: 'delete', dn: 'cn=b' };
    }
    const parts: string[] = [];
    for await (const chunk of writeLdif(source(), { version: true })) parts.push(text(chunk));
    expect(parts).toEqual(['version: 1\n\n', 'dn: cn=a\n\n', 'dn: cn=b\nchangetype: delete\n\n']);
  });
});
