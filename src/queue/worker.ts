import { hostname } from 'node:os';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { BUILT_IN_CHECK_IDS, loadChecks } from '../../checks/registry.ts';
import type { Config } from '../config/config.ts';
import { MAX_QUEUE_ATTEMPTS } from '../config/definition/queue.ts';
import { loadPlugins } from '../config/plugins.ts';
import type { Check } from '../core/check.ts';
import type { Settings } from '../config/settings.ts';
import type { LogLevel } from '../log.ts';
import { createProbeSession, type ProbeSession } from '../runner/probes.ts';
import { runDomain } from '../runner/run.ts';
import { scanSettings } from '../runner/scan-settings.ts';
import { VERSION } from '../version.ts';
import { fleetFactBroker, type FleetFacts } from './fleet-facts.ts';
import { fleetLimits, type FleetLimits } from './fleet-limits.ts';
import { bullmqConnection, connectionWarnings, encodeRecord, QUEUE_NAME, recordKey, UNCOLLECTED_KEEP_MS, type DomainJobData } from './job-record.ts';
import { openRedis, type QueueEndpoint } from './redis-connection.ts';
import { compatibility, fileDigest, refusalsKey, specKey, workerConfig, type RunSpec, type WorkerAbilities } from './run-spec.ts';

/**
 * `vouch worker` (issue 12): takes domains of any run from the `vouch-scan` queue, scans each with the run's own
 * configuration and checks (its spec, read once per run), and leaves the record in Redis for the scanner. Each run
 * gets a probe session of its own, with the fleet-wide connection limits and shared facts (src/queue/fleet-*.ts);
 * a run idle for a minute has its session closed.
 *
 * A worker that cannot judge a run as its scanner would (another version, a plugin it lacks or runs differently)
 * refuses it: one error line per run, an entry in the run's refusals for the scanner, and the job back in the queue
 * two seconds later for another worker; the refusing worker then takes no job for a while (5 s, doubling while it
 * goes on refusing, at most a minute), so that it does not race compatible workers for every job.
 *
 * A worker process that dies mid-domain has its jobs taken back by BullMQ once their lease lapses; after the run's
 * `queue.attempts` tries (failures and deaths together) the domain fails for good, and the scanner reports it as
 * `error` with the cause.
 */
export type QueueWorkerOptions = {
  readonly endpoint: QueueEndpoint;
  /** Domains scanned at once. */
  readonly concurrency: number;
  /** BullMQ's lock on a job, renewed at half of it: a dead worker's domains go to others about this long after. */
  readonly leaseMs: number;
  readonly log: Logger;
  /** The worker's own `--log-level`; without it, a run's domains are logged at its scanner's level. */
  readonly logLevel?: LogLevel;
  /** Default `host/pid`. */
  readonly workerId?: string;
  /** How long a refused job waits before a worker takes it again. Default 2 s. */
  readonly refusalDelayMs?: number;
  /** How long a refusing worker first takes no job at all (doubling while it refuses, up to a minute). Default 5 s. */
  readonly stepAsideMs?: number;
  /** A run without a domain here for this long has its session closed. Default 60 s. */
  readonly idleRunMs?: number;
  /** Domains still scanning this long after `stop` are given back to the queue unfinished. Default 5 s. */
  readonly giveBackAfterMs?: number;
};

export type QueueWorker = {
  readonly id: string;
  /** Takes no more jobs; finishes those in hand (giving back what is unfinished after the grace), closes everything. */
  stop(): Promise<void>;
};

