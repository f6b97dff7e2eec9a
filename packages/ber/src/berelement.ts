/**
 * The BerElement: liblber's `struct berelement` (lber-int.h) with its
 * pointers turned into offsets into one buffer.
 *
 * Field meanings follow lber-int.h:
 * - when decoding, `end` is the end of the data, `ptr` the read cursor, and
 *   `tag` the saved first octet of the next tag (liblber reads the octet from
 *   memory only while `ptr === 0`; see "Fidelity to liblber" in docs).
 * - when encoding, `end` is the end of the allocated space, `ptr` the end of
 *   the last complete element, `sosPtr` the write cursor inside an open
 *   sequence or set (-1 when none is open), `len` doubles as `ber_sos_inner`,
 *   `tag` is the pending tag for the next ber_printf element and `usertag`
 *   whether a `!` hook set it.
 * - `rwptr` is the Sockbuf read/write cursor used by ber_get_next and
 *   ber_flush (-1 for NULL).
 */
import { constants as bufferConstants } from 'node:buffer';
import { LDAP_DEBUG_ANY, berPvtLogPrintf, lberOptions } from '@lber/sockbuf';
import { LBER_DEFAULT, LBER_USE_DER, type BerTag } from './constants.js';
import { BerError } from './errors.js';

export class BerElement {
  /** `ber_options`: LBER_USE_DER and friends. */
  options = 0;
  /** `ber_debug`: debug level, copied from the global level at allocation. */
  debug = 0;
  /** `ber_tag` (see the class comment). */
  tag: BerTag = LBER_DEFAULT;
  /** `ber_len`, reused as `ber_sos_inner` while encoding. */
  len = 0;
  /** `ber_usertag`. */
  usertag: BerTag = 0n;
  /** `ber_buf`; null before anything was allocated or loaded. */
  buf: Buffer | null = null;
  /** `ber_ptr` as an offset into `buf`. */
  ptr = 0;
  /** `ber_end` as an offset into `buf`. */
  end = 0;
  /** `ber_sos_ptr` as an offset into `buf`, -1 for NULL. */
  sosPtr = -1;
  /** `ber_rwptr` as an offset into `buf`, -1 for NULL. */
  rwptr = -1;
}

/**
 * A new, empty BerElement for encoding, with the given options
 * (`LBER_USE_DER`) and the current global debug level.
 * @see ber_alloc_t
 */
export function berAllocT(options: number): BerElement {
  const ber = new BerElement();
  ber.options = options;
  ber.debug = lberOptions.debug;
  return ber;
}
export { berAllocT as ber_alloc_t };

/**
 * Resets `ber` and points it at `data` in place, without copying, ready for
 * decoding. Passing null leaves it empty.
 * @see ber_init2
 */
export function berInit2(ber: BerElement, data: Uint8Array | null, options: number): void {
  ber.options = options & 0xff;
  ber.debug = lberOptions.debug;
  ber.tag = LBER_DEFAULT;
  ber.len = 0;
  ber.usertag = 0n;
  ber.sosPtr = -1;
  ber.rwptr = -1;
  ber.ptr = 0;
  if (data === null) {
    ber.buf = null;
    ber.end = 0;
  } else {
    ber.buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    ber.end = data.byteLength;
  }
}
export { berInit2 as ber_init2 };

/**
 * The largest length liblber encodes in one element: `INT_MAX` less the
 * longest tag-plus-length header (8 tag octets, 9 length octets), so that
 * every length still fits the `int` that the put functions return.
 */
export const MAXINT_BERSIZE = 0x7fff_ffff - 17;

/** Extra room liblber adds when it grows a buffer by a small amount. */
const LBER_EXBUFSIZ = 4060;

/**
 * A new BerElement for encoding with BER lengths.
 * @see ber_alloc
 * @deprecated in liblber; use {@link berAllocT}.
 */
export function berAlloc(): BerElement {
  return berAllocT(0);
}
export { berAlloc as ber_alloc };

/**
 * A new BerElement for encoding with DER lengths (`LBER_USE_DER`).
 * @see der_alloc
 * @deprecated in liblber; use {@link berAllocT} with LBER_USE_DER.
 */
