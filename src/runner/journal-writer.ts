import type { FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { DomainRecord } from '../core/domain-record.ts';
import { JournalError, JournalWriteError } from './journal-errors.ts';
import { domainLine, endLine, MAX_LINE_BYTES, type JournalEnd, type JournalHeader } from './journal-format.ts';

/** The file operations the writer uses; tests wrap a real handle to count or slow them down. */
export type JournalFile = Pick<FileHandle, 'write' | 'datasync' | 'truncate' | 'close'>;

export type JournalWriterOptions = {
  /** Buffered bytes that start a write at once, and above which append() waits for the disk. Default 256 KiB. */
  readonly highWaterMarkBytes?: number;
  /** The longest a finished domain waits in memory before it is written. Default 250 ms. */
  readonly flushIntervalMs?: number;
  /** The least time between two automatic fdatasync calls. Default 1000 ms. */
  readonly syncIntervalMs?: number;
};

const RESOLVED = Promise.resolve();

/**
 * Appends domain records to a journal in batches: one write(2) per batch (the buffer passing its high-water mark,
 * or `flushIntervalMs` after the first line buffered), and at most one fdatasync a second. The trade-off: a process
 * killed (kill -9, a crash) loses nothing that was written, since the kernel has it; a power cut loses at most the
 * last ~1 s of finished domains, which a resume scans again. flush() and close() always sync.
 *
 * A write or sync failure (ENOSPC, EIO, EDQUOT...) is sticky: the writer cuts the file back to the end of its last
 * whole batch (best effort; a resume cuts a half line anyway), then rejects every later call with the same
 * JournalWriteError. Every promise it returns must be awaited: a rejected one is the only news of the failure.
 * Not safe for two writers on one file: resume one journal from one process at a time.
 */
export class JournalWriter {
  readonly path: string;
  readonly header: JournalHeader;
  readonly #file: JournalFile;
  readonly #highWaterMark: number;
  readonly #flushIntervalMs: number;
  readonly #syncIntervalMs: number;
  /** File offset of the end of the last batch written in full: where the next write goes. */
  #committed: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  /** Every operation on the file runs after the previous one: writes never interleave with syncs or each other. */
  #tail: Promise<void> = RESOLVED;
  #drainQueued = false;
  #flushTimer: NodeJS.Timeout | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #lastSyncAt = performance.now();
  #unsynced = false;
  #failure: JournalWriteError | null = null;
  #open = true;

  /** Takes over `file`, whose whole lines end at `offset` (createJournal and openJournalForResume are the way in). */
  constructor(file: JournalFile, path: string, header: JournalHeader, offset: number, options: JournalWriterOptions = {}) {
    this.#file = file;
    this.path = path;
    this.header = header;
    this.#committed = offset;
    this.#highWaterMark = options.highWaterMarkBytes ?? 256 * 1024;
    this.#flushIntervalMs = options.flushIntervalMs ?? 250;
    this.#syncIntervalMs = options.syncIntervalMs ?? 1000;
  }

  /** The sticky write failure, or null. */
  get failure(): JournalWriteError | null {
    return this.#failure;
  }

  /**
   * Buffers one record's line. Resolves at once while the buffer is below its high-water mark, else once the disk
   * has taken it, so a slow disk holds back the caller instead of growing memory; rejects on a write failure.
   */
  append(record: DomainRecord): Promise<void> {
    return this.appendLine(domainLine(record));
  }

  /** As append, for a line already serialised (with its newline): the resume and end lines. */
  appendLine(line: string): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!this.#open) return Promise.reject(new Error(`the journal ${this.path} is closed`));
    const bytes = Buffer.from(line, 'utf8');
    // Refused, not sticky: the journal stays valid, and its reader would take such a line as damage.
    if (bytes.length > MAX_LINE_BYTES + 1) return Promise.reject(new JournalError(this.path, `cannot hold a line of ${bytes.length} bytes (the limit is ${MAX_LINE_BYTES})`));
    this.#buffer(bytes);
    if (this.#pendingBytes < this.#highWaterMark) {
      this.#flushTimer ??= setTimeout(() => { this.#flushTimer = undefined; this.#queueDrain(); }, this.#flushIntervalMs).unref();
      return RESOLVED;
    }
    this.#queueDrain();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Writes and syncs everything appended so far; rejects with the write failure, if any. */
  async flush(): Promise<void> {
    if (this.#failure) throw this.#failure;
    const target = this.#committed + this.#pendingBytes;
    await this.#enqueue(async () => {
      await this.#drain(target);
      await this.#sync();
    });
    if (this.#failure) throw this.#failure;
  }

  /** Writes the end line, syncs and closes the file. On a write failure the file is closed and the failure thrown. */
  async close(end: JournalEnd): Promise<void> {
    if (!this.#open) throw new Error(`the journal ${this.path} is closed`);
    if (!this.#failure) this.#buffer(Buffer.from(endLine(end), 'utf8'));
    await this.#shut(true);
  }

  /**
   * Writes and syncs what is buffered, then closes the file without an end line: the run stopped in a way its
   * journal cannot describe (a crash), and a resume takes it up. Never throws for a write failure (it was reported).
   */
  async abandon(): Promise<void> {
    if (this.#open) await this.#shut(false);
  }

  async #shut(throwFailure: boolean): Promise<void> {
    this.#open = false;
    try {
      if (!this.#failure) await this.flush().catch(() => undefined);
    } finally {
      this.#stopTimers();
      await this.#tail;
      await this.#file.close().catch((error: unknown) => this.#fail(error));
    }
    if (throwFailure && this.#failure) throw this.#failure;
  }

  #buffer(bytes: Buffer): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
  }

  #queueDrain(): void {
    if (this.#drainQueued) return;
    this.#drainQueued = true;
    void this.#enqueue(() => {
      this.#drainQueued = false;
      return this.#drain(0);
    });
  }

  /** Runs `op` after every earlier operation; a failure becomes the sticky failure, so the promise never rejects. */
  #enqueue(op: () => Promise<void>): Promise<void> {
    this.#tail = this.#tail.then(async () => {
      if (this.#failure) return;
      try {
        await op();
      } catch (error) {
        await this.#fail(error);
      }
    });
    return this.#tail;
  }

  /** Writes buffered batches: at least one, more while the buffer is over its mark or short of `target`. */
  async #drain(target: number): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    while (this.#pendingBytes > 0) {
      const batch = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      for (const waiter of this.#waiters.splice(0)) waiter.resolve();
      await this.#writeAll(batch);
      if (this.#pendingBytes < this.#highWaterMark && this.#committed >= target) break;
    }
    if (this.#pendingBytes > 0 && this.#open) {
      this.#flushTimer ??= setTimeout(() => { this.#flushTimer = undefined; this.#queueDrain(); }, this.#flushIntervalMs).unref();
    }
    const wait = this.#lastSyncAt + this.#syncIntervalMs - performance.now();
    if (wait <= 0) await this.#sync();
    else if (this.#unsynced) this.#syncTimer ??= setTimeout(() => { this.#syncTimer = undefined; void this.#enqueue(() => this.#sync()); }, wait).unref();
  }

  /** One write(2) in the normal case; a short write (a disk filling up) is continued, and its error then thrown. */
  async #writeAll(batch: Buffer): Promise<void> {
    let written = 0;
    while (written < batch.length) {
      const { bytesWritten } = await this.#file.write(batch, written, batch.length - written, this.#committed + written);
      if (bytesWritten <= 0) throw Object.assign(new Error('the write took no bytes'), { code: 'EIO' });
      written += bytesWritten;
    }
    this.#committed += batch.length;
    this.#unsynced = true;
  }

  async #sync(): Promise<void> {
    if (!this.#unsynced) return;
    this.#unsynced = false;
    await this.#file.datasync();
    this.#lastSyncAt = performance.now();
  }

  async #fail(error: unknown): Promise<void> {
    if (this.#failure) return;
    this.#failure = new JournalWriteError(this.path, error);
    this.#stopTimers();
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
    // A batch cut short by the failure may have left a half line: cut it, so the file is whole lines even before
    // a resume looks at it. Best effort: a resume cuts it too.
    await this.#file.truncate(this.#committed).catch(() => undefined);
  }

  #stopTimers(): void {
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#syncTimer);
    this.#flushTimer = this.#syncTimer = undefined;
  }
}
