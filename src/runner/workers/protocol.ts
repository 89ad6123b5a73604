import type { Config } from '../../config/config.ts';
import type { DomainRecord, RecordedFact } from '../../core/domain-record.ts';
import type { LogLevel } from '../../log.ts';
import type { DomainJob } from '../pipeline.ts';
import type { Lifetime } from '../cache.ts';

/**
 * The messages between the scanning thread (the coordinator) and its worker threads. Everything is structured-cloned:
 * plain data only. The coordinator owns what must hold across workers: connection slots per destination (so
 * politeness does not multiply with the number of workers) and the facts one worker probed that another needs (so a
 * shared MX host is still probed once per run).
 */

/** What a worker starts with (workerData). */
export type WorkerInit = {
  readonly config: Config;
  /** The selected checks by id, in order; the worker loads them (and the config's plugins) itself. */
  readonly checkIds: readonly string[];
  readonly logLevel: LogLevel;
};

export type ToWorker =
  | { readonly t: 'job'; readonly job: DomainJob }
  | { readonly t: 'granted'; readonly id: number }
  | { readonly t: 'claimed'; readonly id: number; readonly answer: ClaimAnswer }
  | { readonly t: 'abort' }
  | { readonly t: 'close' };

export type FromWorker =
  /** Started; with its V8 heap limit as it sees it, so that the limit the pool set can be seen to hold. */
  | { readonly t: 'ready'; readonly heapLimitMb: number }
  | { readonly t: 'failed'; readonly message: string }
  | { readonly t: 'record'; readonly record: DomainRecord }
  | { readonly t: 'acquire'; readonly id: number; readonly key: string; readonly limit: number }
  | { readonly t: 'release'; readonly key: string }
  | { readonly t: 'claim'; readonly id: number; readonly key: string }
  | { readonly t: 'publish'; readonly fact: RecordedFact; readonly lifetime: Lifetime }
  | { readonly t: 'closed'; readonly stats: Readonly<Record<string, number>> };

export type ClaimAnswer = { readonly load: true } | { readonly fact: RecordedFact };