export function derAlloc(): BerElement {
  return berAllocT(LBER_USE_DER);
}
export { derAlloc as der_alloc };

/**
 * A copy of `ber`'s fields. As in liblber the copy shares the buffer: it
 * sees writes the original makes in place until one of them grows its
 * buffer, after which each has its own.
 * @see ber_dup
 */
export function berDup(ber: BerElement): BerElement {
  const copy = new BerElement();
  Object.assign(copy, ber);
  return copy;
}
export { berDup as ber_dup };

/**
 * Drops `ber`'s buffer. liblber leaves the cursors pointing into the freed
 * memory; the port resets them too, so the element reads as empty and can
 * be written again.
 * @see ber_free_buf
 */
export function berFreeBuf(ber: BerElement): void {
  ber.buf = null;
  ber.sosPtr = -1;
  ber.ptr = 0;
  ber.end = 0;
  ber.rwptr = -1;
}
export { berFreeBuf as ber_free_buf };

/**
 * Releases `ber`, and its buffer when `freebuf` is nonzero. Memory is the
 * garbage collector's; what remains is dropping the buffer, so that a
 * BerElement that shares it through {@link berDup} is not kept alive by
 * this one.
 * @see ber_free
 */
export function berFree(ber: BerElement | null, freebuf: number | boolean): void {
  if (ber === null) return;
  if (freebuf !== 0 && freebuf !== false) berFreeBuf(ber);
}
export { berFree as ber_free };

/**
 * Grows `ber`'s buffer so that at least `len` more bytes (plus one, which
 * liblber keeps for ber_flatten's NUL) fit after its end. Every cursor is an
 * offset, so they all stay valid. Small growth is rounded up to liblber's
 * 4060 bytes and larger growth to half the current size, which keeps a long
 * run of writes linear. Returns 0, or -1 when the size cannot be allocated.
 * @see ber_realloc
 */
export function berRealloc(ber: BerElement, len: number): number {
  if (!Number.isSafeInteger(len) || len < 0) return -1;
  const need = len + 1;
  const old = ber.buf;
  const total = old === null ? 0 : ber.end;
  const grow = Math.max(need, LBER_EXBUFSIZ, total >>> 1);
  const next = total + grow;
  if (next > bufferConstants.MAX_LENGTH) return -1;
  let buf: Buffer;
  try {
    buf = Buffer.allocUnsafe(next);
  } catch {
    return -1;
  }
  if (old !== null) old.copy(buf, 0, 0, Math.min(total, old.length));
  ber.buf = buf;
  ber.end = next;
  return 0;
}
export { berRealloc as ber_realloc };

/**
 * Appends `len` bytes of `data` to `ber` at its write cursor (inside the open
 * sequence or set, if any), growing the buffer as needed. Returns `len`, or
 * -1. A nonzero `zero` is refused as liblber has refused it since 2.4.18,
 * with a message at every debug level the element has. A `len` larger than
 * `data` (liblber would read past the caller's memory) is refused too.
 * @see ber_write
 */
export function berWrite(ber: BerElement, data: Uint8Array, len: number = data.byteLength, zero = 0): number {
  if (zero !== 0) {
    berPvtLogPrintf(LDAP_DEBUG_ANY, ber.debug, 'ber_write: nonzero 4th argument not supported\n');
    return -1;
  }
  if (!(data instanceof Uint8Array)) throw new BerError('BER_BAD_ARGUMENT', 'ber_write: expected bytes');
  if (!Number.isSafeInteger(len) || len < 0 || len > data.byteLength) return -1;
  const at = berWriteCursor(ber, len);
  if (at < 0) return -1;
  if (len > 0 && ber.buf !== null) ber.buf.set(len === data.byteLength ? data : data.subarray(0, len), at);
  berAdvance(ber, len);
  return len;
}
export { berWrite as ber_write };

/**
 * Where the next `len` bytes go (`ber_sos_ptr` inside an open sequence or
 * set, else `ber_ptr`), after growing the buffer if they do not fit. Returns
 * -1 when the buffer cannot grow. For the encoder's own writers, which fill
 * the bytes in place and then call {@link berAdvance}.
 * @internal
 */
