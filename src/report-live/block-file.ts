import { open, rm, type FileHandle } from 'node:fs/promises';

/** Text is gathered into blocks of this many characters before each write(2): a domain's text comes in small pieces. */
const BLOCK_CHARS = 256 * 1024;

/**
 * Written bytes synced to disk as the scan goes, every this many: the end's fsync then has at most this much left to
 * write. Without it, a 100,000-domain report (13 GB of JSON) left gigabytes of dirty pages for the final fsync, most
 * of the 31 s between the last check and the finished reports.
 */
const SYNC_EVERY_BYTES = 64 * 1024 * 1024;

/**
 * A file written front to back while the scan runs, in blocks: `write` resolves once the text is buffered, or, when
 * a block is full, once it is written, so a slow disk paces the caller. Not atomic by itself: the report session
 * writes under a temporary name and renames when the file is whole.
 */
export class BlockFile {
  readonly path: string;
  readonly #handle: FileHandle;
  #block: string[] = [];
  #blockChars = 0;
  #unsynced = 0;
  #closed = false;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  /** Creates (or truncates: a file a killed run left under the same name) `path`. */
  static async create(path: string): Promise<BlockFile> {
    return new BlockFile(path, await open(path, 'w', 0o644));
  }

  async write(text: string): Promise<void> {
    this.#block.push(text);
    this.#blockChars += text.length;
    if (this.#blockChars >= BLOCK_CHARS) await this.flush();
  }

  /** Bytes as they are (another file's content), after whatever text is buffered. */
  async writeBytes(bytes: Buffer): Promise<void> {
    await this.flush();
    await this.#handle.writeFile(bytes);
    await this.#wrote(bytes.length);
  }

  async flush(): Promise<void> {
    if (this.#blockChars === 0) return;
    const text = this.#block.join('');
    this.#block = [];
    this.#blockChars = 0;
    await this.#handle.writeFile(text, 'utf8');
    // Characters, not bytes: close enough to pace the syncs, without scanning the block a second time to count.
    await this.#wrote(text.length);
  }

  async #wrote(bytes: number): Promise<void> {
    this.#unsynced += bytes;
    if (this.#unsynced < SYNC_EVERY_BYTES) return;
    this.#unsynced = 0;
    await this.#handle.datasync();
  }

  /** Flushes, syncs to disk and closes. */
  async finish(): Promise<void> {
    await this.flush();
    await this.#handle.sync();
    await this.#close();
  }

  /** Closes (errors ignored: the file is given up) and removes the file. */
  async discard(): Promise<void> {
    this.#block = [];
    this.#blockChars = 0;
    await this.#close().catch(() => undefined);
    await rm(this.path, { force: true }).catch(() => undefined);
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }
}
