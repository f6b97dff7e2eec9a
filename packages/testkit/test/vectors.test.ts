import { bytes, formatTag, hex, vectorTag, vectorsDir } from '@lber/testkit';
import { existsSync } from 'node:fs';

test('bytes specs decode hex and repeated runs', () => {
  expect(hex(bytes('0a0b'))).toBe('0a0b');
  expect(hex(bytes(['01', { repeat: 'ab', count: 3 }, '']))).toBe('01ababab');
});

test('tags round-trip through the vector notation', () => {
  expect(vectorTag('LBER_DEFAULT')).toBe(0xffffffffffffffffn);
  expect(formatTag(vectorTag('0x9f1f'))).toBe('0x9f1f');
  expect(formatTag(vectorTag('0x0'))).toBe('0x0');
});

test('the vector directory exists', () => {
  expect(existsSync(vectorsDir())).toBe(true);
});
