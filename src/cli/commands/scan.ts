import type { ConfigOverrides } from '../../config/load.ts';
import { createLogger, type LogLevel } from '../../log.ts';
import { exitCodeFor, runScan } from '../../scan.ts';
import { WRITERS } from '../../../reports/index.ts';
import type { ScanReport } from '../../../reports/types.ts';
import { EXIT } from '../exit-codes.ts';
import { diffReports } from '../../compliance/diff.ts';
import type { CliIo } from '../io.ts';
import { describeFsError, keepReportElsewhere, outputDirProblem, readBaseline, writeReports } from '../output.ts';
import { join, resolve } from 'node:path';
import { ExitError } from '../../core/errors.ts';
import { prepareScan, type Prepared } from './prepare.ts';

export type ScanCommandOptions = {
  readonly config?: string;
  readonly overrides: ConfigOverrides;
  readonly failOn: 'fail' | 'warn';
  readonly logLevel?: LogLevel;
  readonly progress: boolean;
  /** The report to compute `since` from; default `latest.json` in the output directory. */
  readonly baseline?: string;
};

/** `vouch scan`: prepare, run, write the reports, print the summary; returns the exit code. */
export async function scanCommand(options: ScanCommandOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  const prepared = await prepareScan(options.config, options.overrides, io.cwd);
  const baselinePath = options.baseline ? resolve(io.cwd, options.baseline)
    : prepared.config.output.dir ? join(prepared.config.output.dir, 'latest.json') : null;
  const baseline = baselinePath ? await readBaseline(baselinePath) : null;
  if (options.baseline && !baseline) throw new ExitError(EXIT.usage, `--baseline ${options.baseline}: not a readable Vouch JSON report`);
  return (await executeScan(prepared, options, io, signal, baseline)).code;
}

/** Shared with `vouch demo`, which prepares its own configuration. */
export async function executeScan(
  prepared: Prepared, options: Omit<ScanCommandOptions, 'config' | 'overrides'>, io: CliIo, signal: AbortSignal,
  baseline: ScanReport | null = null,
): Promise<{ code: number; report: ScanReport }> {
  const { config, checks } = prepared;
  // A directory that cannot take the reports is a usage error found before any network work, not after an hour.
  if (config.output.dir) {
    const problem = await outputDirProblem(config.output.dir);
    if (problem) throw new ExitError(EXIT.usage, `output directory ${config.output.dir}: ${problem}`);
  }
  const log = createLogger(options.logLevel ?? (io.stderr.isTTY ? 'warn' : 'info'), io.stderr);
  const showProgress = options.progress && io.stderr.isTTY === true && config.targets.length > 1;
  const { report } = await runScan({
    config, checks, log, signal, baseline,
    ...(showProgress ? { onDomainDone: (done: number, total: number) => io.stderr.write(`\r\x1b[Kscanning: ${done}/${total} domains`) } : {}),
  });
  if (showProgress) io.stderr.write('\r\x1b[K');
  // What a nightly job wants to know first: what changed since the previous run.
  const changes = baseline ? diffReports(baseline, report) : null;
  if (changes) {
    log.info({
      baseline: baseline?.runId, newFailures: changes.newFailures.length, fixed: changes.fixed.length,
      newlyUnverifiable: changes.newlyUnverifiable.length, recovered: changes.recovered.length,
      changedEvidence: changes.changedEvidence.length, worse: changes.worse,
    }, 'changes since the previous run');
  }
  const changeLine = changes && baseline
    ? `Since ${baseline.startedAt}: ${changes.newFailures.length} new failure(s), ${changes.fixed.length} fixed, `
      + `${changes.newlyUnverifiable.length} newly untestable, ${changes.changedEvidence.length} evidence change(s)`
      + ' (vouch diff for details)\n'
    : '';

  const dir = config.output.dir;
  let writeFailed = false;
  if (dir) {
    let where: string;
    try {
      const paths = await writeReports(report, dir, config.output.formats, config.output.retain);
      log.info({ paths }, 'reports written');
      where = paths.join(', ');
    } catch (err) {
      // The scan's evidence must not be lost with the directory (removed, read-only, full disk since the start):
      // the summary still goes to stdout and the JSON to the temporary directory, and the exit code says so.
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
    io.stdout.write(WRITERS['text']!.render(report));
    io.stdout.write(`${changeLine}\nReports: ${where}\n`);
  } else {
    io.stdout.write((WRITERS[config.output.stdoutFormat] ?? WRITERS['text']!).render(report));
  }
  const code = report.status === 'interrupted' ? EXIT.interrupted
    : writeFailed ? EXIT.cantWrite : exitCodeFor(report.summary, options.failOn);
  return { code, report };
}
