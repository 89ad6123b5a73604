import { describe, expect, it } from 'vitest';
import { annotateSince } from '../../src/compliance/history.ts';
import type { ReportResult } from '../../reports/types.ts';
import { fixtureReport, fixtureResults, SCAN_START } from '../reports/fixture-report.ts';

const NEXT_START = '2026-06-02T02:00:00.000Z';
const find = (results: readonly ReportResult[], domain: string, checkId: string) =>
  results.find((r) => r.domain === domain && r.checkId === checkId)!;

describe('annotateSince', () => {
  const baseline = fixtureReport();

  it('starts every result at this scan without a baseline', () => {
    const out = annotateSince(fixtureResults(), null, NEXT_START);
    expect(new Set(out.map((r) => r.since))).toEqual(new Set([NEXT_START]));
  });

  it('carries the baseline since forward when the verdict is unchanged, and restarts it when it changed', () => {
    const older = { ...baseline, results: baseline.results.map((r) => ({ ...r, since: '2026-05-01T02:00:00.000Z' })) };
    const current = fixtureResults().map((r) => (r.checkId === 'https.available' && r.domain === 'example.nl'
      ? { ...r, status: 'fail' as const, remediation: 'serve HTTPS', evidence: {} } : r));
    const out = annotateSince(current, older, NEXT_START);
    expect(find(out, 'example.nl', 'https.available').since).toBe(NEXT_START);
    expect(find(out, 'example.nl', 'http.hsts').since).toBe('2026-05-01T02:00:00.000Z');
    expect(find(out, 'shop.example.nl', 'mail.dmarc').since).toBe('2026-05-01T02:00:00.000Z');
  });

  it('falls back to the baseline scan start for a baseline written before since existed', () => {
    const older = { ...baseline, results: baseline.results.map(({ since: _s, ...r }) => r as ReportResult) };
    expect(find(annotateSince(fixtureResults(), older, NEXT_START), 'example.nl', 'http.hsts').since).toBe(SCAN_START);
  });

  it('tracks a waived result by its original verdict, so accepting a failure does not reset its age', () => {
    // The baseline waived example.nl mail.dmarc (a fail); tonight the same fail arrives unwaived.
    expect(find(baseline.results, 'example.nl', 'mail.dmarc').status).toBe('waived');
    const older = { ...baseline, results: baseline.results.map((r) => ({ ...r, since: '2026-04-01T00:00:00.000Z' })) };
    expect(find(annotateSince(fixtureResults(), older, NEXT_START), 'example.nl', 'mail.dmarc').since).toBe('2026-04-01T00:00:00.000Z');
  });

  it('starts a pair that is new since the baseline at this scan', () => {
    const older = { ...baseline, results: baseline.results.filter((r) => r.domain !== 'shop.example.nl') };
    expect(find(annotateSince(fixtureResults(), older, NEXT_START), 'shop.example.nl', 'mail.dmarc').since).toBe(NEXT_START);
  });
});
