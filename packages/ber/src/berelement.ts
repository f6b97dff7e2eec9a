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
