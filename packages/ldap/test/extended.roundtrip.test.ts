/**
 * Property tests for the extended operation codecs (Password Modify,
 * Cancel, WhoAmI) against asn1js, and runExtended over a stand-in client:
 * what it sends, what it decodes, and typed errors for bad responses.
 */
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { LdapProtocolError, cancelOperation, passwordModifyOperation, runExtended, whoAmIOperation } from '@lber/ldap';
import type { ExtendedClient, ExtendedResult, PasswordModifyRequest } from '@lber/ldap';

interface Node {
  tag: number;
  children: Node[];
  content: Buffer;
}

/** asn1js parses `bytes` as one whole element; the tree keeps the first identifier octet as `tag`. */
function parse(bytes: Uint8Array): Node {
  const { offset, result } = asn1js.fromBER(new Uint8Array(bytes));
  if (offset !== bytes.length || result.error !== '') throw new Error(`asn1js: ${result.error}`);
  const node = (b: asn1js.AsnType): Node => {
    const whole = Buffer.from(b.valueBeforeDecodeView);
    const children = b.idBlock.isConstructed ? (b.valueBlock as unknown as { value: asn1js.AsnType[] }).value.map(node) : [];
    return { tag: whole[0]!, children, content: whole.subarray(whole.length - b.lenBlock.length) };
  };
  return node(result);
}

const bytes = fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a));
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

function robust(decode: (b: Buffer) => unknown): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (a) => {
      try {
        decode(Buffer.from(a));
      } catch (error) {
        if (!(error instanceof LdapProtocolError)) throw error;
      }
    }),
  );
}

describe('Password Modify (RFC 3062)', () => {
  const request: fc.Arbitrary<PasswordModifyRequest> = fc.record({ userIdentity: opt(bytes), oldPassword: opt(bytes), newPassword: opt(bytes) });
  test('request round trip', () => {
    fc.assert(
      fc.property(request, (r) => {
        const encoded = passwordModifyOperation.encode(r)!;
        const tree = parse(encoded);
        expect(tree.tag).toBe(0x30);
        const seen: PasswordModifyRequest = {};
        for (const c of tree.children) {
          if (c.tag === 0x80) seen.userIdentity = Buffer.from(c.content);
          else if (c.tag === 0x81) seen.oldPassword = Buffer.from(c.content);
          else if (c.tag === 0x82) seen.newPassword = Buffer.from(c.content);
          else throw new Error(`tag ${c.tag}`);
        }
        expect(seen).toEqual(r);
        expect(passwordModifyOperation.decodeRequest!(encoded)).toEqual(r);
      }),
    );
  });
  test('strings are written as UTF-8; an empty request is an empty SEQUENCE', () => {
    expect(passwordModifyOperation.encode({ newPassword: 'é' })?.toString('hex')).toBe('30048202c3a9');
    expect(passwordModifyOperation.encode({})?.toString('hex')).toBe('3000');
  });
  test('response round trip (with and without a generated password)', () => {
    fc.assert(
      fc.property(opt(bytes), (gen) => {
        const parts = passwordModifyOperation.encodeResponse!({ genPassword: gen });
        if (gen === undefined) {
          expect(parts.responseValue).toBeUndefined();
        } else {
          const tree = parse(parts.responseValue!);
          expect(tree.children.map((c) => [c.tag, Buffer.from(c.content)])).toEqual([[0x80, gen]]);
        }
        expect(passwordModifyOperation.decode(parts)).toEqual(gen === undefined ? {} : { genPassword: gen });
      }),
    );
  });
  test('malformed input', () => {
    robust((b) => passwordModifyOperation.decode({ responseValue: b }));
    robust((b) => passwordModifyOperation.decodeRequest!(b));
  });
});

describe('Cancel (RFC 3909)', () => {
  test('request round trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fff_ffff }), (id) => {
        const encoded = cancelOperation.encode(id)!;
        const tree = parse(encoded);
        expect(tree.tag).toBe(0x30);
        expect(tree.children).toHaveLength(1);
        expect(tree.children[0]!.tag).toBe(0x02);
        expect(tree.children[0]!.content.readIntBE(0, tree.children[0]!.content.length)).toBe(id);
        expect(cancelOperation.decodeRequest!(encoded)).toBe(id);
      }),
    );
  });
  test('bad ids and bad responses', () => {
    expect(() => cancelOperation.encode(-1)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
    expect(() => cancelOperation.decode({ responseValue: Buffer.alloc(1) })).toThrow(LdapProtocolError);
    robust((b) => cancelOperation.decodeRequest!(b));
  });
});

describe('WhoAmI (RFC 4532)', () => {
  test('response round trip', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (id) => expect(whoAmIOperation.decode(whoAmIOperation.encodeResponse!(id))).toBe(id)));
    expect(whoAmIOperation.decode({})).toBe('');
    expect(whoAmIOperation.encode(undefined)).toBeUndefined();
  });
});

describe('runExtended over a stand-in client', () => {
  function fake(response: Partial<ExtendedResult>): ExtendedClient & { calls: unknown[][] } {
    const calls: unknown[][] = [];
    return {
      calls,
      extended(oid, value, options) {
        calls.push([oid, value, options]);
        return Promise.resolve({ messageId: 1, resultCode: 0, resultName: 'success', matchedDN: '', diagnosticMessage: '', referrals: [], controls: [], ...response });
      },
    };
  }

  test('sends the OID and encoded value and decodes the response', async () => {
    const client = fake({ responseValue: passwordModifyOperation.encodeResponse!({ genPassword: Buffer.from('pw') }).responseValue });
    const r = await runExtended(client, passwordModifyOperation, { userIdentity: 'uid=x' }, { timeLimitMs: 100 });
    expect(r.value).toEqual({ genPassword: Buffer.from('pw') });
    expect(client.calls).toEqual([[passwordModifyOperation.oid, passwordModifyOperation.encode({ userIdentity: 'uid=x' }), { abandonable: true, timeLimitMs: 100 }]]);
  });

  test('a response that does not decode rejects with DECODE_ERROR', async () => {
    const client = fake({ responseValue: Buffer.from([0x30, 0x05, 0x80]) });
    await expect(runExtended(client, passwordModifyOperation, {})).rejects.toBeInstanceOf(LdapProtocolError);
  });
});
