import type { Config } from '../src/config/config.ts';
import type { Check } from '../src/core/check.ts';
import { createLogger } from '../src/log.ts';
import { discardTemporaryJournal, runScan } from '../src/scan.ts';
import { journalReport } from '../src/runner/journal-report.ts';
import { writeReports } from '../src/cli/output.ts';
import type { ReportStream } from '../reports/types.ts';

/** Wall and CPU time of one phase (CPU of the whole process: process.cpuUsage counts worker threads too). */
export type Phase = { readonly wallMs: number; readonly cpuMs: number };

export type VouchRun = {
  readonly scan: Phase;
  /** Writing every configured report format from the journal, after the last check. */
  readonly report: Phase;
  readonly workers: number;
  readonly stats: Readonly<Record<string, number>>;
  readonly summary: Readonly<Record<string, number>>;
  /** The commonest reasons of `error` results (check id and summary, digits masked), most frequent first. */
  readonly topErrors: readonly string[];
};

/**
 * Vouch's scan and report as the CLI runs them, timed by phase: the one place the bench calls Vouch, so that a
 * change of the scan API is one edit here. The journal and the reports go to `config.output.dir`.
 */
export async function runVouch(config: Config, checks: readonly Check[], options: { readonly workers?: number } = {}): Promise<VouchRun> {
  const clock = startClock();
  const run = await runScan({
    config, checks, log: createLogger('silent'), journalDir: config.output.dir, ...(options.workers ? { workers: options.workers } : {}),
  });
  const scan = clock.lap();
  const errors = errorTally();
  const stream = await journalReport(run.journalPath, { config, checks, baseline: null, now: new Date(run.finishedAt) });
  try {
    await writeReports(stream, config.output.dir!, config.output.formats, null, [errors.consume]);
  } finally {
    await stream.close();
    await discardTemporaryJournal(run);
  }
  return { scan, report: clock.lap(), workers: run.workers, stats: run.stats, summary: stream.header.summary, topErrors: errors.top(5) };
}

/** Counts error results by check and summary while the reports are written (one more reader of the same pass). */
function errorTally() {
  const counts = new Map<string, number>();
  return {
    consume: async (stream: ReportStream) => {
      for await (const domain of stream.domains()) {
        for (const r of domain.results) {
          if (r.status !== 'error') continue;
          const key = `${r.checkId}: ${r.summary.replace(/\d+/g, 'N').slice(0, 160)}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
    },
    top: (n: number) => [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, count]) => `${count} x ${key}`),
  };
}

function startClock() {
  let wall = performance.now();
  let cpu = process.cpuUsage();
  return {
    lap: (): Phase => {
      const used = process.cpuUsage(cpu);
      const phase = { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
      wall = performance.now();
      cpu = process.cpuUsage();
      return phase;
    },
  };
}
