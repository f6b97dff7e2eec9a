/**
 * `lber ldapmodify -f file` applied to one server and OpenLDAP's ldapmodify
 * with the same file applied to a second leave the two directories equal
 * (full `ldapsearch -LLL` dumps), and print the same lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSlapd } from '@lber/testkit';
import type { SlapdServer } from '@lber/testkit';
import { runLber, runOpenldap } from './helpers.js';

const ours = useSlapd({ entries: 1000 });
const theirs = useSlapd({ entries: 1000 });

/** Every change type: add (with base64 and a :< file value), delete, modify add/delete/replace/increment, modrdn, moddn with newsuperior. */
function changes(photoPath: string): string {
  return `version: 1

# add, with a base64 value and a value read from a file
dn: uid=dave,ou=people,dc=example,dc=com
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
uid: dave
cn: Dave Davis
sn: Davis
uidNumber: 1000
gidNumber: 1000
homeDirectory: /home/dave
description:: w6lsw6h2ZQ==
jpegPhoto:< file://${photoPath}

dn: uid=alice,ou=people,dc=example,dc=com
changetype: modify
add: description
description: first
description: second
-
replace: mail
mail: alice@new.example.com
-
delete: givenName
-

dn: uid=dave,ou=people,dc=example,dc=com
changetype: modify
increment: uidNumber
uidNumber: 5
-
delete: description
description:: w6lsw6h2ZQ==
-
replace: sn
sn: Davies
sn: Davis
-

dn: uid=bob,ou=people,dc=example,dc=com
changetype: modrdn
newrdn: uid=robert
deleteoldrdn: 0

dn: uid=robert,ou=people,dc=example,dc=com
changetype: moddn
newrdn: uid=bobby
deleteoldrdn: 1
newsuperior: ou=groups,dc=example,dc=com

dn: uid=user000001,ou=bulk,dc=example,dc=com
changetype: delete

dn: cn=staff,ou=groups,dc=example,dc=com
changetype: modify
delete: member
member: uid=bob,ou=people,dc=example,dc=com
-
add: member
member: uid=bobby,ou=groups,dc=example,dc=com
-

dn: uid=user000002,ou=bulk,dc=example,dc=com
changetype: modify
replace: cn
cn:: VXNlciDDmA==
-
`;
}

