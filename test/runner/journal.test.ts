import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { domainLine, headerLine } from '../../src/runner/journal-format.ts';
import {
  createJournal, journalFileName, JournalFormatError, JournalMismatchError, openJournalForResume, readJournal, type JournalHeader,
} from '../../src/runner/journal.ts';
import { sampleExpectation, sampleHeader, sampleRecord } from '../fixtures/journal/records.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'vouch-journal-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const END = { status: 'complete', finishedAt: '2026-01-02T04:00:00.000Z' } as const;

/** A journal of `header` holding the records of `indexes`, closed with END unless `open`. */
async function journalWith(header: JournalHeader, indexes: readonly number[], { open = false } = {}): Promise<string> {
  const path = join(dir, journalFileName(header.startedAt));
  const writer = await createJournal(path, header);
  for (const index of indexes) await writer.append(sampleRecord(index));
  if (open) await writer.abandon();
  else await writer.close(END);
  return path;
}

const lines = async (path: string) => (await readFile(path, 'utf8')).split('\n');

describe('the run journal', () => {
  it('round trip: records come back equal, in configured order, whatever order they finished in', async () => {
    const path = join(dir, journalFileName('2026-01-02T03:04:05.678Z'));
    expect(path.endsWith('vouch-20260102T030405.678Z.journal.ndjson')).toBe(true);
    const header = sampleHeader(5);
    const writer = await createJournal(path, header);
    for (const index of [3, 0, 4]) await writer.append(sampleRecord(index, { padBytes: 500 }));
    await writer.append(sampleRecord(1, { complete: false }));
    await writer.close(END);

    const text = await lines(path);
    expect(text.at(-1)).toBe('');
    expect(text.slice(0, -1).map((l) => JSON.parse(l).type)).toEqual(['run', 'domain', 'domain', 'domain', 'domain', 'end']);
    const reader = await readJournal(path);
    try {
      expect(reader.header).toEqual(header);
      expect(reader.end).toEqual(END);
      expect(reader.damage).toBeNull();
      expect(reader.domainsDone).toBe(3);
      expect([0, 1, 2, 3, 4].map((i) => reader.state(i))).toEqual(['complete', 'incomplete', 'missing', 'complete', 'complete']);
      expect(await reader.record(3)).toEqual(sampleRecord(3, { padBytes: 500 }));
      expect(await reader.record(1)).toEqual(sampleRecord(1, { complete: false }));
      expect(await reader.record(2)).toBeNull();
      const all = [];
      for await (const record of reader.records()) all.push(record.index);
      expect(all).toEqual([0, 1, 3, 4]);
    } finally {
      await reader.close();
    }
  });

  it('reads records of several megabytes that span the reader\'s chunks', async () => {
    const path = join(dir, 'big.ndjson');
    const writer = await createJournal(path, sampleHeader(3));
    for (const [index, padBytes] of [[0, 1_500_000], [1, 10], [2, 3_200_000]] as const) await writer.append(sampleRecord(index, { padBytes }));
    await writer.close(END);
    const reader = await readJournal(path);
    expect(await reader.record(2)).toEqual(sampleRecord(2, { padBytes: 3_200_000 }));
    expect(await reader.record(0)).toEqual(sampleRecord(0, { padBytes: 1_500_000 }));
    expect(reader.domainsDone).toBe(3);
    await reader.close();
  });

  it('keeps a domain\'s last complete record: a complete one replaces an incomplete one, never the reverse', async () => {
    const path = join(dir, 'order.ndjson');
    await writeFile(path, headerLine(sampleHeader(2))
      + domainLine(sampleRecord(0, { complete: false })) + domainLine(sampleRecord(0, { padBytes: 7 }))
      + domainLine(sampleRecord(1)) + domainLine(sampleRecord(1, { padBytes: 9 })) + domainLine(sampleRecord(1, { complete: false })));
    const reader = await readJournal(path);
    expect(reader.domainsDone).toBe(2);
    expect(await reader.record(0)).toEqual(sampleRecord(0, { padBytes: 7 }));
    expect(await reader.record(1)).toEqual(sampleRecord(1, { padBytes: 9 }));
    await reader.close();
  });

  it('cuts a half line left by a kill on resume, does not count its domain, and appends after the last whole line', async () => {
    const header = sampleHeader(4);
    const path = await journalWith(header, [0, 1, 2], { open: true });
    const whole = (await stat(path)).size;
    const half = domainLine(sampleRecord(3)).slice(0, 150);
    await appendFile(path, half);

    const reader = await readJournal(path);
    expect(reader.domainsDone).toBe(3);
    expect(reader.state(3)).toBe('missing');
    expect(reader.damage).toMatch(new RegExp(`line at byte ${whole} was cut mid-write \\(150 bytes, no newline\\)`));
    expect(reader.end).toBeNull();
    await reader.close();

    const resumed = await openJournalForResume(path, sampleExpectation(header), '2026-01-02T05:00:00.000Z');
    expect(resumed.cut).toEqual({ bytes: 150, why: expect.stringContaining('cut mid-write') });
    expect(resumed.doneCount).toBe(3);
    expect([0, 1, 2, 3].map((i) => resumed.isDone(i))).toEqual([true, true, true, false]);
    expect(resumed.resumes).toEqual([{ at: '2026-01-02T05:00:00.000Z', domainsDone: 3 }]);
    const text = await lines(path);
    expect(JSON.parse(text.at(-2)!)).toEqual({ type: 'resume', at: '2026-01-02T05:00:00.000Z', domainsDone: 3 });
    expect(text.every((line, i) => i === text.length - 1 ? line === '' : JSON.parse(line))).toBe(true);

    await resumed.writer.append(sampleRecord(3));
    await resumed.writer.close(END);
    const after = await readJournal(path);
    expect(after.domainsDone).toBe(4);
    expect(after.damage).toBeNull();
    expect(after.resumes).toEqual(resumed.resumes);
    expect(after.end).toEqual(END);
    expect(await after.record(3)).toEqual(sampleRecord(3));
    await after.close();
  });

  it('on resume, cuts from the first line that is not valid, even one that ends in a newline (a zero-filled tail)', async () => {
    const header = sampleHeader(3);
    const path = await journalWith(header, [0], { open: true });
    const whole = (await stat(path)).size;
    await appendFile(path, `${'\0'.repeat(40)}\n${domainLine(sampleRecord(1))}`);
    const resumed = await openJournalForResume(path, sampleExpectation(header), '2026-01-02T05:00:00.000Z');
    expect(resumed.cut?.why).toMatch(`line at byte ${whole} is not a valid journal line (not JSON)`);
    expect(resumed.doneCount).toBe(1);
    expect(resumed.isDone(1)).toBe(false);
    await resumed.writer.close(END);
  });

  it('a resume after an end line means the run has not ended until it ends again', async () => {
    const header = sampleHeader(2);
    const path = await journalWith(header, [0]);
    const resumed = await openJournalForResume(path, sampleExpectation(header), '2026-01-02T05:00:00.000Z');
    await resumed.writer.abandon();
    const reader = await readJournal(path);
    expect(reader.end).toBeNull();
    expect(reader.resumes).toHaveLength(1);
    await reader.close();
  });

  it('refuses a journal of another configuration, domain list, check set or version, naming each difference, and leaves it as it was', async () => {
    const header = sampleHeader(3);
    const path = await journalWith(header, [0, 1], { open: true });
    const before = await readFile(path);
    const expect_ = {
      configDigest: 'sha256:other', domainsDigest: 'sha256:others', domains: 4, checks: ['dns.a', 'mail.c'], toolVersion: '9.9.9',
    };
    const error = await openJournalForResume(path, expect_, '2026-01-02T05:00:00.000Z').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalMismatchError);
    const { differences, problem, message } = error as JournalMismatchError;
    expect(differences).toEqual([
      'the configuration differs (digest sha256:c0nf16 in the journal, sha256:other now)',
      'the domain list differs (3 in the journal, 4 now)',
      'the checks differ (only in the journal: http.b; only now: mail.c)',
      "Vouch's version differs (0.1.0 wrote the journal, this is 9.9.9)",
    ]);
    expect(problem).toContain('cannot be resumed');
    expect(message).toContain(path);
    expect(await readFile(path)).toEqual(before);

    const reordered = { ...sampleExpectation(header), checks: ['http.b', 'dns.a'] };
    await expect(openJournalForResume(path, reordered, 'now')).rejects.toThrow('the checks are the same but in another order');
    const { toolVersion: _ignored, ...anyVersion } = { ...sampleExpectation(header), toolVersion: '9.9.9' };
    const resumed = await openJournalForResume(path, anyVersion, '2026-01-02T05:00:00.000Z');
    expect(resumed.doneCount).toBe(2);
    await resumed.writer.abandon();
  });

  it('refuses what is not a journal, a newer format, and a journal whose first line was cut', async () => {
    const cases: [string, string | RegExp][] = [
      ['', 'is empty'],
      ['{"hello":1}\n', 'is not a Vouch run journal: its first line is a line without a type'],
      [domainLine(sampleRecord(0)), 'is not a Vouch run journal: its first line is a domain line'],
      ['not json\n', 'is not a Vouch run journal: its first line is not JSON'],
      [`${JSON.stringify({ type: 'run', journal: 2 })}\n`, 'is of journal format 2, written by a newer Vouch'],
      [headerLine(sampleHeader(1)).slice(0, 40), 'has no whole first line'],
      [headerLine({ ...sampleHeader(1), domains: 1e9 }), 'a run line with missing or malformed fields'],
    ];
    for (const [content, problem] of cases) {
      const path = join(dir, 'odd.ndjson');
      await writeFile(path, content);
      const error = await readJournal(path).catch((e: unknown) => e);
      expect(error, JSON.stringify(content)).toBeInstanceOf(JournalFormatError);
      expect((error as JournalFormatError).problem).toMatch(problem);
      await expect(openJournalForResume(path, sampleExpectation(sampleHeader(1)), 'now')).rejects.toThrow(JournalFormatError);
      expect(await readFile(path, 'utf8')).toBe(content);
    }
  });

  it('skips lines of kinds it does not know, and ends at a record beyond the run\'s domains', async () => {
    const path = join(dir, 'kinds.ndjson');
    await writeFile(path, headerLine(sampleHeader(2)) + '{"type":"note","text":"later versions may add kinds"}\n'
      + domainLine(sampleRecord(0)) + domainLine(sampleRecord(5)) + domainLine(sampleRecord(1)));
    const reader = await readJournal(path);
    expect(reader.domainsDone).toBe(1);
    expect(reader.damage).toMatch('is a record of domain #5, beyond the run\'s 2');
    await reader.close();
  });

  it('a line whose head is whole but whose body is damaged: the reader finds it when reading the record, a resume at once', async () => {
    const header = sampleHeader(2);
    const path = join(dir, 'middle.ndjson');
    const damaged = domainLine(sampleRecord(0)).replace('"results":[', '"results":[\0');
    await writeFile(path, headerLine(header) + damaged + domainLine(sampleRecord(1)));
    const reader = await readJournal(path);
    expect(reader.domainsDone).toBe(2);
    await expect(reader.record(0)).rejects.toThrow(/domain #0's record, is damaged: not JSON/);
    expect(await reader.record(1)).toEqual(sampleRecord(1));
    await reader.close();
    const resumed = await openJournalForResume(path, sampleExpectation(header), 'now');
    expect(resumed.doneCount).toBe(0);
    expect(resumed.cut?.bytes).toBe(Buffer.byteLength(damaged + domainLine(sampleRecord(1))));
    await resumed.writer.abandon();
  });

  it('never overwrites an existing file', async () => {
    const path = await journalWith(sampleHeader(1), []);
    await expect(createJournal(path, sampleHeader(1))).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
