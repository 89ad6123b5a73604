import { resolve } from 'node:path';
import type { ConfigOverrides } from './config.ts';
import { allowedKeys, integerBounds } from './definition/index.ts';
import { DEFAULT_QUEUE } from './definition/queue.ts';
import { checkKeys, isRecord, readInteger, readMapping, readString, type Problems } from './fields.ts';

/** `queue:` (issue 12): where the fleet's Redis is, and how often a domain is tried. */
export type QueueConfig = {
  /** `redis://` or `rediss://` as given (`--queue` replaces it); null: no queue, the scan runs on this machine. */
  readonly url: string | null;
  /** A private CA for `rediss://`, absolute (`--queue-ca` replaces it). */
  readonly caFile: string | null;
  readonly attempts: number;
  /**
   * Domains queued at once: `concurrency.domains` (`--concurrency`) when it is given, else DEFAULT_QUEUE's, since the
   * default for one process (32) would starve a fleet of workers. Not part of the digest, like the window itself.
   */
  readonly domainsInFlight: number;
};

/** Reads `queue:`; `root` is the whole file (whether `concurrency.domains` was given decides the queue's window). */
export async function readQueue(
  root: Record<string, unknown>, baseDir: string, o: ConfigOverrides, domainsInFlight: number, problems: Problems,
): Promise<QueueConfig> {
  const node = readMapping(root['queue'], 'queue', problems) ?? {};
  checkKeys(node, 'queue', allowedKeys('queue'), problems);
  const url = o.queueUrl ?? readString(node['url'], 'queue.url', problems) ?? null;
  const caText = readString(node['caFile'], 'queue.caFile', problems);
  const caFile = o.queueCaFile ?? (caText === undefined ? null : resolve(baseDir, caText));
  // The URL's form only: whether Redis answers is asked when a scan starts (exit 69), not by `vouch validate`. Loaded
  // here only for a queue: ioredis is no part of a plain scan's start-up.
  if (url !== null) {
    const { parseQueueUrl } = await import('../queue/redis-connection.ts');
    const parsed = parseQueueUrl(url, {});
    if (typeof parsed === 'string') problems.push(`${o.queueUrl !== undefined ? '--queue' : 'queue.url'}: ${parsed}`);
  }
  const caPath = o.queueCaFile !== undefined ? '--queue-ca' : 'queue.caFile';
  if (caFile !== null && url === null) problems.push(`${caPath}: a CA file is given but no queue URL`);
  else if (caFile !== null && !url!.startsWith('rediss:')) problems.push(`${caPath}: a CA file is given but the queue URL is not rediss:// (TLS)`);
  const attempts = readInteger(node['attempts'], 'queue.attempts', problems, ...integerBounds('queue.attempts')) ?? DEFAULT_QUEUE.attempts;
  const concurrency = root['concurrency'];
  const windowGiven = o.concurrency !== undefined || (isRecord(concurrency) && concurrency['domains'] !== undefined);
  return { url, caFile, attempts, domainsInFlight: windowGiven ? domainsInFlight : DEFAULT_QUEUE.domainsInFlight };
}
