/**
 * The message-id registry on its own: ids in order, the wrap from maxInt
 * to 1 (0 is never handed out), ids still outstanding skipped, and
 * failAll rejecting and forgetting every operation once.
 */
import { LdapConnectionError, MESSAGE_ID_MAX, MessageRegistry } from '@lber/ldap';
import type { LdapError, PendingOperation } from '@lber/ldap';

function op(messageId: number, failed: Array<[number, LdapError]>): PendingOperation {
  return { messageId, operation: 'test', receive: () => undefined, fail: (e) => failed.push([messageId, e]) };
}

test('ids count up from 1', () => {
  const r = new MessageRegistry();
  expect([r.nextId(), r.nextId(), r.nextId()]).toEqual([1, 2, 3]);
});

test('ids wrap from maxInt to 1, never 0', () => {
  expect(MESSAGE_ID_MAX).toBe(2 ** 31 - 1);
  const r = new MessageRegistry(MESSAGE_ID_MAX - 1);
  expect([r.nextId(), r.nextId(), r.nextId(), r.nextId()]).toEqual([MESSAGE_ID_MAX - 1, MESSAGE_ID_MAX, 1, 2]);
});

test('ids still outstanding are skipped after the wrap', () => {
  const failed: Array<[number, LdapError]> = [];
  const r = new MessageRegistry(MESSAGE_ID_MAX);
  r.add(op(1, failed));
  r.add(op(2, failed));
  expect(r.nextId()).toBe(MESSAGE_ID_MAX);
  expect(r.nextId()).toBe(3);
  r.delete(1);
  expect(r.has(1)).toBe(false);
  expect(r.has(2)).toBe(true);
});

test('failAll fails every outstanding operation once and forgets them', () => {
  const failed: Array<[number, LdapError]> = [];
  const r = new MessageRegistry();
  for (let i = 0; i < 3; i++) r.add(op(r.nextId(), failed));
  expect(r.size).toBe(3);
  expect(r.ids()).toEqual([1, 2, 3]);
  const error = new LdapConnectionError('IO_ERROR', 'gone');
  r.failAll(error);
  expect(failed).toEqual([
    [1, error],
    [2, error],
    [3, error],
  ]);
  expect(r.size).toBe(0);
  expect(r.get(1)).toBeUndefined();
});

test('a bad first id is refused', () => {
  expect(() => new MessageRegistry(0)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
  expect(() => new MessageRegistry(MESSAGE_ID_MAX + 1)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }) as Error);
});
