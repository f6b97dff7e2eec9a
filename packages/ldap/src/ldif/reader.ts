/**
 * The streaming LDIF reader: records one at a time, as an async iterator,
 * from a string, a Buffer, or an (async) iterable of chunks such as a
 * `fs.ReadStream` or `process.stdin`. It pulls a chunk only when the
 * parser needs more input, so a slow consumer holds back the stream.
 */
import { readFile } from 'node:fs/promises';
import { LdifError } from './errors.js';
import { LDIF_END, LdifParser, LDIF_NEED_MORE, type LdifReaderOptions, type LdifParsedRecord } from './parser.js';
import type { LdifRecord } from './types.js';

/** What the reader reads from. */
export type LdifInput =
  | string
  | Uint8Array
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>;

async function resolveUrls(parsed: LdifParsedRecord): Promise<LdifRecord> {
  for (const u of parsed.urls) {
    try {
      u.set(await readFile(u.path));
    } catch (e) {
      throw new LdifError('LDIF_URL', `cannot read ${u.url}`, u.line, { cause: e });
    }
  }
  return parsed.record;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<string | Uint8Array> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/**
 * Reads LDIF records one at a time.
 *
 * ```ts
 * import { createReadStream } from 'node:fs';
 * for await (const record of readLdif(createReadStream('changes.ldif'))) {
 *   if (record.kind === 'change' && record.changeType === 'modify') ...
 * }
 * ```
 *
 * Bad LDIF rejects with an {@link LdifError} carrying the line number.
 * Breaking out of the loop closes the input iterator (a stream is
 * destroyed).
 *
 * @see ldif_read_record
 * @see ldap_parse_ldif_record
 */
export class LdifReader implements AsyncIterableIterator<LdifRecord> {
  private readonly parser: LdifParser;
  private source: AsyncIterator<string | Uint8Array> | Iterator<string | Uint8Array> | undefined;
  private done = false;

  constructor(input: LdifInput, options?: LdifReaderOptions) {
    this.parser = new LdifParser(options);
    if (typeof input === 'string' || input instanceof Uint8Array) {
      this.parser.push(input);
      this.parser.end();
    } else if (isAsyncIterable(input)) {
      this.source = input[Symbol.asyncIterator]();
    } else {
      this.source = input[Symbol.iterator]();
    }
  }

  /** The file's version (1) once its version line was read, else undefined. */
  get version(): number | undefined {
    return this.parser.version;
  }

  async next(): Promise<IteratorResult<LdifRecord, undefined>> {
    if (this.done) return { done: true, value: undefined };
    try {
      for (;;) {
        const r = this.parser.read();
        if (r === LDIF_END) {
          this.done = true;
          return { done: true, value: undefined };
        }
        if (r !== LDIF_NEED_MORE) {
          const record = r.urls.length === 0 ? r.record : await resolveUrls(r);
          return { done: false, value: record };
        }
        const source = this.source;
        if (source === undefined) throw new Error('LdifParser asked for more input after end()');
        const chunk = await source.next();
        if (chunk.done === true) {
          this.source = undefined;
          this.parser.end();
        } else {
          this.parser.push(chunk.value);
        }
      }
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  async return(): Promise<IteratorResult<LdifRecord, undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  private async close(): Promise<void> {
    this.done = true;
    const source = this.source;
    this.source = undefined;
    if (source?.return !== undefined) await source.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Reads LDIF records one at a time (see {@link LdifReader}). */
export function readLdif(input: LdifInput, options?: LdifReaderOptions): LdifReader {
  return new LdifReader(input, options);
}
