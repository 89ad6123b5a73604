import type { ReportDomain, ReportHeader, ReportStream } from '../../reports/types.ts';
import { readJournal, type JournalReader } from './journal.ts';
import { createDomainJudge, notScanned, type JudgeContext } from './report-judge.ts';

export type JournalReportContext = JudgeContext & {
  /**
   * The header as a report written while the scan ran folded it (src/report-live/): given, the journal is read once
   * (the pass that feeds the writers); without it, a first pass folds summary, roll-up and waiver states.
   */
  readonly header?: ReportHeader;
};

/**
 * A run's report as a stream, read from its journal: the header, then each domain in configured order with waivers
 * and `since` applied (judged at the run's start, as report-judge.ts says). Memory: one domain and the journal's
 * index at a time, whatever the number of domains. A domain the journal does not hold (the scan was interrupted
 * before it started) is reported as not scanned, never left out.
 */
export async function journalReport(journalPath: string, context: JournalReportContext): Promise<ReportStream & { close(): Promise<void> }> {
  const reader = await readJournal(journalPath);
  try {
    const header = context.header ?? await foldHeader(reader, context);
    return {
      header,
      domains: () => judgedDomains(reader, context, header.status),
      ...(context.config.compliance.signingKeyPem ? { signingKeyPem: context.config.compliance.signingKeyPem } : {}),
      prometheusPerResult: context.config.prometheusPerResult,
      close: () => reader.close(),
    };
  } catch (error) {
    await reader.close();
    throw error;
  }
}

/** The first pass: what the header says about every domain. */
async function foldHeader(reader: JournalReader, context: JudgeContext): Promise<ReportHeader> {
  const status = reader.end?.status ?? 'interrupted';
  const judge = createDomainJudge(reader.header, context);
  for await (const _ of domainsOf(reader, context, status, judge.judge)) { /* folded by judge() */ }
  return judge.header({ status, finishedAt: reader.end?.finishedAt ?? new Date().toISOString(), resumed: reader.resumes });
}

/** One pass over the journal in configured order, each domain judged afresh (its folds are not needed). */
function judgedDomains(reader: JournalReader, context: JudgeContext, status: 'complete' | 'interrupted'): AsyncIterable<ReportDomain> {
  return domainsOf(reader, context, status, createDomainJudge(reader.header, context).judge);
}

async function* domainsOf(
  reader: JournalReader, context: JudgeContext, status: 'complete' | 'interrupted', judge: ReturnType<typeof createDomainJudge>['judge'],
): AsyncGenerator<ReportDomain> {
  for (let index = 0; index < reader.header.domains; index++) {
    yield await judge((await reader.record(index)) ?? notScanned(index, status, reader.header, context));
  }
}
