import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournalForResume, readJournal } from '../../src/runner/journal.ts';
import { CHILD_GIANT_BYTES, childRecord, sampleExpectation, sampleHeader } from '../fixtures/journal/records.ts';

/**
 * A real process writing a journal is killed with SIGKILL in the middle of its writes, twice (once while it starts
 * the run, once while it resumes it), and the journal must then hold whole records only, none twice. The child runs
 * the TypeScript sources through a small transpiling loader (Node 20 cannot strip types), not dist/: the test then
 * always exercises the code under test, with no build step to forget.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/journal/', import.meta.url));
const DOMAINS = 20_000; // ~1 GB if never killed: each kill comes long before the end
const header = sampleHeader(DOMAINS);

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'vouch-journal-kill-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function startChild(args: string[]) {
  const child = spawn(process.execPath, ['--import', join(FIXTURES, 'register-ts.mjs'), join(FIXTURES, 'writer-child.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => { output.stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output.stderr += chunk.toString(); });
  const exited = new Promise<NodeJS.Signals | number | null>((done) => child.on('exit', (code, signal) => done(signal ?? code)));
  return { child, output, exited };
}

/** Runs the writer child and kills it with SIGKILL once the journal has grown by `growBytes`. */
async function killMidRun(args: string[], path: string, growBytes: number): Promise<void> {
  const startSize = await stat(path).then((s) => s.size, () => 0);
  const { child, output, exited } = startChild(args);
  try {
    const deadline = Date.now() + 12_000;
    while (await stat(path).then((s) => s.size, () => 0) < startSize + growBytes) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the writer stopped or stalled before it was killed: ${output.stderr}`);
      await new Promise((r) => setTimeout(r, 1));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(output.stdout).toBe('ready\n');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** The journal's lines as the test reads them itself (not through the module under test). */
async function rawLines(path: string): Promise<{ whole: Record<string, unknown>[]; tail: string }> {
  const parts = (await readFile(path, 'utf8')).split('\n');
  return { whole: parts.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>), tail: parts.at(-1)! };
}

describe('a journal writer killed with SIGKILL mid-run', () => {
  it('leaves whole records only; a resume cuts the half line, counts each domain once, and so does a second kill', async () => {
    const path = join(dir, 'run.journal.ndjson');
    // Killed inside the first record's 20 MB write(2) (on this machine every time; a kill after it is checked the same).
    await killMidRun(['create', path, String(DOMAINS)], path, 4_000_000);
    const first = await rawLines(path);
    expect(first.whole[0]).toMatchObject({ type: 'run', journal: 1, domains: DOMAINS });
    const firstDone = first.whole.filter((l) => l['type'] === 'domain').length;

    const resumed = await openJournalForResume(path, sampleExpectation(header), '2026-01-02T05:00:00.000Z');
    expect(resumed.doneCount).toBe(firstDone);
    expect(resumed.cut?.bytes ?? 0).toBe(Buffer.byteLength(first.tail));
    await resumed.writer.abandon();
    expect((await readFile(path, 'utf8')).endsWith('"domainsDone":' + firstDone + '}\n')).toBe(true);

    // Taken up and killed again among the small records; then taken up here, and ended after 5 more domains.
    await killMidRun(['resume', path, String(DOMAINS)], path, CHILD_GIANT_BYTES + 3_000_000);
    const last = await openJournalForResume(path, sampleExpectation(header), '2026-01-02T06:00:00.000Z');
    for (let index = last.doneCount; index < last.doneCount + 5; index++) {
      expect(last.isDone(index)).toBe(false);
      await last.writer.append(childRecord(index));
    }
    await last.writer.close({ status: 'complete', finishedAt: '2026-01-02T06:01:00.000Z' });

    const final = await rawLines(path);
    expect(final.tail).toBe('');
    const indexes = final.whole.filter((l) => l['type'] === 'domain').map((l) => l['index'] as number);
    // Each run appends the domains not yet done in index order, so whole records are exactly 0..n-1, each once.
    expect(indexes).toEqual(indexes.map((_, i) => i));
    expect(indexes.length).toBeGreaterThan(firstDone + 10);
    const reader = await readJournal(path);
    try {
      expect(reader.damage).toBeNull();
      expect(reader.end?.status).toBe('complete');
      expect(reader.domainsDone).toBe(indexes.length);
      expect(reader.resumes.map((r) => r.domainsDone)).toEqual([firstDone, firstDone, indexes.length - 5]);
      for (const index of [0, 1, indexes.length - 6, indexes.length - 1]) expect(await reader.record(index)).toEqual(childRecord(index));
    } finally {
      await reader.close();
    }
  });
});
