/**
 * The LDIF reader: bad LDIF gives an LdifError with the right line number,
 * libldap's leniencies, options, and a sample file with every feature read
 * whole, byte by byte, and split in two at every offset.
 */
import { mkdtempSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LDIF_END, LDIF_NEED_MORE, LdifError, LdifParser, parseLdif, readLdif, type LdifReaderOptions, type LdifRecord } from '@lber/ldap';

const dir = mkdtempSync(join(tmpdir(), 'lber-ldif-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PHOTO = Buffer.from([0xff, 0xd8, 0x0a, 0x0d, 0x00, 0x20, 0xff, 0xd9]);
writeFileSync(join(dir, 'photo.jpg'), PHOTO);
const photoUrl = pathToFileURL(join(dir, 'photo.jpg')).href;

/** The LdifError `parseLdif` throws (fails the test when it does not throw one). */
function errorOf(ldif: string | Buffer, options?: LdifReaderOptions): LdifError {
  try {
    parseLdif(ldif, options);
  } catch (e) {
    if (e instanceof LdifError) return e;
    throw e;
  }
  throw new Error('expected an LdifError');
}

/** The same through the async reader, fed one octet at a time. */
async function asyncErrorOf(ldif: string, options?: LdifReaderOptions): Promise<LdifError> {
  const bytes = Buffer.from(ldif);
  const chunks = Array.from(bytes, (b) => Buffer.from([b]));
  try {
    for await (const _ of readLdif(chunks, options)) {
      // drain
    }
  } catch (e) {
    if (e instanceof LdifError) return e;
    throw e;
  }
  throw new Error('expected an LdifError');
}

const BAD: Array<[what: string, ldif: string, code: LdifError['code'], line: number]> = [
  ['a line without a colon', 'dn: a\ncn x\n', 'LDIF_SYNTAX', 2],
  ['a version other than 1', 'version: 2\n\ndn: a\n', 'LDIF_VERSION', 1],
  ['a record that does not start with dn:', '# c\n\ncn: x\n', 'LDIF_SYNTAX', 3],
  ['bad base64 characters', 'dn: a\ncn:: YW*j\n', 'LDIF_BASE64', 2],
  ['base64 of a bad length (folded)', 'dn: a\ncn: ok\ncn:: YWJj\n ZA\n', 'LDIF_BASE64', 3],
  ['an unknown changetype', 'dn: a\nchangetype: frob\n', 'LDIF_SYNTAX', 2],
  ['a value of another attribute in a mod-spec', 'dn: a\nchangetype: modify\nreplace: cn\ncn: x\nsn: x\n-\n', 'LDIF_SYNTAX', 5],
  ['a modify line that is no mod-spec', 'dn: a\nchangetype: modify\nfrob: cn\n', 'LDIF_SYNTAX', 3],
  ['a mod-spec naming no attribute', 'dn: a\nchangetype: modify\nadd: \n-\n', 'LDIF_SYNTAX', 3],
  ['modrdn without newrdn', 'dn: a\nchangetype: modrdn\ndeleteoldrdn: 1\n', 'LDIF_SYNTAX', 3],
  ['modrdn ending before deleteoldrdn', 'dn: a\nchangetype: modrdn\nnewrdn: cn=b\n\ndn: c\n', 'LDIF_SYNTAX', 4],
  ['deleteoldrdn other than 0 or 1', 'dn: a\nchangetype: moddn\nnewrdn: cn=b\ndeleteoldrdn: yes\n', 'LDIF_SYNTAX', 4],
  ['a line after newsuperior', 'dn: a\nchangetype: modrdn\nnewrdn: cn=b\ndeleteoldrdn: 0\nnewsuperior: o=x\ncn: z\n', 'LDIF_SYNTAX', 6],
  ['a line after changetype: delete', 'dn: a\nchangetype: delete\ncn: x\n', 'LDIF_SYNTAX', 3],
  ['an add without attributes', 'dn: a\nchangetype: add\n\n', 'LDIF_SYNTAX', 3],
  ['dn: inside a record', 'dn: a\ncn: x\ndn: b\ncn: y\n', 'LDIF_SYNTAX', 3],
  ['changetype: after attributes', 'dn: a\ncn: x\nchangetype: add\n', 'LDIF_SYNTAX', 3],
  ['"-" in a content record', 'dn: a\ncn: x\n-\n', 'LDIF_SYNTAX', 3],
  ['a continuation line at the start of the file', ' dn: a\n', 'LDIF_SYNTAX', 1],
  ['a continuation line after an empty line', 'dn: a\ncn: x\n\n cn: y\n', 'LDIF_SYNTAX', 4],
  ['a control without an OID', 'dn: a\ncontrol: abc\nchangetype: delete\n', 'LDIF_SYNTAX', 2],
  ['a control with a bad criticality', 'dn: a\ncontrol: 1.2.3 maybe\nchangetype: delete\n', 'LDIF_SYNTAX', 2],
  ['a control with bad base64', 'dn: a\ncontrol: 1.2.3 true:: ***\nchangetype: delete\n', 'LDIF_BASE64', 2],
  ['a bad attribute description', 'dn: a\ncn;: x\n', 'LDIF_SYNTAX', 2],
  ['an attribute description with a space', 'dn: a\nc n: x\n', 'LDIF_SYNTAX', 2],
  ['a DN that is not UTF-8', 'dn:: /w==\n', 'LDIF_SYNTAX', 1],
  ['a URL DN', 'dn:< file:///etc/hostname\n', 'LDIF_SYNTAX', 1],
  ['an http: URL', 'dn: a\ncn:< http://example.com/x\n', 'LDIF_URL', 2],
  ['a file: URL that cannot be read', 'dn: a\ncn: x\njpegPhoto:< file:///nonexistent/lber/photo.jpg\n', 'LDIF_URL', 3],
  ['a URL value without a URL', 'dn: a\ncn:<\n', 'LDIF_URL', 2],
  ['a folded bad line, after comments and folded lines', '# c\n#  more\n more\n\ndn: a\ncn: x\n y\n z\nbad\n line\n', 'LDIF_SYNTAX', 9],
  ['a second version line', 'version: 1\nversion: 1\n', 'LDIF_SYNTAX', 2],
];

describe('bad LDIF: typed error with the line number', () => {
  test.each(BAD)('%s', async (_what, ldif, code, line) => {
    const e = errorOf(ldif);
    expect(e).toMatchObject({ name: 'LdifError', code, line });
    expect(e.message).toContain(`(line ${line})`);
    // The same when the input arrives one octet at a time, and with CRLF line ends.
    expect(await asyncErrorOf(ldif)).toMatchObject({ code, line });
    expect(errorOf(ldif.replace(/\n/g, '\r\n'))).toMatchObject({ code, line });
  });

  test('a file: URL that cannot be read keeps the cause', () => {
    const e = errorOf('dn: a\njpegPhoto:< file:///nonexistent/lber/photo.jpg\n');
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test('a line longer than maxLineLength is LDIF_LIMIT, whole or streamed', async () => {
    const ldif = `dn: a\ncn: ${'x'.repeat(100)}\n`;
    expect(errorOf(ldif, { maxLineLength: 50 })).toMatchObject({ code: 'LDIF_LIMIT', line: 2 });
    expect(await asyncErrorOf(ldif, { maxLineLength: 50 })).toMatchObject({ code: 'LDIF_LIMIT', line: 2 });
    const folded = `dn: a\ncn: ${'x'.repeat(40)}\n ${'y'.repeat(40)}\n`;
    expect(errorOf(folded, { maxLineLength: 50 })).toMatchObject({ code: 'LDIF_LIMIT' });
    expect(parseLdif(ldif, { maxLineLength: 200 })).toHaveLength(1);
  });

  test('fileUrls: false refuses URL values (also in controls)', () => {
    expect(errorOf(`dn: a\njpegPhoto:< ${photoUrl}\n`, { fileUrls: false })).toMatchObject({ code: 'LDIF_URL', line: 2 });
    expect(errorOf(`dn: a\ncontrol: 1.2.3 false:< ${photoUrl}\nchangetype: delete\n`, { fileUrls: false })).toMatchObject({ code: 'LDIF_URL', line: 2 });
  });
});

describe('what the reader accepts', () => {
  const one = (ldif: string, options?: LdifReaderOptions): LdifRecord => {
    const records = parseLdif(ldif, options);
    expect(records).toHaveLength(1);
    return records[0]!;
  };

  test('keywords in any case, spaces before the colon, trailing spaces kept, tabs after the colon kept', () => {
    const r = one('DN: cn=a\nChangeType: Modify\nREPLACE : cn\nCN: x  \n-\nadd: sn\nsn:\tt\n-\n');
    expect(r).toMatchObject({ kind: 'change', changeType: 'modify', dn: 'cn=a' });
    if (r.kind !== 'change' || r.changeType !== 'modify') throw new Error('not a modify');
    expect(r.changes.map((c) => [c.operation, c.type, c.values.map(String)])).toEqual([
      ['replace', 'cn', ['x  ']],
      ['add', 'sn', ['\tt']],
    ]);
  });

  test('the last mod-spec may lack its "-" (as libldap allows)', () => {
    const r = one('dn: a\nchangetype: modify\nadd: cn\ncn: x\n');
    expect(r.kind === 'change' && r.changeType === 'modify' && r.changes).toEqual([{ operation: 'add', type: 'cn', values: [Buffer.from('x')] }]);
  });

  test('values of one attribute that are not adjacent are merged (case-insensitively), in order', () => {
    const r = one('dn: a\ncn: 1\nsn: s\nCN: 2\ncn: 3\n');
    expect(r.kind === 'content' && r.attributes.map((a) => [a.type, a.values.map(String)])).toEqual([
      ['cn', ['1', '2', '3']],
      ['sn', ['s']],
    ]);
  });

  test('empty values (`cn:` and `cn::`), an empty DN, a record with only a DN', () => {
    const records = parseLdif('dn:\nobjectClass: top\ncn:\ncn::\n\ndn: cn=only\n');
    expect(records).toEqual([
      { kind: 'content', dn: '', line: 1, controls: [], attributes: [{ type: 'objectClass', values: [Buffer.from('top')] }, { type: 'cn', values: [Buffer.alloc(0), Buffer.alloc(0)] }] },
      { kind: 'content', dn: 'cn=only', line: 6, controls: [], attributes: [] },
    ]);
  });

  test('version directly followed by the first record, several empty lines, no final newline, a UTF-8 BOM', () => {
    const records = parseLdif('\ufeffversion: 1\ndn: a\ncn: x\n\n\n\n# between\n\ndn: b\ncn: y');
    expect(records.map((r) => [r.dn, r.line])).toEqual([
      ['a', 2],
      ['b', 9],
    ]);
  });

  test('controls: OID only, with criticality, with each kind of value', () => {
    const r = one(`dn: a\ncontrol: 1.2.3\ncontrol: 1.2.4 TRUE\ncontrol: 1.2.5 false: text value\ncontrol: 1.2.6:: AAEC\ncontrol: 1.2.7 true:< ${photoUrl}\nchangetype: delete\n`);
    expect(r.controls).toEqual([
      { type: '1.2.3', criticality: false },
      { type: '1.2.4', criticality: true },
      { type: '1.2.5', criticality: false, value: Buffer.from('text value') },
      { type: '1.2.6', criticality: false, value: Buffer.from([0, 1, 2]) },
      { type: '1.2.7', criticality: true, value: PHOTO },
    ]);
  });

  test('defaultChangeType: add (ldapadd) and modify (ldapmodify) for records without changetype', () => {
    expect(one('dn: a\ncn: x\n', { defaultChangeType: 'add' })).toMatchObject({ kind: 'change', changeType: 'add', attributes: [{ type: 'cn' }] });
    expect(one('dn: a\nreplace: cn\ncn: x\n-\n', { defaultChangeType: 'modify' })).toMatchObject({ kind: 'change', changeType: 'modify', changes: [{ operation: 'replace', type: 'cn' }] });
    expect(one('dn: a\nchangetype: delete\n', { defaultChangeType: 'add' })).toMatchObject({ changeType: 'delete' });
    expect(() => parseLdif('dn: a\ncn: x\n', { defaultChangeType: 'modify' })).toThrow(LdifError);
  });

  test('a file: URL with percent-encoding reads the file', async () => {
    const spaced = join(dir, 'a photo ü.jpg');
    writeFileSync(spaced, PHOTO);
    const ldif = `dn: a\njpegPhoto:< ${pathToFileURL(spaced).href}\n`;
    expect(ldif).toContain('%20');
    const r = one(ldif);
    expect(r.kind === 'content' && r.attributes[0]?.values[0]).toEqual(PHOTO);
    const streamed: LdifRecord[] = [];
    for await (const record of readLdif(ldif)) streamed.push(record);
    expect(streamed).toEqual([r]);
  });
});

/** A sample with every feature, for the split tests. */
const SAMPLE = [
  '\ufeffversion: 1',
  '# a comment',
  '#  folded',
  '  comment',
  '',
  'dn: cn=Zoë Ångström,ou=people,dc=example,dc=com',
  'objectClass: inetOrgPerson',
  'cn:: Wm/DqyDDhW5nc3Ryw7Zt',
  'cn: Zoe',
  'description: a long value folded over',
  '  three physical lines, with a space kept',
  '  at each fold',
  'jpegPhoto:: /9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDA',
  ' 0AAABBBBAA',
  `jpegPhoto:< ${photoUrl}`,
  'sn: 東京\r',
  '',
  '',
  'dn: cn=x,dc=example,dc=com',
  'control: 1.2.840.113556.1.4.805 true:: AAEC',
  'control: 1.3.6.1.1.13.1 false',
  'changetype: modify',
  'add: mail',
  'mail: a@example.com',
  '-',
  'delete: description',
  '-',
  'replace: sn',
  'sn:: IGxlYWRpbmc=',
  'sn: second',
  '-',
  'increment: uidNumber',
  'uidNumber: 5',
  '-',
  '',
  'dn: cn=y,dc=example,dc=com',
  'changetype: modrdn',
  'newrdn:: Y249w7xiZXI=',
  'deleteoldrdn: 1',
  'newsuperior: ou=moved,dc=example,dc=com',
  '',
  'dn: cn=z,dc=example,dc=com',
  'changetype: delete',
  '',
  'dn: cn=w,dc=example,dc=com',
  'changetype: add',
  'objectClass: person',
  'cn: w',
  'sn: w',
].join('\n');

describe('chunk boundaries', () => {
  const expected = parseLdif(SAMPLE);

  test('the sample reads as the records it spells', () => {
    expect(expected.map((r) => (r.kind === 'change' ? r.changeType : r.kind))).toEqual(['content', 'modify', 'modrdn', 'delete', 'add']);
    const first = expected[0]!;
    expect(first.dn).toBe('cn=Zoë Ångström,ou=people,dc=example,dc=com');
    if (first.kind !== 'content') throw new Error('not content');
    expect(first.attributes.map((a) => a.type)).toEqual(['objectClass', 'cn', 'description', 'jpegPhoto', 'sn']);
    expect(first.attributes[2]?.values[0]?.toString()).toBe('a long value folded over three physical lines, with a space kept at each fold');
    expect(first.attributes[3]?.values[1]).toEqual(PHOTO);
    expect(first.attributes[4]?.values[0]?.toString()).toBe('東京'); // CR before LF dropped
    expect(expected[2]).toMatchObject({ newRdn: 'cn=über', deleteOldRdn: true, newSuperior: 'ou=moved,dc=example,dc=com' });
    expect(expected.map((r) => r.line)).toEqual([6, 19, 36, 42, 45]);
  });

  const bytes = Buffer.from(SAMPLE);

  test('split in two at every offset: the same records', async () => {
    for (let k = 0; k <= bytes.length; k++) {
      const records: LdifRecord[] = [];
      for await (const r of readLdif([bytes.subarray(0, k), bytes.subarray(k)])) records.push(r);
      expect(records).toEqual(expected);
    }
  });

  test('one octet at a time through the push parser: the same records', () => {
    const parser = new LdifParser();
    const records: LdifRecord[] = [];
    const drain = (): void => {
      for (;;) {
        const r = parser.read();
        if (r === LDIF_NEED_MORE || r === LDIF_END) return;
        for (const u of r.urls) u.set(PHOTO);
        records.push(r.record);
      }
    };
    for (const b of bytes) {
      parser.push(Buffer.from([b]));
      drain();
    }
    parser.end();
    drain();
    expect(parser.read()).toBe(LDIF_END);
    expect(records).toEqual(expected);
    expect(parser.version).toBe(1);
  });

  test('from a file stream with a tiny highWaterMark', async () => {
    const path = join(dir, 'sample.ldif');
    writeFileSync(path, bytes);
    const records: LdifRecord[] = [];
    for await (const r of readLdif(createReadStream(path, { highWaterMark: 7 }))) records.push(r);
    expect(records).toEqual(expected);
  });

  test('string chunks', async () => {
    const records: LdifRecord[] = [];
    for await (const r of readLdif(SAMPLE.match(/[^]{1,5}/g)!)) records.push(r);
    expect(records).toEqual(expected);
  });
});

describe('streaming behaviour', () => {
  test('records come before the input ends; only the chunks needed are pulled', async () => {
    let pulled = 0;
    function* chunks(): Generator<string> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield `dn: cn=${i}\ncn: ${i}\n\n`;
      }
    }
    const reader = readLdif(chunks());
    const first = await reader.next();
    expect(first.value?.dn).toBe('cn=0');
    expect(pulled).toBeLessThanOrEqual(2);
  });

  test('breaking out of the loop closes the source', async () => {
    let closed = false;
    function* chunks(): Generator<string> {
      try {
        for (let i = 0; ; i++) yield `dn: cn=${i}\ncn: ${i}\n\n`;
      } finally {
        closed = true;
      }
    }
    for await (const r of readLdif(chunks())) {
      if (r.dn === 'cn=3') break;
    }
    expect(closed).toBe(true);
  });

  test('an error closes the source too, and the reader then ends', async () => {
    let closed = false;
    function* chunks(): Generator<string> {
      try {
        yield 'dn: a\ncn x\n';
        yield 'dn: b\ncn: y\n';
      } finally {
        closed = true;
      }
    }
    const reader = readLdif(chunks());
    await expect(reader.next()).rejects.toMatchObject({ code: 'LDIF_SYNTAX', line: 2 });
    expect(closed).toBe(true);
    await expect(reader.next()).resolves.toEqual({ done: true, value: undefined });
  });

  test('a large file streams with bounded memory in the parser', () => {
    const entry = (i: number): string => `dn: uid=user${i},ou=bulk,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: User ${i}\nsn: ${i}\ndescription: ${'d'.repeat(200)}\n\n`;
    function* chunks(): Generator<string> {
      for (let i = 0; i < 20000; i++) yield entry(i);
    }
    let count = 0;
    const parser = new LdifParser();
    for (const chunk of chunks()) {
      parser.push(chunk);
      for (let r = parser.read(); r !== LDIF_NEED_MORE && r !== LDIF_END; r = parser.read()) count++;
    }
    parser.end();
    for (let r = parser.read(); r !== LDIF_END; r = parser.read()) if (r !== LDIF_NEED_MORE) count++;
    expect(count).toBe(20000);
    // The input buffer never held more than a few entries (about 5 MB went through it).
    expect((parser as unknown as { buf: Buffer }).buf.length).toBeLessThanOrEqual(16384);
  });
});
