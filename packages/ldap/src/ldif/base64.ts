/**
 * Strict base64 decoding for LDIF `::` values (internal). Node's decoder
 * skips characters it does not know; LDIF wants them refused.
 */

const DECODE = new Int8Array(256).fill(-1);
{
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) DECODE[alphabet.charCodeAt(i)] = i;
}
const PAD = 0x3d;

/**
 * Decodes `src[start..end)` (RFC 4648 base64, padded to a multiple of
 * four), or returns a string saying what is wrong.
 */
export function decodeBase64Strict(src: Uint8Array, start: number, end: number): Buffer | string {
  const n = end - start;
  if (n === 0) return Buffer.alloc(0);
  if (n % 4 !== 0) return `base64 value of ${n} characters (not a multiple of 4)`;
  let pad = 0;
  if (src[end - 1] === PAD) pad = src[end - 2] === PAD ? 2 : 1;
  const out = Buffer.allocUnsafe((n / 4) * 3 - pad);
  let o = 0;
  for (let i = start; i < end; i += 4) {
    const last = i + 4 === end;
    const a = DECODE[src[i]!]!;
    const b = DECODE[src[i + 1]!]!;
    const c = last && pad === 2 ? 0 : DECODE[src[i + 2]!]!;
    const d = last && pad >= 1 ? 0 : DECODE[src[i + 3]!]!;
    if ((a | b | c | d) < 0) {
      for (let j = i; j < i + 4; j++) {
        if (DECODE[src[j]!]! < 0 && !(last && src[j] === PAD && j >= end - pad)) {
          return `invalid base64 character ${JSON.stringify(String.fromCharCode(src[j]!))} at offset ${j - start}`;
        }
      }
    }
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = bits >> 16;
    if (o < out.length) out[o++] = (bits >> 8) & 0xff;
    if (o < out.length) out[o++] = bits & 0xff;
  }
  return out;
}
