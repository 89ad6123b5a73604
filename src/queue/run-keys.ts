import type { Redis } from 'ioredis';

/**
 * Where one run's fleet-wide state lives in Redis (issue 12), so that a run never sees another's and can be removed
 * whole at its end:
 *
 *   vouch:RUN:fact:KEY               a probe fact shared by the fleet (src/queue/fleet-facts.ts), with a TTL
 *   vouch:RUN:loading:KEY            the lease of the worker loading that fact (SET NX PX, refreshed while it loads)
 *   vouch:RUN:slot:POOL KEY:*        the connection slots of one destination (src/queue/fair-slots.ts): holders,
 *                                    the FIFO queue of waiters, their wait leases and the ticket counter
 *   vouch:RUN:slot-free              the pub/sub channel where a freed slot's key is announced (not a key)
 *   vouch:RUN:slot-wanted            the pub/sub channel where a full destination's key is announced when a
 *                                    request queues for it (not a key)
 *
 * and, under the same prefix, the queue's own keys of the run (its spec, refusals and domain records: run-spec.ts and
 * job-record.ts), so that clearRun removes those too.
 *
 * KEY is a probe key or destination as the engine writes it (any characters). RUN may hold letters, digits, `.`, `_` and `-` only: no `:` (so no
 * run's namespace can contain another's) and no glob character (so a SCAN pattern over it matches it literally).
 */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function runPrefix(runId: string): string {
  if (!RUN_ID.test(runId)) throw new Error(`"${runId}" cannot name a run in Redis: use 1-128 letters, digits, ".", "_" or "-"`);
  return `vouch:${runId}:`;
}

/** The prefix of one destination's slot keys (src/queue/fair-slots.ts adds `:held`, `:queue`, ...). */
export function slotKey(runId: string, pool: string, destination: string): string {
  return `${runPrefix(runId)}slot:${pool} ${destination}`;
}

export type SlotChannels = {
  /** Where a freed slot's key is announced, to the processes waiting for it. */
  readonly free: string;
  /** Where a full destination's key is announced when a request queues for it, to the processes holding it idle. */
  readonly wanted: string;
};

/** The run's pub/sub channels for its connection slots (src/queue/fair-slots.ts publishes, slot-wakeups.ts hears). */
export function slotChannels(runId: string): SlotChannels {
  return { free: `${runPrefix(runId)}slot-free`, wanted: `${runPrefix(runId)}slot-wanted` };
}

/** How many keys SCAN looks at per call (and so about how many one UNLINK frees): small steps, so Redis never stalls. */
const SCAN_COUNT = 500;

/**
 * Deletes every key of the run (everything above), for the scanner at the end of a run; returns how many. SCAN
 * walks the keyspace in steps (never KEYS, which blocks Redis for the whole walk) and UNLINK frees memory off Redis's
 * main thread. A key the run writes after its SCAN step has passed is not seen: call this once every worker is done.
 */
export async function clearRun(redis: Redis, runId: string): Promise<number> {
  const prefix = runPrefix(runId);
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
