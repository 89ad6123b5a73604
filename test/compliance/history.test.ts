import { describe, expect, it } from 'vitest';
import { annotateSince } from '../../src/compliance/history.ts';
import { allResults } from '../../reports/memory.ts';
import type { ReportResult } from '../../reports/types.ts';
import { fixtureReport, fixtureResults, SCAN_START } from '../reports/fixture-report.ts';

const NEXT_START = '2026-06-02T02:00:00.000Z';
const find = (results: readonly ReportResult[], checkId: string) => results.find((r) => r.checkId === checkId)!;
const tonight = (domain: string) => fixtureResults().filter((r) => r.domain === domain);
/** The baseline's results for one domain, each with the given `since` (or none). */
const before = (domain: string, since?: string) => allResults(fixtureReport()).filter((r) => r.domain === domain)
  .map(({ since: _s, ...r }) => (since === undefined ? r : { ...r, since }) as ReportResult);
const BASELINE = { startedAt: SCAN_START };

describe('annotateSince (one domain at a time)', () => {
  it('starts every result at this scan without a baseline', () => {
    const out = annotateSince(tonight('example.nl'), null, null, NEXT_START);
    expect(new Set(out.map((r) => r.since))).toEqual(new Set([NEXT_START]));
    expect(out).toHaveLength(6);
  });

  it('carries the baseline since forward when the verdict is unchanged, and restarts it when it changed', () => {
    const current = tonight('example.nl').map((r) => (r.checkId === 'https.available'
      ? { ...r, status: 'fail' as const, remediation: 'serve HTTPS', evidence: {} } : r));
    const out = annotateSince(current, before('example.nl', '2026-05-01T02:00:00.000Z'), BASELINE, NEXT_START);
    expect(find(out, 'https.available').since).toBe(NEXT_START);
    expect(find(out, 'http.hsts').since).toBe('2026-05-01T02:00:00.000Z');
    // What the changed verdict was in the baseline; nothing for an unchanged one.
    expect(out.filter((r) => r.previousStatus !== undefined).map((r) => [r.checkId, r.previousStatus])).toEqual([['https.available', 'pass']]);
  });

  it('falls back to the baseline scan start for a baseline written before since existed', () => {
    expect(find(annotateSince(tonight('example.nl'), before('example.nl'), BASELINE, NEXT_START), 'http.hsts').since).toBe(SCAN_START);
  });

  it('tracks a waived result by its original verdict, so accepting a failure does not reset its age', () => {
    // The baseline waived example.nl mail.dmarc (a fail); tonight the same fail arrives unwaived.
    const older = before('example.nl', '2026-04-01T00:00:00.000Z');
    expect(find(older, 'mail.dmarc').status).toBe('waived');
    expect(find(annotateSince(tonight('example.nl'), older, BASELINE, NEXT_START), 'mail.dmarc').since).toBe('2026-04-01T00:00:00.000Z');
  });

  it('starts a domain the baseline does not have, and a check new since the baseline, at this scan', () => {
    expect(find(annotateSince(tonight('shop.example.nl'), null, BASELINE, NEXT_START), 'mail.dmarc').since).toBe(NEXT_START);
    const withoutDmarc = before('shop.example.nl', '2026-05-01T02:00:00.000Z').filter((r) => r.checkId !== 'mail.dmarc');
    const out = annotateSince(tonight('shop.example.nl'), withoutDmarc, BASELINE, NEXT_START);
    expect(out.map((r) => [r.checkId, r.since])).toEqual([['https.available', '2026-05-01T02:00:00.000Z'], ['mail.dmarc', NEXT_START]]);
    expect(out.map((r) => r.previousStatus)).toEqual([undefined, undefined]); // new, not changed from anything
  });
});
