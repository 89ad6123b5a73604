import type { RedisOptions as BullmqRedisOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Check } from '../core/check.ts';
import type { DomainRecord } from '../core/domain-record.ts';
import type { Target } from '../core/types.ts';
import { domainLine, domainRecordProblem } from '../runner/journal-format.ts';
import type { DomainJob } from '../runner/pipeline.ts';
import type { QueueEndpoint } from './redis-connection.ts';
import { runPrefix } from './run-keys.ts';

/**
 * One domain of a queued run as it travels (issue 12): a BullMQ job on the one queue every worker listens to, and
 * the record its worker writes back next to the run's other keys (layout: src/queue/run-keys.ts and docs/queue.md).
 */
export const QUEUE_NAME = 'vouch-scan';
export const JOB_NAME = 'domain';

/**
 * How BullMQ connects (it opens and closes its own connections from these): requests wait for a Redis that is
 * restarting instead of failing (BullMQ's blocking reads need that anyway), and reconnect attempts stay at most 2 s
 * apart (BullMQ's own default waits up to 20 s, a long pause for a run after a short Redis restart).
 */
export function bullmqConnection(endpoint: QueueEndpoint): BullmqRedisOptions {
  // The same ioredis options; BullMQ's type only spells its optional fields without `| undefined`.
  return { ...endpoint.options, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(times * 200, 2_000) } as BullmqRedisOptions;
}

/**
 * A listener for the connections' 'error' events (an EventEmitter's unheard 'error' would throw): one warning per
 * distinct problem every 10 s, as ioredis reports every reconnect attempt while Redis is away.
 */
export function connectionWarnings(log: Logger, label: string): (err: Error) => void {
  const said = new Map<string, number>();
  return (err) => {
    const last = said.get(err.message);
    if (last !== undefined && Date.now() - last < 10_000) return;
    said.set(err.message, Date.now());
    if (said.size > 100) said.clear();
    log.warn({ queue: label, error: err.message }, 'queue connection problem (retrying)');
  };
}

export type DomainJobData = { readonly runId: string; readonly index: number; readonly target: Target };

/**
 * `RUN-INDEX`: BullMQ refuses ':' in a custom id. Adding a job whose id exists is a no-op, which is what makes a
 * resumed scanner's re-adding harmless.
 */
export const jobIdOf = (runId: string, index: number) => `${runId}-${index}`;

/**
 * How long a finished domain's job and record stay in Redis when no scanner collects them (a run killed and never
 * resumed): then BullMQ removes the job and Redis the record. A resume after that scans the domain again.
 */
export const UNCOLLECTED_KEEP_MS = 7 * 86_400_000;

/** Where the worker leaves a finished domain's record: not in the job's return value, which BullMQ copies into its event stream. */
export const recordKey = (runId: string, index: number) => `${runPrefix(runId)}record:${index}`;

/** The record as stored: the journal's own line, so what the worker wrote is what the journal gets. */
export function encodeRecord(record: DomainRecord): string {
  return domainLine(record).trimEnd();
}

/** The record stored for `job`, or why the text is not one (anything in Redis is read as untrusted). */
export function decodeRecord(text: string, job: DomainJob): DomainRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const fields = value as Record<string, unknown>;
  const problem = domainRecordProblem(fields);
  if (problem) return problem;
  if (fields['index'] !== job.index || fields['domain'] !== job.target.domain) {
    return `the record of ${String(fields['domain'])} (#${String(fields['index'])}), not of ${job.target.domain} (#${job.index})`;
  }
  const { type: _type, ...record } = fields;
  return record as DomainRecord;
}

/**
 * A domain no worker could finish, as a verdict: every check `error` (internal) with the cause. Complete: it is
 * "could not test" after the configured attempts, not an interruption, so a resume does not try it again.
 */
export function failedRecord(job: DomainJob, checks: readonly Check[], cause: string): DomainRecord {
  return errorRecord(job, checks, `not tested: ${cause}`, 'internal', true);
}

/** A domain still queued when the scan was stopped: incomplete, so a resume collects or scans it. */
export function interruptedRecord(job: DomainJob, checks: readonly Check[]): DomainRecord {
  return errorRecord(job, checks, 'not finished: the scan was interrupted while the domain was queued or with a worker', 'interrupted', false);
}

function errorRecord(job: DomainJob, checks: readonly Check[], summary: string, reason: 'internal' | 'interrupted', complete: boolean): DomainRecord {
  const at = new Date().toISOString();
  return {
    index: job.index, domain: job.target.domain, startedAt: at, finishedAt: at, complete, artifacts: {}, facts: [],
    results: checks.map((c) => ({
      checkId: c.id, title: c.title, domain: job.target.domain, promises: c.promises, startedAt: at, durationMs: 0,
      artifacts: [], status: 'error', summary, reason,
    })),
  };
}
