import type { ReportResult, ScanReport } from '../../reports/types.ts';

/** A result's identity across runs: one result per domain and check. */
export const resultKey = (r: { readonly domain: string; readonly checkId: string }): string => `${r.domain}\u0000${r.checkId}`;

/**
 * The verdict whose age `since` tracks: a waived result counts as its original warn or fail, so accepting a finding
 * does not reset how long it has been failing (an auditor asks exactly that about a waiver).
 */
export function verdictOf(r: ReportResult): string {
  return r.status === 'waived' ? r.originalStatus : r.status;
}

/**
 * Adds `since` to every result: since when this domain and check have had their current verdict. An unchanged
 * verdict carries the baseline's `since` forward (or the baseline scan's start, for a baseline written before `since`
 * existed); a changed verdict, a new pair, or no baseline at all starts at this scan's `startedAt`.
 */
export function annotateSince(
  results: readonly ReportResult[], baseline: ScanReport | null, startedAt: string,
): ReportResult[] {
  const previous = new Map((baseline?.results ?? []).map((r) => [resultKey(r), r]));
  return results.map((r) => {
    const before = previous.get(resultKey(r));
    const unchanged = before !== undefined && baseline !== null && verdictOf(before) === verdictOf(r);
    const since = unchanged ? (before.since ?? baseline.startedAt) : startedAt;
    return { ...r, since };
  });
}
