/**
 * A consumer that stops reading keeps memory bounded: the peer sends
 * 100 MiB as fast as TCP lets it while the consumer first reads nothing,
 * then reads slowly. The tcp provider pauses its socket above its
 * high-water mark, so TCP flow control holds the peer back, and the
 * process's RSS grows by less than 32 MiB over the whole run.
 */
import { sockbufIoTcp, streamStateOf, SB_WOULD_BLOCK, berSockbufFree } from '@lber/sockbuf';
import { loopbackPair, nextEvent, tcpSockbuf, tick } from './helpers.js';

const TOTAL = 100 * 1024 * 1024;
const BOUND = 32 * 1024 * 1024;

test('100 MiB to a stalled, then slow, consumer: RSS growth stays under 32 MiB', async () => {
  const pair = await loopbackPair();
  try {
    const sb = tcpSockbuf(pair.client);
    const st = streamStateOf(sb, sockbufIoTcp)!;
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sample = (): void => {
      const rss = process.memoryUsage().rss;
      if (rss > peak) peak = rss;
    };

    // The peer: writes as long as TCP accepts, resumes on drain.
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    let sent = 0;
    let blockedSince = 0;
    const pump = (): void => {
      blockedSince = 0;
      while (sent < TOTAL) {
        sent += chunk.length;
        if (!pair.server.write(chunk)) {
          blockedSince = Date.now();
          pair.server.once('drain', pump);
          return;
        }
      }
      pair.server.end();
    };
    pump();

    // Phase 1: the consumer reads nothing until the peer has been held
    // back for a while (the provider paused, TCP windows full).
    while (sent < TOTAL && !(st.paused && blockedSince !== 0 && Date.now() - blockedSince > 300)) {
      await new Promise((r) => setTimeout(r, 20));
      sample();
    }
    expect(sent).toBeLessThan(TOTAL);
    expect(st.queued).toBeLessThanOrEqual(st.highWaterMark + 1024 * 1024);
    sample();
    const stalledGrowth = peak - baseline;
    expect(stalledGrowth).toBeLessThan(BOUND);

    // Phase 2: a slow consumer, 16 KiB per event-loop turn, to the end.
    const buf = Buffer.alloc(16 * 1024);
    let received = 0;
    for (;;) {
      const n = sb.read(buf, 0, buf.length);
      if (n === 0) break;
      if (n === SB_WOULD_BLOCK) {
        await nextEvent(sb, ['readable', 'end']);
        continue;
      }
      received += n;
      if ((received & 0xfffff) < n) {
        sample();
        await tick();
      }
    }
    sample();
    expect(received).toBe(TOTAL);
    expect(peak - baseline).toBeLessThan(BOUND);
    process.stdout.write(`[memory] ${TOTAL / 1048576} MiB through a stalled then slow consumer: RSS growth ${(stalledGrowth / 1048576).toFixed(1)} MiB while stalled, peak ${((peak - baseline) / 1048576).toFixed(1)} MiB (bound ${BOUND / 1048576} MiB)\n`);
    berSockbufFree(sb);
  } finally {
    await pair.close();
  }
}, 120000);
