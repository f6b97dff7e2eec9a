import { afterEach, expect, test } from '@jest/globals';
import { berBprint, berLogBprint, ber_bprint, ber_log_bprint, lberOptions, LDAP_DEBUG_BER, LDAP_DEBUG_PACKETS } from '@lber/sockbuf';

const savedPrint = lberOptions.logPrint;
afterEach(() => {
  lberOptions.logPrint = savedPrint;
});

function capture(run: () => void): string[] {
  const lines: string[] = [];
  lberOptions.logPrint = (message) => {
    lines.push(message);
  };
  run();
  return lines;
}

const data = Buffer.from('000102030405060708090a0b0c0d0e0f41424344', 'hex');

test('a range dumps with offsets counted from its start', () => {
  expect(capture(() => berBprint(data, 16, 20))).toEqual(['  0000:  41 42 43 44                                        ABCD              \n']);
});

test('bounds outside the buffer are clamped, an empty range prints one newline', () => {
  expect(capture(() => berBprint(data, 18, 1000))).toEqual(['  0000:  43 44                                              CD                \n']);
  expect(capture(() => berBprint(data, 30, 40))).toEqual(['\n']);
  expect(capture(() => berBprint(data, -5, 1))).toEqual(['  0000:  00                                                 .                 \n']);
});

test('ber_bprint takes a length; every line is 78 characters and a newline', () => {
  const lines = capture(() => ber_bprint(data, 17));
  expect(lines).toHaveLength(2);
  for (const line of lines) expect(line).toMatch(/^.{78}\n$/s);
  expect(lines[1]).toBe('  0010:  41                                                 A                 \n');
});

test('ber_log_bprint prints only when the level is enabled', () => {
  expect(capture(() => expect(ber_log_bprint(LDAP_DEBUG_PACKETS, LDAP_DEBUG_BER, data, 4)).toBe(0))).toEqual([]);
  expect(capture(() => expect(berLogBprint(LDAP_DEBUG_PACKETS, LDAP_DEBUG_PACKETS | LDAP_DEBUG_BER, data, 0, 1)).toBe(1))).toHaveLength(1);
});

test('bytes above 0x7e and control characters print as dots', () => {
  const line = capture(() => berBprint(Uint8Array.from([0x7e, 0x7f, 0x80, 0xff, 0x09, 0x20])))[0] ?? '';
  expect(line.slice(60, 66)).toBe('~.... ');
});
