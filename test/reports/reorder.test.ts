import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReorderBuffer } from '../../src/report-live/reorder.ts';

// The live report's reorder buffer (src/report-live/reorder.ts): beyond its memory budget entries go to a spill file.
let dir = '';
afterEach(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

describe('ReorderBuffer', () => {
  it('gives back spilled pieces exactly (non-ASCII too), and starts the spill file over once nothing spilled waits', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vouch-reorder-'));
    const path = join(dir, 'spill.partial');
    const buffer = new ReorderBuffer(path, 10, 4); // four bytes in memory: everything below spills
    const entry = (i: number) => [`{"domain":"d${i}.test"}`, `snow \u2603 ${i}`, ''];
    for (const i of [3, 1, 2]) await buffer.put(i, entry(i));
    expect(buffer.spilled).toBe(true);
    const full = (await stat(path)).size;
    expect(full).toBeGreaterThan(0);
    expect(await buffer.take(1)).toEqual(entry(1));
    expect(await buffer.take(2)).toEqual(entry(2));
    expect((await stat(path)).size).toBe(full); // entry 3 still waits in it
    expect(await buffer.take(3)).toEqual(entry(3));
    expect((await stat(path)).size).toBe(0); // nothing waits: the file starts over
    await buffer.put(5, entry(5));
    await buffer.put(4, entry(4));
    expect([await buffer.take(4), await buffer.take(5), await buffer.take(6)]).toEqual([entry(4), entry(5), null]);
    await buffer.close();
    await expect(stat(path)).rejects.toThrow();
  });

  it('holds entries within its budget in memory, as UTF-8 bytes, and gives them back exactly', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vouch-reorder-'));
    const path = join(dir, 'spill.partial');
    const entry = [`{"banner":"snow \u2603 lock \u{1F512}"}`, '', 'plain']; // 3- and 4-byte characters
    const size = Buffer.byteLength(`${entry.map((p) => p.length).join(' ')}\n${entry.join('')}`);
    const buffer = new ReorderBuffer(path, 10, 2 * size);
    await buffer.put(2, entry);
    await buffer.put(1, entry);
    expect(buffer.memoryBytes).toBe(2 * size);
    await buffer.put(3, entry); // beyond the budget
    expect(buffer.spilled).toBe(true);
    expect([await buffer.take(1), await buffer.take(2), await buffer.take(3)]).toEqual([entry, entry, entry]);
    expect(buffer.memoryBytes).toBe(0);
    await buffer.close();
  });
});
