import { Writable } from 'node:stream';

/** Where a command writes: injectable so tests run the CLI in-process and read what it printed. */
export type CliIo = {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly cwd: string;
  /** For `--input -`; absent in tests that give none. */
  readonly stdin?: NodeJS.ReadableStream;
  /** For NO_COLOR and TERM; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
};

/**
 * One of the process's outputs, guarded: once the reader has gone away (EPIPE after `| head`, EBADF after `>&-`,
 * or any other write error), nothing more is written to it and `onClosed` is called once. Without this, Node's
 * stdio streams keep accepting writes after EPIPE and report every one as a new error: a log line about the error
 * raises the next error, and the process spins at full CPU without ever reaching its signal handlers.
 */
export class GuardedOutput extends Writable {
  readonly isTTY: boolean;
  #closed: NodeJS.ErrnoException | null = null;
  private readonly target: NodeJS.WriteStream;
  private readonly onClosed: (err: NodeJS.ErrnoException) => void;

  constructor(target: NodeJS.WriteStream, onClosed: (err: NodeJS.ErrnoException) => void) {
    super({ decodeStrings: false });
    this.target = target;
    this.onClosed = onClosed;
    this.isTTY = target.isTTY === true;
    target.on('error', (err: NodeJS.ErrnoException) => this.#close(err));
  }

  /** Why the output is closed (`EPIPE`, ...), or null while it is open. */
  get closedBy(): string | null {
    return this.#closed ? (this.#closed.code ?? this.#closed.message) : null;
  }

  #close(err: NodeJS.ErrnoException): void {
    if (this.#closed) return;
    this.#closed = err;
    this.onClosed(err);
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.#closed) return done();
    try {
      // Stdio on Linux writes synchronously (files, pipes, terminals); an EPIPE arrives as the target's 'error'.
      if (typeof chunk === 'string') this.target.write(chunk, encoding);
      else this.target.write(chunk);
    } catch (err) {
      this.#close(err as NodeJS.ErrnoException);
    }
    done();
  }
}

let shared: { stdout: GuardedOutput; stderr: GuardedOutput; listeners: Set<(stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException) => void> } | null = null;

/**
 * The process's own stdout and stderr, guarded (see GuardedOutput). `onClosed` is told when either reader goes
 * away; the streams are created once per process, so every caller shares the guards.
 */
export function processIo(onClosed?: (stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException) => void): CliIo {
  if (!shared) {
    const listeners = new Set<(stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException) => void>();
    const tell = (stream: 'stdout' | 'stderr') => (err: NodeJS.ErrnoException) => { for (const l of listeners) l(stream, err); };
    shared = { stdout: new GuardedOutput(process.stdout, tell('stdout')), stderr: new GuardedOutput(process.stderr, tell('stderr')), listeners };
  }
  if (onClosed) shared.listeners.add(onClosed);
  // stdin only when asked for (`--input -`): Node opens its handle on first access.
  return { stdout: shared.stdout, stderr: shared.stderr, cwd: process.cwd(), get stdin() { return process.stdin; }, env: process.env };
}

/**
 * Values from the network may hold terminal escape sequences or bidi overrides; nothing read from outside reaches a
 * TTY raw (no moved cursor, no forged line, no text displayed reordered).
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, '?');
}
