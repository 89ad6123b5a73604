import type { KeyTable } from './types.ts';

/**
 * The `queue:` key (issue 12): scan through `vouch worker` processes on many machines, over BullMQ on Redis
 * (docs/queue.md). Absent: the scan runs on this machine, as always.
 */
export const DEFAULT_QUEUE = {
  /** A domain whose worker fails or dies this many times becomes `error` with the cause, not retried forever. */
  attempts: 3,
  /**
   * Domains queued at once when `concurrency.domains` is not set: the workers' total concurrency is not known to the
   * scanner (16 machines at 32 each is 512), and a queued domain costs the scanner a few hundred bytes and Redis
   * about 1.8 KB (docs/benchmark.md), so the window is sized for a fleet rather than for one process.
   */
  domainsInFlight: 1000,
} as const;

/** The bound of `queue.attempts`; workers allow this many stalls, so a run's own attempts always decide first. */
export const MAX_QUEUE_ATTEMPTS = 20;

export const QUEUE_KEYS: KeyTable = {
  queue: {
    type: 'mapping', example: { url: 'rediss://scanner-queue.internal:6380/0', caFile: 'redis-ca.pem', attempts: 3 },
    description: 'Scan through `vouch worker` processes on other machines, over BullMQ on this Redis (docs/queue.md); absent: scan here. '
      + `Domains queued at once: \`concurrency.domains\`, by default ${DEFAULT_QUEUE.domainsInFlight} when queued.`,
    keys: {
      url: {
        type: 'string', example: 'rediss://scanner-queue.internal:6380/0',
        description: '`redis://[USER@]HOST[:PORT][/DB]` or `rediss://` for TLS (`--queue`); the password is better given in VOUCH_QUEUE_PASSWORD.',
      },
      caFile: {
        type: 'string', format: 'path', example: 'redis-ca.pem',
        description: 'A private CA (PEM) that signed the Redis server\'s certificate, for `rediss://` (`--queue-ca`).',
      },
      attempts: {
        type: 'integer', min: 1, max: MAX_QUEUE_ATTEMPTS, default: DEFAULT_QUEUE.attempts, example: 3,
        description: 'Times a domain is tried when its worker fails or dies on it; then its checks are `error` with the cause.',
      },
    },
  },
};
