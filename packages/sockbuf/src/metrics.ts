/**
 * Example layer: `metrics` counts the bytes and the BER PDUs that pass in
 * each direction, and changes nothing. It shows the smallest useful layer:
 * pass-through read/write with a look at the bytes, ctrl passed down.
 *
 * PDUs are counted with a cheap BER length peek: a small state machine per
 * direction reads the tag and length octets and then skips the contents by
 * count, so it costs a few operations per PDU, not per byte. It understands
 * what liblber's `ber_get_next` accepts (tags of any length, definite
 * lengths of up to 4 octets); an indefinite or longer length stops the PDU
 * count for that direction (`lost` turns true), bytes are still counted.
 */
import type { SockbufIO, SockbufIODesc, Sockbuf } from './sockbuf.js';

/** Where a direction's BER peek is. */
const enum Phase {
  Tag = 0,
  TagMore = 1,
  Len = 2,
  LenMore = 3,
  Contents = 4,
  Lost = 5,
}

/** A BER PDU counter over a byte stream, resumable at any byte. */
export class BerPduCounter {
  pdus = 0;
  private phase = Phase.Tag;
  private lenOctets = 0;
  private remaining = 0;

  /** True when the stream stopped looking like BER this counter can follow. */
  get lost(): boolean {
    return this.phase === Phase.Lost;
  }

  /** Feeds `len` bytes of `buf` from `off`. */
  feed(buf: Uint8Array, off: number, len: number): void {
    const end = off + len;
    let i = off;
    while (i < end) {
      // Fast path: whole headers in view, one step per PDU.
      while (this.phase === Phase.Tag && i + 6 <= end && (buf[i]! & 0x1f) !== 0x1f) {
        const l = buf[i + 1]!;
        let next: number;
        if (l < 0x80) next = i + 2 + l;
        else if (l === 0x81) next = i + 3 + buf[i + 2]!;
        else if (l === 0x82) next = i + 4 + ((buf[i + 2]! << 8) | buf[i + 3]!);
        else if (l === 0x83) next = i + 5 + ((buf[i + 2]! << 16) | (buf[i + 3]! << 8) | buf[i + 4]!);
        else break;
        if (next > end) {
          this.remaining = next - end;
          this.phase = Phase.Contents;
          return;
        }
        this.pdus++;
        i = next;
      }
      if (i >= end) return;
      switch (this.phase) {
        case Phase.Contents: {
          const left = end - i;
          if (left < this.remaining) {
            this.remaining -= left;
            return;
          }
          i += this.remaining;
          this.remaining = 0;
          this.pdus++;
          this.phase = Phase.Tag;
          break;
        }
        case Phase.Tag:
          this.phase = (buf[i++]! & 0x1f) === 0x1f ? Phase.TagMore : Phase.Len;
          break;
        case Phase.TagMore:
          if ((buf[i++]! & 0x80) === 0) this.phase = Phase.Len;
          break;
        case Phase.Len: {
          const b = buf[i++]!;
          if (b < 0x80) this.startContents(b);
          else if (b === 0x80 || b > 0x84) this.phase = Phase.Lost;
          else {
            this.lenOctets = b & 0x7f;
            this.remaining = 0;
            this.phase = Phase.LenMore;
          }
          break;
        }
        case Phase.LenMore:
          this.remaining = this.remaining * 256 + buf[i++]!;
          if (--this.lenOctets === 0) this.startContents(this.remaining);
          break;
        case Phase.Lost:
          return;
      }
    }
  }

  private startContents(len: number): void {
    if (len === 0) {
      this.pdus++;
      this.phase = Phase.Tag;
    } else {
      this.remaining = len;
      this.phase = Phase.Contents;
    }
  }
}

/** What the metrics layer counts; pass one to `add_io` to keep counting across removals. */
export class SockbufMetrics {
  bytesIn = 0;
  bytesOut = 0;
  readsIn = 0;
  writesOut = 0;
  readonly pdusInCounter = new BerPduCounter();
  readonly pdusOutCounter = new BerPduCounter();
  get pdusIn(): number {
    return this.pdusInCounter.pdus;
  }
  get pdusOut(): number {
    return this.pdusOutCounter.pdus;
  }
}

/**
 * The metrics layer. `add_io` argument: a SockbufMetrics to count into
 * (null: a new one). Find it again with {@link sockbufMetrics}.
 */
export const sockbufIoMetrics: SockbufIO<SockbufMetrics, SockbufMetrics> = {
  name: 'metrics',
  setup(sbiod, arg) {
    sbiod.pvt = arg ?? new SockbufMetrics();
    return 0;
  },
  read(sbiod, buf, off, len) {
    const n = sbiod.readNext(buf, off, len);
    const m = sbiod.pvt;
    if (n > 0 && m !== null) {
      m.bytesIn += n;
      m.readsIn++;
      m.pdusInCounter.feed(buf, off, n);
    }
    return n;
  },
  write(sbiod, buf, off, len) {
    const n = sbiod.writeNext(buf, off, len);
    const m = sbiod.pvt;
    if (n > 0 && m !== null) {
      m.bytesOut += n;
      m.writesOut++;
      m.pdusOutCounter.feed(buf, off, n);
    }
    return n;
  },
};

/** The counters of the topmost metrics layer on `sb`, or null. */
export function sockbufMetrics(sb: Sockbuf): SockbufMetrics | null {
  for (let d: SockbufIODesc | null = sb.iod; d !== null; d = d.next) {
    if (d.io === sockbufIoMetrics) return d.pvt as SockbufMetrics | null;
  }
  return null;
}

export { sockbufIoMetrics as metrics };
