import { ExitError } from '../core/errors.ts';
import type { QueueEndpoint } from '../queue/redis-connection.ts';
import { EXIT } from './exit-codes.ts';

/**
 * The queue's Redis, read from its URL (unusable: exit 64, naming `what`) and asked once, now, whether it answers
 * (no: exit 69, as for a dead resolver), for `vouch scan --queue` and `vouch worker` alike. The endpoint returned is the
 * one the run then uses, so the password (VOUCH_QUEUE_PASSWORD in `env`) is read once, from one environment.
 */
export async function reachableQueue(
  url: string, caFile: string | undefined, env: NodeJS.ProcessEnv, what: string, unreachableNote = '',
): Promise<QueueEndpoint> {
  // Loaded only for a queue: ioredis is no part of a plain scan's start-up.
  const { checkQueueReachable, parseQueueUrl, QueueUnavailableError } = await import('../queue/redis-connection.ts');
  const endpoint = parseQueueUrl(url, env, caFile);
  if (typeof endpoint === 'string') throw new ExitError(EXIT.usage, `${what}: ${endpoint}`);
  try {
    await checkQueueReachable(endpoint);
  } catch (err) {
    if (err instanceof QueueUnavailableError) throw new ExitError(EXIT.noResolver, `${err.message}${unreachableNote}`);
    throw err;
  }
  return endpoint;
}
