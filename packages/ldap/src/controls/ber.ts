/**
 * Helpers shared by the control and extended-operation codecs (not
 * exported from the package): encode a value with one BerWriter call
 * sequence, decode a value with one BerReader, turning every BER problem
 * and every trailing byte into an LdapProtocolError (DECODE_ERROR) that
 * names the codec.
 */
import { BerError, BerReader, BerWriter } from '@lber/ber';
import { LdapProtocolError, encodeError } from '../protocol/errors.js';
import { LDAP_MAX_INT } from '../protocol/tags.js';

/** Writes with `write` into a fresh writer and returns the bytes. */
export function encodeValue(write: (w: BerWriter) => void, initialSize = 64): Buffer {
  const w = new BerWriter({ initialSize });
  try {
    write(w);
  } catch (error) {
    if (error instanceof BerError) encodeError(error.message);
    throw error;
  }
  return w.toBuffer();
}

/**
 * Reads all of `value` with `read`: a malformed value, or bytes left after
 * it, throws LdapProtocolError (DECODE_ERROR) naming `what`.
 */
export function decodeValue<T>(what: string, value: Uint8Array | undefined, read: (r: BerReader) => T, maxDepth = 8): T {
  if (value === undefined) throw new LdapProtocolError(`${what}: the control or response has no value`, -1);
  const r = new BerReader({ maxDepth }).reset(value);
  let result: T;
  try {
    result = read(r);
  } catch (error) {
    if (error instanceof BerError) throw new LdapProtocolError(`${what}: malformed value: ${error.message}`, error.offset, { cause: error });
    if (error instanceof LdapProtocolError) throw error;
    if (error instanceof Error && 'code' in error) throw new LdapProtocolError(`${what}: ${error.message}`, r.offset, { cause: error });
    throw error;
  }
  if (r.offset !== value.length) throw new LdapProtocolError(`${what}: ${value.length - r.offset} bytes after the value`, r.offset);
  return result;
}

/** Throws a DECODE_ERROR for a value that decodes but breaks the ASN.1 (a bad enumeration, a size). */
export function invalidValue(what: string, message: string, offset = -1): never {
  throw new LdapProtocolError(`${what}: ${message}`, offset);
}

/** Checks an INTEGER (0..maxInt) argument before encoding. */
export function checkMaxInt(what: string, value: number, min = 0): void {
  if (!Number.isSafeInteger(value) || value < min || value > LDAP_MAX_INT) encodeError(`${what} ${value} is not an integer in ${min}..maxInt`);
}

/** Checks a value read from the wire is in min..maxInt. */
export function checkReadInt(what: string, field: string, value: number, offset: number, min = 0): number {
  if (value < min || value > LDAP_MAX_INT) invalidValue(what, `${field} ${value} is not in ${min}..maxInt`, offset);
  return value;
}

/** Bytes from a string (UTF-8) or bytes (as they are). */
export function toBuffer(value: string | Uint8Array): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** A copy of a view, so a decoded value does not pin the PDU it came from. */
export function copyBytes(view: Uint8Array): Buffer {
  return Buffer.from(view);
}
