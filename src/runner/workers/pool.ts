import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../../config/config.ts';
import type { DomainRecord } from '../../core/domain-record.ts';
import type { LogLevel } from '../../log.ts';
import type { Check } from '../../core/check.ts';
import type { DomainJob } from '../pipeline.ts';
import { FactExchange } from './fact-exchange.ts';
import { workerHeapLimits } from './heap-limits.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { KeyedSemaphores } from './semaphores.ts';

/**
 * Facts kept for other workers (src/runner/workers/fact-exchange.ts). Counted, not weighed: at up to ~90 KB a fact
 * (an HTTP body at its cap) 1,024 of them stay under 100 MB, and a fact shared by many domains stays recent.
 */
const SHARED_FACTS = 1024;
/** How long workers get to close their sessions after the last domain before they are terminated. */
const CLOSE_GRACE_MS = 5_000;

export type WorkerPool = {
  /** Scans one domain on the least busy worker. */
  run(job: DomainJob): Promise<DomainRecord>;
  /** Stops every worker's checks (their domains come back incomplete). */
  abort(): void;
  /** Each worker's V8 heap limit as the worker itself reports it (src/runner/workers/heap-limits.ts), in MB. */
  readonly heapLimitMb: number;
  /** Closes the workers; returns their probe counters summed, and the coordinator's own figures. */
  close(): Promise<{ stats: Record<string, number>; peakConnectionsPerDestination: number; sharedFacts: number }>;
};

/**
 * The worker script: next to this module when running the built code; when this module runs from its TypeScript
 * source (the test runner), the built copy, since a worker thread cannot load TypeScript (`npm test` builds first).
 */
function workerScript(): URL {
  const here = new URL('./worker-main.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const built = new URL('../../../dist/src/runner/workers/worker-main.js', import.meta.url);
  if (!existsSync(fileURLToPath(built))) throw new Error('worker threads need the built code: run "npm run build"');
  return built;
}

type Member = { readonly worker: Worker; readonly jobs: Map<number, (record: DomainRecord) => void>; alive: boolean; heapLimitMb: number };

/**
 * Starts `size` worker threads scanning with `config` and the checks `checkIds`, their heaps sized for their share of
 * the window of `window` domains in flight; resolves once all are ready.
 */
export async function startWorkerPool(options: { size: number; window: number; config: Config; checks: readonly Check[]; logLevel: LogLevel }): Promise<WorkerPool> {
  const slots = new KeyedSemaphores<Worker>();
  const facts = new FactExchange<Worker>(SHARED_FACTS);
  const stats: Record<string, number> = {};
  const closed: Promise<void>[] = [];
  const script = workerScript();
  const heapLimits = workerHeapLimits(options.window, options.size);
  const init: WorkerInit = { config: options.config, checkIds: options.checks.map((c) => c.id), logLevel: options.logLevel };

  const targets = new Map<number, DomainJob>();
  const started: Worker[] = [];
  const starting = Promise.all(Array.from({ length: options.size }, () => new Promise<Member>((resolve, reject) => {
    const worker = new Worker(script, { workerData: init, resourceLimits: heapLimits });
    started.push(worker);
    const member: Member = { worker, jobs: new Map(), alive: true, heapLimitMb: 0 };
    let lastError = '';
    const send = (message: ToWorker) => worker.postMessage(message);
    let closing: (() => void) | undefined;
    closed.push(new Promise<void>((done) => { closing = done; }));
    worker.on('message', (message: FromWorker) => {
      switch (message.t) {
        case 'ready': member.heapLimitMb = message.heapLimitMb; resolve(member); break;
        case 'failed': reject(new Error(`worker thread could not start: ${message.message}`)); break;
        case 'record':
          member.jobs.get(message.record.index)?.(message.record);
          member.jobs.delete(message.record.index);
          break;
        case 'acquire': slots.acquire(message.key, message.limit, worker, () => send({ t: 'granted', id: message.id })); break;
        case 'release': slots.release(message.key, worker); break;
        case 'claim': facts.claim(message.key, worker, (answer) => send({ t: 'claimed', id: message.id, answer })); break;
        case 'publish': facts.publish(message.fact, message.lifetime); break;
        case 'closed':
          for (const [name, value] of Object.entries(message.stats)) stats[name] = (stats[name] ?? 0) + value;
          break;
      }
    });
    worker.on('error', (err) => { lastError = err.message; reject(err); });
    worker.on('exit', (code) => {
      member.alive = false;
      reject(new Error(`worker thread exited (code ${code}) before it was ready${lastError ? `: ${lastError}` : ''}`));
      slots.releaseAll(worker);
      facts.holderGone(worker);
      for (const [index, finish] of member.jobs) finish(crashedRecord(index, code, lastError));
      member.jobs.clear();
      closing?.();
    });
  })));
  let members: Member[];
  try {
    members = await starting;
  } catch (err) {
    // One worker that cannot start (a plugin that fails to load in it) stops them all: none is left running.
    await Promise.all(started.map((w) => w.terminate()));
    throw err;
  }
  // A worker that dies (out of memory, a native crash) must not lose its domains: each becomes `error/internal` on
  // every check, and the scan goes on with the other workers. Marked incomplete, so a resume scans them again.
  const crashedRecord = (index: number, code: number, cause: string): DomainRecord => {
    const job = targets.get(index)!;
    targets.delete(index);
    const at = new Date().toISOString();
    const summary = `not finished: the worker thread scanning this domain exited (code ${code}${cause ? `: ${cause}` : ''})`;
    return {
      index, domain: job.target.domain, startedAt: at, finishedAt: at, complete: false, artifacts: {}, facts: [],
      results: options.checks.map((c) => ({
        checkId: c.id, title: c.title, domain: job.target.domain, promises: c.promises, startedAt: at, durationMs: 0,
        artifacts: [], status: 'error', summary, reason: 'internal',
      })),
    };
  };

  return {
    heapLimitMb: Math.max(...members.map((m) => m.heapLimitMb)),
    run(job) {
      const alive = members.filter((m) => m.alive);
      if (alive.length === 0) return Promise.reject(new Error('every worker thread has exited'));
      const member = alive.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
      targets.set(job.index, job);
      return new Promise<DomainRecord>((resolve) => {
        member.jobs.set(job.index, (record) => { targets.delete(job.index); resolve(record); });
        member.worker.postMessage({ t: 'job', job } satisfies ToWorker);
      });
    },
    abort() {
      for (const m of members) if (m.alive) m.worker.postMessage({ t: 'abort' } satisfies ToWorker);
    },
    async close() {
      for (const m of members) if (m.alive) m.worker.postMessage({ t: 'close' } satisfies ToWorker);
      // A worker whose event loop something still holds (a socket that outlived its run) is stopped after a grace
      // period: its domains are all journaled by now, only its counters would be missing.
      const grace = setTimeout(() => { for (const m of members) if (m.alive) void m.worker.terminate(); }, CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(grace);
      return { stats, peakConnectionsPerDestination: slots.peak, sharedFacts: facts.shared };
    },
  };
}
