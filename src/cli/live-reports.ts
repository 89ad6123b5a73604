import { createReadStream } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Check } from '../core/check.ts';
import type { Baseline } from '../../reports/baseline.ts';
import type { ReportDomain } from '../../reports/types.ts';
import { createLiveReport, type LiveOutcome, type LiveReport } from '../report-live/live-report.ts';
import type { RunEnd } from '../runner/report-judge.ts';
import { readJournal, type JournalReader } from '../runner/journal.ts';
import type { RecordSink, RunStart } from '../scan.ts';
import { changeSummary } from './commands/change-summary.ts';
import { Handoff } from './report-fanout.ts';

export type LiveReportsOptions = {
  readonly config: Config;
  readonly checks: readonly Check[];
  readonly baseline: Baseline | null;
  readonly dir: string;
  readonly log: Logger;
  /** Also told every judged domain, in finishing order (the CLI's recap). */
  readonly onDomain?: (domain: ReportDomain) => void;
};

/**
 * The CLI's side of the reports written during the scan: the session (src/report-live/) opened when runScan starts
 * (`recordSink`), the journal of the earlier process on resume, and the change summary, fed each domain as it is
 * judged. `finish` returns the live outcome and the change line for stdout.
 */
export type LiveFinish = LiveOutcome & { readonly changeLine: string };
export type LiveReports = {
  readonly recordSink: (start: RunStart) => Promise<RecordSink>;
  finish(end: RunEnd): Promise<LiveFinish>;
  abandon(): Promise<void>;
};

export function liveReports(options: LiveReportsOptions): LiveReports {
  const { config, checks, baseline, dir, log } = options;
  let session: LiveReport | null = null;
  let earlier: JournalReader | null = null;
  const changes = baseline ? changeSummary(baseline, log) : null;
  const feed = changes ? new Handoff<ReportDomain>() : null;
  const diffing = changes && feed ? changes.consume({ domains: () => feed.drain() }).finally(() => feed.abandon()) : null;
  // A baseline that cannot be read mid-way loses the change line, not the reports.
  const diffed = diffing?.then(() => true, (err: unknown) => {
    log.error({ err }, 'the changes since the previous run could not be computed');
    return false;
  }) ?? Promise.resolve(false);

  const recordSink = async (start: RunStart): Promise<RecordSink> => {
    // The journal as the earlier process left it (opened now: what this one appends is not seen), for its records.
    earlier = start.resumed ? await readJournal(start.journalPath) : null;
    const reader = earlier;
    session = await createLiveReport({
      config, checks, baseline, run: start.header, dir, formats: config.output.formats, alsoText: true,
      ...(reader ? { earlier: { isDone: start.isDone, recordOf: (index: number) => reader.record(index) } } : {}),
      onDomain: async (domain: ReportDomain) => {
        options.onDomain?.(domain);
        await feed?.put(domain);
      },
    });
    return session;
  };

  return {
    recordSink,
    async finish(end) {
      try {
        const outcome = await session!.finish(end);
        feed?.end();
        return { ...outcome, changeLine: (await diffed) ? changes!.line() : '' };
      } finally {
        await (earlier as JournalReader | null)?.close();
      }
    },
    /** The scan failed: no report is written, no temporary file is left. */
    async abandon(): Promise<void> {
      feed?.end();
      await diffed;
      await (session as LiveReport | null)?.abandon();
      await (earlier as JournalReader | null)?.close().catch(() => undefined);
    },
  };
}

/** A finished file to stdout with back-pressure (the text report of 100,000 domains is hundreds of MB). */
export async function copyToStdout(path: string, write: (chunk: string) => Promise<void> | void): Promise<void> {
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) await write(chunk);
}
