import type { Redis } from 'ioredis';
import type { SlotChannels } from './run-keys.ts';

/**
 * A counting semaphore on Redis that serves waiters in the order they came (FIFO), with leases (issue 12).
 *
 * Why not redis-semaphore, which the fleet used first: its acquire polls, and whoever polls first after a release
 * wins. A worker releasing a slot and asking again on the same connection always polls first, so a busy shared
 * destination (an MX host with one slot) stayed with one worker while the others' checks timed out (measured:
 * test/queue/fleet-fairness.test.ts, 40 turns to one worker before the other had one). Here every waiter draws a
 * ticket, and only the first `limit - held` tickets may take a slot, as the in-process FIFO does.
 *
 * Keys (all under the caller's `key`, so a run's clearRun removes them): `KEY:held` (sorted set: holder -> lease end),
 * `KEY:queue` (sorted set: waiter -> ticket), `KEY:waiting` (sorted set: waiter -> wait lease end), `KEY:tickets`
 * (counter). Leases are dated by Redis's clock (TIME), not the workers': machines whose clocks disagree still agree
 * on who expired. A holder or waiter that stops refreshing (a worker killed with kill -9) is dropped when its lease
 * ends. Every key expires ten leases after its last use, so an abandoned destination leaves nothing behind for long.
 *
 * Waiters are woken, not left to poll: whenever a slot comes free while someone waits (given back, or a lapsed lease
 * cleared), the script publishes the destination's key on the run's `free` channel, and each process's waiters for
 * that key ask again at once (src/queue/fleet-limits.ts). Polling every 10 ms cost a busy fleet thousands of script
 * calls a second and two thirds more CPU per domain than one process (docs/benchmark.md). And a request that has to
 * queue publishes the key on the `wanted` channel, so that a process keeping a slot of it idle for its next
 * connection (fleet-limits.ts: turns) gives it back at once.
 */

/**
 * KEYS: held, queue, waiting, tickets. ARGV: id, limit, leaseMs, free channel, key, wanted channel. Returns 1 when
 * `id` holds a slot, else 0 (and the key is announced as wanted). Lapsed holders and waiters are cleared first; if
 * that freed a place, the others waiting are woken.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[3])
local lapsed = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, w in ipairs(gone) do redis.call('ZREM', KEYS[2], w); redis.call('ZREM', KEYS[3], w) end
if (lapsed > 0 or #gone > 0) and redis.call('ZCARD', KEYS[2]) > 0 then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  return 1
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
end
redis.call('ZADD', KEYS[3], now + lease, ARGV[1])
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
local taken = 0
if rank < free then
  redis.call('ZREM', KEYS[2], ARGV[1]); redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  taken = 1
else
  redis.call('PUBLISH', ARGV[6], ARGV[5])
end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], lease * 10) end
return taken
`;

/** KEYS: held. ARGV: id, leaseMs. 1 if `id` still held its slot (its lease is renewed), else 0 (lost). */
const REFRESH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not lease or tonumber(lease) <= now then redis.call('ZREM', KEYS[1], ARGV[1]); return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
`;

/** KEYS: held, queue, waiting. ARGV: id, wake channel, key. Gives up a slot or a place in the queue; wakes the waiters. */
const LEAVE = `
local freed = redis.call('ZREM', KEYS[1], ARGV[1]) + redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if freed > 0 and redis.call('ZCARD', KEYS[2]) > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1
`;

type FairCommands = {
  vouchSlotAcquire(held: string, queue: string, waiting: string, tickets: string, id: string, limit: number, leaseMs: number, freeChannel: string, key: string, wantedChannel: string): Promise<number>;
  vouchSlotRefresh(held: string, id: string, leaseMs: number): Promise<number>;
  vouchSlotLeave(held: string, queue: string, waiting: string, id: string, channel: string, key: string): Promise<number>;
};

/** The connection with the three scripts defined (once per connection; ioredis sends EVALSHA, EVAL on a miss). */
export function fairSlotCommands(redis: Redis): FairCommands {
  const r = redis as Redis & Partial<FairCommands>;
  if (!r.vouchSlotAcquire) {
    redis.defineCommand('vouchSlotAcquire', { numberOfKeys: 4, lua: ACQUIRE });
    redis.defineCommand('vouchSlotRefresh', { numberOfKeys: 1, lua: REFRESH });
    redis.defineCommand('vouchSlotLeave', { numberOfKeys: 3, lua: LEAVE });
  }
  return r as Redis & FairCommands;
}

export type SlotKeys = { readonly held: string; readonly queue: string; readonly waiting: string; readonly tickets: string };
export const slotKeys = (key: string): SlotKeys => ({ held: `${key}:held`, queue: `${key}:queue`, waiting: `${key}:waiting`, tickets: `${key}:tickets` });

/** One request for a slot: `attempt` until it holds one; while held, `refresh` every third of the lease; then `leave`. */
export class FairSlot {
  readonly #commands: FairCommands;
  readonly #keys: SlotKeys;
  /** The destination's key (slotKey). */
  readonly key: string;
  readonly #channels: SlotChannels;
  readonly id: string;
  readonly limit: number;
  readonly leaseMs: number;
  #refresher: NodeJS.Timeout | undefined;

  /** `channels`: where a freed slot of `key` and a request queued for it are announced (one pair per run). */
  constructor(redis: Redis, key: string, id: string, limit: number, leaseMs: number, channels: SlotChannels) {
    this.#commands = fairSlotCommands(redis);
    this.#keys = slotKeys(key);
    this.key = key;
    this.#channels = channels;
    this.id = id;
    this.limit = limit;
    this.leaseMs = leaseMs;
  }

  /** One try: true when this request now holds a slot (it keeps its place in the queue otherwise). */
  async attempt(): Promise<boolean> {
    const k = this.#keys;
    return (await this.#commands.vouchSlotAcquire(k.held, k.queue, k.waiting, k.tickets, this.id, this.limit, this.leaseMs, this.#channels.free, this.key, this.#channels.wanted)) === 1;
  }

  /** Keeps the lease while held; `onLost` when Redis says it lapsed, `onError` when Redis could not be asked. */
  keep(onLost: () => void, onError: () => void): void {
    this.#refresher = setInterval(() => {
      this.#commands.vouchSlotRefresh(this.#keys.held, this.id, this.leaseMs).then((held) => {
        if (held === 0) { this.#stopRefresh(); onLost(); }
      }, onError);
    }, Math.max(1, Math.round(this.leaseMs / 3)));
    this.#refresher.unref();
  }

  /** Gives up the slot, or the place in the queue. */
  async leave(): Promise<void> {
    this.#stopRefresh();
    const k = this.#keys;
    await this.#commands.vouchSlotLeave(k.held, k.queue, k.waiting, this.id, this.#channels.free, this.key);
  }

  #stopRefresh(): void {
    clearInterval(this.#refresher);
    this.#refresher = undefined;
  }
}
