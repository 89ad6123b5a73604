import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDirectory } from './make-directory.ts';

/** The file operations writeFileAtomic needs; tests inject failures (ENOSPC half-way through a write) here. */
export type AtomicFs = Pick<typeof fsp, 'mkdir' | 'stat' | 'open' | 'rename' | 'rm'>;

/**
 * Writes `text` so that readers see the old file or the new one, never half of one: a temporary file in the
 * same directory (same file system, so rename is atomic), flushed to disk, then renamed over the target. On any
 * failure (a full disk, a directory removed or made read-only) the temporary file is removed, the target is left
 * as it was, and the error is thrown.
 */
export async function writeFileAtomic(path: string, text: string, fs: AtomicFs = fsp): Promise<void> {
  await writeStreamAtomic(path, async (write) => write(text), fs);
}

/** Text is gathered into blocks of this many characters before each write(2): a report comes in many small chunks. */
const BLOCK_CHARS = 256 * 1024;

/**
 * Like writeFileAtomic, for text too large to hold at once: `produce` hands its chunks to `write` (awaiting it, so
 * the disk sets the pace), and they reach the temporary file in blocks. Readers see the old file or the whole new one.
 */
export async function writeStreamAtomic(
  path: string, produce: (write: (chunk: string) => Promise<void>) => Promise<void>, fs: AtomicFs = fsp,
): Promise<void> {
  await makeDirectory(dirname(path), fs);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o644);
  let renamed = false;
  try {
    let failure: { error: unknown } | null = null;
    try {
      let block: string[] = [];
      let blockChars = 0;
      const flush = async () => {
        const text = block.join('');
        block = [];
        blockChars = 0;
        if (text.length > 0) await handle.writeFile(text, 'utf8');
      };
      await produce(async (chunk) => {
        block.push(chunk);
        blockChars += chunk.length;
        if (blockChars >= BLOCK_CHARS) await flush();
      });
      await flush();
      await handle.sync();
    } catch (error) {
      failure = { error };
    }
    // close() can itself report a deferred write error (NFS, some full disks): that is a failed write too, but the
    // first error (ENOSPC from the write) is the one worth reporting.
    try {
      await handle.close();
    } catch (error) {
      failure ??= { error };
    }
    if (failure) throw failure.error;
    await fs.rename(temp, path);
    renamed = true;
  } finally {
    if (!renamed) await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}
