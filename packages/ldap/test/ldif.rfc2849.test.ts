/**
 * RFC 2849's examples 1 to 7, read into the records they describe.
 *
 * The examples are as the RFC prints them, with two repairs of the RFC's
 * page layout: example 4's comment whose second half lost its `#` when the
 * line was broken (`<JapaneseGivenname_in_phonetic_representation_kana>`)
 * has it back, and the `:<` URLs point at files this test writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LdifError, formatLdif, parseLdif, readLdif, type LdifRecord } from '@lber/ldap';

const dir = mkdtempSync(join(tmpdir(), 'lber-ldif-rfc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HJENSEN = Buffer.from('ffd8ffe0 hjensen photo ffd9', 'latin1');
const FIONA = Buffer.from([0xff, 0xd8, 0x00, 0x01, 0x02, 0xff, 0xd9]);
const hjensenUrl = pathToFileURL(join(dir, 'hjensen.jpg')).href;
const fionaUrl = pathToFileURL(join(dir, 'fiona photo.jpg')).href; // a space: percent-encoded in the URL
writeFileSync(join(dir, 'hjensen.jpg'), HJENSEN);
writeFileSync(join(dir, 'fiona photo.jpg'), FIONA);

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const attrs = (...pairs: Array<[string, ...string[]]>) => pairs.map(([type, ...values]) => ({ type, values: values.map(b) }));

function withoutLine(record: LdifRecord): Omit<LdifRecord, 'line'> {
  const { line: _line, ...rest } = record;
  return rest;
}

const EXAMPLE_1 = `version: 1
dn: cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com
objectclass: top
objectclass: person
objectclass: organizationalPerson
cn: Barbara Jensen
cn: Barbara J Jensen
cn: Babs Jensen
sn: Jensen
uid: bjensen
telephonenumber: +1 408 555 1212
description: A big sailing fan.

dn: cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com
objectclass: top
objectclass: person
objectclass: organizationalPerson
cn: Bjorn Jensen
sn: Jensen
telephonenumber: +1 408 555 1212
`;

const EXAMPLE_2 = `version: 1
dn:cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com
objectclass:top
objectclass:person
objectclass:organizationalPerson
cn:Barbara Jensen
cn:Barbara J Jensen
cn:Babs Jensen
sn:Jensen
uid:bjensen
telephonenumber:+1 408 555 1212
description:Babs is a big sailing fan, and travels extensively in sea
 rch of perfect sailing conditions.
title:Product Manager, Rod and Reel Division
`;

const EXAMPLE_3 = `version: 1
dn: cn=Gern Jensen, ou=Product Testing, dc=airius, dc=com
objectclass: top
objectclass: person
objectclass: organizationalPerson
cn: Gern Jensen
cn: Gern O Jensen
sn: Jensen
uid: gernj
telephonenumber: +1 408 555 1212
description:: V2hhdCBhIGNhcmVmdWwgcmVhZGVyIHlvdSBhcmUhICBUaGlzIHZhbHVlIGlzIGJhc2UtNjQtZW5jb2RlZCBiZWNhdXNlIGl0IGhhcyBhIGNvbnRyb2wgY2hhcmFjdGVyIGluIGl0IChhIENSKS4NICBCeSB0aGUgd2F5LCB5b3Ugc2hvdWxkIHJlYWxseSBnZXQgb3V0IG1vcmUu
`;

const EXAMPLE_4 = `version: 1
dn:: b3U95Za25qWt6YOoLG89QWlyaXVz
# dn:: ou=<JapaneseOU>,o=Airius
objectclass: top
objectclass: organizationalUnit
ou:: 5Za25qWt6YOo
# ou:: <JapaneseOU>
ou;lang-ja:: 5Za25qWt6YOo
# ou;lang-ja:: <JapaneseOU>
ou;lang-ja;phonetic:: 44GI44GE44GO44KH44GG44G2
# ou;lang-ja:: <JapaneseOU_in_phonetic_representation>
ou;lang-en: Sales
description: Japanese office

dn:: dWlkPXJvZ2FzYXdhcmEsb3U95Za25qWt6YOoLG89QWlyaXVz
# dn:: uid=<uid>,ou=<JapaneseOU>,o=Airius
userpassword: {SHA}O3HSv1MusyL4kTjP+HKI5uxuNoM=
objectclass: top
objectclass: person
objectclass: organizationalPerson
objectclass: inetOrgPerson
uid: rogasawara
mail: rogasawara@airius.co.jp
givenname;lang-ja:: 44Ot44OJ44OL44O8
# givenname;lang-ja:: <JapaneseGivenname>
sn;lang-ja:: 5bCP56yg5Y6f
# sn;lang-ja:: <JapaneseSn>
cn;lang-ja:: 5bCP56yg5Y6fIOODreODieODi+ODvA==
# cn;lang-ja:: <JapaneseCn>
title;lang-ja:: 5Za25qWt6YOoIOmDqOmVtw==
# title;lang-ja:: <JapaneseTitle>
preferredlanguage: ja
givenname:: 44Ot44OJ44OL44O8
# givenname:: <JapaneseGivenname>
sn:: 5bCP56yg5Y6f
# sn:: <JapaneseSn>
cn:: 5bCP56yg5Y6fIOODreODieODi+ODvA==
# cn:: <JapaneseCn>
title:: 5Za25qWt6YOoIOmDqOmVtw==
# title:: <JapaneseTitle>
givenname;lang-ja;phonetic:: 44KN44Gp44Gr44O8
# givenname;lang-ja;phonetic::
# <JapaneseGivenname_in_phonetic_representation_kana>
sn;lang-ja;phonetic:: 44GK44GM44GV44KP44KJ
# sn;lang-ja;phonetic:: <JapaneseSn_in_phonetic_representation_kana>
cn;lang-ja;phonetic:: 44GK44GM44GV44KP44KJIOOCjeOBqeOBq+ODvA==
# cn;lang-ja;phonetic:: <JapaneseCn_in_phonetic_representation_kana>
title;lang-ja;phonetic:: 44GI44GE44GO44KH44GG44G2IOOBtuOBoeOCh+OBhg==
# title;lang-ja;phonetic::
# <JapaneseTitle_in_phonetic_representation_kana>
givenname;lang-en: Rodney
sn;lang-en: Ogasawara
cn;lang-en: Rodney Ogasawara
title;lang-en: Sales, Director
`;

const EXAMPLE_5 = `version: 1
dn: cn=Horatio Jensen, ou=Product Testing, dc=airius, dc=com
objectclass: top
objectclass: person
objectclass: organizationalPerson
cn: Horatio Jensen
cn: Horatio N Jensen
sn: Jensen
uid: hjensen
telephonenumber: +1 408 555 1212
jpegphoto:< ${hjensenUrl}
`;

const EXAMPLE_6 = `version: 1
# Add a new entry
dn: cn=Fiona Jensen, ou=Marketing, dc=airius, dc=com
changetype: add
objectclass: top
objectclass: person
objectclass: organizationalPerson
cn: Fiona Jensen
sn: Jensen
uid: fiona
telephonenumber: +1 408 555 1212
jpegphoto:< ${fionaUrl}

# Delete an existing entry
dn: cn=Robert Jensen, ou=Marketing, dc=airius, dc=com
changetype: delete

# Modify an entry's relative distinguished name
dn: cn=Paul Jensen, ou=Product Development, dc=airius, dc=com
changetype: modrdn
newrdn: cn=Paula Jensen
deleteoldrdn: 1

# Rename an entry and move all of its children to a new location in
# the directory tree (only implemented by LDAPv3 servers).
dn: ou=PD Accountants, ou=Product Development, dc=airius, dc=com
changetype: modrdn
newrdn: ou=Product Development Accountants
deleteoldrdn: 0
newsuperior: ou=Accounting, dc=airius, dc=com

# Modify an entry: add an additional value to the postaladdress
# attribute, completely delete the description attribute, replace
# the telephonenumber attribute with two values, and delete a specific
# value from the facsimiletelephonenumber attribute
dn: cn=Paula Jensen, ou=Product Development, dc=airius, dc=com
changetype: modify
add: postaladdress
postaladdress: 123 Anystreet $ Sunnyvale, CA $ 94086
-
delete: description
-
replace: telephonenumber
telephonenumber: +1 408 555 1234
telephonenumber: +1 408 555 5678
-
delete: facsimiletelephonenumber
facsimiletelephonenumber: +1 408 555 9876
-

# Modify an entry: replace the postaladdress attribute with an empty
# set of values (which will cause the attribute to be removed), and
# delete the entire description attribute. Note that the first will
# always succeed, while the second will only succeed if at least
# one value for the description attribute is present.
dn: cn=Ingrid Jensen, ou=Product Support, dc=airius, dc=com
changetype: modify
replace: postaladdress
-
delete: description
-
`;

const EXAMPLE_7 = `version: 1
# Delete an entry. The operation will attach the LDAPv3
# Tree Delete Control defined in [9]. The criticality
# field is "true" and the controlValue field is
# absent, as required by [9].
dn: ou=Product Development, dc=airius, dc=com
control: 1.2.840.113556.1.4.805 true
changetype: delete
`;

const EXPECTED: Array<[name: string, ldif: string, records: LdifRecord[]]> = [
  [
    'example 1: two entries',
    EXAMPLE_1,
    [
      {
        kind: 'content',
        dn: 'cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
        line: 2,
        controls: [],
        attributes: attrs(
          ['objectclass', 'top', 'person', 'organizationalPerson'],
          ['cn', 'Barbara Jensen', 'Barbara J Jensen', 'Babs Jensen'],
          ['sn', 'Jensen'],
          ['uid', 'bjensen'],
          ['telephonenumber', '+1 408 555 1212'],
          ['description', 'A big sailing fan.'],
        ),
      },
      {
        kind: 'content',
        dn: 'cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com',
        line: 14,
        controls: [],
        attributes: attrs(['objectclass', 'top', 'person', 'organizationalPerson'], ['cn', 'Bjorn Jensen'], ['sn', 'Jensen'], ['telephonenumber', '+1 408 555 1212']),
      },
    ],
  ],
  [
    'example 2: a folded value',
    EXAMPLE_2,
    [
      {
        kind: 'content',
        dn: 'cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
        line: 2,
        controls: [],
        attributes: attrs(
          ['objectclass', 'top', 'person', 'organizationalPerson'],
          ['cn', 'Barbara Jensen', 'Barbara J Jensen', 'Babs Jensen'],
          ['sn', 'Jensen'],
          ['uid', 'bjensen'],
          ['telephonenumber', '+1 408 555 1212'],
          ['description', 'Babs is a big sailing fan, and travels extensively in search of perfect sailing conditions.'],
          ['title', 'Product Manager, Rod and Reel Division'],
        ),
      },
    ],
  ],
  [
    'example 3: a base64 value (with a CR in it)',
    EXAMPLE_3,
    [
      {
        kind: 'content',
        dn: 'cn=Gern Jensen, ou=Product Testing, dc=airius, dc=com',
        line: 2,
        controls: [],
        attributes: attrs(
          ['objectclass', 'top', 'person', 'organizationalPerson'],
          ['cn', 'Gern Jensen', 'Gern O Jensen'],
          ['sn', 'Jensen'],
          ['uid', 'gernj'],
          ['telephonenumber', '+1 408 555 1212'],
          ['description', 'What a careful reader you are!  This value is base-64-encoded because it has a control character in it (a CR).\r  By the way, you should really get out more.'],
        ),
      },
    ],
  ],
  [
    'example 4: UTF-8 DNs and values, language tags, comments',
    EXAMPLE_4,
    [
      {
        kind: 'content',
        dn: 'ou=営業部,o=Airius',
        line: 2,
        controls: [],
        attributes: attrs(
          ['objectclass', 'top', 'organizationalUnit'],
          ['ou', '営業部'],
          ['ou;lang-ja', '営業部'],
          ['ou;lang-ja;phonetic', 'えいぎょうぶ'],
          ['ou;lang-en', 'Sales'],
          ['description', 'Japanese office'],
        ),
      },
      {
        kind: 'content',
        dn: 'uid=rogasawara,ou=営業部,o=Airius',
        line: 15,
        controls: [],
        attributes: attrs(
          ['userpassword', '{SHA}O3HSv1MusyL4kTjP+HKI5uxuNoM='],
          ['objectclass', 'top', 'person', 'organizationalPerson', 'inetOrgPerson'],
          ['uid', 'rogasawara'],
          ['mail', 'rogasawara@airius.co.jp'],
          ['givenname;lang-ja', 'ロドニー'],
          ['sn;lang-ja', '小笠原'],
          ['cn;lang-ja', '小笠原 ロドニー'],
          ['title;lang-ja', '営業部 部長'],
          ['preferredlanguage', 'ja'],
          ['givenname', 'ロドニー'],
          ['sn', '小笠原'],
          ['cn', '小笠原 ロドニー'],
          ['title', '営業部 部長'],
          ['givenname;lang-ja;phonetic', 'ろどにー'],
          ['sn;lang-ja;phonetic', 'おがさわら'],
          ['cn;lang-ja;phonetic', 'おがさわら ろどにー'],
          ['title;lang-ja;phonetic', 'えいぎょうぶ ぶちょう'],
          ['givenname;lang-en', 'Rodney'],
          ['sn;lang-en', 'Ogasawara'],
          ['cn;lang-en', 'Rodney Ogasawara'],
          ['title;lang-en', 'Sales, Director'],
        ),
      },
    ],
  ],
  [
    'example 5: a value from a file: URL',
    EXAMPLE_5,
    [
      {
        kind: 'content',
        dn: 'cn=Horatio Jensen, ou=Product Testing, dc=airius, dc=com',
        line: 2,
        controls: [],
        attributes: [
          ...attrs(['objectclass', 'top', 'person', 'organizationalPerson'], ['cn', 'Horatio Jensen', 'Horatio N Jensen'], ['sn', 'Jensen'], ['uid', 'hjensen'], ['telephonenumber', '+1 408 555 1212']),
          { type: 'jpegphoto', values: [HJENSEN] },
        ],
      },
    ],
  ],
  [
    'example 6: change records and comments',
    EXAMPLE_6,
    [
      {
        kind: 'change',
        changeType: 'add',
        dn: 'cn=Fiona Jensen, ou=Marketing, dc=airius, dc=com',
        line: 3,
        controls: [],
        attributes: [
          ...attrs(['objectclass', 'top', 'person', 'organizationalPerson'], ['cn', 'Fiona Jensen'], ['sn', 'Jensen'], ['uid', 'fiona'], ['telephonenumber', '+1 408 555 1212']),
          { type: 'jpegphoto', values: [FIONA] },
        ],
      },
      { kind: 'change', changeType: 'delete', dn: 'cn=Robert Jensen, ou=Marketing, dc=airius, dc=com', line: 15, controls: [] },
      { kind: 'change', changeType: 'modrdn', dn: 'cn=Paul Jensen, ou=Product Development, dc=airius, dc=com', line: 19, controls: [], newRdn: 'cn=Paula Jensen', deleteOldRdn: true },
      {
        kind: 'change',
        changeType: 'modrdn',
        dn: 'ou=PD Accountants, ou=Product Development, dc=airius, dc=com',
        line: 26,
        controls: [],
        newRdn: 'ou=Product Development Accountants',
        deleteOldRdn: false,
        newSuperior: 'ou=Accounting, dc=airius, dc=com',
      },
      {
        kind: 'change',
        changeType: 'modify',
        dn: 'cn=Paula Jensen, ou=Product Development, dc=airius, dc=com',
        line: 36,
        controls: [],
        changes: [
          { operation: 'add', type: 'postaladdress', values: [b('123 Anystreet $ Sunnyvale, CA $ 94086')] },
          { operation: 'delete', type: 'description', values: [] },
          { operation: 'replace', type: 'telephonenumber', values: [b('+1 408 555 1234'), b('+1 408 555 5678')] },
          { operation: 'delete', type: 'facsimiletelephonenumber', values: [b('+1 408 555 9876')] },
        ],
      },
      {
        kind: 'change',
        changeType: 'modify',
        dn: 'cn=Ingrid Jensen, ou=Product Support, dc=airius, dc=com',
        line: 56,
        controls: [],
        changes: [
          { operation: 'replace', type: 'postaladdress', values: [] },
          { operation: 'delete', type: 'description', values: [] },
        ],
      },
    ],
  ],
  [
    'example 7: a change record with a control',
    EXAMPLE_7,
    [
      {
        kind: 'change',
        changeType: 'delete',
        dn: 'ou=Product Development, dc=airius, dc=com',
        line: 6,
        controls: [{ type: '1.2.840.113556.1.4.805', criticality: true }],
      },
    ],
  ],
];

describe('RFC 2849 examples', () => {
  test.each(EXPECTED)('%s', async (_name, ldif, records) => {
    expect(parseLdif(ldif)).toEqual(records);
    // The streaming reader gives the same, and sees the version line.
    const reader = readLdif([ldif]);
    const streamed: LdifRecord[] = [];
    for await (const r of reader) streamed.push(r);
    expect(streamed).toEqual(records);
    expect(reader.version).toBe(1);
    // With CRLF line ends too.
    expect(parseLdif(ldif.replace(/\n/g, '\r\n'))).toEqual(records);
    // What the writer makes of them reads back the same (but for the line numbers).
    expect(parseLdif(formatLdif(records)).map(withoutLine)).toEqual(records.map(withoutLine));
  });

  test('example 3 folded at any width reads the same', () => {
    const [record] = parseLdif(EXAMPLE_3);
    const line = /^description:: .*$/m.exec(EXAMPLE_3)![0];
    for (let width = 2; width < line.length; width += 7) {
      const folded = line.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n ');
      expect(parseLdif(EXAMPLE_3.replace(line, folded))).toEqual([record]);
    }
  });

  test('example 6 written back is RFC 2849 change records', () => {
    const written = formatLdif(parseLdif(EXAMPLE_6).slice(1)).toString();
    expect(written).toBe(`dn: cn=Robert Jensen, ou=Marketing, dc=airius, dc=com
changetype: delete

dn: cn=Paul Jensen, ou=Product Development, dc=airius, dc=com
changetype: modrdn
newrdn: cn=Paula Jensen
deleteoldrdn: 1

dn: ou=PD Accountants, ou=Product Development, dc=airius, dc=com
changetype: modrdn
newrdn: ou=Product Development Accountants
deleteoldrdn: 0
newsuperior: ou=Accounting, dc=airius, dc=com

dn: cn=Paula Jensen, ou=Product Development, dc=airius, dc=com
changetype: modify
add: postaladdress
postaladdress: 123 Anystreet $ Sunnyvale, CA $ 94086
-
delete: description
-
replace: telephonenumber
telephonenumber: +1 408 555 1234
telephonenumber: +1 408 555 5678
-
delete: facsimiletelephonenumber
facsimiletelephonenumber: +1 408 555 9876
-

dn: cn=Ingrid Jensen, ou=Product Support, dc=airius, dc=com
changetype: modify
replace: postaladdress
-
delete: description
-

`);
  });

  test('example 7 written back keeps its control line', () => {
    expect(formatLdif(parseLdif(EXAMPLE_7)).toString()).toBe(
      'dn: ou=Product Development, dc=airius, dc=com\ncontrol: 1.2.840.113556.1.4.805 true\nchangetype: delete\n\n',
    );
  });

  test('examples 5 and 6 with URL values disallowed: LDIF_URL at the URL line', () => {
    for (const [ldif, line] of [
      [EXAMPLE_5, 11],
      [EXAMPLE_6, 12],
    ] as const) {
      let error: unknown;
      try {
        parseLdif(ldif, { fileUrls: false });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LdifError);
      expect(error).toMatchObject({ code: 'LDIF_URL', line });
    }
  });
});
