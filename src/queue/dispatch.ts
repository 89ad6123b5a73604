import { Queue, QueueEvents } from 'bullmq';
import type { Logger } from 'pino';
import type { Check } from '../core/check.ts';
import type { DomainRecord } from '../core/domain-record.ts';
import type { DomainJob } from '../runner/pipeline.ts';
import {
  bullmqConnection, connectionWarnings, decodeRecord, failedRecord, interruptedRecord, JOB_NAME, jobIdOf, QUEUE_NAME, recordKey, UNCOLLECTED_KEEP_MS,
  type DomainJobData,
} from './job-record.ts';
import { openRedis, type QueueEndpoint } from './redis-connection.ts';
import { answerWithin } from './redis-deadline.ts';
import { clearRun } from './run-keys.ts';
import { refusalsKey, specKey, type RunSpec } from './run-spec.ts';

/**
 * The scanner's side of a queued run (issue 12): a third way for the pipeline to scan one domain, next to this
 * thread and the worker-thread pool. `run(job)` enqueues the domain on BullMQ and resolves with the record a
 * `vouch worker` wrote for it; the journal, live reports and resume around it stay as they are.
 *
 * One QueueEvents stream tells every waiting domain that its job completed or failed for good. Its waiter is
 * registered before the job is added, and after adding the job's state is asked once: a resumed scanner finds jobs
 * that finished while no scanner ran, and an event sent before the stream was read is not missed. A sweep asks the
 * state of domains that waited long, for events lost while Redis was away.
 *
 * A record leaves Redis (its key, its job) only once the journal holds it on disk: `journaled` collects them and
 * `flushJournal` is awaited before each removal, so a scanner killed at any point loses no finished domain.
 */
export type QueueDispatchOptions = {
  /** A Redis found to answer (a dead one would be waited for: ioredis reconnects). */
  readonly endpoint: QueueEndpoint;
  readonly runId: string;
  readonly spec: RunSpec;
  readonly checks: readonly Check[];
  /** Tries per domain (config `queue.attempts`): failures and workers lost on it both count. */
  readonly attempts: number;
  readonly log: Logger;
  /** Makes every record handed to the journal so far durable (JournalWriter.flush). */
  readonly flushJournal: () => Promise<void>;
  /** No job of the run taken by any worker for this long is logged as a warning. Default 60 s. */
  readonly idleWarnMs?: number;
  /** How often refusals are read and the quiet is measured. Default 5 s. */
  readonly pollMs?: number;
};

export type QueueDispatch = {
  run(job: DomainJob): Promise<DomainRecord>;
  /** The journal has this record: once it is on disk, its copy in Redis and its job may go. */
  journaled(record: DomainRecord): void;
  /** Stops waiting: queued domains come back as interrupted records; their jobs stay in Redis for a resume. */
  abort(): void;
  /** `complete`: every domain is journaled, so the run's keys and jobs are removed; else they stay for a resume. */
  close(complete: boolean): Promise<Record<string, number>>;
};

/**
 * The state of a job waited on this long is asked again, every SWEEP_EVERY_MS, for an event lost while Redis was away
 * (a thousand domains queued cost some 30 state reads a second then, on a Redis that takes tens of thousands).
 */
const SWEEP_AFTER_MS = 15_000, SWEEP_EVERY_MS = 30_000;
/** Removals wait for at most this many records or this long, so the journal is flushed for a batch, not a domain. */
const REMOVE_BATCH = 256, REMOVE_EVERY_MS = 1_000;
/** The end of a complete run waits this long for Redis to clear its keys, then leaves them (said in the log). */
const CLEAR_TIMEOUT_MS = 30_000;

type Waiter = { readonly job: DomainJob; readonly resolve: (record: DomainRecord) => void; readonly since: number; settling: boolean };

