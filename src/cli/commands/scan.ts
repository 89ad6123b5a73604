import type { ConfigOverrides } from '../../config/load.ts';
import { createLogger, type LogLevel } from '../../log.ts';
import { discardTemporaryJournal, exitCodeFor, runScan, type ScanRun } from '../../scan.ts';
import { WRITERS } from '../../../reports/index.ts';
import type { ReportStream } from '../../../reports/types.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { describeFsError, keepReportElsewhere, outputDirProblem, writeReports } from '../output.ts';
import { join, resolve } from 'node:path';
import { ExitError } from '../../core/errors.ts';
import { prepareScan, type Prepared } from './prepare.ts';
import { openBaseline, type Baseline } from '../../../reports/baseline.ts';
import { journalReport } from '../../runner/journal-report.ts';
import { JournalError, JournalWriteError } from '../../runner/journal.ts';
import { changeSummary } from './change-summary.ts';
import { findResumableJournal, readInvocation } from './resume.ts';
import { fanOut } from '../report-fanout.ts';
import { replayJournal } from '../../replay.ts';

export type ScanCommandOptions = {
  readonly config?: string;
  readonly overrides: ConfigOverrides;
  readonly failOn: 'fail' | 'warn';
  readonly logLevel?: LogLevel;
  readonly progress: boolean;
  /** The report to compute `since` from; default `latest.json` in the output directory. */
  readonly baseline?: string;
  /** `--resume DIR`: continue the interrupted run whose journal is in DIR, with the configuration it was started with. */
  readonly resume?: string;
};

/** `vouch scan`: prepare, run, write the reports, print the summary; returns the exit code. */
export async function scanCommand(options: ScanCommandOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  if (options.resume && (options.config || Object.keys(options.overrides).some((k) => k !== 'workers' && k !== 'concurrency'))) {
    throw new ExitError(EXIT.usage, '--resume continues a run with the configuration it was started with: give only --resume DIR (and optionally --workers, --concurrency)');
  }
  let resumeJournal: string | undefined;
  let config = options.config;
  let overrides = options.overrides;
  if (options.resume) {
    resumeJournal = await findResumableJournal(resolve(io.cwd, options.resume));
    // The run goes on as it was started: the same configuration file and command-line values (its digest is checked).
    const invocation = await readInvocation(resumeJournal);
    config = invocation.config ?? undefined;
    overrides = { ...invocation.overrides, ...pickRunSettings(options.overrides) };
  }
  const prepared = await prepareScan(config, overrides, io.cwd);
  const baselinePath = options.baseline ? resolve(io.cwd, options.baseline)
    : prepared.config.output.dir ? join(prepared.config.output.dir, 'latest.json') : null;
  let baseline: Baseline | null = null;
  if (baselinePath) {
    try {
      baseline = await openBaseline(baselinePath);
      // An interrupted run's unfinished checks would read as verdicts; the next complete run is the baseline.
      if (baseline.status === 'interrupted') { await baseline.close(); baseline = null; }
    } catch (err) {
      // No latest.json yet (the first run) is normal; a --baseline the user named must be readable.
      if (options.baseline) throw new ExitError(EXIT.usage, `--baseline ${options.baseline}: not a readable Vouch JSON report (${(err as Error).message})`);
    }
  }
  try {
    return (await executeScan(prepared, options, io, signal, {
      baseline, invocation: { config: config ? resolve(io.cwd, config) : null, overrides },
      ...(resumeJournal ? { resume: resumeJournal } : {}),
    })).code;
  } finally {
    await baseline?.close();
  }
}

/** On resume, only how the scan runs may be given anew (workers, window, timeout stay part of the digest check). */
function pickRunSettings(o: ConfigOverrides): ConfigOverrides {
  return { ...(o.workers ? { workers: o.workers } : {}), ...(o.concurrency ? { concurrency: o.concurrency } : {}) };
}

export type ExecuteOptions = {
  readonly baseline?: Baseline | null;
  /** Recorded in the journal so that `--resume DIR` alone can continue the run. */
  readonly invocation?: { readonly config: string | null; readonly overrides: ConfigOverrides };
  readonly resume?: string;
  /** `vouch replay JOURNAL`: re-judge this recorded scan instead of scanning. */
  readonly replay?: string;
  /** More consumers of the same single pass over the report (the demo checks its expectations this way). */
  readonly inspect?: readonly ((stream: ReportStream) => Promise<void>)[];
};

