import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCommand } from '../../src/cli/commands/diff.ts';
import { jsonWriter } from '../../reports/json.ts';
import type { JsonObject } from '../../src/core/types.ts';
import { diffReports as diffStreams, renderDiff, stableFields, type ReportDiff } from '../../src/compliance/diff.ts';
import { allResults, baselineOf, renderReport, streamOf } from '../../reports/memory.ts';
import type { ReportResult, ReportStatus, ScanReport } from '../../reports/types.ts';
import { fixtureReport } from '../reports/fixture-report.ts';
import { toSchema1 } from '../reports/legacy-shape.ts';
import { Capture } from '../support/cli.ts';

function result(checkId: string, status: ReportStatus, evidence: JsonObject = {}, domain = 'example.nl'): ReportResult {
  const base = { checkId, title: checkId, domain, promises: [], startedAt: '2026-06-01T02:00:00.000Z', durationMs: 1, artifacts: [], summary: `${checkId} ${status}` };
  switch (status) {
    case 'pass': return { ...base, status, evidence };
    case 'warn': case 'fail': return { ...base, status, evidence, remediation: 'fix' } as ReportResult;
    case 'error': return { ...base, status, reason: 'timeout' };
    case 'skip': return { ...base, status, reason: 'not-applicable' };
    case 'waived': return { ...base, status, originalStatus: 'fail', evidence, remediation: 'fix', waiver: { reason: 'r', owner: 'o', expires: '2026-12-31' } };
  }
}

/** A report of these results, grouped per domain in the order the results name them. */
function reportOf(results: readonly ReportResult[]): ScanReport {
  const domains = [...new Set(results.map((r) => r.domain))].map((domain) => ({ domain, results: results.filter((r) => r.domain === domain), artifacts: {} }));
  return { ...fixtureReport(), domains };
}

const diffReports = (older: ScanReport, newer: ScanReport): Promise<ReportDiff> => diffStreams(baselineOf(older), streamOf(newer));

/** One old/new pair per row: the status before and after, and which list the change must land in. */
describe('status changes', () => {
  it.each([
    ['pass', 'fail', 'newFailures', true],
    ['warn', 'fail', 'newFailures', true],
    ['waived', 'fail', 'newFailures', true],       // the waiver expired: the failure is back
    ['error', 'fail', 'newFailures', true],
    ['fail', 'pass', 'fixed', false],
    ['fail', 'warn', 'fixed', false],
    ['fail', 'skip', 'fixed', false],
    ['pass', 'error', 'newlyUnverifiable', true],
    ['fail', 'error', 'newlyUnverifiable', true],
    ['error', 'pass', 'recovered', false],
    ['error', 'warn', 'recovered', false],
    ['pass', 'warn', 'newWarnings', false],
    ['fail', 'waived', 'newlyWaived', false],
  ] as const)('%s -> %s lands in %s (worse: %s)', async (from, to, list, worse) => {
    const diff = await diffReports(reportOf([result('http.hsts', from)]), reportOf([result('http.hsts', to)]));
    expect(diff[list]).toEqual([{ domain: 'example.nl', checkId: 'http.hsts', from, to, summary: `http.hsts ${to}` }]);
    expect(diff.worse).toBe(worse);
    const lists = ['newFailures', 'fixed', 'newlyUnverifiable', 'recovered', 'newWarnings', 'newlyWaived'] as const;
    expect(lists.filter((l) => diff[l].length > 0)).toEqual([list]);
  });

  it('sees nothing when nothing changed, even though times differ', async () => {
    const old = fixtureReport();
    const later = reportOf(allResults(old).map((r) => ({ ...r, startedAt: '2026-06-02T02:00:01.000Z', durationMs: 999 })));
    expect(allResults(later)).toHaveLength(9);
    const diff = await diffReports(old, later);
    expect(diff).toEqual({
      newFailures: [], fixed: [], newlyUnverifiable: [], recovered: [], newWarnings: [], newlyWaived: [],
      changedEvidence: [], added: [], removed: [], worse: false,
    });
    expect(renderDiff(diff)).toBe('No changes.\n\nNot worse.\n');
  });
});

describe('added and removed pairs', () => {
  it('pairs on domain and check; a new failing pair is also a new failure', async () => {
    const diff = await diffReports(
      reportOf([result('http.hsts', 'pass'), result('mail.dmarc', 'pass')]),
      reportOf([result('http.hsts', 'pass'), result('http.hsts', 'fail', {}, 'new.example.nl')]),
    );
    expect(diff.added).toEqual([{ domain: 'new.example.nl', checkId: 'http.hsts' }]);
    expect(diff.removed).toEqual([{ domain: 'example.nl', checkId: 'mail.dmarc' }]);
    expect(diff.newFailures.map((c) => [c.domain, c.from])).toEqual([['new.example.nl', null]]);
    expect(diff.worse).toBe(true);
  });

  it('lists removed pairs in the older report’s order: lost checks of kept domains and whole lost domains alike', async () => {
    const older = reportOf([
      result('a.a', 'pass', {}, 'gone.example'), result('a.a', 'pass', {}, 'kept.example'), result('b.b', 'pass', {}, 'kept.example'),
      result('c.c', 'pass', {}, 'gone-too.example'),
    ]);
    const newer = reportOf([result('a.a', 'pass', {}, 'new.example'), result('a.a', 'pass', {}, 'kept.example')]);
    const diff = await diffReports(older, newer);
    expect(diff.removed).toEqual([
      { domain: 'gone.example', checkId: 'a.a' }, { domain: 'kept.example', checkId: 'b.b' }, { domain: 'gone-too.example', checkId: 'c.c' },
    ]);
    expect(diff.added).toEqual([{ domain: 'new.example', checkId: 'a.a' }]);
  });
});

