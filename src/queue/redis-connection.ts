import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * Where the fleet's Redis is (issue 12), read from a `--queue` URL: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` or
 * `rediss://...` for TLS. A password may instead come from the environment (VOUCH_QUEUE_PASSWORD), so that it is not
 * on a command line every user of the machine can read; a private CA for `rediss://` from `caFile`.
 */
export type QueueEndpoint = {
  /** The URL without its password, for messages and logs. */
  readonly label: string;
  readonly options: RedisOptions;
};

export const QUEUE_PASSWORD_ENV = 'VOUCH_QUEUE_PASSWORD';

/** Reads `text` into an endpoint, or returns what is wrong with it (one sentence, for a usage error). */
export function parseQueueUrl(text: string, env: NodeJS.ProcessEnv = process.env, caFile?: string): QueueEndpoint | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL: expected redis://HOST:PORT/DB or rediss://HOST:PORT/DB`;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return `"${url.protocol}" is not a Redis URL scheme: use redis:// or rediss:// (TLS)`;
  if (!url.hostname) return 'the URL names no host';
  const port = url.port ? Number(url.port) : 6379;
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : /^\d{1,2}$/.test(path) ? Number(path) : NaN;
  if (!Number.isInteger(db) || db > 15) return `"/${path}" is not a database number (0-15)`;
  if (url.search || url.hash) return 'the URL has a query or fragment; Vouch reads none';
  const username = decodeURIComponent(url.username);
  const password = env[QUEUE_PASSWORD_ENV] ?? (url.password ? decodeURIComponent(url.password) : undefined);
  let ca: string | undefined;
  if (caFile) {
    if (url.protocol !== 'rediss:') return `a CA file is given but the URL is not rediss:// (TLS)`;
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      return `the CA file ${caFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host, port, db,
    ...(username ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: host, ...(ca ? { ca } : {}) } } : {}),
    connectionName: 'vouch',
  };
  const label = `${url.protocol}//${username ? `${username}@` : ''}${url.host}/${db}`;
  return { label, options };
}

/** Redis could not be reached (or refused the credentials) before the run: nothing was enqueued. */
export class QueueUnavailableError extends Error {}

/**
 * Connects once, without retrying, and asks PING: a clear error now rather than a scan that hangs waiting for a
 * Redis that is not there (ioredis otherwise reconnects forever, which is what the run itself wants later).
 */
export async function checkQueueReachable(endpoint: QueueEndpoint, timeoutMs = 5_000): Promise<void> {
  const client = new Redis({
    ...endpoint.options, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0,
    retryStrategy: () => null, enableOfflineQueue: false,
    // disconnect() otherwise keeps a 2 s timer alive, and an exit 69 would come that much later.
    disconnectTimeout: 100,
  });
  // ioredis rejects with "Connection is closed" and reports the cause (ECONNREFUSED, a certificate) as an event.
  let cause: unknown = null;
  client.on('error', (err) => { cause ??= err; });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new QueueUnavailableError(`the queue's Redis at ${endpoint.label} does not answer: ${describeRedisError(cause ?? err)}`);
  } finally {
    client.disconnect();
  }
}

/** A connection for the run: reconnects with back-off (a Redis restarted mid-run is waited for, not fatal). */
export function openRedis(endpoint: QueueEndpoint, options: { blocking: boolean }): Redis {
  return new Redis({
    ...endpoint.options,
    // BullMQ's workers and event readers block on Redis; their connections must retry requests indefinitely.
    ...(options.blocking ? { maxRetriesPerRequest: null } : {}),
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}

function describeRedisError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { message?: string };
  const message = e?.message ?? String(err);
  if (/NOAUTH|WRONGPASS|invalid username-password/i.test(message)) {
    return `authentication failed (${message.split('\n')[0]}); give the password in the URL or ${QUEUE_PASSWORD_ENV}`;
  }
  if (e?.code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return `no answer (timeout)`;
  return message.split('\n')[0]!;
}
