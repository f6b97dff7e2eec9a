/**
 * liblber's BerElement dump (bprint.c `ber_dump`, `ber_log_dump`): a header
 * line with the element's cursors, then a hex dump of bytes from the cursor.
 *
 * liblber prints real pointers; the port has offsets, so the header shows
 * them the way the vectors record them: `<buf>` for the start of the
 * buffer and `<buf+N>` for an offset N into it (`(nil)` when the element
 * has no buffer).
 */
import { berBprint, berLogCheck, lberOptions } from '@lber/sockbuf';
import type { BerElement } from './berelement.js';

/** `ber_dump` direction: 1 dumps what is left to read. */
export const BER_DUMP_REMAINING = 1;
/** Any other direction dumps `ptr - buf` bytes (what was read or written). */
export const BER_DUMP_WRITTEN = 0;

function pointer(ber: BerElement, offset: number): string {
  if (ber.buf === null) return '(nil)';
  return offset === 0 ? '<buf>' : `<buf+${offset}>`;
}

/**
 * Prints `ber` through the global log sink, whatever the debug level.
 * With `inout` 1 the length is the bytes left between the cursor and the
 * end; with any other value it is the cursor's offset from the start of the
 * buffer. Either way the dump starts at the cursor, as liblber's does, so
 * `inout` 0 shows the `ptr` bytes that follow the cursor, not those before
 * it. liblber then reads past the end of its buffer when the cursor is past
 * the middle; the port stops at the end of the buffer (the header still
 * gives liblber's length).
 * @see ber_dump
 */
export function berDump(ber: BerElement, inout: number): void {
  const len = inout === BER_DUMP_REMAINING ? ber.end - ber.ptr : ber.ptr;
  lberOptions.logPrint(`ber_dump: buf=${pointer(ber, 0)} ptr=${pointer(ber, ber.ptr)} end=${pointer(ber, ber.end)} len=${len}\n`);
  const data = ber.buf ?? new Uint8Array(0);
  berBprint(data, ber.ptr, Math.min(ber.ptr + Math.max(len, 0), data.length));
}
export { berDump as ber_dump };

/**
 * {@link berDump} when `errlvl` is enabled in `loglvl`. Returns 1 when it
 * printed, 0 when it did not.
 * @see ber_log_dump
 */
export function berLogDump(errlvl: number, loglvl: number, ber: BerElement, inout: number): number {
  if (!berLogCheck(errlvl, loglvl)) return 0;
  berDump(ber, inout);
  return 1;
}
export { berLogDump as ber_log_dump };
