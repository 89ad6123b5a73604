import { existsSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, type AtomicFs } from '../../src/cli/write-atomic.ts';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('writeFileAtomic on a full disk never leaves half a report under the final name', () => {
  it('a write that fails half-way (injected ENOSPC): the old file stays, no temporary file is left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-atomic-'));
    const target = join(dir, 'latest.json');
    await writeFile(target, '{"old":true}');
    const fs: AtomicFs = {
      ...fsp,
      open: (async (path: string, flags: string, mode: number) => {
        const handle = await fsp.open(path, flags, mode);
        return Object.assign(Object.create(handle) as fsp.FileHandle, {
          // Half the text reaches the disk, then the disk is full.
          writeFile: async (text: string) => { await handle.write(text.slice(0, text.length / 2)); throw enospc(); },
          sync: () => handle.sync(),
          close: () => handle.close(),
        });
      }) as AtomicFs['open'],
    };
    await expect(writeFileAtomic(target, `{"new":"${'x'.repeat(10_000)}"}`, fs)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(target, 'utf8')).toBe('{"old":true}');
    expect(await readdir(dir)).toEqual(['latest.json']);
  });

  it.runIf(existsSync('/dev/full'))('a real ENOSPC from /dev/full: nothing under the final name, no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-atomic-'));
    const target = join(dir, 'vouch-run.json');
    const opened: string[] = [];
    // The temporary file is opened on /dev/full, where every write fails with ENOSPC (Linux).
    const fs: AtomicFs = { ...fsp, open: (async (path: string) => { opened.push(path); return fsp.open('/dev/full', 'w'); }) as AtomicFs['open'] };
    await expect(writeFileAtomic(target, 'x'.repeat(100_000), fs)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(opened).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a failed rename removes the temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-atomic-'));
    const fs: AtomicFs = { ...fsp, rename: async () => { throw Object.assign(new Error('EROFS'), { code: 'EROFS' }); } };
    await expect(writeFileAtomic(join(dir, 'r.json'), 'data', fs)).rejects.toMatchObject({ code: 'EROFS' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes the file when all goes well', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-atomic-'));
    await writeFileAtomic(join(dir, 'sub', 'ok.json'), 'data');
    expect(await readFile(join(dir, 'sub', 'ok.json'), 'utf8')).toBe('data');
    expect(await readdir(join(dir, 'sub'))).toEqual(['ok.json']);
  });
});
