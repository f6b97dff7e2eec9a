import { LBER_SBIOD_LEVEL_APPLICATION, type SockbufIO } from '@lber/sockbuf';

export type Tap = (direction: 'read' | 'write', bytes: Buffer) => void;

/** A layer that shows every chunk crossing it to a callback and passes it on unchanged. */
export const tapLayer: SockbufIO<Tap, Tap> = {
  name: 'tap',
  setup(sbiod, tap) {
    sbiod.pvt = tap; // the argument given to addIo
    return 0;
  },
  read(sbiod, buf, off, len) {
    const n = sbiod.readNext(buf, off, len); // bytes, 0 at EOF, or SB_WOULD_BLOCK
    if (n > 0) sbiod.pvt?.('read', buf.subarray(off, off + n));
    return n;
  },
  write(sbiod, buf, off, len) {
    const n = sbiod.writeNext(buf, off, len);
    if (n > 0) sbiod.pvt?.('write', buf.subarray(off, off + n));
    return n;
  },
};
export const TAP_LEVEL = LBER_SBIOD_LEVEL_APPLICATION;
