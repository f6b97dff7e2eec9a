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
import { lberOptions } from '@lber/sockbuf';
import { LBER_DEFAULT, type BerTag } from './constants.js';

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