function dump(s: SlapdServer): Buffer {
  const r = runOpenldap('ldapsearch', ['-LLL', '-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword, '-b', s.suffix, '(objectClass=*)', '*', '+']);
  expect(r.status).toBe(0);
  // entryCSN, modifyTimestamp and createTimestamp differ between servers; everything else must not.
  return Buffer.from(
    r.stdout
      .toString('latin1')
      .replace(/\n /g, '')
      .split('\n')
      .filter((l) => !/^(entryCSN|modifyTimestamp|createTimestamp|entryUUID|contextCSN):/i.test(l))
      .join('\n'),
    'latin1',
  );
}

describe('lber ldapmodify equals OpenLDAP ldapmodify', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lber-cli-modify-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every change type: same output, same exit code, same directory afterwards', async () => {
    const photo = join(dir, 'photo.jpg');
    writeFileSync(photo, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3, 0x0a, 0x20, 0xff, 0xd9]));
    const file = join(dir, 'changes.ldif');
    writeFileSync(file, changes(photo));
    const a = ours();
    const b = theirs();
    expect(dump(a).equals(dump(b))).toBe(true);
    const got = await runLber('ldapmodify', ['-x', '-H', a.url, '-D', a.rootDn, '-w', a.rootPassword, '-f', file]);
    const want = runOpenldap('ldapmodify', ['-x', '-H', b.url, '-D', b.rootDn, '-w', b.rootPassword, '-f', file]);
    expect(got.stderr).toBe(want.stderr);
    expect(got.stdout.toString('utf8')).toBe(want.stdout.toString('utf8'));
    expect(got.status).toBe(0);
    expect(want.status).toBe(0);
    const after = dump(a);
    expect(after.toString('latin1')).toContain('dn: uid=bobby,ou=groups,dc=example,dc=com');
    expect(after.toString('latin1')).toContain('uidNumber: 1005');
    expect(after.toString('latin1')).toEqual(dump(b).toString('latin1'));
  });

  test('errors: exit code, stderr and -c continue like OpenLDAP', async () => {
    const file = join(dir, 'bad.ldif');
    writeFileSync(
      file,
      'dn: uid=nobody,ou=people,dc=example,dc=com\nchangetype: delete\n\n' +
        'dn: ou=extra,dc=example,dc=com\nchangetype: add\nobjectClass: organizationalUnit\nou: extra\n\n' +
        'dn: ou=extra,dc=example,dc=com\nchangetype: add\nobjectClass: organizationalUnit\nou: extra\n',
    );
    const a = ours();
    const b = theirs();
    for (const extra of [[], ['-c']]) {
      const got = await runLber('ldapmodify', ['-x', '-H', a.url, '-D', a.rootDn, '-w', a.rootPassword, ...extra, '-f', file]);
      const want = runOpenldap('ldapmodify', ['-x', '-H', b.url, '-D', b.rootDn, '-w', b.rootPassword, ...extra, '-f', file]);
      expect(got.status).toBe(want.status);
      expect(got.stdout.toString('utf8')).toBe(want.stdout.toString('utf8'));
      expect(got.stderr).toBe(want.stderr);
    }
    expect(dump(a).equals(dump(b))).toBe(true);
  });

  test('ldapadd reads entries without changetype; ldapmodify refuses them (exit 247)', async () => {
    const file = join(dir, 'entries.ldif');
    writeFileSync(file, 'dn: cn=role,dc=example,dc=com\nobjectClass: organizationalRole\ncn: role\n');
    const a = ours();
    const b = theirs();
    const badGot = await runLber('ldapmodify', ['-x', '-H', a.url, '-D', a.rootDn, '-w', a.rootPassword, '-f', file]);
    const badWant = runOpenldap('ldapmodify', ['-x', '-H', b.url, '-D', b.rootDn, '-w', b.rootPassword, '-f', file]);
    expect(badWant.status).toBe(247);
    expect(badGot.status).toBe(247);
    const got = await runLber('ldapadd', ['-x', '-H', a.url, '-D', a.rootDn, '-w', a.rootPassword, '-f', file]);
    const want = runOpenldap('ldapadd', ['-x', '-H', b.url, '-D', b.rootDn, '-w', b.rootPassword, '-f', file]);
    expect(got.status).toBe(0);
    expect(want.status).toBe(0);
    expect(got.stdout.toString('utf8')).toBe(want.stdout.toString('utf8'));
    expect(dump(a).equals(dump(b))).toBe(true);
  });

  test('-e preread and postread print the entry before and after, as OpenLDAP does', async () => {
    const file = join(dir, 'readentry.ldif');
    writeFileSync(file, 'dn: uid=carol,ou=people,dc=example,dc=com\nchangetype: modify\nreplace: title\ntitle: Chief Byte Officer\n-\n');
    const a = ours();
    const b = theirs();
    const args = (s: SlapdServer): string[] => ['-x', '-H', s.url, '-D', s.rootDn, '-w', s.rootPassword, '-e', 'preread=title,cn', '-e', 'postread=title', '-f', file];
    const got = await runLber('ldapmodify', args(a));
    const want = runOpenldap('ldapmodify', args(b));
    expect(want.status).toBe(0);
    expect(got.status).toBe(0);
    const text = got.stdout.toString('utf8');
    expect(text).toContain('# ==> preread');
    expect(text).toContain('title: Chief Byte Officer');
    expect(text).toBe(want.stdout.toString('utf8'));
    expect(got.stderr).toBe(want.stderr);
  });

  test('stdin input and -n (show, do not do)', async () => {
    const a = ours();
    const ldif = 'dn: uid=alice,ou=people,dc=example,dc=com\nchangetype: modify\nreplace: title\ntitle: Boss\n-\n';
    const dry = await runLber('ldapmodify', ['-n', '-x', '-H', a.url, '-D', a.rootDn, '-w', a.rootPassword], { stdin: ldif });
    expect(dry.stdout.toString('utf8')).toBe('!modifying entry "uid=alice,ou=people,dc=example,dc=com"\n\n');
    const real = await runLber('ldapmodify', ['-x', '-H', a.url, '-D', a.rootDn, '-w', a.rootPassword], { stdin: ldif });
    expect(real.status).toBe(0);
    const check = runOpenldap('ldapsearch', ['-LLL', '-x', '-H', a.url, '-b', 'uid=alice,ou=people,dc=example,dc=com', '-s', 'base', 'title']);
    expect(check.stdout.toString('utf8')).toBe('dn: uid=alice,ou=people,dc=example,dc=com\ntitle: Boss\n\n');
  });
});
