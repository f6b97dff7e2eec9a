/**
 * The control codecs against the testkit's slapd with the ppolicy and
 * sssvlv overlays: each control on a real operation, typed values back on
 * results (success and error), and the error paths: an expired password, a
 * password reset that must be changed, a failed assertion (122), critical
 * controls the server does not know (12).
 */
import { useSlapd } from '@lber/testkit';
import {
  LdapResultCode,
  LdapResultError,
  PASSWORD_POLICY_OID,
  SORT_RESPONSE_OID,
  SortResultCode,
  assertionControl,
  connect,
  createControl,
  decodeControls,
  dontUseCopyControl,
  getControl,
  manageDsaITControl,
  pagedResults,
  passwordPolicy,
  passwordPolicyControl,
  persistentSearchControl,
  postRead,
  postReadControl,
  preRead,
  preReadControl,
  proxiedAuthorizationControl,
  registerControl,
  relaxRulesControl,
  sortRequestControl,
  sortResponse,
  subtreeDeleteControl,
  vlvRequestControl,
  vlvResponse,
  whoAmI,
  defaultControlRegistry,
} from '@lber/ldap';
import type { LdapClient } from '@lber/ldap';

const SUFFIX = 'dc=example,dc=com';
const POLICIES = `ou=policies,${SUFFIX}`;
const PP = `ou=pp,${SUFFIX}`;

function person(uid: string, password: string, extra: string[] = []): string {
  return [`dn: uid=${uid},${PP}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, `userPassword: ${password}`, ...extra, ''].join('\n');
}

function policy(cn: string, lines: string[]): string {
  return [`dn: cn=${cn},${POLICIES}`, 'objectClass: pwdPolicy', 'objectClass: organizationalRole', `cn: ${cn}`, 'pwdAttribute: userPassword', ...lines, ''].join('\n');
}

const LDIF = [
  [`dn: ${POLICIES}`, 'objectClass: organizationalUnit', 'ou: policies', ''].join('\n'),
  policy('default', ['pwdMaxAge: 3600', 'pwdMinLength: 8', 'pwdCheckQuality: 1']),
  policy('grace', ['pwdMaxAge: 3600', 'pwdGraceAuthNLimit: 3']),
  policy('warn', ['pwdMaxAge: 2000000000', 'pwdExpireWarning: 2000000000']),
  policy('reset', ['pwdMustChange: TRUE']),
  [`dn: ${PP}`, 'objectClass: organizationalUnit', 'ou: pp', ''].join('\n'),
  person('expired', 'expired-secret', ['pwdChangedTime: 20000101000000Z']),
  person('grace', 'grace-secret', [`pwdPolicySubentry: cn=grace,${POLICIES}`, 'pwdChangedTime: 20000101000000Z']),
  person('warned', 'warned-secret', [`pwdPolicySubentry: cn=warn,${POLICIES}`, 'pwdChangedTime: 20200101000000Z']),
  person('reset', 'reset-secret', [`pwdPolicySubentry: cn=reset,${POLICIES}`, 'pwdReset: TRUE']),
  person('changer', 'changer-secret'),
  [`dn: ou=elsewhere,${SUFFIX}`, 'objectClass: referral', 'objectClass: extensibleObject', 'ou: elsewhere', `ref: ldap://other.example.invalid/ou=elsewhere,${SUFFIX}`, ''].join('\n'),
  [`dn: ou=tree,${SUFFIX}`, 'objectClass: organizationalUnit', 'ou: tree', ''].join('\n'),
  [`dn: ou=leaf,ou=tree,${SUFFIX}`, 'objectClass: organizationalUnit', 'ou: leaf', ''].join('\n'),
].join('\n');

const slapd = useSlapd({
  modules: ['ppolicy', 'sssvlv'],
  databaseConfig: [`overlay ppolicy`, `ppolicy_default "cn=default,${POLICIES}"`, 'overlay sssvlv'].join('\n'),
  ldif: LDIF,
});

const clients: LdapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (!c.closed) await c.unbind();
});

