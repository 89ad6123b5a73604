import type { ReportResult } from '../../reports/types.ts';

/**
 * The verdict whose age `since` tracks: a waived result counts as its original warn or fail, so accepting a finding
 * does not reset how long it has been failing (an auditor asks exactly that about a waiver).
 */
export function verdictOf(r: ReportResult): string {
  return r.status === 'waived' ? r.originalStatus : r.status;
}

/**
 * Adds `since` to one domain's results: since when this domain and check have had their current verdict. An
 * unchanged verdict carries the baseline's `since` forward (or the baseline scan's start, for a baseline written
 * before `since` existed); a changed verdict, a new check, a domain the baseline lacks (`baselineResults` null), or
 * no baseline at all starts at this scan's `startedAt`; a changed verdict also gets `previousStatus`, the baseline's
 * status. Called per domain with Baseline.resultsOf(domain) and the
 * Baseline itself (reports/baseline.ts), so only one domain of the baseline is in memory.
 */
export function annotateSince(
  results: readonly ReportResult[],
  baselineResults: readonly ReportResult[] | null,
  baseline: { readonly startedAt: string } | null,
  startedAt: string,
): ReportResult[] {
  const previous = new Map((baseline === null ? [] : baselineResults ?? []).map((r) => [r.checkId, r]));
  return results.map((r) => {
    const before = previous.get(r.checkId);
    const unchanged = before !== undefined && baseline !== null && verdictOf(before) === verdictOf(r);
    const since = unchanged ? (before.since ?? baseline.startedAt) : startedAt;
    // The baseline's status of a changed verdict, kept while its domain is in memory anyway: "was" in the HTML report.
    return before === undefined || unchanged ? { ...r, since } : { ...r, since, previousStatus: before.status };
  });
}
