import type { Config } from '../src/config/config.ts';
import type { Check } from '../src/core/check.ts';
import { createLogger, LOG_LEVELS, type LogLevel } from '../src/log.ts';
import { discardTemporaryJournal, runScan } from '../src/scan.ts';
import { journalReport } from '../src/runner/journal-report.ts';
import { writeReports } from '../src/cli/output.ts';
import type { ReportDomain } from '../reports/types.ts';
import { createLiveReport, LIVE_FORMAT_NAMES, type LiveReport } from '../src/report-live/live-report.ts';

/** `VOUCH_BENCH_LOG_LEVEL=info`: the scan's JSON log on stderr (what the kept tier held, the worker threads' heap limit). */
function benchLogLevel(): LogLevel {
  const level = process.env['VOUCH_BENCH_LOG_LEVEL'];
  return level && (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'silent';
}

/** Wall and CPU time of one phase (CPU of the whole process: process.cpuUsage counts worker threads too). */
export type Phase = { readonly wallMs: number; readonly cpuMs: number };

export type VouchRun = {
  readonly scan: Phase;
  /** From the last check to every configured report written: the live reports' finish, then the other formats from the journal. */
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
  const dir = config.output.dir!;
  const errors = errorTally();
  let session: LiveReport | null = null;
  const clock = startClock();
  // As the CLI does: JSON, text and CSV written while the scan runs, the other formats from the journal after it.
  const run = await runScan({
    config, checks, log: createLogger(benchLogLevel()), journalDir: dir, ...(options.workers ? { workers: options.workers } : {}),
    recordSink: async (start) => (session = await createLiveReport({
      config, checks, baseline: null, run: start.header, dir, formats: config.output.formats, onDomain: errors.count,
    })),
  });
  const scan = clock.lap();
  let header;
  try {
    const outcome = await session!.finish({ status: run.status, finishedAt: run.finishedAt, resumed: run.resumed });
    if (outcome.failure !== null) throw outcome.failure;
    header = outcome.header;
    const rest = config.output.formats.filter((f) => !LIVE_FORMAT_NAMES.includes(f));
    if (rest.length > 0) {
      const stream = await journalReport(run.journalPath, { config, checks, baseline: null, header });
      try {
        await writeReports(stream, dir, rest);
      } finally {
        await stream.close();
      }
    }
  } finally {
    await discardTemporaryJournal(run);
  }
  return { scan, report: clock.lap(), workers: run.workers, stats: run.stats, summary: header.summary, topErrors: errors.top(5) };
}

/** Counts error results by check and summary as each domain is judged (during the scan). */
function errorTally() {
  const counts = new Map<string, number>();
  return {
    count: (domain: ReportDomain) => {
      for (const r of domain.results) {
        if (r.status !== 'error') continue;
        const key = `${r.checkId}: ${r.summary.replace(/\d+/g, 'N').slice(0, 160)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
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