async function open(): Promise<LdapClient> {
  const c = await connect(slapd().url);
  clients.push(c);
  return c;
}

async function admin(): Promise<LdapClient> {
  const c = await open();
  await c.bind(slapd().rootDn, slapd().rootPassword);
  return c;
}

/** What `p` rejects with, as an LdapResultError (fails the test when it resolves or rejects otherwise). */
async function resultError(p: Promise<unknown>): Promise<LdapResultError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof LdapResultError) return error;
    throw error;
  }
  throw new Error('expected an LdapResultError');
}

const people = `ou=people,${SUFFIX}`;

describe('password policy (draft-behera) on bind', () => {
  test('an expired password: invalidCredentials with error passwordExpired', async () => {
    const c = await open();
    const e = await resultError(c.bind(`uid=expired,${PP}`, 'expired-secret', { controls: [passwordPolicyControl()] }));
    expect(e.resultCode).toBe(LdapResultCode.invalidCredentials);
    expect(getControl(e.controls, passwordPolicy)).toEqual({ error: 'passwordExpired', errorCode: 0 });
    const decoded = decodeControls(e.controls);
    expect(decoded).toMatchObject([{ known: true, type: PASSWORD_POLICY_OID, name: 'passwordPolicy', value: { error: 'passwordExpired' } }]);
  });

  test('an expired password with grace binds left: success with warning graceAuthNsRemaining', async () => {
    const c = await open();
    const r = await c.bind(`uid=grace,${PP}`, 'grace-secret', { controls: [passwordPolicyControl()] });
    expect(getControl(r.controls, passwordPolicy)).toEqual({ graceAuthNsRemaining: 2 });
    const again = await c.bind(`uid=grace,${PP}`, 'grace-secret', { controls: [passwordPolicyControl()] });
    expect(getControl(again.controls, passwordPolicy)).toEqual({ graceAuthNsRemaining: 1 });
  });

  test('a password about to expire: success with warning timeBeforeExpiration', async () => {
    const c = await open();
    const r = await c.bind(`uid=warned,${PP}`, 'warned-secret', { controls: [passwordPolicyControl()] });
    const pp = getControl(r.controls, passwordPolicy);
    const changed = Date.UTC(2020, 0, 1) / 1000;
    const expected = changed + 2_000_000_000 - Date.now() / 1000;
    expect(pp?.timeBeforeExpiration).toBeGreaterThan(expected - 120);
    expect(pp?.timeBeforeExpiration).toBeLessThan(expected + 120);
    expect(pp?.error).toBeUndefined();
  });

  test('a reset password: success with error changeAfterReset, then other operations refused', async () => {
    const c = await open();
    const r = await c.bind(`uid=reset,${PP}`, 'reset-secret', { controls: [passwordPolicyControl()] });
    expect(getControl(r.controls, passwordPolicy)).toEqual({ error: 'changeAfterReset', errorCode: 2 });
    // slapd answers a policy control on bind, modify and add only (not on search)
    const change = [{ operation: 'replace' as const, modification: { type: 'description', values: ['x'] } }];
    const e = await resultError(c.modify(`uid=reset,${PP}`, change, { controls: [passwordPolicyControl()] }));
    expect(e.resultCode).toBe(LdapResultCode.insufficientAccessRights);
    expect(getControl(e.controls, passwordPolicy)?.error).toBe('changeAfterReset');
  });

  test('without the request control the server sends no policy response', async () => {
    const c = await open();
    const e = await resultError(c.bind(`uid=expired,${PP}`, 'expired-secret'));
    expect(e.resultCode).toBe(LdapResultCode.invalidCredentials);
    expect(getControl(e.controls, passwordPolicy)).toBeUndefined();
  });

  test('a modify to a too short password: constraintViolation with error passwordTooShort', async () => {
    const c = await open();
    await c.bind(`uid=changer,${PP}`, 'changer-secret');
    const e = await resultError(
      c.modify(`uid=changer,${PP}`, [{ operation: 'replace', modification: { type: 'userPassword', values: ['short'] } }], { controls: [passwordPolicyControl()] }),
    );
    expect(e.resultCode).toBe(LdapResultCode.constraintViolation);
    expect(getControl(e.controls, passwordPolicy)?.error).toBe('passwordTooShort');
  });
});

