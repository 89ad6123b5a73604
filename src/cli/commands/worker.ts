import { resolve } from 'node:path';
import { createLogger, type LogLevel } from '../../log.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { reachableQueue } from '../queue-preflight.ts';

export type WorkerCommandOptions = {
  /** `--queue`: the fleet's Redis. */
  readonly queue: string;
  /** `--queue-ca`: a private CA for `rediss://`. */
  readonly queueCa?: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly logLevel?: LogLevel;
};

/**
 * `vouch worker --queue URL`: scans the domains of queued runs (src/queue/worker.ts) until SIGINT or SIGTERM, then
 * takes no more, finishes the domains in hand (those still unfinished after a few seconds go back to the queue for
 * another worker) and exits 0. Redis not answering at the start is exit 69, like a scan's; later, it is waited for.
 */
export async function workerCommand(options: WorkerCommandOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  const endpoint = await reachableQueue(options.queue, options.queueCa ? resolve(io.cwd, options.queueCa) : undefined, io.env ?? process.env, '--queue');
  const log = createLogger(options.logLevel ?? 'info', io.stderr);
  // Loaded here: a plain scan never pays for BullMQ and ioredis at start-up.
  const { startQueueWorker } = await import('../../queue/worker.ts');
  const worker = await startQueueWorker({
    endpoint, concurrency: options.concurrency, leaseMs: options.leaseMs, log, ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  });
  log.info({ queue: endpoint.label, worker: worker.id, concurrency: options.concurrency, leaseMs: options.leaseMs }, 'worker started');
  await new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
  log.info({ worker: worker.id }, 'stopping: taking no more domains, finishing those in hand');
  await worker.stop();
  log.info({ worker: worker.id }, 'worker stopped');
  return EXIT.ok;
}
