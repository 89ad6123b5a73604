import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { ProbeError } from '../core/errors.ts';
import { inProcessLimits, type ConnectionLimits } from '../runner/probe-kinds/limits.ts';
import { FairSlot } from './fair-slots.ts';
import { answerWithin } from './redis-deadline.ts';
import { slotChannels, slotKey } from './run-keys.ts';
import { slotWakeups } from './slot-wakeups.ts';

/**
 * Politeness across the fleet (issue 12): at most `concurrency` connections to one destination at a time, counted
 * over every worker process of the run, on every machine. What the coordinator thread's semaphores do for worker
 * threads (src/runner/workers/semaphores.ts), a FIFO counting semaphore on Redis per pool and destination does here
 * (src/queue/fair-slots.ts: Lua scripts, so atomic; key layout in src/queue/run-keys.ts). Each holder has a lease,
 * refreshed while its work runs: a worker killed with `kill -9` stops refreshing and its slots come back when the
 * lease lapses, not never.
 *
 * Two gates, in this order: this process's own FIFO semaphore per destination with the same limit, then the fleet's.
 * So at most `concurrency` of this process's requests wait in Redis for one destination, and a thousand domains
 * queued here for one shared address do not each ask Redis when a slot comes free. A waiter asks again when Redis
 * announces a freed slot of its destination (src/queue/slot-wakeups.ts), or after `retryMs` if no announcement came.
 * Leases are dated by Redis's clock, so the workers' clocks need not agree.
 */
export type FleetLimitOptions = {
  /** How long a holder's slot outlives its last refresh (refreshed every third of it). Default 30 s. */
  readonly leaseMs?: number | undefined;
  /**
   * The longest pause between two attempts on a full destination when no freed slot is announced (a lease that
   * lapsed is noticed by whoever asks next; an announcement can be missed while the subscriber reconnects). Default 250 ms.
   */
  readonly retryMs?: number | undefined;
  /**
   * Turns (below): how long this process may keep serving its own connections with a destination's slot after taking
   * it while a request elsewhere waits for it, and how long it keeps the slot idle while none does. Default
   * DEFAULT_TURN_MS.
   */
  readonly turnMs?: number | undefined;
  /**
   * How long one request may wait for a slot in Redis (after this process's own queue), however Redis is doing, before
   * its work fails with a ProbeError (`client-limitation`). Default ten leases.
   */
  readonly acquireTimeoutMs?: number | undefined;
};

export type FleetLimitStats = {
  /** Slots taken. */
  readonly acquired: number;
  /** The most slots this process held at once on one destination (the fleet's peak is counted at the destination). */
  readonly peak: number;
  /** Slots found lost on refresh (the lease lapsed: Redis was away longer than a lease, or restarted without persistence). */
  readonly lost: number;
  /** Requests to Redis that failed (it was away); each was retried. */
  readonly redisErrors: number;
  /** Attempts on a full destination that found it still full (each costs a round trip and a script run in Redis). */
  readonly busyAttempts: number;
};

export type FleetLimits = {
  /** For `createProbeSession(..., { limits })`. */
  readonly limits: ConnectionLimits;
  stats(): FleetLimitStats;
  /** Gives back every slot still held (a worker shutting down mid-work): the others need not wait for the leases. */
  close(): Promise<void>;
};

export const DEFAULT_LEASE_MS = 30_000;
/** A held slot's turn: when it ends once wanted, and whether a request elsewhere queued for its destination. */
type Turn = { ends: number; wanted: boolean };
/**
 * A turn: how long a process keeps a destination's slot for its own connections before the fleet's next waiter gets
 * it (a waiter waits at most a turn per process ahead of it). A handover costs a script to give the slot back, an
 * announcement, the next process's event loop getting round to it, and a script to take it.
 */
export const DEFAULT_TURN_MS = 250;
/**
 * How long a slot wanted elsewhere stays idle with its process, for a probe that connects again at once (the next
 * hello of an enumeration, the next session with an MX host, once the last answer is read): giving it back after
 * every connection would cost a handover each.
 */
const WANTED_GRACE_MS = 25;
/** How long close() waits for Redis to take back the slots still held. */
const CLOSE_WAIT_MS = 2_000;

