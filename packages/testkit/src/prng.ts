/**
 * mulberry32: a small seeded pseudo-random generator (uniform in [0, 1)),
 * so generated test data, fuzz inputs and benchmark streams are the same
 * on every run with the same seed, and a failing seed replays exactly.
 * Not for anything that needs real randomness.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
