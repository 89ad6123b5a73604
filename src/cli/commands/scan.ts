import { dirname, join, resolve } from 'node:path';
import type { ConfigOverrides } from '../../config/load.ts';
import { createLogger, type LogLevel } from '../../log.ts';
import { discardTemporaryJournal, exitCodeFor, runScan, type ScanRun } from '../../scan.ts';
import type { ReportStream } from '../../../reports/types.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { outputDirProblem } from '../output.ts';
import { liveReports } from '../live-reports.ts';
import { reportFromJournal, reportLive } from '../scan-reports.ts';
import { ExitError } from '../../core/errors.ts';
import { prepareScan, type Prepared } from './prepare.ts';
import { openBaseline, type Baseline } from '../../../reports/baseline.ts';
import { JournalError, JournalWriteError } from '../../runner/journal.ts';
import { findResumableJournal, readInvocation } from './resume.ts';
import { commandLineDomains } from '../domain-input.ts';
import { formatsWarning, runOutput } from '../run-output.ts';
import { checkResolvers } from '../resolver-preflight.ts';
import { reachableQueue } from '../queue-preflight.ts';

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
  /** `-i/--input FILE` (or `-`): more domains, one a line, after the positional ones (overrides.domains). */
  readonly input?: string;
  /** `--quiet`: no progress, no text summary, no notes; the recap, errors and the exit code remain. */
  readonly quiet?: boolean;
  /** false for `--no-color`; colour is used only on a terminal and without NO_COLOR (src/cli/colour.ts). */
  readonly colour?: boolean;
  /** `--format` as given on the command line: several without an output directory draw a warning. */
  readonly formatsAsked?: readonly string[];
};

/** `vouch scan`: prepare, run, write the reports, print the summary; returns the exit code. */
export async function scanCommand(options: ScanCommandOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  if (options.resume && (options.config || options.input !== undefined || Object.keys(options.overrides).some((k) => !RUN_SETTINGS.includes(k)))) {
    throw new ExitError(EXIT.usage, '--resume continues a run with the configuration it was started with: give only --resume DIR (and optionally --workers, --concurrency, --queue, --queue-ca)');
  }
  let resumeJournal: string | undefined;
  let config = options.config;
  let overrides = options.overrides;
  if (options.input !== undefined || overrides.domains?.length) {
    overrides = { ...overrides, domains: await commandLineDomains(overrides.domains ?? [], options.input, io, options.quiet === true) };
  }
  if (options.resume) {
    resumeJournal = await findResumableJournal(resolve(io.cwd, options.resume));
    // The run goes on as it was started: the same configuration file and command-line values (its digest is checked).
    const invocation = await readInvocation(resumeJournal);
    config = invocation.config ?? undefined;
    overrides = { ...invocation.overrides, ...pickRunSettings(options.overrides) };
    if (invocation.queuePassword && !options.overrides.queueUrl && (io.env ?? process.env)['VOUCH_QUEUE_PASSWORD'] === undefined) {
      throw new ExitError(EXIT.usage, `--resume: this run's queue (${String(invocation.overrides.queueUrl)}) was given with a password, which the journal does not keep: `
        + 'set VOUCH_QUEUE_PASSWORD, or give --queue again');
    }
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
      baseline, invocation: { config: config ? resolve(io.cwd, config) : null, ...withoutQueuePassword(overrides) },
      ...(resumeJournal ? { resume: resumeJournal } : {}),
    })).code;
  } finally {
    await baseline?.close();
  }
}

/** On resume, only how the scan runs may be given anew (workers, window, queue; the timeout is part of the digest check). */
const RUN_SETTINGS: readonly string[] = ['workers', 'concurrency', 'queueUrl', 'queueCaFile'] satisfies (keyof ConfigOverrides)[];
function pickRunSettings(o: ConfigOverrides): ConfigOverrides {
  return Object.fromEntries(Object.entries(o).filter(([key, value]) => RUN_SETTINGS.includes(key) && value !== undefined));
}

/**
 * The journal keeps how the scan was started, but never a password: a `--queue` URL is kept as its label (without
 * it), and `queuePassword` says that a resume needs it again (VOUCH_QUEUE_PASSWORD or `--queue`).
 */
