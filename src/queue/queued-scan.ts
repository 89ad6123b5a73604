import type { DomainRecord } from '../core/domain-record.ts';
import type { JournalWriter } from '../runner/journal.ts';
import { runPipeline, type DomainJob } from '../runner/pipeline.ts';
import type { ScanOptions } from '../scan.ts';
import { VERSION } from '../version.ts';
import { startQueueDispatch } from './dispatch.ts';
import { checkQueueReachable, parseQueueUrl, type QueueEndpoint } from './redis-connection.ts';
import { buildRunSpec } from './run-spec.ts';

/**
 * A scan's pipeline over `vouch worker` processes (src/queue/dispatch.ts), for runScan (src/scan.ts). A record leaves
 * Redis once the journal holds it; a complete run's keys and jobs are removed at the end, an interrupted one's stay
 * for `--resume`.
 */
export async function runQueued(
  options: ScanOptions & { signal: AbortSignal }, journal: JournalWriter, jobs: Iterable<DomainJob>, window: number,
  onRecord: (record: DomainRecord) => Promise<void>, complete: () => boolean,
): Promise<{ stats: Record<string, number> }> {
  const { config, checks, log, signal } = options;
  const endpoint = options.queueEndpoint ?? await reachable(config.queue.url!, config.queue.caFile ?? undefined);
  const dispatch = await startQueueDispatch({
    endpoint, runId: journal.header.runId, checks, attempts: config.queue.attempts, log, flushJournal: () => journal.flush(),
    spec: await buildRunSpec(config, checks, options.logLevel ?? 'info', VERSION),
  });
  const stop = () => dispatch.abort();
  signal.addEventListener('abort', stop, { once: true });
  let ran = false;
  let stats: Record<string, number> = {};
  try {
    await runPipeline(jobs, {
      window, signal, run: (job) => dispatch.run(job),
      onRecord: async (record) => { await onRecord(record); dispatch.journaled(record); },
    });
    ran = true;
  } finally {
    signal.removeEventListener('abort', stop);
    stats = await dispatch.close(ran && complete());
  }
  return { stats };
}

/** The run's Redis when runScan is called without one the caller checked (the library API): read and asked now. */
async function reachable(url: string, caFile: string | undefined): Promise<QueueEndpoint> {
  const endpoint = parseQueueUrl(url, process.env, caFile);
  if (typeof endpoint === 'string') throw new Error(`queue: ${endpoint}`);
  await checkQueueReachable(endpoint);
  return endpoint;
}
