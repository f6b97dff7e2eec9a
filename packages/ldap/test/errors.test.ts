import { LdapConnectionError, LdapDnError, LdapError, LdapFilterError, LdapResultCode, LdapResultError, LdapSyntaxError, LdapUrlError, ldapResultCodeName } from '@lber/ldap';

describe('the @lber/ldap error family', () => {
  test('result code names cover RFC 4511 and the common extensions', () => {
    expect(ldapResultCodeName(0)).toBe('success');
    expect(ldapResultCodeName(49)).toBe('invalidCredentials');
    expect(ldapResultCodeName(32)).toBe('noSuchObject');
    expect(ldapResultCodeName(10)).toBe('referral');
    expect(ldapResultCodeName(122)).toBe('assertionFailed');
    expect(ldapResultCodeName(4096)).toBe('syncRefreshRequired');
    expect(ldapResultCodeName(0x410e)).toBe('noOperation');
    expect(ldapResultCodeName(999)).toBe('unknown(999)');
    // RFC 4511 section 4.1.9's list, every code named
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 32, 33, 34, 36, 48, 49, 50, 51, 52, 53, 54, 64, 65, 66, 67, 68, 69, 71, 80]) {
      expect(ldapResultCodeName(code)).not.toMatch(/^unknown/);
    }
    const values = Object.values(LdapResultCode);
    expect(new Set(values).size).toBe(values.length);
  });

  test('LdapResultError carries the whole LDAPResult', () => {
    const e = new LdapResultError({
      resultCode: 32,
      matchedDN: 'dc=example,dc=com',
      diagnosticMessage: 'no such entry',
      referrals: ['ldap://other/'],
      controls: [{ oid: '1.2.3', critical: false }],
      operation: 'search',
    });
    expect(e).toBeInstanceOf(LdapError);
    expect(e.code).toBe('LDAP_RESULT');
    expect(e.resultCode).toBe(32);
    expect(e.resultName).toBe('noSuchObject');
    expect(e.matchedDN).toBe('dc=example,dc=com');
    expect(e.referrals).toEqual(['ldap://other/']);
    expect(e.controls).toHaveLength(1);
    expect(e.message).toBe('search: noSuchObject (32): no such entry');
    expect(new LdapResultError({ resultCode: 50 }).message).toBe('insufficientAccessRights (50)');
  });

  test('syntax errors point at the position', () => {
    const e = new LdapDnError('= expected', 'cn', 2);
    expect(e).toBeInstanceOf(LdapSyntaxError);
    expect(e.code).toBe('DN_SYNTAX');
    expect(e.message).toContain('at position 2');
    expect(e.message).toBe('= expected at position 2\n  "cn"\n     ^');
    expect(new LdapDnError('bad', 'a"b', 2).message).toBe('bad at position 2\n  "a\\"b"\n      ^');
    expect(new LdapFilterError('x', '(a', 2, { code: 'FILTER_DEPTH' }).code).toBe('FILTER_DEPTH');
    expect(new LdapUrlError('BADSCOPE', 'bad', 'ldap://h/??x', 11).urlReason).toBe('BADSCOPE');
  });

  test('connection errors have stable codes and a cause', () => {
    const cause = new Error('ECONNRESET');
    const e = new LdapConnectionError('IO_ERROR', 'socket failed', { cause, url: 'ldap://h' });
    expect(e).toBeInstanceOf(LdapError);
    expect(e.code).toBe('IO_ERROR');
    expect(e.cause).toBe(cause);
    expect(e.url).toBe('ldap://h');
    expect(e.name).toBe('LdapConnectionError');
  });
});
