import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { access, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { Check } from './core/check.ts';
import type { Json, Status } from './core/types.ts';
import type { DomainRecord } from './core/domain-record.ts';
import type { LogLevel } from './log.ts';
import { createProbeSession } from './runner/probes.ts';
import { runDomain } from './runner/run.ts';
import { runPipeline, type DomainJob } from './runner/pipeline.ts';
import { scanSettings } from './runner/scan-settings.ts';
import { resolverLabels } from './config/resolvers.ts';
import { createJournal, journalFileName, openJournalForResume, type JournalHeader } from './runner/journal.ts';
import { startWorkerPool } from './runner/workers/pool.ts';
import type { ResumeNote } from '../reports/types.ts';
import { VERSION } from './version.ts';
import { domainsDigest } from './runner/domains-digest.ts';
import type { QueueEndpoint } from './queue/redis-connection.ts';

/** Below this many domains per worker, a worker thread costs more (its start-up) than it saves. */
export const WORKER_MIN_DOMAINS = 50;

export type ScanOptions = {
  readonly config: Config;
  readonly checks: readonly Check[];
  readonly log: Logger;
  /** The level worker threads log at (they make their own loggers on stderr). */
  readonly logLevel?: LogLevel;
  /** Aborting it stops the scan: no further domain starts, those in flight finish as interrupted. */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly onDomainDone?: (done: number, total: number) => void;
  /** Where the run journal goes (the output directory). Default: a temporary directory of its own. */
  readonly journalDir?: string | null;
  /** The journal of an interrupted run to continue (`vouch scan --resume`): its finished domains are not scanned again. */
  readonly resume?: string;
  /** How the scan was invoked, kept in the journal so that `vouch scan --resume DIR` alone can continue it. */
  readonly invocation?: Json;
  /** Worker threads; default `config.probe.workers`, else the number of cores, at most one per WORKER_MIN_DOMAINS domains. */
  readonly workers?: number;
  /**
   * Where finished domains go besides the journal: called once the journal is open, before any domain starts; its
   * `add` gets every record right after the journal does, and is awaited like it (src/report-live/: the reports
   * written during the scan). Not called when the journal cannot be opened.
   */
  readonly recordSink?: (start: RunStart) => Promise<RecordSink>;
  /**
   * A queued scan's Redis, already found to answer (the CLI asks before anything is written); without it, read from
   * `config.queue` and asked at the start of the run.
   */
  readonly queueEndpoint?: QueueEndpoint;
};

/** What a record sink is told at the start: the run, its journal, and (resume) which domains an earlier process finished. */
export type RunStart = {
  readonly header: JournalHeader;
  readonly journalPath: string;
  /** True for a domain finished by an earlier process of a resumed run: it will not be scanned (nor added) again. */
  isDone(index: number): boolean;
  readonly resumed: boolean;
};

export type RecordSink = { add(record: DomainRecord): Promise<void> };

/** What a scan leaves behind: its journal, from which every report is written (src/runner/journal-report.ts). */
export type ScanRun = {
  readonly journalPath: string;
  /** Set when the journal lives in a temporary directory of the scan's own, to be removed once reports are written. */
  readonly temporaryDir: string | null;
  readonly header: JournalHeader;
  readonly status: 'complete' | 'interrupted';
  readonly finishedAt: string;
  readonly resumed: readonly ResumeNote[];
  /**
   * Domains the run ended without a complete record of (a scan only; a replay leaves it out): those a signal stopped,
   * and in a complete run those whose worker thread died. `vouch scan --resume` scans them again.
   */
  readonly unfinished?: number;
  readonly workers: number;
  /** Probe counters summed over every worker, for the benchmark. */
  readonly stats: Readonly<Record<string, number>>;
  /** The most connections one destination had at once across workers (worker runs only; 0 in-process). */
  readonly peakConnectionsPerDestination: number;
  /** Closes the read handle the run kept on its journal (discardTemporaryJournal calls it). */
  release(): Promise<void>;
};

/** Worker threads for `domains` domains still to scan. */
export function workerCount(config: Config, domains: number, asked?: number): number {
  const explicit = asked ?? config.probe.workers;
  if (explicit !== null && explicit !== undefined) return Math.max(1, explicit);
  return Math.max(1, Math.min(availableParallelism(), Math.ceil(domains / WORKER_MIN_DOMAINS)));
}

/**
 * Scans every configured domain through a bounded window, each finished domain appended to the run journal, in this
 * thread or in worker threads. Never throws for anything a target does; throws a JournalError when the journal
 * cannot be written (the journal on disk stays resumable).
 */
export async function runScan(options: ScanOptions): Promise<ScanRun> {
  const { config, checks, log } = options;
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  // Every check and probe in flight listens for the run being stopped; hundreds at once is the design, not a leak.
  setMaxListeners(0, signal);
  const expected = {
    configDigest: config.digest, domainsDigest: domainsDigest(config.targets), domains: config.targets.length,
    checks: checks.map((c) => c.id), toolVersion: VERSION,
  };
  let temporaryDir: string | null = null;
  let journal;
  let done: (index: number) => boolean;
  let resumed: ResumeNote[];
  let doneCount: number;
  if (options.resume) {
    const opened = await openJournalForResume(options.resume, expected, now().toISOString());
    journal = opened.writer;
    done = (index) => opened.isDone(index);
    doneCount = opened.doneCount;
    resumed = [...opened.resumes];
  } else {
    const dir = options.journalDir ?? (temporaryDir = await mkdtemp(join(tmpdir(), 'vouch-run-')));
    const startedAt = now().toISOString();
    const header: JournalHeader = {
      runId: randomUUID(), startedAt, tool: { name: 'vouch', version: VERSION }, config: { source: config.source, digest: config.digest },
      checks: expected.checks, domains: config.targets.length, domainsDigest: expected.domainsDigest,
      settings: { resolvers: resolverLabels(config.resolvers), ...(options.invocation ? { invocation: options.invocation } : {}) },
    };
    journal = await createJournal(join(dir, journalFileName(startedAt)), header);
    done = () => false;
    doneCount = 0;
    resumed = [];
  }
  // A read handle on the journal for the whole run: if its directory is removed mid-scan (the disk cleaned up, a
  // mistake), the reports can still be written from it, elsewhere, instead of losing the run (see journalSource).
  const keeper = await open(journal.path, 'r');
  let sink: RecordSink | null = null;
  try {
    sink = options.recordSink ? await options.recordSink({ header: journal.header, journalPath: journal.path, isDone: done, resumed: !!options.resume }) : null;
  } catch (err) {
    await journal.abandon().catch(() => undefined);
    await keeper.close();
    throw err;
  }
  const total = config.targets.length;
  const remaining = total - doneCount;
  // Queued (issue 12): the domains go to `vouch worker` processes; no worker thread here.
  const queued = config.queue.url !== null;
  const workers = queued ? 0 : workerCount(config, remaining, options.workers);
  log.info({ domains: total, remaining, checks: checks.length, workers, journal: journal.path }, options.resume ? 'scan resumed' : 'scan started');

  function* jobs(): Generator<DomainJob> {
    for (let index = 0; index < total; index++) if (!done(index)) yield { index, target: config.targets[index]! };
  }
  let finished = doneCount;
  const onRecord = async (record: Parameters<typeof journal.append>[0]) => {
    await journal.append(record);
    await sink?.add(record);
    if (!record.complete) return;
    // Counted apart from the call: `f?.(++n)` does not evaluate its arguments when there is no `f`.
    finished++;
    options.onDomainDone?.(finished, total);
  };
  const window = Math.max(1, queued ? config.queue.domainsInFlight : config.probe.domainsInFlight);
  let stats: Record<string, number>;
  let peak = 0;
  try {
    if (queued) {
      // Loaded only for a queued scan: BullMQ and ioredis are no part of a plain scan's start-up.
      const { runQueued } = await import('./queue/queued-scan.ts');
      ({ stats } = await runQueued({ ...options, signal }, journal, jobs(), window, onRecord, () => !(signal.aborted && finished < total)));
    } else if (workers <= 1) {
      const session = createProbeSession(config, signal, log, VERSION);
      const settings = scanSettings(config, now);
      const checkLimit = config.probe.checksInFlight ? pLimit(config.probe.checksInFlight) : undefined;
      try {
        await runPipeline(jobs(), {
          window, signal, onRecord,
          run: (job) => runDomain(job, {
            checks, scope: session.forDomain(job.target.domain), settings, checkTimeoutMs: config.probe.checkTimeoutMs,
            signal, log, ...(checkLimit ? { checkLimit } : {}),
          }),
        });
      } finally {
        await session.close();
      }
      stats = { ...session.stats };
    } else {
      const pool = await startWorkerPool({ size: workers, window, config, checks, logLevel: options.logLevel ?? 'silent' });
      log.info({ workers, heapLimitMb: pool.heapLimitMb }, 'worker threads ready');
      const stop = () => pool.abort();
      signal.addEventListener('abort', stop, { once: true });
      try {
        await runPipeline(jobs(), { window, signal, onRecord, run: (job) => pool.run(job) });
      } finally {
        signal.removeEventListener('abort', stop);
        const closed = await pool.close();
        stats = closed.stats;
        peak = closed.peakConnectionsPerDestination;
      }
    }
  } catch (err) {
    await journal.abandon().catch(() => undefined);
    await keeper.close();
    throw err;
  }
  // Interrupted means a signal came AND some domain has no complete record (`finished` counts only those): a signal
  // while the workers close, after the last domain, changes nothing. A domain whose worker died is incomplete too,
  // but a run no signal stopped is complete, those domains' checks `error` (internal): "could not test".
  const status = signal.aborted && finished < total ? 'interrupted' : 'complete';
  const finishedAt = now().toISOString();
  await journal.close({ status, finishedAt });
  log.info({ status, domains: total, workers }, 'scan finished');
  return {
    journalPath: await journalSource(journal.path, keeper), temporaryDir, header: journal.header, status, finishedAt, resumed,
    unfinished: total - finished, workers, stats, peakConnectionsPerDestination: peak, release: () => keeper.close(),
  };
}

/**
 * Where the finished journal can be read: its path, or, when that is gone (the output directory was removed
 * mid-scan), the file the run still holds open, through /proc (Linux). Elsewhere the path is returned as it is and
 * reading it fails with the file system's error.
 */
async function journalSource(path: string, keeper: FileHandle): Promise<string> {
  if (await access(path).then(() => true, () => false)) return path;
  const held = `/proc/self/fd/${keeper.fd}`;
  return (await access(held).then(() => true, () => false)) ? held : path;
}

/** Lets go of the run's journal once its reports are written, removing it when it lives in a temporary directory. */
export async function discardTemporaryJournal(run: ScanRun): Promise<void> {
  await run.release();
  if (run.temporaryDir) await rm(run.temporaryDir, { recursive: true, force: true });
}

/** The exit code a report earns: 1 on a fail (or warn with failOn 'warn'), else 2 on an error, else 0. Waived findings do not count. */
export function exitCodeFor(summary: Readonly<Record<Status, number>>, failOn: 'fail' | 'warn'): 0 | 1 | 2 {
  if (summary.fail > 0 || (failOn === 'warn' && summary.warn > 0)) return 1;
  if (summary.error > 0) return 2;
  return 0;
}
