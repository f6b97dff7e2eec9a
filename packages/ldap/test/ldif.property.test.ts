/**
 * Properties of the LDIF reader and writer (fast-check): random records
 * written at any fold width (or none) read back equal, whole or in random
 * chunks; lines respect the width; and no input, however broken, makes the
 * reader throw anything but an LdifError.
 */
import fc from 'fast-check';
import { LdifError, formatLdif, parseLdif, readLdif, type LdifRecord, type LdifRecordInput, type LdifWrap } from '@lber/ldap';

const RESERVED = new Set(['dn', 'changetype', 'control']);

const attributeType = fc
  .tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/), fc.array(fc.stringMatching(/^[A-Za-z0-9-]{1,6}$/), { maxLength: 2 }))
  .map(([base, options]) => [base, ...options].join(';'))
  .filter((t) => !RESERVED.has(t.toLowerCase()));

/** Values: binary, any Unicode text, or ASCII with the octets that change the encoding. */
const value = fc.oneof(
  fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s)),
  fc.stringMatching(/^[ :<#a-z-]{0,3}[ -~]{0,150}[ a-z]{0,2}$/).map((s) => Buffer.from(s)),
);

const text = fc.string({ unit: 'binary', maxLength: 90 });
const oid = fc.array(fc.nat(99999), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.'));
const control = fc.record({ type: oid, criticality: fc.boolean(), value: fc.option(value, { nil: undefined }) }).map((c) => {
  if (c.value === undefined) delete c.value;
  return c;
});
const controls = fc.array(control, { maxLength: 2 });

/** Attributes with distinct (case-insensitive) types and at least `minValues` values each. */
function attributes(minLength: number) {
  return fc.uniqueArray(fc.record({ type: attributeType, values: fc.array(value, { minLength: 1, maxLength: 4 }) }), {
    minLength,
    maxLength: 6,
    selector: (a) => a.type.toLowerCase(),
  });
}

const record: fc.Arbitrary<LdifRecordInput> = fc.oneof(
  fc.record({ kind: fc.constant('content' as const), dn: text, attributes: attributes(0) }),
  fc.record({ kind: fc.constant('change' as const), changeType: fc.constant('add' as const), dn: text, controls, attributes: attributes(1) }),
  fc.record({ kind: fc.constant('change' as const), changeType: fc.constant('delete' as const), dn: text, controls }),
  fc.record({
    kind: fc.constant('change' as const),
    changeType: fc.constant('modify' as const),
    dn: text,
    controls,
    changes: fc.array(
      fc.record({ operation: fc.constantFrom('add' as const, 'delete' as const, 'replace' as const, 'increment' as const), type: attributeType, values: fc.array(value, { maxLength: 3 }) }),
      { maxLength: 4 },
    ),
  }),
  fc
    .record({
      kind: fc.constant('change' as const),
      changeType: fc.constantFrom('modrdn' as const, 'moddn' as const),
      dn: text,
      controls,
      newRdn: text,
      deleteOldRdn: fc.boolean(),
      newSuperior: fc.option(text, { nil: undefined }),
    })
    .map((r) => {
      if (r.newSuperior === undefined) delete r.newSuperior;
      return r;
    }),
);

const wrap: fc.Arbitrary<LdifWrap> = fc.oneof(fc.constantFrom<LdifWrap>(0, 2, 76, 78, 'no'), fc.integer({ min: 1, max: 120 }));

/** A record as the reader gives it back: controls always present, line numbers aside, values as Buffers. */
function normalize(r: LdifRecordInput | LdifRecord): unknown {
  const { line: _line, ...rest } = r;
  return JSON.parse(JSON.stringify({ controls: [], ...rest }, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)));
}

describe('LDIF round trips', () => {
  test('records written at any width read back equal', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 5 }), wrap, fc.boolean(), (records, w, version) => {
        const ldif = formatLdif(records, { wrap: w, version });
        const back = parseLdif(ldif);
        expect(back.map(normalize)).toEqual(records.map(normalize));
      }),
      { numRuns: 300 },
    );
  });

  test('the same through the streaming reader in random chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 4 }), wrap, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), async (records, w, sizes) => {
        const ldif = formatLdif(records, { wrap: w });
        const chunks: Buffer[] = [];
        for (let at = 0, i = 0; at < ldif.length; i++) {
          const n = sizes[i % sizes.length]!;
          chunks.push(ldif.subarray(at, at + n));
          at += n;
        }
        const back: LdifRecord[] = [];
        for await (const r of readLdif(chunks)) back.push(r);
        expect(back.map(normalize)).toEqual(records.map(normalize));
      }),
      { numRuns: 150 },
    );
  });

  test('writing what was read gives the same bytes', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 4 }), wrap, (records, w) => {
        const ldif = formatLdif(records, { wrap: w });
        expect(formatLdif(parseLdif(ldif), { wrap: w }).equals(ldif)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('no line is longer than the width (names aside), and no folded line starts a record', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 4 }), fc.integer({ min: 2, max: 100 }), (records, w) => {
        const lines = formatLdif(records, { wrap: w }).toString('latin1').split('\n');
        for (const [i, line] of lines.entries()) {
          if (line.startsWith(' ')) {
            expect(line.length).toBeLessThanOrEqual(w + 1);
            expect(lines[i - 1]).not.toBe('');
          } else {
            const head = /^[^:]*::?<? ?/.exec(line)?.[0].length ?? 0;
            expect(line.length).toBeLessThanOrEqual(Math.max(w + 1, head));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('bad input never escapes as anything but LdifError', () => {
  const sample = formatLdif([
    { kind: 'content', dn: 'cn=Zoë,dc=x', attributes: [{ type: 'cn', values: ['Zoë', 'a'.repeat(100)] }] },
    { kind: 'change', changeType: 'modify', dn: 'cn=a', controls: [{ type: '1.2.3', criticality: true, value: 'v' }], changes: [{ operation: 'replace', type: 'sn', values: ['x'] }] },
    { kind: 'change', changeType: 'modrdn', dn: 'cn=a', newRdn: 'cn=b', deleteOldRdn: true, newSuperior: 'o=x' },
  ]);

  const check = (input: Uint8Array): void => {
    try {
      parseLdif(input, { fileUrls: false });
    } catch (e) {
      if (!(e instanceof LdifError)) throw e;
      expect(e.line).toBeGreaterThan(0);
    }
  };

  test('random bytes and random LDIF-ish lines', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => check(bytes)), { numRuns: 500 });
    const line = fc.oneof(
      fc.constantFrom('dn: a', 'dn:: ', 'changetype: modify', 'changetype: modrdn', 'changetype: add', 'changetype: delete', '-', '', ' ', '# c', 'add: cn', 'cn: x', 'cn:: ***', 'newrdn: x', 'deleteoldrdn: 1', 'newsuperior: y', 'control: 1.2 true: v', 'version: 1', 'cn:< file:///x'),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(fc.property(fc.array(line, { maxLength: 20 }), fc.constantFrom('\n', '\r\n'), (lines, sep) => check(Buffer.from(lines.join(sep)))), { numRuns: 500 });
  });

  test('mutations of a valid file', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const mutated = Buffer.from(sample);
        for (const [at, b] of edits) mutated[at] = b;
        check(mutated);
      }),
      { numRuns: 500 },
    );
  });
});
