import type { Config } from '../config/config.ts';
import type { Check } from '../core/check.ts';
import type { DomainRecord } from '../core/domain-record.ts';
import type { CheckResult, Status } from '../core/types.ts';
import { createWaiverApplier } from '../compliance/waivers.ts';
import { createPromiseRollup } from '../compliance/rollup.ts';
import { annotateSince } from '../compliance/history.ts';
import type { Baseline } from '../../reports/baseline.ts';
import {
  REPORT_STATUSES, SCHEMA_VERSION, type ReportDomain, type ReportHeader, type ReportStatus, type ReportStream, type ResumeNote,
} from '../../reports/types.ts';
import { readJournal, type JournalReader } from './journal.ts';
import { notApplicable } from './run.ts';

export type JournalReportContext = {
  readonly config: Config;
  readonly checks: readonly Check[];
  /** The previous run's report, for `since` (read as an index: one domain at a time). */
  readonly baseline: Baseline | null;
  /** When the waivers and attestations are judged: the end of the scan (or, for a replay, of the replay). */
  readonly now: Date;
};

/**
 * A run's report as a stream, read from its journal: the header (summary, promise roll-up and waiver states folded
 * in a first pass over the journal), then each domain in configured order with waivers and `since` applied. Memory:
 * one domain and the journal's index at a time, whatever the number of domains. A domain the journal does not hold
 * (the scan was interrupted before it started) is reported as not scanned, never left out.
 */
export async function journalReport(journalPath: string, context: JournalReportContext): Promise<ReportStream & { close(): Promise<void> }> {
  const reader = await readJournal(journalPath);
  const { header: run } = reader;
  const status = reader.end?.status ?? 'interrupted';
  const finishedAt = reader.end?.finishedAt ?? context.now.toISOString();
  const judge = judgeDomains(reader, context, status);

  // First pass: what the header says about every domain.
  const tally = Object.fromEntries(REPORT_STATUSES.map((s) => [s, 0])) as Record<ReportStatus, number>;
  const rollup = createPromiseRollup(context.config.compliance.catalogue, context.config.compliance.attestations, context.now);
  const waiverStates = await (async () => {
    const pass = judge();
    for await (const domain of pass.domains) {
      for (const r of domain.results) tally[r.status]++;
      rollup.add(domain.results);
    }
    return pass.waiverStates();
  })();

  const resumed: ResumeNote[] = reader.resumes.map((r) => ({ at: r.at, domainsDone: r.domainsDone }));
  const header: ReportHeader = {
    schemaVersion: SCHEMA_VERSION,
    tool: run.tool,
    runId: run.runId,
    status,
    startedAt: run.startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(run.startedAt),
    config: run.config,
    resolvers: (run.settings as { resolvers?: string[] } | null)?.resolvers ?? [],
    ...(resumed.length > 0 ? { resumed } : {}),
    checks: context.checks.map((c) => ({ id: c.id, title: c.title, promises: c.promises, scope: c.scope })),
    summary: tally as Record<Status, number> & { waived: number },
    promises: rollup.finish(),
    waivers: waiverStates,
    ...(context.baseline ? { baseline: { runId: context.baseline.runId, startedAt: context.baseline.startedAt } } : {}),
  };
  return {
    header,
    domains: () => judge().domains,
    ...(context.config.compliance.signingKeyPem ? { signingKeyPem: context.config.compliance.signingKeyPem } : {}),
    close: () => reader.close(),
  };
}

/** One pass over the journal in configured order, applying waivers and `since` to each domain's results. */
function judgeDomains(reader: JournalReader, context: JournalReportContext, status: 'complete' | 'interrupted') {
  const { config, checks, baseline, now } = context;
  return () => {
    const waivers = createWaiverApplier(config.compliance.waivers, now);
    async function* domains(): AsyncGenerator<ReportDomain> {
      for (let index = 0; index < reader.header.domains; index++) {
        const record = (await reader.record(index)) ?? notScanned(index, status);
        const previous = baseline ? await baseline.resultsOf(record.domain) : null;
        const results = annotateSince(waivers.apply(record.results), previous, baseline, reader.header.startedAt);
        yield { domain: record.domain, results, artifacts: record.artifacts };
      }
    }
    return { domains: domains(), waiverStates: () => waivers.states() };
  };

  /** A domain the scan never reached (it was interrupted first): every check says so, as "could not test". */
  function notScanned(index: number, runStatus: string): DomainRecord {
    const target = config.targets[index];
    const domain = target?.domain ?? `#${index}`;
    const at = reader.header.startedAt;
    const results: CheckResult[] = checks.map((check) => {
      const skipped = target ? notApplicable(check, target) : null;
      const outcome = skipped ?? {
        status: 'error' as const, reason: 'timeout' as const,
        summary: runStatus === 'interrupted' ? 'not started: the scan was interrupted' : 'not in the journal: the domain was never scanned',
      };
      return { checkId: check.id, title: check.title, domain, promises: check.promises, startedAt: at, durationMs: 0, artifacts: [], ...outcome };
    });
    return { index, domain, startedAt: at, finishedAt: at, complete: false, results, artifacts: {}, facts: [] };
  }
}
