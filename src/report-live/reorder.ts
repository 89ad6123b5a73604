import { open, rm, type FileHandle } from 'node:fs/promises';
import { offHeapUtf8 } from '../runner/off-heap-text.ts';

/** Where a spilled entry is in the spill file: byte offset (NaN: not spilled) and length, by domain index. */
type SpillIndex = { readonly offsets: Float64Array; readonly lengths: Uint32Array };

/**
 * Domains' rendered texts that finished before their turn (reports are written in configured order, domains finish
 * in any order), kept until the writing cursor reaches them. Held in memory up to `budgetBytes` bytes of UTF-8, in
 * buffers outside V8's heap (src/runner/off-heap-text.ts says why); beyond that, each further entry goes to a spill file in the same
 * encoding and is read back when its turn comes, so one straggler (a domain waiting for a 30-s timeout) never makes
 * memory grow with the number of domains that finish after it. The spill index is two typed arrays over the domain
 * count (12 bytes a domain), allocated at the first spill.
 */
export class ReorderBuffer {
  readonly #memory = new Map<number, Buffer>();
  #memoryBytes = 0;
  readonly #budgetBytes: number;
  readonly #spillPath: string;
  readonly #domains: number;
  #spill: { readonly handle: FileHandle; readonly index: SpillIndex; end: number } | null = null;
  #spilledCount = 0;

  constructor(spillPath: string, domains: number, budgetBytes: number) {
    this.#spillPath = spillPath;
    this.#domains = domains;
    this.#budgetBytes = budgetBytes;
  }

  /** Entries held now, in memory and spilled. */
  get size(): number {
    return this.#memory.size + this.#spilledCount;
  }

  /** Bytes held in memory (the spilled ones are not). */
  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  async put(index: number, pieces: readonly string[]): Promise<void> {
    const bytes = encodeEntry(pieces);
    if (this.#memoryBytes + bytes.length <= this.#budgetBytes) {
      this.#memory.set(index, bytes);
      this.#memoryBytes += bytes.length;
      return;
    }
    const spill = this.#spill ?? await this.#openSpill();
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await spill.handle.write(bytes, written, bytes.length - written, spill.end + written);
      written += bytesWritten;
    }
    spill.index.offsets[index] = spill.end;
    spill.index.lengths[index] = bytes.length;
    spill.end += bytes.length;
    this.#spilledCount++;
  }

  /** The entry for `index`, removed from the buffer; null when it has none. */
  async take(index: number): Promise<readonly string[] | null> {
    const held = this.#memory.get(index);
    if (held) {
      this.#memory.delete(index);
      this.#memoryBytes -= held.length;
      return decodeEntry(held);
    }
    const spill = this.#spill;
    const offset = spill?.index.offsets[index];
    if (spill === null || offset === undefined || Number.isNaN(offset)) return null;
    const length = spill.index.lengths[index]!;
    const bytes = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await spill.handle.read(bytes, read, length - read, offset + read);
      if (bytesRead === 0) throw new Error(`the reorder spill file ${this.#spillPath} ends early`);
      read += bytesRead;
    }
    spill.index.offsets[index] = NaN;
    // Nothing spilled is waiting any more: the file starts over, so it holds what waits now, not everything that
    // ever waited (a 100,000-domain scan at a window of 256 spilled 3 GB over its run, a few MB at any one time).
    if (--this.#spilledCount === 0) {
      await spill.handle.truncate(0);
      spill.end = 0;
    }
    return decodeEntry(bytes);
  }

  /** Whether a spill file was needed (tests ask). */
  get spilled(): boolean {
    return this.#spill !== null;
  }

  /** Drops everything and removes the spill file. */
  async close(): Promise<void> {
    this.#memory.clear();
    this.#memoryBytes = 0;
    const spill = this.#spill;
    this.#spill = null;
    this.#spilledCount = 0;
    if (spill) await spill.handle.close().catch(() => undefined);
    await rm(this.#spillPath, { force: true });
  }

  async #openSpill() {
    // 'w+': a spill file a killed run left under the same name is overwritten.
    const handle = await open(this.#spillPath, 'w+', 0o600);
    const offsets = new Float64Array(this.#domains).fill(NaN);
    this.#spill = { handle, index: { offsets, lengths: new Uint32Array(this.#domains) }, end: 0 };
    return this.#spill;
  }
}

/**
 * One entry as bytes: the pieces' lengths (UTF-16 units, as JS counts) on a line of their own, then the pieces, in
 * UTF-8; read back, the text is split where it was joined. JSON escapes lone surrogates, so a round trip through
 * UTF-8 keeps every length.
 */
function encodeEntry(pieces: readonly string[]): Buffer {
  return offHeapUtf8(`${pieces.map((p) => p.length).join(' ')}\n${pieces.join('')}`);
}

function decodeEntry(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  const newline = text.indexOf('\n');
  const pieces: string[] = [];
  let at = newline + 1;
  for (const length of text.slice(0, newline).split(' ').map(Number)) {
    pieces.push(text.slice(at, at + length));
    at += length;
  }
  return pieces;
}
