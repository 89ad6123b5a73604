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
  await makeDirectory(dirname(path), fs);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o644);
  let renamed = false;
  try {
    let failure: { error: unknown } | null = null;
    try {
      await handle.writeFile(text, 'utf8');
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
