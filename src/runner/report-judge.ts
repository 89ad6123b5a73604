import type { Config } from '../config/config.ts';
import type { Check } from '../core/check.ts';
import type { DomainRecord } from '../core/domain-record.ts';
import type { CheckResult } from '../core/types.ts';
import { createWaiverApplier } from '../compliance/waivers.ts';
import { createPromiseRollup, createStatusTally } from '../compliance/rollup.ts';
import { annotateSince } from '../compliance/history.ts';
import type { Baseline } from '../../reports/baseline.ts';
import { SCHEMA_VERSION, type ReportDomain, type ReportHeader, type ResumeNote } from '../../reports/types.ts';
import type { JournalHeader } from './journal-format.ts';
import { notApplicable } from './run.ts';

/**
 * How a run's domain records become report entries, shared by the report written while the scan runs
 * (src/report-live/) and the one written from the journal afterwards (journal-report.ts), so both say the same.
 */
export type JudgeContext = {
  readonly config: Config;
  readonly checks: readonly Check[];
  /** The previous run's report, for `since` (read one domain at a time). */
  readonly baseline: Baseline | null;
};

/** How a run ended, as the report's header says it. */
export type RunEnd = {
  readonly status: 'complete' | 'interrupted';
  readonly finishedAt: string;
  readonly resumed: readonly ResumeNote[];
};

/** A judge of one run's domains, folding what the header says about them as it goes. */
export type DomainJudge = {
  /** Waivers and `since` applied; the entry's results are counted into the summary, the roll-up and the waiver states. */
  judge(record: DomainRecord): Promise<ReportDomain>;
  /** The header over every domain judged so far; call it once all are. */
  header(end: RunEnd): ReportHeader;
};

/**
 * Judges `run`'s domains in any order: every fold (status tally, promise roll-up, waiver counts) is a sum. Waivers
 * and attestations are judged at the run's start (`run.startedAt`): a report written while the scan runs cannot know
 * its end, and every format of one run must agree (docs/report-schema.md). A replay is a run of its own, with its own start.
 */
export function createDomainJudge(run: JournalHeader, context: JudgeContext): DomainJudge {
  const { config, checks, baseline } = context;
  const at = new Date(run.startedAt);
  const waivers = createWaiverApplier(config.compliance.waivers, at);
  const tally = createStatusTally();
  const rollup = createPromiseRollup(config.compliance.catalogue, config.compliance.attestations, at);
  return {
    async judge(record) {
      const previous = baseline ? await baseline.resultsOf(record.domain) : null;
      const results = annotateSince(waivers.apply(record.results), previous, baseline, run.startedAt);
      tally.add(results);
      rollup.add(results);
      return { domain: record.domain, results, artifacts: record.artifacts };
    },
    header: (end) => ({
      schemaVersion: SCHEMA_VERSION,
      tool: run.tool,
      runId: run.runId,
      status: end.status,
      startedAt: run.startedAt,
      finishedAt: end.finishedAt,
      durationMs: Date.parse(end.finishedAt) - Date.parse(run.startedAt),
      config: run.config,
      resolvers: (run.settings as { resolvers?: string[] } | null)?.resolvers ?? [],
      ...(end.resumed.length > 0 ? { resumed: end.resumed.map((r) => ({ at: r.at, domainsDone: r.domainsDone })) } : {}),
      checks: checks.map((c) => ({ id: c.id, title: c.title, promises: c.promises, scope: c.scope })),
      summary: tally.counts(),
      promises: rollup.finish(),
      waivers: waivers.states(),
      ...(baseline ? { baseline: { runId: baseline.runId, startedAt: baseline.startedAt } } : {}),
    }),
  };
}

/** A domain the scan never reached (it was interrupted first): every check says so, as "could not test". */
export function notScanned(index: number, status: 'complete' | 'interrupted', run: JournalHeader, context: Pick<JudgeContext, 'config' | 'checks'>): DomainRecord {
  const target = context.config.targets[index];
  const domain = target?.domain ?? `#${index}`;
  const at = run.startedAt;
  const results: CheckResult[] = context.checks.map((check) => {
    const skipped = target ? notApplicable(check, target) : null;
    const outcome = skipped ?? (status === 'interrupted'
      ? { status: 'error' as const, reason: 'interrupted' as const, summary: 'not started: the scan was interrupted' }
      : { status: 'error' as const, reason: 'timeout' as const, summary: 'not in the journal: the domain was never scanned' });
    return { checkId: check.id, title: check.title, domain, promises: check.promises, startedAt: at, durationMs: 0, artifacts: [], ...outcome };
  });
  return { index, domain, startedAt: at, finishedAt: at, complete: false, results, artifacts: {}, facts: [] };
}