type ReadyRun = {
  readonly kind: 'ready'; readonly checks: readonly Check[]; readonly config: Config; readonly settings: Settings;
  readonly session: ProbeSession; readonly controller: AbortController; readonly log: Logger;
  readonly limits: FleetLimits; readonly facts: FleetFacts; readonly checkLimit: LimitFunction | undefined;
};
type RunState = (ReadyRun | { readonly kind: 'refused'; readonly message: string } | { readonly kind: 'gone' }) & { active: number; lastUsed: number };

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { endpoint, log } = options;
  const id = options.workerId ?? `${hostname()}/${process.pid}`;
  const redis = openRedis(endpoint, { blocking: true });
  // The fleet services ride out a Redis restart themselves (src/queue/fleet-*.ts), on a connection of their own.
  const fleetRedis = openRedis(endpoint, { blocking: false });
  const onError = connectionWarnings(log, endpoint.label);
  redis.on('error', onError);
  fleetRedis.on('error', onError);
  const stopping = new AbortController();
  const runs = new Map<string, Promise<RunState>>();
  /** Plugin path -> digest of the file this process imported (an ES module cannot be imported anew). */
  const imported = new Map<string, { digest: string; checks: readonly Check[] }>();

  const open = async (runId: string): Promise<RunState> => {
    const text = await redis.get(specKey(runId));
    const state = { active: 0, lastUsed: Date.now() };
    if (text === null) return { kind: 'gone', ...state };
    let spec: RunSpec;
    try {
      spec = JSON.parse(text) as RunSpec;
    } catch {
      return refuse(runId, 'its spec in Redis is not JSON', state);
    }
    const abilities = await abilitiesFor(spec);
    const problem = compatibility(spec, abilities);
    if (problem) return refuse(runId, problem, state);
    const config = workerConfig(spec);
    const builtIn = await loadChecks(spec.checkIds.filter((c) => BUILT_IN_CHECK_IDS.includes(c)));
    const byId = new Map([...builtIn, ...Object.keys(spec.pluginDigests).flatMap((p) => imported.get(p)?.checks ?? [])].map((c) => [c.id, c]));
    const controller = new AbortController();
    const runLog = log.child({ run: runId }, { level: options.logLevel ?? spec.logLevel });
    const limits = fleetLimits(fleetRedis, runId, { leaseMs: options.leaseMs });
    const facts = fleetFactBroker(fleetRedis, runId, { leaseMs: options.leaseMs });
    const session = createProbeSession(config, controller.signal, runLog, VERSION, { limits: limits.limits, broker: facts.broker });
    log.info({ run: runId, checks: spec.checkIds.length }, 'scanning a new run');
    return {
      kind: 'ready', checks: spec.checkIds.map((c) => byId.get(c)!), config, settings: scanSettings(config, () => new Date()),
      session, controller, log: runLog, limits, facts,
      checkLimit: config.probe.checksInFlight ? pLimit(config.probe.checksInFlight) : undefined, ...state,
    };
  };

  const refuse = async (runId: string, problem: string, state: { active: number; lastUsed: number }): Promise<RunState> => {
    const message = `refusing run ${runId}: ${problem}`;
    log.error({ run: runId, worker: id }, message);
    await redis.hset(refusalsKey(runId), id, message);
    return { kind: 'refused', message, ...state };
  };

  /** What this process would run for the spec's plugins (importing those whose file matches), and its check ids. */
  const abilitiesFor = async (spec: RunSpec): Promise<WorkerAbilities> => {
    const plugins: Record<string, { digest: string } | { problem: string }> = {};
    for (const [path, wanted] of Object.entries(spec.pluginDigests)) {
      const done = imported.get(path);
      if (done) {
        plugins[path] = done.digest === wanted ? done : { problem: `was loaded by this worker in another version (${done.digest.slice(0, 19)}); restart the worker to load the run's` };
        continue;
      }
      const digest = await fileDigest(path).catch((err: NodeJS.ErrnoException) => ({ problem: `cannot be read here (${err.code ?? err.message})` }));
      if (typeof digest !== 'string') { plugins[path] = digest; continue; }
      if (digest !== wanted) { plugins[path] = { digest }; continue; }
      const loaded = await loadPlugins([path]);
      if (loaded.problems.length > 0) { plugins[path] = { problem: `cannot be loaded here: ${loaded.problems.join('; ')}` }; continue; }
      imported.set(path, { digest, checks: loaded.checks });
      plugins[path] = { digest };
    }
    const checkIds = new Set([...BUILT_IN_CHECK_IDS, ...Object.keys(plugins).flatMap((p) => imported.get(p)?.checks.map((c) => c.id) ?? [])]);
    return { toolVersion: VERSION, checkIds, plugins };
  };

  const runFor = (runId: string): Promise<RunState> => {
    let state = runs.get(runId);
    if (!state) {
      state = open(runId);
      runs.set(runId, state);
      // A spec that could not be read (Redis refused the command) is asked again by the next job.
      state.catch(() => runs.delete(runId));
    }
    return state;
  };

  const scanJob = async (job: Job<DomainJobData>, token?: string): Promise<{ index: number }> => {
    const { runId, index, target } = job.data;
    const run = await runFor(runId);
    run.lastUsed = Date.now();
    if (run.kind === 'gone') throw new UnrecoverableError(`run ${runId} has no spec in Redis: it finished and was cleared, or its scanner never wrote one`);
    if (run.kind === 'refused') {
      await job.moveToDelayed(Date.now() + refusalDelayMs, token);
      stepAside();
      throw new DelayedError();
    }
    refusedInARow = 0;
    // A worker that died on this domain is not counted by BullMQ's attempts, only as a stall: both count here.
    const attempts = job.opts.attempts ?? 1;
    if (job.stalledCounter > 0 && job.attemptsMade + job.stalledCounter >= attempts) {
      throw new UnrecoverableError(`the worker process scanning it stopped without finishing ${times(job.stalledCounter)} (killed, crashed or out of memory)`
        + `${job.attemptsMade > 0 ? ` and failed ${times(job.attemptsMade)}` : ''}, of ${attempts} attempts allowed`);
    }
    run.active++;
    try {
      const signal = AbortSignal.any([run.controller.signal, stopping.signal]);
      const record = await runDomain({ index, target }, {
        checks: run.checks, scope: run.session.forDomain(target.domain), settings: run.settings,
        checkTimeoutMs: run.config.probe.checkTimeoutMs, signal, log: run.log, ...(run.checkLimit ? { checkLimit: run.checkLimit } : {}),
      });
      if (!record.complete) {
        // Stopped mid-domain: given back whole, counted as neither a failure nor a death, for another worker.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      await redis.set(recordKey(runId, index), encodeRecord(record), 'PX', UNCOLLECTED_KEEP_MS);
      run.log.debug({ index, domain: target.domain, attempt: job.attemptsStarted }, 'domain scanned');
      return { index };
    } finally {
      run.active--;
      run.lastUsed = Date.now();
    }
  };

  // A refusing worker steps aside: it takes no job for a while (doubling while it goes on refusing, up to a minute),
  // or it would race a compatible worker for every job and put back half of them a few seconds each time.
  const refusalDelayMs = options.refusalDelayMs ?? 2_000;
  let refusedInARow = 0;
  let stopped: Promise<void> | null = null;
  let asideTimer: NodeJS.Timeout | undefined;
  const stepAside = () => {
    refusedInARow++;
    if (asideTimer || stopped) return;
    void worker.pause(true);
    asideTimer = setTimeout(() => {
      asideTimer = undefined;
      if (!stopped) void worker.resume();
    }, Math.min((options.stepAsideMs ?? 5_000) * 2 ** Math.min(refusedInARow - 1, 10), 60_000));
  };

  const worker = new Worker<DomainJobData>(QUEUE_NAME, scanJob, {
    connection: bullmqConnection(endpoint), concurrency: options.concurrency, name: id,
    lockDuration: options.leaseMs, stalledInterval: options.leaseMs,
    // Above any run's attempts, so that the check above (which counts failures too) always decides first.
    maxStalledCount: MAX_QUEUE_ATTEMPTS,
  });
  worker.on('error', onError);
  worker.on('failed', (job, err) => {
    if (job && err.name !== 'DelayedError' && err.name !== 'WaitingError') log.warn({ run: job.data.runId, domain: job.data.target.domain, error: err.message }, 'domain failed');
  });
  await worker.waitUntilReady();

  const closeRun = async (runId: string, state: RunState) => {
    runs.delete(runId);
    if (state.kind !== 'ready') return;
    state.controller.abort();
    await state.session.close();
    await Promise.all([state.limits.close(), state.facts.close()]);
    log.info({ run: runId }, 'run idle: its session is closed');
  };
  const idle = setInterval(() => {
    for (const [runId, pending] of runs) {
      void pending.then(async (state) => {
        if (state.active === 0 && Date.now() - state.lastUsed > (options.idleRunMs ?? 60_000) && runs.get(runId) === pending) await closeRun(runId, state);
      }, () => undefined);
    }
  }, Math.min(options.idleRunMs ?? 60_000, 15_000));

  return {
    id,
    stop() {
      stopped ??= (async () => {
        clearInterval(idle);
        clearTimeout(asideTimer);
        const giveBack = setTimeout(() => stopping.abort(), options.giveBackAfterMs ?? 5_000);
        await worker.close();
        clearTimeout(giveBack);
        for (const [runId, pending] of [...runs]) await pending.then((state) => closeRun(runId, state), () => undefined);
        await Promise.all([redis.quit().catch(() => undefined), fleetRedis.quit().catch(() => undefined)]);
      })();
      return stopped;
    },
  };
}

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