export async function startQueueDispatch(options: QueueDispatchOptions): Promise<QueueDispatch> {
  const { endpoint, runId, checks, log } = options;
  const redis = openRedis(endpoint, { blocking: true });
  const queue = new Queue<DomainJobData>(QUEUE_NAME, { connection: bullmqConnection(endpoint) });
  const events = new QueueEvents(QUEUE_NAME, { connection: bullmqConnection(endpoint) });
  const onError = connectionWarnings(log, endpoint.label);
  redis.on('error', onError);
  queue.on('error', onError);
  events.on('error', onError);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  await redis.set(specKey(runId), JSON.stringify(options.spec));
  log.info({ queue: endpoint.label, run: runId, attempts: options.attempts }, 'domains go to the queue');

  const waiters = new Map<string, Waiter>();
  const stats = { jobsAdded: 0, recordsCollected: 0, jobsFailed: 0, recordsRemoved: 0 };
  let aborted = false;
  let lastProgress = Date.now();
  let idleWarned = false;

  const settle = (id: string, state: 'completed' | 'failed'): void => {
    const waiter = waiters.get(id);
    if (!waiter || waiter.settling) return;
    waiter.settling = true;
    lastProgress = Date.now();
    void (state === 'completed' ? collect(id, waiter.job) : failed(id, waiter.job)).then((record) => {
      waiter.settling = false;
      if (!record || waiters.get(id) !== waiter) return;
      waiters.delete(id);
      waiter.resolve(record);
    }, (err: unknown) => {
      // Redis refused a read (it retries while reconnecting, so this is rare): the sweep asks again later.
      waiter.settling = false;
      log.warn({ job: id, error: err instanceof Error ? err.message : String(err) }, 'could not collect a finished domain; will ask again');
    });
  };

  const collect = async (id: string, job: DomainJob): Promise<DomainRecord | null> => {
    const text = await redis.get(recordKey(runId, job.index));
    if (text === null) {
      // Completed without its record (removed by hand, or a Redis restarted without persistence): scan it again.
      log.warn({ job: id, domain: job.target.domain }, 'a completed job has no record in Redis; queueing the domain again');
      await queue.remove(id);
      await submit(job);
      return null;
    }
    const record = decodeRecord(text, job);
    if (typeof record === 'string') return failedOnce(job, `its worker wrote a record that cannot be read (${record})`);
    stats.recordsCollected++;
    return record;
  };

  const failed = async (id: string, job: DomainJob): Promise<DomainRecord> => {
    const found = await queue.getJob(id);
    const reason = found?.failedReason || 'no reason recorded';
    // A worker's own verdict on dead workers counts them itself; BullMQ's failures are counted here.
    const tries = found && found.stalledCounter === 0 ? ` (${found.attemptsMade} of ${options.attempts} attempts failed)` : '';
    return failedOnce(job, `its workers could not finish it: ${reason}${tries}`);
  };
  const failedOnce = (job: DomainJob, cause: string): DomainRecord => {
    stats.jobsFailed++;
    log.warn({ domain: job.target.domain }, `domain not tested: ${cause}`);
    return failedRecord(job, checks, cause);
  };

  const ours = (id: string) => waiters.has(id);
  events.on('completed', ({ jobId }) => { if (ours(jobId)) settle(jobId, 'completed'); });
  events.on('failed', ({ jobId }) => { if (ours(jobId)) settle(jobId, 'failed'); });
  events.on('active', ({ jobId }) => { if (ours(jobId)) lastProgress = Date.now(); });

  const askState = async (id: string): Promise<void> => {
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') settle(id, state);
  };
  const submit = async (job: DomainJob): Promise<void> => {
    const id = jobIdOf(runId, job.index);
    await queue.add(JOB_NAME, { runId, index: job.index, target: job.target }, {
      jobId: id, attempts: options.attempts, backoff: { type: 'exponential', delay: 2_000 },
      // Removed by the scanner once journaled; these ages only bound what a run never resumed leaves behind.
      removeOnComplete: { age: UNCOLLECTED_KEEP_MS / 1000 }, removeOnFail: { age: UNCOLLECTED_KEEP_MS / 1000 },
    });
    stats.jobsAdded++;
    await askState(id);
  };

  // Removal after the journal has the records on disk (see the module comment).
  let toRemove: number[] = [];
  let removing: Promise<void> = Promise.resolve();
  let journalBroken = false;
  const removeJournaled = (): Promise<void> => {
    removing = removing.then(async () => {
      if (toRemove.length === 0 || journalBroken) return;
      const batch = toRemove;
      toRemove = [];
      try {
        await options.flushJournal();
      } catch {
        journalBroken = true; // the scan stops with a journal error; Redis keeps the records for the resume
        return;
      }
      for (const index of batch) await queue.remove(jobIdOf(runId, index));
      await redis.unlink(...batch.map((index) => recordKey(runId, index)));
      stats.recordsRemoved += batch.length;
    }).catch((err: unknown) => log.warn({ error: err instanceof Error ? err.message : String(err) }, 'could not remove journaled records from Redis'));
    return removing;
  };
  const removeTimer = setInterval(() => void removeJournaled(), REMOVE_EVERY_MS);

  const refusalsSeen = new Set<string>();
  let lastSweep = Date.now();
  const readRefusals = () => redis.hgetall(refusalsKey(runId)).then((refusals) => {
    for (const [worker, message] of Object.entries(refusals)) {
      if (refusalsSeen.has(`${worker}\n${message}`)) continue;
      refusalsSeen.add(`${worker}\n${message}`);
      log.warn({ worker }, `a worker refuses this run's domains: ${message}`);
    }
  }, () => undefined);
  const poll = setInterval(() => {
    void readRefusals();
    const quiet = Date.now() - lastProgress;
    if (waiters.size > 0 && quiet > (options.idleWarnMs ?? 60_000) && !idleWarned) {
      idleWarned = true;
      log.warn({ queue: endpoint.label, waiting: waiters.size },
        `no worker has taken a domain of this run for ${Math.round(quiet / 1000)} s: is a compatible "vouch worker --queue ${endpoint.label}" running?`);
    } else if (quiet <= (options.idleWarnMs ?? 60_000)) {
      idleWarned = false;
    }
    if (Date.now() - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = Date.now();
      for (const [id, waiter] of waiters) if (!waiter.settling && lastSweep - waiter.since > SWEEP_AFTER_MS) void askState(id).catch(() => undefined);
    }
  }, options.pollMs ?? 5_000);

  return {
    run(job) {
      return new Promise<DomainRecord>((resolve) => {
        const id = jobIdOf(runId, job.index);
        waiters.set(id, { job, resolve, since: Date.now(), settling: false });
        submit(job).catch((err: unknown) => {
          // Only a Redis that refuses the command outright gets here (a restart is waited for): the domain is not
          // queued, so it is reported as not finished and a resume queues it again.
          log.error({ domain: job.target.domain, error: err instanceof Error ? err.message : String(err) }, 'could not queue a domain');
          if (waiters.get(id)?.settling === false) { waiters.delete(id); resolve(interruptedRecord(job, checks)); }
        });
      });
    },
    journaled(record) {
      if (!record.complete) return;
      toRemove.push(record.index);
      if (toRemove.length >= REMOVE_BATCH) void removeJournaled();
    },
    abort() {
      aborted = true;
      for (const [id, waiter] of waiters) {
        waiters.delete(id);
        waiter.resolve(interruptedRecord(waiter.job, checks));
      }
    },
    async close(complete) {
      clearInterval(removeTimer);
      clearInterval(poll);
      await removeJournaled();
      // Refusals of the last seconds are read before clearRun removes them with the run's other keys.
      await answerWithin(readRefusals(), 5_000);
      if (complete && !aborted && !journalBroken) {
        const cleared = await answerWithin(clearRun(redis, runId), CLEAR_TIMEOUT_MS);
        if (cleared === 'late') log.warn({ queue: endpoint.label, run: runId }, `the run's keys could not be cleared from Redis within ${CLEAR_TIMEOUT_MS / 1000} s; they stay`);
      }
      // A Redis that is away must not hold the scan's end: the connections are dropped, not drained.
      await answerWithin(Promise.all([events.close(), queue.close()]), 5_000);
      redis.disconnect();
      return { ...stats };
    },
  };
}