export function berWriteCursor(ber: BerElement, len: number): number {
  const at = ber.sosPtr < 0 ? ber.ptr : ber.sosPtr;
  if (len > ber.end - at) {
    if (berRealloc(ber, len) !== 0) return -1;
  }
  return at;
}

/** Moves the write cursor past `len` bytes just written. @internal */
export function berAdvance(ber: BerElement, len: number): void {
  if (ber.sosPtr < 0) ber.ptr += len;
  else ber.sosPtr += len;
}

/**
 * Resets `ber` to empty, with no buffer.
 * @see ber_init_w_nullc
 * @deprecated in liblber; use {@link berInit2} or {@link berAllocT}.
 */
export function berInitWNullc(ber: BerElement, options: number): void {
  berInit2(ber, null, options);
}
export { berInitWNullc as ber_init_w_nullc };

/**
 * A new BerElement holding a copy of `bv`, ready for decoding. Returns null
 * when the copy cannot be made.
 * @see ber_init
 */
export function berInit(bv: Uint8Array): BerElement | null {
  const ber = berAllocT(0);
  if (berWrite(ber, bv, bv.byteLength, 0) !== bv.byteLength) return null;
  berReset(ber, 1);
  return ber;
}
export { berInit as ber_init };

/**
 * The encoding so far: the bytes from the start of the buffer to `ber_ptr`.
 * With `alloc` 0 the result is a view of the element's buffer (liblber also
 * writes a NUL after it; the port does not, a Buffer has its length); with
 * a nonzero `alloc` it is a copy. A null `ber` gives an empty result, as
 * liblber's empty berval. Returns null (liblber's -1) while a sequence or
 * set is still open.
 * @see ber_flatten2
 */
export function berFlatten2(ber: BerElement | null, alloc: number | boolean): Buffer | null {
  if (ber === null) return Buffer.alloc(0);
  if (ber.sosPtr >= 0) return null;
  const len = ber.ptr;
  if (ber.buf === null) return Buffer.alloc(0);
  const view = ber.buf.subarray(0, len);
  return alloc !== 0 && alloc !== false ? Buffer.from(view) : view;
}
export { berFlatten2 as ber_flatten2 };

/**
 * A copy of the encoding so far, or null while a sequence or set is still
 * open.
 * @see ber_flatten
 */
export function berFlatten(ber: BerElement): Buffer | null {
  return berFlatten2(ber, 1);
}
export { berFlatten as ber_flatten };

/**
 * Turns `ber` around. After writing (`wasWriting` nonzero) the written bytes
 * become the data to read and the cursor goes back to the start; after
 * reading, the cursor jumps to the end. Either way the Sockbuf cursor is
 * cleared.
 * @see ber_reset
 */
export function berReset(ber: BerElement, wasWriting: number | boolean): void {
  if (wasWriting !== 0 && wasWriting !== false) {
    ber.end = ber.ptr;
    ber.ptr = 0;
  } else {
    ber.ptr = ber.end;
  }
  ber.rwptr = -1;
}
export { berReset as ber_reset };

/**
 * Like {@link berReset} after writing, and also forgets any open sequence
 * or set. As in liblber the pending tag is kept.
 * @see ber_rewind
 */
export function berRewind(ber: BerElement): void {
  ber.rwptr = -1;
  ber.sosPtr = -1;
  ber.end = ber.ptr;
  ber.ptr = 0;
}
export { berRewind as ber_rewind };

/**
 * The element's buffer (null when it has none).
 * @see ber_start
 */
export function berStart(ber: BerElement): Buffer | null {
  return ber.buf;
}
export { berStart as ber_start };

/**
 * `ber_end - ber_buf`: the data length when decoding, the allocated size
 * when encoding.
 * @see ber_len
 */
export function berLen(ber: BerElement): number {
  return ber.end;
}
export { berLen as ber_len };

/**
 * `ber_ptr - ber_buf`: bytes read so far, or the completed bytes written.
 * @see ber_ptrlen
 */
export function berPtrlen(ber: BerElement): number {
  return ber.ptr;
}
export { berPtrlen as ber_ptrlen };

/**
 * `ber_end - ber_ptr`: bytes left to read.
 * @see ber_remaining
 */
export function berRemaining(ber: BerElement): number {
  return ber.end - ber.ptr;
}
export { berRemaining as ber_remaining };
