import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/types.ts';
import { diffReports, renderDiff, stableFields } from '../../src/compliance/diff.ts';
import type { ReportResult, ReportStatus, ScanReport } from '../../reports/types.ts';
import { fixtureReport } from '../reports/fixture-report.ts';

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

const reportOf = (results: readonly ReportResult[]): ScanReport => ({ ...fixtureReport(), results });

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
  ] as const)('%s -> %s lands in %s (worse: %s)', (from, to, list, worse) => {
    const diff = diffReports(reportOf([result('http.hsts', from)]), reportOf([result('http.hsts', to)]));
    expect(diff[list]).toEqual([{ domain: 'example.nl', checkId: 'http.hsts', from, to, summary: `http.hsts ${to}` }]);
    expect(diff.worse).toBe(worse);
    const lists = ['newFailures', 'fixed', 'newlyUnverifiable', 'recovered', 'newWarnings', 'newlyWaived'] as const;
    expect(lists.filter((l) => diff[l].length > 0)).toEqual([list]);
  });

  it('sees nothing when nothing changed, even though times differ', () => {
    const old = fixtureReport();
    const later = { ...old, startedAt: '2026-06-02T02:00:00.000Z', results: old.results.map((r) => ({ ...r, startedAt: '2026-06-02T02:00:01.000Z', durationMs: 999 })) };
    const diff = diffReports(old, later);
    expect(diff).toEqual({
      newFailures: [], fixed: [], newlyUnverifiable: [], recovered: [], newWarnings: [], newlyWaived: [],
      changedEvidence: [], added: [], removed: [], worse: false,
    });
    expect(renderDiff(diff)).toBe('No changes.\n\nNot worse.\n');
  });
});

describe('added and removed pairs', () => {
  it('pairs on domain and check; a new failing pair is also a new failure', () => {
    const diff = diffReports(
      reportOf([result('http.hsts', 'pass'), result('mail.dmarc', 'pass')]),
      reportOf([result('http.hsts', 'pass'), result('http.hsts', 'fail', {}, 'new.example.nl')]),
    );
    expect(diff.added).toEqual([{ domain: 'new.example.nl', checkId: 'http.hsts' }]);
    expect(diff.removed).toEqual([{ domain: 'example.nl', checkId: 'mail.dmarc' }]);
    expect(diff.newFailures.map((c) => [c.domain, c.from])).toEqual([['new.example.nl', null]]);
    expect(diff.worse).toBe(true);
  });
});

describe('changed evidence', () => {
  const cert = (fingerprint: string, address: string, daysLeft: number) =>
    ({ address, leaf: { fingerprintSha256: fingerprint, notAfter: '2027-01-01T00:00:00Z' }, daysLeft, observedAt: `2026-06-0${daysLeft % 9}T00:00:00Z` });

  it('reports a replaced certificate by address, but not countdowns, times or reordered addresses', () => {
    const before = result('tls.certificate-expiry', 'pass', { addresses: [cert('AA', '192.0.2.1', 40), cert('BB', '192.0.2.2', 40)] });
    const after = result('tls.certificate-expiry', 'pass', { addresses: [cert('BB', '192.0.2.2', 39), cert('CC', '192.0.2.1', 39)] });
    const diff = diffReports(reportOf([before]), reportOf([after]));
    expect(diff.changedEvidence).toEqual([
      { domain: 'example.nl', checkId: 'tls.certificate-expiry', field: 'addresses[192.0.2.1].leaf.fingerprintSha256', before: 'AA', after: 'CC' },
    ]);
    expect(diff.worse).toBe(false);
  });

  it('reports changed records and headers, and says nothing when a result lost its evidence to an error', () => {
    const diff = diffReports(
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
  it('lists each kind of change and the verdict, with hostile text flattened', () => {
    const diff = diffReports(
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
