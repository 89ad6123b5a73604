import * as fsp from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The calls makeDirectory needs (injectable for tests). */
export type DirectoryFs = Pick<typeof fsp, 'mkdir' | 'stat'>;

/**
 * `mkdir -p` that always ends. Node's own `mkdir(dir, { recursive: true })` (18, 20 and 22) never settles when a
 * parent exists but refuses children with ENOENT, as procfs does (`--out /proc/x`): it retries the parent, gets
 * EEXIST, retries the child, forever, at full CPU. Here each missing component is created once, from the deepest
 * existing ancestor down, so an ENOENT after the parent exists is final and reported.
 */
export async function makeDirectory(dir: string, fs: DirectoryFs = fsp): Promise<void> {
  const missing: string[] = [];
  for (let path = resolve(dir); ; path = dirname(path)) {
    const kind = await fs.stat(path).then((s) => (s.isDirectory() ? 'dir' : 'other'), (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return 'missing' as const;
      throw err;
    });
    if (kind === 'dir') break;
    if (kind === 'other') throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', path });
    missing.unshift(path);
    if (dirname(path) === path) break; // the root itself is missing: mkdir below reports why
  }
  for (const path of missing) {
    await fs.mkdir(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err; // created meanwhile by another run: fine
    });
  }
}