describe('assertion (RFC 4528)', () => {
  test('a modify whose assertion holds is applied; one whose assertion fails gives assertionFailed (122)', async () => {
    const c = await admin();
    const dn = `uid=bob,${people}`;
    await c.modify(dn, [{ operation: 'replace', modification: { type: 'description', values: ['asserted'] } }], { controls: [assertionControl('(sn=Baker)')] });
    const e = await resultError(
      c.modify(dn, [{ operation: 'replace', modification: { type: 'description', values: ['never'] } }], { controls: [assertionControl('(sn=Nobody)')] }),
    );
    expect(e.resultCode).toBe(LdapResultCode.assertionFailed);
    expect(e.resultName).toBe('assertionFailed');
    const { entries } = await c.search(dn, { scope: 'base', attributes: ['description'] }).all();
    expect(entries[0]?.string('description')).toBe('asserted');
  });

  test('on a search, a failed assertion on the base fails the search', async () => {
    const c = await open();
    const e = await resultError(c.search(`uid=alice,${people}`, { scope: 'base', controls: [assertionControl('(cn=Nobody)')] }).all());
    expect(e.resultCode).toBe(LdapResultCode.assertionFailed);
  });
});

describe('pre-read and post-read (RFC 4527)', () => {
  test('a modify returns the entry before and after, decoded', async () => {
    const c = await admin();
    const dn = `uid=carol,${people}`;
    await c.modify(dn, [{ operation: 'replace', modification: { type: 'description', values: ['before'] } }]);
    const r = await c.modify(dn, [{ operation: 'replace', modification: { type: 'description', values: ['after'] } }], {
      controls: [preReadControl(['description', 'cn']), postReadControl(['description'])],
    });
    const before = getControl(r.controls, preRead);
    const after = getControl(r.controls, postRead);
    expect(before?.dn).toBe(dn);
    expect(before?.string('description')).toBe('before');
    expect(before?.string('cn')).toBe('Carol Cooper');
    expect(after?.string('description')).toBe('after');
    expect(after?.has('cn')).toBe(false);
  });

  test('an add returns the new entry with its operational attributes; a delete the old one', async () => {
    const c = await admin();
    const dn = `cn=readme,${SUFFIX}`;
    const added = await c.add(dn, { objectClass: ['organizationalRole'], cn: 'readme' }, { controls: [postReadControl(['entryUUID', 'cn'])] });
    const entry = getControl(added.controls, postRead);
    expect(entry?.string('entryUUID')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const deleted = await c.delete(dn, { controls: [preReadControl(['*'])] });
    expect(getControl(deleted.controls, preRead)?.strings('objectClass')).toContain('organizationalRole');
  });
});

describe('proxied authorization v2 (RFC 4370)', () => {
  test('the root DN acts as alice: WhoAmI answers alice', async () => {
    const c = await admin();
    const alice = `uid=alice,${people}`;
    expect(await whoAmI(c, { controls: [proxiedAuthorizationControl(`dn:${alice}`)] })).toBe(`dn:${alice}`);
    expect(await whoAmI(c)).toBe(`dn:${slapd().rootDn}`);
  });

  test('bob may not act as alice: the server refuses', async () => {
    const c = await open();
    const bob = slapd().users.find((u) => u.uid === 'bob')!;
    await c.bind(bob.dn, bob.password);
    const e = await resultError(whoAmI(c, { controls: [proxiedAuthorizationControl(`dn:uid=alice,${people}`)] }));
    expect([LdapResultCode.proxiedAuthorizationFailure, LdapResultCode.authorizationDenied]).toContain(e.resultCode);
  });
});

describe('server-side sort (RFC 2891) and VLV', () => {
  test('people sorted by cn, descending, with a sort response of success', async () => {
    const c = await open();
    const { entries, result } = await c.search(people, { scope: 'one', attributes: ['cn'], controls: [sortRequestControl(['-cn:caseIgnoreOrderingMatch'])] }).all();
    const cns = entries.map((e) => e.string('cn') ?? '');
    expect(cns).toEqual([...cns].sort().reverse());
    expect(cns).toHaveLength(4);
    expect(getControl(result.controls, sortResponse)).toEqual({ sortResult: SortResultCode.success });
    expect(decodeControls(result.controls).map((d) => d.type)).toContain(SORT_RESPONSE_OID);
  });

  test('a critical sort on an attribute without an ordering rule fails with inappropriateMatching', async () => {
    const c = await open();
    const e = await resultError(c.search(people, { scope: 'one', controls: [sortRequestControl([{ attributeType: 'cn' }], true)] }).all());
    expect(e.resultCode).toBe(LdapResultCode.inappropriateMatching);
  });

  test('VLV by offset returns a window of the sorted list and the position', async () => {
    const c = await open();
    const { entries, result } = await c
      .search(people, {
        scope: 'one',
        attributes: ['cn'],
        controls: [sortRequestControl([{ attributeType: 'cn', orderingRule: 'caseIgnoreOrderingMatch' }]), vlvRequestControl({ beforeCount: 0, afterCount: 1, target: { byOffset: { offset: 2, contentCount: 0 } } })],
      })
      .all();
    expect(entries.map((e) => e.string('cn'))).toEqual(['Bob Baker', 'Carol Cooper']);
    const vlv = getControl(result.controls, vlvResponse);
    expect(vlv).toMatchObject({ targetPosition: 2, contentCount: 4, virtualListViewResult: 0 });
  });

  test('VLV by value starts at the first entry not less than the value', async () => {
    const c = await open();
    const { entries, result } = await c
      .search(people, {
        scope: 'one',
        attributes: ['cn'],
        controls: [sortRequestControl([{ attributeType: 'cn', orderingRule: 'caseIgnoreOrderingMatch' }]), vlvRequestControl({ beforeCount: 0, afterCount: 0, target: { greaterThanOrEqual: 'C' } })],
      })
      .all();
    expect(entries.map((e) => e.string('cn'))).toEqual(['Carol Cooper']);
    expect(getControl(result.controls, vlvResponse)?.targetPosition).toBe(3);
  });

  test('VLV without a sort control: the server says so', async () => {
    const c = await open();
    const e = await resultError(
      c.search(people, { scope: 'one', controls: [vlvRequestControl({ beforeCount: 0, afterCount: 0, target: { byOffset: { offset: 1, contentCount: 0 } } }, true)] }).all(),
    );
    expect(e.resultCode).not.toBe(0);
  });
});

describe('paged results (RFC 2696) through the registry', () => {
  test('one page by hand: the response cookie is not empty, and the estimate decodes', async () => {
    const c = await open();
    const { entries, result } = await c.search(people, { scope: 'one', controls: [createControl(pagedResults, { size: 2, cookie: Buffer.alloc(0) })] }).all();
    expect(entries).toHaveLength(2);
    const page = getControl(result.controls, pagedResults);
    expect(page?.cookie.length).toBeGreaterThan(0);
    const next = await c.search(people, { scope: 'one', controls: [createControl(pagedResults, { size: 2, cookie: page!.cookie })] }).all();
    expect(next.entries).toHaveLength(2);
    expect(getControl(next.result.controls, pagedResults)?.cookie.length).toBe(0);
  });
});

describe('ManageDsaIT, relax rules, dontUseCopy, subtree delete', () => {
  test('a referral object: a referral without ManageDsaIT, the entry with it', async () => {
    const c = await open();
    const base = `ou=elsewhere,${SUFFIX}`;
    const e = await resultError(c.search(base, { scope: 'base' }).all());
    expect(e.resultCode).toBe(LdapResultCode.referral);
    expect(e.referrals[0]).toContain('other.example.invalid');
    const { entries } = await c.search(base, { scope: 'base', attributes: ['ref'], controls: [manageDsaITControl(true)] }).all();
    expect(entries[0]?.string('ref')).toContain('ldap://other.example.invalid/');
  });

  test('relax rules lets the root DN set a NO-USER-MODIFICATION attribute', async () => {
    const c = await admin();
    const dn = `uid=bob,${people}`;
    const change = [{ operation: 'replace' as const, modification: { type: 'createTimestamp', values: ['20010101000000Z'] } }];
    const refused = await resultError(c.modify(dn, change));
    expect(refused.resultCode).toBe(LdapResultCode.constraintViolation);
    await c.modify(dn, change, { controls: [relaxRulesControl()] });
    const { entries } = await c.search(dn, { scope: 'base', attributes: ['createTimestamp'] }).all();
    expect(entries[0]?.string('createTimestamp')).toBe('20010101000000Z');
  });

  test('dontUseCopy (critical) on a search of the master copy succeeds', async () => {
    const c = await open();
    const { entries } = await c.search(`uid=alice,${people}`, { scope: 'base', controls: [dontUseCopyControl()] }).all();
    expect(entries).toHaveLength(1);
  });

  test('subtree delete: slapd does not know it, so critical fails with unavailableCriticalExtension (12); not critical it is ignored', async () => {
    const c = await admin();
    const dn = `ou=tree,${SUFFIX}`;
    const critical = await resultError(c.delete(dn, { controls: [subtreeDeleteControl(true)] }));
    expect(critical.resultCode).toBe(LdapResultCode.unavailableCriticalExtension);
    expect(critical.resultName).toBe('unavailableCriticalExtension');
    const ignored = await resultError(c.delete(dn, { controls: [subtreeDeleteControl(false)] }));
    expect(ignored.resultCode).toBe(LdapResultCode.notAllowedOnNonLeaf);
  });
});

describe('unknown controls', () => {
  test('a critical control the server does not know: unavailableCriticalExtension (12); not critical: ignored', async () => {
    const c = await open();
    const unknown = { type: '1.3.6.1.4.1.99999.77.1', value: Buffer.from('x') };
    const e = await resultError(c.search(people, { scope: 'base', controls: [{ ...unknown, criticality: true }] }).all());
    expect(e.resultCode).toBe(LdapResultCode.unavailableCriticalExtension);
    const { entries } = await c.search(people, { scope: 'base', controls: [{ ...unknown, criticality: false }] }).all();
    expect(entries).toHaveLength(1);
  });

  test('persistent search: slapd does not implement it, a critical request fails with 12', async () => {
    const c = await open();
    const e = await resultError(c.search(people, { controls: [persistentSearchControl()] }).all());
    expect(e.resultCode).toBe(LdapResultCode.unavailableCriticalExtension);
  });

  test('a user codec registered for an OID decodes it; unknown OIDs stay raw', () => {
    const oid = '1.3.6.1.4.1.99999.77.2';
    try {
      const codec = registerControl<string>(oid, { encode: (s) => Buffer.from(s), decode: (v) => (v ?? Buffer.alloc(0)).toString().toUpperCase() });
      const raw = [createControl(codec, 'hello'), { type: '1.3.6.1.4.1.99999.77.3', criticality: true, value: Buffer.from('raw') }];
      expect(decodeControls(raw)).toEqual([
        { known: true, type: oid, name: oid, criticality: false, value: 'HELLO', raw: Buffer.from('hello') },
        { known: false, type: '1.3.6.1.4.1.99999.77.3', criticality: true, value: Buffer.from('raw') },
      ]);
    } finally {
      defaultControlRegistry.unregister(oid);
    }
    expect(decodeControls([{ type: oid, criticality: false }])[0]?.known).toBe(false);
  });
});
