/**
 * Loading the liblber behaviour vectors (../shared/vectors/liblber, schema in
 * its README) for the tests of every package. The directory can be pointed
 * elsewhere with LBER_VECTORS_DIR so the same tests run on other vector sets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A "bytes spec": hex, or segments of hex and repeated hex. */
export type BytesSpec = string | Array<string | { repeat: string; count: number }>;

export interface VectorFile<V> {
  format: string;
  category: string;
  set: string;
  count: number;
  vectors: V[];
}

/** Every vector has these; each file adds its own fields. */
export interface VectorBase {
  id: string;
  group: string;
  desc: string;
}

/** The vector directory: $LBER_VECTORS_DIR, else ../shared/vectors/liblber from the repo root. */
export function vectorsDir(): string {
  const fromEnv = process.env['LBER_VECTORS_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.resolve(repoRoot(), '..', 'shared', 'vectors', 'liblber');
}

/** The monorepo root: the nearest ancestor of cwd holding lerna.json. */
export function repoRoot(): string {
  let dir = process.cwd();
  for (;;) {
    try {
      readFileSync(path.join(dir, 'lerna.json'));
      return dir;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return process.cwd();
      dir = parent;
    }
  }
}

/** Reads and parses one vector file, e.g. `loadVectors('encode.json')`. */
export function loadVectors<V extends VectorBase>(file: string): VectorFile<V> {
  const text = readFileSync(path.join(vectorsDir(), file), 'utf8');
  return JSON.parse(text) as VectorFile<V>;
}

/** Decodes a bytes spec to a Buffer. */
export function bytes(spec: BytesSpec): Buffer {
  if (typeof spec === 'string') return Buffer.from(spec, 'hex');
  return Buffer.concat(spec.map((part) => (typeof part === 'string' ? Buffer.from(part, 'hex') : Buffer.from(part.repeat.repeat(part.count), 'hex'))));
}

/** Lowercase hex of some bytes, the vectors' notation. */
export function hex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

/** A vector tag string ("LBER_DEFAULT" or "0x..") as a ber_tag_t bigint. */
export function vectorTag(tag: string): bigint {
  return tag === 'LBER_DEFAULT' ? 0xffff_ffff_ffff_ffffn : BigInt(tag);
}

/** A ber_tag_t in the vectors' notation. */
export function formatTag(tag: bigint): string {
  return tag === 0xffff_ffff_ffff_ffffn ? 'LBER_DEFAULT' : `0x${tag.toString(16)}`;
}

/**
 * Tallies how each vector of a file was matched: exactly, or under a named
 * departure documented in docs/porting.md. Call `report()` in afterAll; it
 * prints the counts and returns them for an assertion.
 */
export class VectorTally {
  private exact = 0;
  private readonly departures = new Map<string, number>();
  constructor(private readonly file: string) {}
  matchedExactly(): void {
    this.exact += 1;
  }
  matchedUnderDeparture(name: string): void {
    this.departures.set(name, (this.departures.get(name) ?? 0) + 1);
  }
  get total(): number {
    let sum = this.exact;
    for (const n of this.departures.values()) sum += n;
    return sum;
  }
  report(): { exact: number; departures: Record<string, number> } {
    const departures = Object.fromEntries(this.departures);
    const parts = Object.entries(departures).map(([name, n]) => `${n} under departure "${name}"`);
    process.stdout.write(`[vectors] ${this.file}: ${this.total} vectors, ${this.exact} matched exactly${parts.length ? ', ' + parts.join(', ') : ''}\n`);
    return { exact: this.exact, departures };
  }
}
