import { resolve } from 'node:path';
import { ExitError } from '../../core/errors.ts';
import { createLogger, type LogLevel } from '../../log.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

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
  // Loaded here: a plain scan never pays for BullMQ and ioredis at start-up.
  const { checkQueueReachable, parseQueueUrl, QueueUnavailableError } = await import('../../queue/redis-connection.ts');
  const endpoint = parseQueueUrl(options.queue, io.env ?? process.env, options.queueCa ? resolve(io.cwd, options.queueCa) : undefined);
  if (typeof endpoint === 'string') throw new ExitError(EXIT.usage, `--queue: ${endpoint}`);
  try {
    await checkQueueReachable(endpoint);
  } catch (err) {
    if (err instanceof QueueUnavailableError) throw new ExitError(EXIT.noResolver, err.message);
    throw err;
  }
  const log = createLogger(options.logLevel ?? 'info', io.stderr);
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
