import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory } from '../../src/cli/make-directory.ts';
import { outputDirProblem } from '../../src/cli/output.ts';

/** Settles within `ms` or rejects: the bug this guards against is a promise that never settles. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms).unref())]);
}

describe('makeDirectory', () => {
  it('creates missing components and accepts an existing directory', async () => {
    const base = await mkdtemp(join(tmpdir(), 'vouch-mkdir-'));
    await makeDirectory(join(base, 'a', 'b', 'c'));
    expect((await stat(join(base, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    await makeDirectory(join(base, 'a', 'b', 'c'));
  });

  it('refuses a path under a file with ENOTDIR', async () => {
    const base = await mkdtemp(join(tmpdir(), 'vouch-mkdir-'));
    await writeFile(join(base, 'file'), 'x');
    await expect(makeDirectory(join(base, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node's recursive mkdir spins forever here (procfs answers ENOENT for a child of an existing directory).
  it.skipIf(!existsSync('/proc/self'))('ends with an error under /proc instead of spinning', async () => {
    await expect(within(3000, makeDirectory('/proc/vouch-no-such/dir'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await within(3000, outputDirProblem('/proc/vouch-no-such'))).toMatch(/does not exist and cannot be created/);
  });
});
