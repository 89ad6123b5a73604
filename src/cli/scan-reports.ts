import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { loadWriter } from '../../reports/index.ts';
import type { ReportHeader, ReportStream } from '../../reports/types.ts';
import { journalReport } from '../runner/journal-report.ts';
import { LIVE_FORMAT_NAMES } from '../report-live/live-report.ts';
import type { ScanRun } from '../scan.ts';
import { changeSummary } from './commands/change-summary.ts';
import type { ExecuteOptions } from './commands/scan.ts';
import type { Prepared } from './commands/prepare.ts';
import type { CliIo } from './io.ts';
import { copyToStdout, type LiveFinish, type LiveReports } from './live-reports.ts';
import { describeFsError, keepReportElsewhere, publishRun, writeReports } from './output.ts';
import { fanOut } from './report-fanout.ts';
import { writeStreamAtomic } from './write-atomic.ts';

/**
 * What `vouch scan` does once the last check is done: the reports, "Reports:" on stdout, and whether writing them
 * failed (exit 73). With an output directory JSON, text and CSV were written during the scan (src/report-live/).
 */
export type Reported = { readonly header: ReportHeader; readonly writeFailed: boolean };

/**
 * After a scan with live reports: its finish (the tails, in seconds), then HTML, JUnit and Prometheus (and the
 * demo's `inspect`) in one pass over the journal with the header the live session folded, the text report copied to
 * stdout, `latest` and retention, then the Prometheus textfile. A directory that failed mid-scan is handled as
 * reportFromJournal does.
 */
export async function reportLive(
  run: ScanRun, live: LiveReports, prepared: Prepared, io: CliIo, log: Logger, extra: ExecuteOptions,
): Promise<Reported> {
  const outcome = await live.finish({ status: run.status, finishedAt: run.finishedAt, resumed: run.resumed });
  const stdoutOnly = prepared.config.output.formats.includes('text') ? null : outcome.files['text'] ?? null;
  try {
    return await afterLive(run, outcome, prepared, io, log, extra);
  } finally {
    // The text report for stdout only (text not among the formats) is a temporary file: gone once it is printed.
    if (stdoutOnly) await rm(stdoutOnly, { force: true });
  }
}

async function afterLive(run: ScanRun, outcome: LiveFinish, prepared: Prepared, io: CliIo, log: Logger, extra: ExecuteOptions): Promise<Reported> {
  const { config, checks } = prepared;
  const dir = config.output.dir!;
  const { header } = outcome;
  const rest = config.output.formats.filter((f) => !LIVE_FORMAT_NAMES.includes(f));
  const inspect = extra.inspect ?? [];
  let problem: unknown = outcome.failure;
  const paths = config.output.formats.flatMap((f) => (outcome.files[f] ? [outcome.files[f]] : []));
  if (problem === null && (rest.length > 0 || inspect.length > 0)) {
    const report = await journalReport(run.journalPath, { config, checks, baseline: extra.baseline ?? null, header });
    try {
      paths.push(...await writeReports(report, dir, rest, inspect));
    } catch (err) {
      problem = err;
    } finally {
      await report.close();
    }
  }
  let printed = false;
  if (problem === null) {
    try {
      await copyToStdout(outcome.files['text']!, (chunk) => writeOut(io, chunk));
      printed = true;
      await publishRun(dir, paths, { latest: true, status: header.status, retain: config.output.retain });
      log.info({ paths, journal: run.journalPath }, 'reports written');
      const textfile = await textfileOfRun(run, prepared, extra, header, io, log);
      io.stdout.write(`${outcome.changeLine}\nReports: ${[...paths, ...textfile.written].join(', ')}\n`);
      return { header, writeFailed: textfile.failed };
    } catch (err) {
      problem = err;
    }
  }
  const where = await reportsNotWritten(run, prepared, io, log, extra, header, problem, { summaryPrinted: printed });
  io.stdout.write(`${outcome.changeLine}\nReports: ${where}\n`);
  return { header, writeFailed: true };
}

/** Without live reports (stdout only, a replay): every format from the journal, the header folded in a first pass. */
export async function reportFromJournal(run: ScanRun, prepared: Prepared, io: CliIo, log: Logger, extra: ExecuteOptions): Promise<Reported> {
  const { config, checks } = prepared;
  const report = await journalReport(run.journalPath, { config, checks, baseline: extra.baseline ?? null });
  try {
    const changes = extra.baseline ? changeSummary(extra.baseline, log) : null;
    const consumers = [...(extra.inspect ?? []), ...(changes ? [changes.consume] : [])];
    const dir = config.output.dir;
    if (!dir) {
      const writer = (await loadWriter(config.output.stdoutFormat)) ?? (await loadWriter('text'));
      await fanOut(report, [(stream) => writer.write(stream, (chunk) => writeOut(io, chunk)), ...consumers]);
      const textfile = await textfileOfRun(run, prepared, extra, report.header, io, log, report);
      return { header: report.header, writeFailed: textfile.failed };
    }
    const text = await loadWriter('text');
    const summaryOnStdout = (stream: ReportStream) => text.write(stream, (chunk) => writeOut(io, chunk));
    let where: string;
    let writeFailed = false;
    try {
      const paths = await writeReports(report, dir, config.output.formats, [summaryOnStdout, ...consumers]);
      await publishRun(dir, paths, { latest: !extra.replay, status: report.header.status, retain: config.output.retain });
      log.info({ paths, journal: run.journalPath }, 'reports written');
      const textfile = await textfileOfRun(run, prepared, extra, report.header, io, log, report);
      writeFailed = textfile.failed;
      where = [...paths, ...textfile.written].join(', ');
    } catch (err) {
      writeFailed = true;
      where = await reportsNotWritten(run, prepared, io, log, extra, report.header, err, { summaryPrinted: true });
    }
    io.stdout.write(`${changes?.line() ?? ''}\nReports: ${where}\n`);
    return { header: report.header, writeFailed };
  } finally {
    await report.close();
  }
}