describe('changed evidence', () => {
  const cert = (fingerprint: string, address: string, daysLeft: number) =>
    ({ address, leaf: { fingerprintSha256: fingerprint, notAfter: '2027-01-01T00:00:00Z' }, daysLeft, observedAt: `2026-06-0${daysLeft % 9}T00:00:00Z` });

  it('reports a replaced certificate by address, but not countdowns, times or reordered addresses', async () => {
    const before = result('tls.certificate-expiry', 'pass', { addresses: [cert('AA', '192.0.2.1', 40), cert('BB', '192.0.2.2', 40)] });
    const after = result('tls.certificate-expiry', 'pass', { addresses: [cert('BB', '192.0.2.2', 39), cert('CC', '192.0.2.1', 39)] });
    const diff = await diffReports(reportOf([before]), reportOf([after]));
    expect(diff.changedEvidence).toEqual([
      { domain: 'example.nl', checkId: 'tls.certificate-expiry', field: 'addresses[192.0.2.1].leaf.fingerprintSha256', before: 'AA', after: 'CC' },
    ]);
    expect(diff.worse).toBe(false);
  });

  it('reports changed records and headers, and says nothing when a result lost its evidence to an error', async () => {
    const diff = await diffReports(
      reportOf([result('mail.dmarc', 'pass', { record: 'v=DMARC1; p=reject' }), result('http.hsts', 'pass', { header: ['max-age=1'] })]),
      reportOf([result('mail.dmarc', 'warn', { record: 'v=DMARC1; p=quarantine' }), result('http.hsts', 'error')]),
    );
    expect(diff.changedEvidence.map((c) => [c.checkId, c.field, c.after])).toEqual([['mail.dmarc', 'record', 'v=DMARC1; p=quarantine']]);
  });

  it('flattens only the stable keys, naming array items by address or selector', () => {
    expect(stableFields({
      observedAt: 'x', daysLeft: 3, selectors: [{ selector: 's1', keyBits: 2048, records: ['v=DKIM1'] }], versions: [{ version: 'TLSv1', accepted: false }],
    })).toEqual(new Map<string, unknown>([
      ['selectors[s1].keyBits', 2048], ['selectors[s1].records', ['v=DKIM1']], ['versions[TLSv1].accepted', false],
    ]));
  });
});

describe('renderDiff', () => {
  it('lists each kind of change and the verdict, with hostile text flattened', async () => {
    const diff = await diffReports(
      reportOf([result('http.hsts', 'pass', { header: ['a'] }), result('mail.dmarc', 'fail')]),
      reportOf([{ ...result('http.hsts', 'fail', { header: ['b'] }), summary: 'bad\n\u001b[2Jforged\u202e' }, result('mail.dmarc', 'pass')]),
    );
    expect(renderDiff(diff)).toBe([
      'New failures (1):',
      '  example.nl  http.hsts  pass -> fail  bad [2Jforged ',
      '',
      'Fixed (1):',
      '  example.nl  mail.dmarc  fail -> pass  mail.dmarc pass',
      '',
      'Changed evidence (1):',
      '  example.nl  http.hsts  header: ["a"] -> ["b"]',
      '',
      'Worse: new failures or newly unverifiable results.',
      '',
    ].join('\n'));
  });
});

describe('vouch diff', () => {
  const run = async (older: string, newer: string, json = false) => {
    const stdout = new Capture();
    const code = await diffCommand(older, newer, { json }, { stdout, stderr: new Capture(), cwd: dir });
    return { code, out: stdout.text };
  };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vouch-diff-'));
    const old = fixtureReport();
    const worse = reportOf(allResults(old).map((r) => (r.domain === 'shop.example.nl' && r.checkId === 'mail.dmarc'
      ? { ...r, status: 'fail' as const, summary: 'DMARC gone', remediation: 'publish it', evidence: {} } : r)));
    await writeFile(join(dir, 'old-v1.json'), JSON.stringify(toSchema1(old), null, 2));
    await writeFile(join(dir, 'old-v2.json'), await renderReport(jsonWriter, old));
    await writeFile(join(dir, 'new-v2.json'), await renderReport(jsonWriter, worse));
    await writeFile(join(dir, 'not-a-report.json'), '{"name": "x"}');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([['old-v1.json'], ['old-v2.json']])('compares %s with a schema-2 report: exit 1 when something got worse', async (older) => {
    const { code, out } = await run(older, 'new-v2.json');
    expect(code).toBe(1);
    expect(out).toBe('New failures (1):\n  shop.example.nl  mail.dmarc  pass -> fail  DMARC gone\n\nWorse: new failures or newly unverifiable results.\n');
  });

  it('finds no change between a schema-1 report and its schema-2 original, either way round', async () => {
    expect(await run('old-v1.json', 'old-v2.json')).toEqual({ code: 0, out: 'No changes.\n\nNot worse.\n' });
    expect(JSON.parse((await run('old-v2.json', 'old-v1.json', true)).out)).toMatchObject({ worse: false, added: [], removed: [] });
  });

  it('names the file that is not a report, as a usage error', async () => {
    await expect(run('not-a-report.json', 'new-v2.json')).rejects.toMatchObject({ exitCode: 64, message: expect.stringMatching(/^not-a-report\.json: not a Vouch report/) });
    await expect(run('old-v2.json', 'absent.json')).rejects.toMatchObject({ exitCode: 64, message: 'absent.json: cannot read: ENOENT' });
  });
});