function withoutQueuePassword(overrides: ConfigOverrides): { overrides: ConfigOverrides; queuePassword?: true } {
  if (!overrides.queueUrl) return { overrides };
  let url: URL;
  try {
    url = new URL(overrides.queueUrl);
  } catch {
    return { overrides }; // not a URL: the configuration's check refuses it before anything is written
  }
  if (!url.password) return { overrides };
  url.password = '';
  return { overrides: { ...overrides, queueUrl: url.href }, queuePassword: true };
}

export type ExecuteOptions = {
  readonly baseline?: Baseline | null;
  /** Recorded in the journal so that `--resume DIR` alone can continue the run. */
  readonly invocation?: { readonly config: string | null; readonly overrides: ConfigOverrides; readonly queuePassword?: true };
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
  // The same for the Prometheus textfile's directory (a replay does not write it).
  if (config.prometheusTextfile && !extra.replay) {
    const problem = await outputDirProblem(dirname(config.prometheusTextfile));
    if (problem) throw new ExitError(EXIT.usage, `Prometheus textfile ${config.prometheusTextfile}: its directory ${problem}`);
  }
  // The queue's Redis must answer before anything is written or probed: exit 69, as for a dead resolver.
  const queueEndpoint = config.queue.url && !extra.replay
    ? await reachableQueue(config.queue.url, config.queue.caFile ?? undefined, io.env ?? process.env, 'queue', ': nothing was scanned') : undefined;
  const quiet = options.quiet === true;
  const warning = formatsWarning(options.formatsAsked ?? [], config.output);
  if (warning) io.stderr.write(`vouch: warning: ${warning}\n`);
  const logLevel = options.logLevel ?? (quiet ? 'error' : io.stderr.isTTY ? 'warn' : 'info');
  const log = createLogger(logLevel, io.stderr);
  // One line for a resolver that does not answer, before any domain would report it as its own DNS error.
  if (!extra.replay) await checkResolvers(prepared, io, log, signal);
  const terminal = runOutput(io, config, { quiet, colour: options.colour ?? true, failOn: options.failOn });
  const showProgress = options.progress && !quiet && io.stderr.isTTY === true && config.targets.length > 1;
  // With an output directory, JSON, text and CSV are written while the scan runs (src/report-live/); a replay and a
  // stdout-only scan write from the journal afterwards. The recap is fed the same judged domains either way.
  const live = config.output.dir && !extra.replay
    ? liveReports({ config, checks, baseline: extra.baseline ?? null, dir: config.output.dir, log, onDomain: (d) => terminal.recap.add(d) }) : null;
  let run: ScanRun;
  try {
    // Replay's modules load only for a replay (start-up: issue 11).
    run = extra.replay ? await (await import('../../replay.ts')).replayJournal({ journalPath: extra.replay, config, checks, log, journalDir: config.output.dir, signal }) : await runScan({
      config, checks, log, logLevel, signal, journalDir: config.output.dir,
      ...(queueEndpoint ? { queueEndpoint } : {}),
      ...(extra.resume ? { resume: extra.resume } : {}),
      ...(extra.invocation ? { invocation: extra.invocation } : {}),
      ...(live ? { recordSink: live.recordSink } : {}),
      ...(showProgress ? { onDomainDone: (done: number, total: number) => io.stderr.write(`\r\x1b[Kscanning: ${done}/${total} domains`) } : {}),
    });
  } catch (err) {
    await live?.abandon();
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
  try {
    const { header, writeFailed } = live ? await reportLive(run, live, prepared, terminal.io, log, extra)
      : await reportFromJournal(run, prepared, terminal.io, log, { ...extra, inspect: [...(extra.inspect ?? []), terminal.recap.consume] });
    await terminal.finish();
    if (run.status === 'complete' && run.unfinished) {
      // Not "interrupted" (no signal stopped the scan) but not whole either: the operator should know it can be mended.
      io.stderr.write(`vouch: ${run.unfinished} domain${run.unfinished === 1 ? '' : 's'} not finished (a worker thread exited; `
        + `their checks are error)${config.output.dir ? `: vouch scan --resume ${config.output.dir} scans them again` : ''}\n`);
    }
    const code = header.status === 'interrupted' ? EXIT.interrupted
      : writeFailed ? EXIT.cantWrite : exitCodeFor(header.summary, options.failOn);
    return { code, header };
  } finally {
    await discardTemporaryJournal(run);
  }
}
