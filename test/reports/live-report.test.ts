import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { buildConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/config.ts';
import type { Check } from '../../src/core/check.ts';
import type { DomainRecord } from '../../src/core/domain-record.ts';
import type { CheckResult } from '../../src/core/types.ts';
import { createJournal, type JournalHeader } from '../../src/runner/journal.ts';
import { journalReport } from '../../src/runner/journal-report.ts';
import { createLiveReport } from '../../src/report-live/live-report.ts';
import { verifyReportFile } from '../../src/compliance/verify-file.ts';
import { baselineOfEntries, openBaseline, type Baseline } from '../../reports/baseline.ts';
import { csvWriter } from '../../reports/csv.ts';
import { jsonWriter } from '../../reports/json.ts';
import { renderReport } from '../../reports/memory.ts';
import { textWriter } from '../../reports/text.ts';

/**
 * Issue 11: the reports written DURING the scan (src/report-live/) are byte for byte the reports written from the
 * journal afterwards, whatever order the domains finish in, with waivers, a baseline (`since`), an interrupted run
 * and a resumed one; a tiny reorder budget forces the spill file, which is gone at the end.
 */
const DOMAINS = Array.from({ length: 9 }, (_, i) => `site${i}.live.test`);
const STARTED = '2026-06-01T10:00:00.000Z';
const FINISHED = '2026-06-01T12:00:00.000Z';
const STATUSES = ['pass', 'warn', 'fail', 'error', 'pass', 'skip'] as const;
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();

let config: Config;
let checks: readonly Check[];
let baseline: Baseline;

beforeAll(async () => {
  const built = await buildConfig({
    domains: DOMAINS.map((d, i) => (i % 3 === 2 ? { name: d, mail: false } : d)),
    waivers: [
      { domain: 'site1.live.test', check: '*', reason: 'accepted', owner: 'ops', expires: '2030-01-01' },
      // Expires between the run's start and its end: judged at the start in every format, so it applies.
      { domain: 'site4.live.test', check: '*', reason: 'until noon', owner: 'ops', expires: '2026-06-01T11:00:00Z' },
      { domain: '*', check: 'nope.*', reason: 'old', owner: 'ops', expires: '2020-01-01' },
    ],
  }, { source: null, baseDir: '/tmp' });
  if (!built.ok) throw new Error(built.problems.join('\n'));
  const web = ALL_CHECKS.filter((c) => c.scope === 'web').slice(0, 3);
  const mail = ALL_CHECKS.filter((c) => c.scope === 'mail').slice(0, 2);
  checks = [...web, ...mail];
  config = { ...built.config, compliance: { ...built.config.compliance, signingKeyPem: PRIVATE } };
  // The previous run: site0..site3 with the same verdicts (since carried), the rest unknown.
  const entries = DOMAINS.slice(0, 4).map((domain, index) => ({ domain, results: recordOf(index).results.map((r) => ({ ...r, since: '2026-01-01T00:00:00.000Z' })), artifacts: {} }));
  baseline = baselineOfEntries({ runId: 'previous', startedAt: '2026-05-01T00:00:00.000Z', schemaVersion: 2, status: 'complete' }, entries);
});

function recordOf(index: number, complete = true): DomainRecord {
  const domain = DOMAINS[index]!;
  const results = checks.map((check, c): CheckResult => {
    const base = { checkId: check.id, title: check.title, domain, promises: check.promises, startedAt: STARTED, durationMs: index * 10 + c, artifacts: [`k${index}`] };
    const status = STATUSES[(index + c) % STATUSES.length]!;
    const summary = `${status} for ${domain}: "quoted", comma, ünïcode ✓, =formula`;
    if (status === 'pass') return { ...base, status, summary, evidence: { n: index } };
    if (status === 'warn' || status === 'fail') return { ...base, status, summary, evidence: { n: index }, remediation: 'fix it' };
    if (status === 'skip') return { ...base, status, summary: 'skipped alike', reason: 'not-applicable' };
    return { ...base, status, summary, reason: 'timeout' };
  });
  return { index, domain, startedAt: STARTED, finishedAt: STARTED, complete, results, artifacts: { [`k${index}`]: { bytes: 'x'.repeat(100 * index), emoji: '🔒' } }, facts: [] };
}

function runHeader(): JournalHeader {
  return {
    runId: '00000000-0000-4000-8000-000000000001', startedAt: STARTED, tool: { name: 'vouch', version: '0.0.0-test' },
    config: { source: null, digest: config.digest }, checks: checks.map((c) => c.id), domains: DOMAINS.length,
    domainsDigest: 'sha256:test', settings: { resolvers: ['127.0.0.1:53'] },
  };
}

type Scenario = {
  readonly status: 'complete' | 'interrupted';
  /** Indices scanned by this process, in the order they finish. */
  readonly order: readonly number[];
  /** Indices an earlier process finished (resume). */
  readonly earlier?: readonly number[];
  readonly budget?: number;
  readonly baseline?: boolean;
};

/** The journal's reports, then the live session's files for the same records; both as text. */
async function bothWays(s: Scenario) {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-live-'));
  const header = runHeader();
  const journal = await createJournal(join(dir, 'run.journal.ndjson'), header);
  for (const index of [...(s.earlier ?? []), ...s.order]) await journal.append(recordOf(index, s.status === 'complete' || index !== s.order.at(-1)));
  await journal.close({ status: s.status, finishedAt: FINISHED });
  const context = { config, checks, baseline: s.baseline ? baseline : null };

  const done = new Set(s.earlier ?? []);
  const live = await createLiveReport({
    ...context, run: header, dir, formats: ['json', 'text', 'csv'], reorderBudgetBytes: s.budget ?? 64 * 1024 * 1024,
    ...(s.earlier ? { earlier: { isDone: (i: number) => done.has(i), recordOf: async (i: number) => (done.has(i) ? recordOf(i) : null) } } : {}),
  });
  for (const index of s.order) await live.add(recordOf(index, s.status === 'complete' || index !== s.order.at(-1)));
  const filesBeforeFinish = await readdir(dir);
  const outcome = await live.finish({ status: s.status, finishedAt: FINISHED, resumed: [] });
  expect(outcome.failure).toBeNull();

  const stream = await journalReport(journal.path, context);
  try {
    const expected = {
      json: await renderReport(jsonWriter, stream), text: await renderReport(textWriter, stream), csv: await renderReport(csvWriter, stream),
    };
    const written = {
      json: await readFile(outcome.files['json']!, 'utf8'), text: await readFile(outcome.files['text']!, 'utf8'), csv: await readFile(outcome.files['csv']!, 'utf8'),
    };
    return { expected, written, header: outcome.header, journalHeader: stream.header, files: await readdir(dir), filesBeforeFinish, dir, outcome };
  } finally {
    await stream.close();
  }
}

const shuffled = [4, 0, 8, 2, 7, 1, 6, 3, 5];

describe('live report (issue 11: written during the scan)', () => {
  it('equals the journal-written JSON, text and CSV byte for byte, with waivers and a baseline, domains finishing out of order', async () => {
    const r = await bothWays({ status: 'complete', order: shuffled, baseline: true });
    expect(r.written).toEqual(r.expected);
    expect(r.header).toEqual(r.journalHeader);
    expect(r.header.summary.waived).toBeGreaterThan(0);
    expect(r.header.waivers?.map((w) => w.state)).toEqual(['active', 'active', 'expired']);
    expect(r.written.json).toContain('"since":"2026-01-01T00:00:00.000Z"');
    expect(r.files.filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(r.files).toEqual(expect.arrayContaining(['vouch-20260601T100000.000Z.json', 'vouch-20260601T100000.000Z.txt', 'vouch-20260601T100000.000Z.csv']));
    expect(await verifyReportFile(r.outcome.files['json']!, PUBLIC)).toMatchObject({ ok: true, signed: true });
  });

  it('an interrupted run: never-started domains reported as not scanned, identically', async () => {
    const r = await bothWays({ status: 'interrupted', order: [3, 0, 5, 1] });
    expect(r.written).toEqual(r.expected);
    expect(r.written.text.split('\n')[0]).toContain('(INTERRUPTED)');
    expect(r.written.json).toContain('not started: the scan was interrupted');
    expect(r.header.status).toBe('interrupted');
  });

  it('a tiny reorder budget spills to disk: order and bytes still right, the spill file gone at the end', async () => {
    // Reversed: every domain waits for site0, the last to finish, so all but it go through the spill file.
    const r = await bothWays({ status: 'complete', order: [8, 7, 6, 5, 4, 3, 2, 1, 0], budget: 1, baseline: true });
    expect(r.written).toEqual(r.expected);
    expect(r.files.some((f) => f.includes('reorder'))).toBe(false);
  });

  it('a resumed run: the earlier process\'s domains come from its records when their turn comes', async () => {
    const r = await bothWays({ status: 'complete', order: [6, 2, 8, 0, 5], earlier: [1, 3, 4, 7], budget: 1 });
    expect(r.written).toEqual(r.expected);
  });

  it('a resumed run whose first domains an earlier process finished writes as it goes, not all at the end', async () => {
    // Domains are handed out in order, so a resume nearly always finds domain 0 done: the cursor must step past the
    // earlier process's domains, or every domain of this one would wait in the reorder buffer (and spill) until finish.
    const r = await bothWays({ status: 'complete', order: [2, 3, 4, 5, 6, 7, 8], earlier: [0, 1], budget: 1 });
    expect(r.written).toEqual(r.expected);
    expect(r.filesBeforeFinish.filter((f) => f.includes('reorder'))).toEqual([]);
  });

  it('vouch verify, the baseline and diff read the new layout (late members after the domains)', async () => {
    const r = await bothWays({ status: 'complete', order: shuffled });
    expect(r.written.json.indexOf('"status": "complete"')).toBeGreaterThan(r.written.json.indexOf('"domains": ['));
    expect(await verifyReportFile(r.outcome.files['json']!)).toMatchObject({ ok: true, signed: true });
    const opened = await openBaseline(r.outcome.files['json']!);
    try {
      expect(opened.status).toBe('complete');
      expect([...opened.domainNames()]).toEqual(DOMAINS);
      expect((await opened.resultsOf('site2.live.test'))?.map((x) => x.status)).toEqual(recordOf(2).results.map((x) => x.status));
    } finally {
      await opened.close();
    }
    // Tampering with a late member breaks the seal.
    const tampered = join(r.dir, 'tampered.json');
    await writeFile(tampered, r.written.json.replace(/"pass": \d+/, '"pass": 0'));
    expect((await verifyReportFile(tampered)).ok).toBe(false);
  });

  it('still reads the layout before issue 11\'s live reports (every member before the domains), unsigned too', async () => {
    const r = await bothWays({ status: 'complete', order: shuffled });
    const { domains, digest, signature: _signature, ...header } = JSON.parse(r.written.json) as Record<string, unknown>;
    const domainLines = r.written.json.split('\n').filter((l) => l.startsWith('    {"domain":'));
    const old = `${JSON.stringify(header, null, 2).slice(0, -2)},\n  "domains": [\n${domainLines.join('\n')}\n  ],\n  "digest": ${JSON.stringify(digest)}\n}\n`;
    expect(JSON.parse(old)).toEqual({ ...header, domains, digest });
    const path = join(r.dir, 'old-layout.json');
    await writeFile(path, old);
    expect(await verifyReportFile(path)).toMatchObject({ ok: true, signed: false });
    const opened = await openBaseline(path);
    try {
      expect(opened.status).toBe('complete');
      expect([...opened.domainNames()]).toEqual(DOMAINS);
    } finally {
      await opened.close();
    }
  });

  it('when the directory goes mid-scan: finish says so, no file is published, and the header is still whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-live-'));
    const live = await createLiveReport({ config, checks, baseline: null, run: runHeader(), dir, formats: ['json', 'text'], reorderBudgetBytes: 1 });
    for (const index of [3, 0, 1]) await live.add(recordOf(index));
    await rm(dir, { recursive: true });
    const outcome = await live.finish({ status: 'complete', finishedAt: FINISHED, resumed: [] });
    expect(outcome.failure).toMatchObject({ code: 'ENOENT' });
    expect(outcome.files).toEqual({});
    const counted = Object.values(outcome.header.summary).reduce((a, b) => a + b, 0);
    expect(counted).toBe(DOMAINS.length * checks.length); // every domain folded once: added, or not scanned
  });
});
