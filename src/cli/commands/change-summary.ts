import type { Logger } from 'pino';
import type { Baseline } from '../../../reports/baseline.ts';
import { diffReports, type DiffNewer, type ReportDiff } from '../../compliance/diff.ts';

/**
 * What a nightly job wants to know first: what changed since the previous run. A consumer of the domains as the
 * report is written (live, in the order domains finish: it only counts, so order does not matter; or the pass over
 * the journal), the baseline read a domain at a time; then one log line and one line for the summary on stdout.
 */
export function changeSummary(baseline: Baseline, log: Logger): { consume(newer: DiffNewer): Promise<void>; line(): string } {
  let changes: ReportDiff | null = null;
  return {
    async consume(newer) {
      changes = await diffReports(baseline, newer);
      log.info({
        baseline: baseline.runId, newFailures: changes.newFailures.length, fixed: changes.fixed.length,
        newlyUnverifiable: changes.newlyUnverifiable.length, recovered: changes.recovered.length,
        changedEvidence: changes.changedEvidence.length, worse: changes.worse,
      }, 'changes since the previous run');
    },
    line() {
      if (!changes) return '';
      return `Since ${baseline.startedAt}: ${changes.newFailures.length} new failure(s), ${changes.fixed.length} fixed, `
        + `${changes.newlyUnverifiable.length} newly untestable, ${changes.changedEvidence.length} evidence change(s)`
        + ' (vouch diff for details)\n';
    },
  };
}
