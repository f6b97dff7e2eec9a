/**
 * Where a tool writes: a buffered stdout (as C's stdio buffers a pipe or
 * file, flushed in large chunks and at the end) and an unbuffered stderr.
 * `main()` uses the process streams; tests and the demo may pass their own.
 */
import { writeSync } from 'node:fs';

/** A byte sink. */
export type WriteFn = (chunk: Buffer) => void;

/** The streams of one tool run. */
export interface ToolStreams {
  stdout: WriteFn;
  stderr: WriteFn;
  /** Reads all of standard input (ldapmodify and ldapdelete without -f, prompts). */
  readStdin: () => Promise<Buffer>;
  /** Whether stderr is a terminal (the progress line is shown only then). */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** Writes to a file descriptor synchronously (so output order and completeness survive `process.exit`). */
function fdWriter(fd: number): WriteFn {
  return (chunk) => {
    let off = 0;
    while (off < chunk.length) {
      try {
        off += writeSync(fd, chunk, off, chunk.length - off);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
        throw error;
      }
    }
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** The process's own streams. */
export function processStreams(): ToolStreams {
  return {
    stdout: fdWriter(1),
    stderr: fdWriter(2),
    readStdin: () => readAll(process.stdin),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
  };
}

/** Buffered text output, flushed at 64 KiB and on demand. */
export class Output {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly sink: WriteFn) {}

  write(data: string | Buffer): void {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.chunks.push(b);
    this.size += b.length;
    if (this.size >= 65536) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    this.sink(all);
  }
}