/** Shared with `vouch demo`, which prepares its own configuration. */
export async function executeScan(
  prepared: Prepared, options: Omit<ScanCommandOptions, 'config' | 'overrides'>, io: CliIo, signal: AbortSignal,
  extra: ExecuteOptions = {},
): Promise<{ code: number; header: ReportStream['header'] }> {
  const { config, checks } = prepared;
  // A directory that cannot take the reports is a usage error found before any network work, not after an hour.
  if (config.output.dir) {
    const problem = await outputDirProblem(config.output.dir);
    if (problem) throw new ExitError(EXIT.usage, `output directory ${config.output.dir}: ${problem}`);
  }
  const logLevel = options.logLevel ?? (io.stderr.isTTY ? 'warn' : 'info');
  const log = createLogger(logLevel, io.stderr);
  const showProgress = options.progress && io.stderr.isTTY === true && config.targets.length > 1;
  let run: ScanRun;
  try {
    run = extra.replay ? await replayJournal({ journalPath: extra.replay, config, checks, log, journalDir: config.output.dir, signal }) : await runScan({
      config, checks, log, logLevel, signal, journalDir: config.output.dir,
      ...(extra.resume ? { resume: extra.resume } : {}),
      ...(extra.invocation ? { invocation: extra.invocation } : {}),
      ...(showProgress ? { onDomainDone: (done: number, total: number) => io.stderr.write(`\r\x1b[Kscanning: ${done}/${total} domains`) } : {}),
    });
  } catch (err) {
    if (err instanceof JournalError && !(err instanceof JournalWriteError)) {
      // Not this run's journal (another configuration, not a journal at all): nothing was scanned or changed.
      throw new ExitError(EXIT.usage, err.message);
    }
    if (err instanceof JournalWriteError) {
      // A full disk mid-scan: stop with what is on disk, which a resume continues once there is room again.
      throw new ExitError(EXIT.journal, `${err.message}\nThe scan stopped; the journal up to the last finished domain is kept. `
        + `Free space, then continue with: vouch scan --resume ${config.output.dir ?? '<dir>'}`);
    }
    throw err;
  } finally {
    if (showProgress) io.stderr.write('\r\x1b[K');
  }
  const report = await journalReport(run.journalPath, { config, checks, baseline: extra.baseline ?? null, now: new Date(run.finishedAt) });
  try {
    const changes = extra.baseline ? changeSummary(extra.baseline, log) : null;
    const consumers = [...(extra.inspect ?? []), ...(changes ? [changes.consume] : [])];
    const dir = config.output.dir;
    let writeFailed = false;
    if (dir) {
      let where: string;
      const summaryOnStdout = (stream: ReportStream) => WRITERS['text']!.write(stream, (chunk) => writeOut(io, chunk));
      try {
        const paths = await writeReports(report, dir, config.output.formats, config.output.retain, [summaryOnStdout, ...consumers], { latest: !extra.replay });
        log.info({ paths, journal: run.journalPath }, 'reports written');
        where = paths.join(', ');
      } catch (err) {
        // The scan's evidence must not be lost with the directory (removed, read-only, full disk since the start):
        // the JSON goes to the temporary directory, the journal stays, and the exit code says so.
        writeFailed = true;
        const problem = describeFsError(err);
        let kept: string | null = null;
        let keptProblem = '';
        try {
          kept = await keepReportElsewhere(report);
        } catch (keepErr) {
          keptProblem = describeFsError(keepErr);
        }
        log.error({ dir, problem, kept }, 'reports could not be written');
        io.stderr.write(`vouch: cannot write the reports into ${dir}: ${problem}\n`);
        io.stderr.write(kept ? `vouch: the JSON report is kept at ${kept}\n` : `vouch: the JSON report could not be kept in the temporary directory either: ${keptProblem}\n`);
        where = `not written (${problem})${kept ? `; JSON kept at ${kept}` : ''}`;
      }
      io.stdout.write(`${changes?.line() ?? ''}\nReports: ${where}\n`);
    } else {
      const writer = WRITERS[config.output.stdoutFormat] ?? WRITERS['text']!;
      await fanOut(report, [(stream) => writer.write(stream, (chunk) => writeOut(io, chunk)), ...consumers]);
    }
    const code = report.header.status === 'interrupted' ? EXIT.interrupted
      : writeFailed ? EXIT.cantWrite : exitCodeFor(report.header.summary, options.failOn);
    return { code, header: report.header };
  } finally {
    await report.close();
    await discardTemporaryJournal(run);
  }
}

/** stdout with back-pressure: a report of 100,000 domains piped into a slow reader must not pile up in memory. */
function writeOut(io: CliIo, chunk: string): Promise<void> | void {
  if (io.stdout.write(chunk)) return;
  return new Promise<void>((resolve) => {
    const stream = io.stdout as NodeJS.WritableStream;
    // 'close' too: a reader that went away (EPIPE) never drains, and the guarded output closes instead.
    stream.once('drain', () => resolve());
    stream.once('close', () => resolve());
  });
}