/**
 * The node_exporter textfile (`prometheus.textfile`), rewritten atomically once the run's reports are written, when
 * the run is what `latest` shows: never for an interrupted scan (its unfinished checks would read as errors to
 * test) nor a replay (the metrics describe the estate as last scanned, not as re-judged). `report` is the run's
 * open stream if there is one; else the journal is read again with the header already folded.
 */
async function textfileOfRun(
  run: ScanRun, prepared: Prepared, extra: ExecuteOptions, header: ReportHeader, io: CliIo, log: Logger, report?: ReportStream,
): Promise<{ readonly written: readonly string[]; readonly failed: boolean }> {
  const path = prepared.config.prometheusTextfile;
  if (!path || extra.replay || header.status === 'interrupted') return { written: [], failed: false };
  const { config, checks } = prepared;
  const opened = report ? null : await journalReport(run.journalPath, { config, checks, baseline: extra.baseline ?? null, header });
  try {
    const written = await writePrometheusTextfile((report ?? opened)!, path, io, log);
    return written ? { written: [path], failed: false } : { written: [], failed: true };
  } finally {
    await opened?.close();
  }
}

/**
 * Writes the Prometheus metrics of `report` to `path` (temporary file beside it, then rename: the collector reads
 * every *.prom in its directory and never sees the temporary `.tmp`, nor half a file). A failure is said on stderr
 * and returned as false: the exit code then says the reports could not all be written (73).
 */
export async function writePrometheusTextfile(report: ReportStream, path: string, io: Pick<CliIo, 'stderr'>, log: Logger): Promise<boolean> {
  try {
    const writer = await loadWriter('prometheus');
    await writeStreamAtomic(path, (write) => writer.write(report, write));
    log.info({ path }, 'prometheus textfile written');
    return true;
  } catch (err) {
    const problem = describeFsError(err);
    log.error({ path, problem }, 'prometheus textfile could not be written');
    io.stderr.write(`vouch: cannot write the Prometheus textfile ${path}: ${problem}\n`);
    return false;
  }
}

/**
 * The scan's evidence must not be lost with the directory (removed, read-only, full disk since the start): the JSON
 * goes to the temporary directory, the journal stays, and the exit code says so. Returns what the "Reports:" line says.
 */
async function reportsNotWritten(
  run: ScanRun, prepared: Prepared, io: CliIo, log: Logger, extra: ExecuteOptions, header: ReportHeader, error: unknown,
  options: { readonly summaryPrinted: boolean },
): Promise<string> {
  const { config, checks } = prepared;
  const dir = config.output.dir!;
  const problem = describeFsError(error);
  const report = await journalReport(run.journalPath, { config, checks, baseline: extra.baseline ?? null, header });
  let kept: string | null = null;
  let keptProblem = '';
  try {
    if (!options.summaryPrinted) await (await loadWriter('text')).write(report, (chunk) => writeOut(io, chunk));
    kept = await keepReportElsewhere(report);
  } catch (keepErr) {
    keptProblem = describeFsError(keepErr);
  } finally {
    await report.close();
  }
  log.error({ dir, problem, kept }, 'reports could not be written');
  io.stderr.write(`vouch: cannot write the reports into ${dir}: ${problem}\n`);
  io.stderr.write(kept ? `vouch: the JSON report is kept at ${kept}\n` : `vouch: the JSON report could not be kept in the temporary directory either: ${keptProblem}\n`);
  return `not written (${problem})${kept ? `; JSON kept at ${kept}` : ''}`;
}

/** stdout with back-pressure: a report of 100,000 domains piped into a slow reader must not pile up in memory. */
export function writeOut(io: CliIo, chunk: string): Promise<void> | void {
  if (io.stdout.write(chunk)) return;
  return new Promise<void>((resolve) => {
    const stream = io.stdout as NodeJS.WritableStream;
    // 'close' too: a reader that went away (EPIPE) never drains, and the guarded output closes instead.
    stream.once('drain', () => resolve());
    stream.once('close', () => resolve());
  });
}