export function fleetLimits(redis: Redis, runId: string, options: FleetLimitOptions = {}): FleetLimits {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const retryMs = options.retryMs ?? 250;
  const turnMs = options.turnMs ?? DEFAULT_TURN_MS;
  const acquireTimeoutMs = options.acquireTimeoutMs ?? leaseMs * 10;
  const local = inProcessLimits();
  const heldByKey = new Map<string, number>();
  let acquired = 0, peak = 0, lost = 0, redisErrors = 0, busyAttempts = 0;
  let closed = false;
  const channels = slotChannels(runId);
  // onWanted is declared below with the turns it ends; the subscriber calls it only once a slot was asked for.
  const wakeups = slotWakeups(redis, channels, (key) => onWanted(key));

  /** Takes a fleet slot of `key` in its turn, riding out a Redis that is away (ioredis reconnects) until the deadline. */
  const take = async (key: string, endpoint: string, limit: number): Promise<FairSlot> => {
    // One identifier for every attempt: an attempt whose reply was lost with the connection may have taken the slot
    // (or a place in the queue), and the next attempt then finds it instead of taking a second.
    const slot = new FairSlot(redis, key, randomUUID(), limit, leaseMs, channels);
    const deadline = Date.now() + acquireTimeoutMs;
    // Subscribed before the first attempt, so a slot freed between a refused attempt and the wait wakes us; but not
    // waited for longer than one fallback pause (a Redis that is away: the attempts below say so).
    await answerWithin(wakeups.ready(), Math.min(retryMs, acquireTimeoutMs));
    let pause = 50;
    let lastError: unknown = null;
    let late = false;
    for (let remaining = deadline - Date.now(); remaining > 0; remaining = deadline - Date.now()) {
      // Armed before asking: an announcement that arrives while the attempt is on its way is not lost.
      const alarm = wakeups.arm(key, Math.min(retryMs, remaining));
      let outcome: boolean | 'late';
      try {
        outcome = await answerWithin(slot.attempt(), remaining);
      } catch (error) {
        alarm.cancel();
        redisErrors++; // ioredis gave up on the request (Redis away for long): ask again while there is time
        lastError = error;
        await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
        pause = Math.min(pause * 2, 1_000);
        continue;
      }
      if (outcome === true) { alarm.cancel(); return slot; }
      if (outcome === 'late') { alarm.cancel(); late = true; break; }
      busyAttempts++;
      pause = 50;
      await alarm.woken;
    }
    // Our place in the queue (or a slot a lost reply granted) is given up, so the next waiter is not held up by it.
    slot.leave().catch(() => {});
    const why = late ? 'Redis did not answer'
      : lastError ? `Redis did not answer (${lastError instanceof Error ? lastError.message : String(lastError)})`
        : 'the destination stayed busy';
    throw new ProbeError('client-limitation', endpoint,
      `no fleet connection slot for this destination within ${Math.round(acquireTimeoutMs / 1000)} s: ${why}`);
  };

  // Turns: a slot whose work is done stays with this process for its next connection to the destination, and goes
  // back to the fleet's queue once it has been idle for `turnMs`. Taking a slot in Redis costs a round trip and a
  // script run, and giving it back another, against a millisecond for a loopback handshake; and a probe that connects
  // to one destination again and again (the TLS enumeration's hellos, an MX host's sessions: one worker's STARTTLS
  // sessions with an MX address, 34 per host, each took the slot anew) would otherwise queue behind every other
  // worker's for each connection: with one slot (an MX address) the fleet served it ten times slower than one
  // process, and its checks timed out. Once a request elsewhere queues for the destination (announced on the
  // `wanted` channel), the turn counts: the slot serves this process's own queue until `turnMs` after it was taken,
  // and stays idle here at most WANTED_GRACE_MS, then goes back. The limit holds throughout (one request uses a slot
  // at a time), and so does the fairness between workers, at the turn's grain.
  /** Every slot this process holds (in use or parked), by destination key, with its turn. */
  const heldOf = new Map<string, Map<FairSlot, Turn>>();
  const turnOf = (slot: FairSlot): Turn | undefined => heldOf.get(slot.key)?.get(slot);
  const parked = new Map<string, { slot: FairSlot; cancel(): void; wanted(): void }[]>();
  const giveBack = (slot: FairSlot) => {
    const ofKey = heldOf.get(slot.key);
    ofKey?.delete(slot);
    if (ofKey?.size === 0) heldOf.delete(slot.key);
    // Not awaited: the work's answer need not wait for Redis (nor for a Redis that is away; the lease then lapses).
    slot.leave().catch(() => { redisErrors++; });
  };
  const unpark = (key: string): FairSlot | null => {
    const list = parked.get(key);
    const entry = list?.pop();
    if (list && list.length === 0) parked.delete(key);
    if (!entry) return null;
    entry.cancel();
    return entry.slot;
  };
  const park = (key: string, slot: FairSlot) => {
    const list = parked.get(key) ?? [];
    parked.set(key, list);
    const parkedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const expire = () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0 && parked.get(key) === list) parked.delete(key);
      giveBack(slot);
    };
    const expireIn = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(expire, Math.max(0, ms));
    };
    const entry = {
      slot, cancel: () => clearTimeout(timer),
      // Wanted elsewhere: kept only for a probe of this process that connects again at once (the next hello of an
      // enumeration, the next session with an MX host, after its answer was read), not for the rest of the turn.
      wanted: () => { expireIn(Math.min(WANTED_GRACE_MS - (Date.now() - parkedAt), (turnOf(slot)?.ends ?? 0) - Date.now())); },
    };
    list.push(entry);
    if (turnOf(slot)?.wanted) entry.wanted();
    else expireIn(turnMs); // nobody else asked: kept idle for this process's next connection, then given back
  };
  /**
   * A slot whose lease Redis no longer holds (it lapsed while Redis was away, or a Redis restarted without
   * persistence forgot it): never used again, since Redis may give it to another process; given back (to clear it
   * from Redis's view too) as soon as its connection is done, or now if it is idle.
   */
  const retire = (slot: FairSlot) => {
    const turn = turnOf(slot);
    if (turn) { turn.wanted = true; turn.ends = 0; }
    parked.get(slot.key)?.find((entry) => entry.slot === slot)?.wanted();
  };
  /** A request elsewhere queued for `key`: its slots here go back once idle for WANTED_GRACE_MS. */
  const onWanted = (key: string) => {
    for (const turn of heldOf.get(key)?.values() ?? []) turn.wanted = true;
    for (const entry of parked.get(key) ?? []) entry.wanted();
  };

  const limits: ConnectionLimits = (pool, destination, concurrency, work) => local(pool, destination, concurrency, async () => {
    const key = slotKey(runId, pool, destination);
    let slot = unpark(key);
    if (!slot) {
      const taken = await take(key, destination, concurrency);
      acquired++;
      heldOf.set(key, (heldOf.get(key) ?? new Map<FairSlot, Turn>()).set(taken, { ends: Date.now() + turnMs, wanted: false }));
      taken.keep(() => { lost++; retire(taken); }, () => { redisErrors++; });
      slot = taken;
    }
    const holding = (heldByKey.get(key) ?? 0) + 1;
    heldByKey.set(key, holding);
    peak = Math.max(peak, holding);
    try {
      return await work();
    } finally {
      const left = heldByKey.get(key)! - 1;
      if (left === 0) heldByKey.delete(key);
      else heldByKey.set(key, left);
      const turn = turnOf(slot);
      if (!closed && turn && (!turn.wanted || Date.now() < turn.ends)) park(key, slot);
      else giveBack(slot);
    }
  });

  return {
    limits,
    stats: () => ({ acquired, peak, lost, redisErrors, busyAttempts }),
    close: async () => {
      closed = true;
      for (const list of parked.values()) for (const entry of list) entry.cancel();
      parked.clear();
      const slots = [...heldOf.values()].flatMap((ofKey) => [...ofKey.keys()]);
      heldOf.clear();
      wakeups.close();
      // Bounded: a Redis that is away does not hold up the shutdown (the leases then lapse on their own).
      await answerWithin(Promise.all(slots.map((slot) => slot.leave().catch(() => { redisErrors++; }))), CLOSE_WAIT_MS);
    },
  };
}
