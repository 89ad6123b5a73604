import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { redisServerAvailable, startLabRedis } from '../../src/lab/redis-server.ts';
import { runPrefix } from '../../src/queue/run-keys.ts';
import { fleetLimits as openFleetLimits, type FleetLimitOptions, type FleetLimits } from '../../src/queue/fleet-limits.ts';
import { startHolder } from '../fixtures/queue/holder-process.ts';
import { useLabRedisPair } from '../support/lab-redis-clients.ts';

/**
 * The fleet's connection slots against a real redis-server: each worker here has its own connection, as a worker
 * process on another machine would, and one test's holder is a real process killed with SIGKILL.
 */
describe.skipIf(!redisServerAvailable())('fleetLimits on a real redis-server', () => {
  const lab = useLabRedisPair();
  const { connect } = lab;
  // Each test's fleets are closed after it: each has a subscriber connection of its own for the wake-ups.
  const opened: FleetLimits[] = [];
  const fleetLimits = (...args: Parameters<typeof openFleetLimits>): FleetLimits => {
    const fleet = openFleetLimits(...args);
    opened.push(fleet);
    return fleet;
  };
  afterEach(async () => { await Promise.all(opened.splice(0).map((f) => f.close())); });

  it('four workers sharing a limit of 2 on one destination: 2 hold it at once, never 3', async () => {
    const workers = Array.from({ length: 4 }, () => fleetLimits(connect(), 'limit-2', { leaseMs: 1_000 }));
    let active = 0, most = 0, ran = 0;
    const work = async () => {
      ran++;
      most = Math.max(most, ++active);
      await sleep(15);
      active--;
    };
    await Promise.all(workers.flatMap((w) => Array.from({ length: 8 }, () => w.limits('web', '192.0.2.1:443', 2, work))));
    expect(most).toBe(2);
    expect(ran).toBe(32);
    // Slots taken from Redis: at least one per worker; fewer than requests, since a worker's turn serves its queue.
    const taken = workers.reduce((n, w) => n + w.stats().acquired, 0);
    expect(taken).toBeGreaterThanOrEqual(4);
    expect(taken).toBeLessThanOrEqual(32);
    // Another destination is not held up by this one's slots.
    const other = workers[0]!;
    await other.limits('web', '192.0.2.2:443', 1, async () => {
      await expect(workers[1]!.limits('web', '192.0.2.3:443', 1, async () => 'free')).resolves.toBe('free');
    });
  });

  it('an uncontended slot costs about one loopback round trip (acquire; the release is not waited for)', async () => {
    const { limits } = fleetLimits(connect(), 'latency', { leaseMs: 1_000 });
    await limits('web', 'warm-up:443', 1, async () => {});
    const rounds = 500;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) await limits('web', '192.0.2.9:443', 1, async () => {});
    const perSlotMs = (performance.now() - started) / rounds;
    console.log(`fleet slot acquire+release on loopback: ${perSlotMs.toFixed(3)} ms`);
    expect(perSlotMs).toBeLessThan(2);
  });

  it('a waiter is woken when the slot is given back, not left to poll (its fallback pause here: 20 s)', async () => {
    const options: FleetLimitOptions = { leaseMs: 30_000, retryMs: 20_000, turnMs: 250 };
    const [holder, waiter] = [fleetLimits(connect(), 'wake', options), fleetLimits(connect(), 'wake', options)];
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => { holding = r; });
    const first = holder.limits('mx', '198.51.100.5:25', 1, async () => {
      holding();
      await new Promise<void>((r) => { release = r; });
    });
    await held;
    let grantedAt = 0;
    const second = waiter.limits('mx', '198.51.100.5:25', 1, async () => { grantedAt = performance.now(); });
    await sleep(300); // long past the first refused attempt: the waiter now only waits
    // The holder's turn (250 ms since it took the slot) is over: its release goes back to Redis at once.
    const releasedAt = performance.now();
    release();
    await Promise.all([first, second]);
    const handover = grantedAt - releasedAt;
    console.log(`fleet slot handover after release: ${handover.toFixed(1)} ms`);
    expect(handover).toBeLessThan(5_000);
    // One refused attempt, then the announcement: no polling while the holder worked.
    expect(waiter.stats().busyAttempts).toBe(1);
  }, 30_000);

  it('one process connecting again and again to a destination nobody else asks for takes its fleet slot once, not once per connection', async () => {
    // Each connection outlasts the turn (as an MX session does in a busy worker): the turn counts only when wanted.
    const fleet = fleetLimits(connect(), 'turns', { turnMs: 50 });
    for (let i = 0; i < 8; i++) {
      await fleet.limits('web', '192.0.2.7:443', 2, async () => { await sleep(80); });
      await sleep(5); // the next hello goes out a little later, as a probe's does
    }
    expect(fleet.stats()).toMatchObject({ acquired: 1, busyAttempts: 0 });
  });

  it('a slot kept idle for its holder\'s next connection goes back within a short grace once another process queues for it (its turn here: 20 s)', async () => {
    const options: FleetLimitOptions = { turnMs: 20_000, retryMs: 20_000 };
    const [holder, other] = [fleetLimits(connect(), 'wanted', options), fleetLimits(connect(), 'wanted', options)];
    await holder.limits('mx', '198.51.100.6:25', 1, async () => {}); // done: its slot is kept idle
    const asked = performance.now();
    await other.limits('mx', '198.51.100.6:25', 1, async () => {});
    const waited = performance.now() - asked;
    console.log(`idle fleet slot handed to another process after ${waited.toFixed(1)} ms`);
    expect(waited).toBeLessThan(5_000);
    expect(other.stats()).toMatchObject({ acquired: 1, busyAttempts: 1 });
  }, 30_000);

  it('a slot whose lease Redis lost is not used again: the next connection takes a slot anew', async () => {
    const redis = connect();
    const fleet = fleetLimits(redis, 'lost', { leaseMs: 300, turnMs: 20_000 });
    await fleet.limits('mx', '198.51.100.7:25', 1, async () => {
      // Redis forgets the holder (as a restart without persistence does); the refresh, every 100 ms, finds out.
      await redis.del(`${runPrefix('lost')}slot:mx 198.51.100.7:25:held`);
      await sleep(250);
    });
    expect(fleet.stats().lost).toBe(1);
    await fleet.limits('mx', '198.51.100.7:25', 1, async () => {});
    expect(fleet.stats().acquired).toBe(2); // not the lost slot kept idle for this turn
  });

  it('a worker killed with SIGKILL while holding a slot loses it when its lease lapses, not before, not never', async () => {
    const leaseMs = 1_000;
    const holder = await startHolder(['slot', lab.server.url, 'killed', '198.51.100.1:25', String(leaseMs)]);
    expect(holder.said).toBe('holding');
    const { limits } = fleetLimits(connect(), 'killed', { leaseMs });
    let grantedAt = 0;
    const waiting = limits('mx', '198.51.100.1:25', 1, async () => { grantedAt = performance.now(); });
    await sleep(leaseMs * 1.5); // the living holder refreshes its lease: still held
    expect(grantedAt).toBe(0);
    const killedAt = performance.now();
    await holder.kill();
    await waiting;
    const afterKill = grantedAt - killedAt;
    expect(afterKill).toBeGreaterThan(leaseMs / 2); // the lease ran out: nothing released it
    expect(afterKill).toBeLessThan(leaseMs + 500);
  }, 30_000);

  it('Redis restarted (persistence on) while one worker holds the slot and another waits: the holder keeps it, the waiter gets it after', async () => {
    // A lease well beyond the restart: the holder's refresh must get through before it lapses.
    const leaseMs = 3_000;
    const holder = fleetLimits(connect(lab.persistent.url), 'restart', { leaseMs });
    const waiter = fleetLimits(connect(lab.persistent.url), 'restart', { leaseMs });
    let release!: () => void;
    const order: string[] = [];
    let holding!: () => void;
    const held = new Promise<void>((r) => { holding = r; });
    const first = holder.limits('mx', '198.51.100.2:25', 1, async () => {
      holding();
      await new Promise<void>((r) => { release = r; });
      order.push('holder done');
    });
    await held;
    const second = waiter.limits('mx', '198.51.100.2:25', 1, async () => { order.push('waiter ran'); });
    await sleep(100);
    await lab.persistent.stop(true);
    await sleep(300);
    await lab.persistent.start();
    await sleep(500); // both reconnect; the waiter keeps asking
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['holder done', 'waiter ran']);
    expect(holder.stats().lost).toBe(0);
  }, 30_000);

  it('Redis gone for good: the work fails with a ProbeError naming the fleet slot, within the acquire timeout', async () => {
    const gone = await startLabRedis({});
    const client = connect(gone.url);
    await client.ping();
    await gone.close();
    const { limits } = fleetLimits(client, 'gone', { leaseMs: 200, acquireTimeoutMs: 1_500 });
    const started = performance.now();
    const failure = await limits('web', '192.0.2.4:443', 1, async () => 'ran').catch((error: unknown) => error);
    const elapsed = performance.now() - started;
    expect(failure).toBeInstanceOf(ProbeError);
    expect((failure as ProbeError).reason).toBe('client-limitation');
    expect((failure as ProbeError).message).toMatch(/192\.0\.2\.4:443: no fleet connection slot for this destination within 2 s: Redis did not answer/);
    expect(elapsed).toBeGreaterThan(1_400);
    expect(elapsed).toBeLessThan(4_000);
  }, 30_000);
});
