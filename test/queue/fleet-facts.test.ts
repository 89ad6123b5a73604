import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RecordedFact } from '../../src/core/domain-record.ts';
import { redisServerAvailable, startLabRedis } from '../../src/lab/redis-server.ts';
import { clearRun, fleetFactBroker, type FleetFactOptions } from '../../src/queue/fleet-facts.ts';
import { fleetLimits } from '../../src/queue/fleet-limits.ts';
import { runPrefix } from '../../src/queue/run-keys.ts';
import { startHolder } from '../fixtures/queue/holder-process.ts';
import { useLabRedisPair } from '../support/lab-redis-clients.ts';

const mxFact = (key: string, banner = '220 mx.example.nl ESMTP'): RecordedFact => ({ key, kind: 'smtp', value: { banner, starttls: true } });

describe('run names in Redis', () => {
  it('takes letters, digits, dot, underscore and dash; refuses what could reach into another run or a SCAN pattern', () => {
    expect(runPrefix('2026-12-03T19.24_ab')).toBe('vouch:2026-12-03T19.24_ab:');
    for (const bad of ['', 'a:b', 'a*', 'a?', 'a[b]', '-a', 'a b', 'x'.repeat(129)]) expect(() => runPrefix(bad)).toThrow(/cannot name a run/);
  });
});

/** The fleet's shared facts against a real redis-server, each worker with its own connection as a process would have. */
describe.skipIf(!redisServerAvailable())('fleetFactBroker on a real redis-server', () => {
  const lab = useLabRedisPair();
  const { connect } = lab;
  const workers = (n: number, runId: string, options: FleetFactOptions = {}, url?: string) =>
    Array.from({ length: n }, () => fleetFactBroker(connect(url), runId, { leaseMs: 1_000, ...options }));

  it('five workers claim one fact at once: one loads it, the four others get its recorded fact', async () => {
    const fleet = workers(5, 'five');
    const key = 'smtp mx.example.nl:25';
    const fact = mxFact(key);
    const answers = await Promise.all(fleet.map(async ({ broker }) => {
      const answer = await broker.claim(key, 'run');
      if ('load' in answer) {
        await sleep(100); // probing
        broker.publish(fact, 'run');
      }
      return answer;
    }));
    expect(answers.filter((a) => 'load' in a)).toHaveLength(1);
    expect(answers.filter((a) => 'fact' in a)).toEqual(Array(4).fill({ fact }));
    const stats = fleet.map((w) => w.stats());
    expect(stats.reduce((n, s) => n + s.loaded, 0)).toBe(1);
    expect(stats.reduce((n, s) => n + s.waited, 0)).toBe(4);
    // Later claimants get it at once.
    await expect(fleet[0]!.broker.claim(key, 'run')).resolves.toEqual({ fact });
  });

  it('a loader killed with SIGKILL mid-load hands the load to a waiter when its lease lapses', async () => {
    const leaseMs = 1_000;
    const key = 'smtp dead.example.nl:25';
    const holder = await startHolder(['fact', lab.server.url, 'dead-loader', key, String(leaseMs)]);
    expect(holder.said).toBe('loading');
    const [waiter] = workers(1, 'dead-loader', { leaseMs });
    let answeredAt = 0;
    const waiting = waiter!.broker.claim(key, 'run').then((answer) => { answeredAt = performance.now(); return answer; });
    await sleep(leaseMs * 1.5); // the living loader refreshes its lease: still waiting
    expect(answeredAt).toBe(0);
    const killedAt = performance.now();
    await holder.kill();
    await expect(waiting).resolves.toEqual({ load: true });
    expect(answeredAt - killedAt).toBeGreaterThan(leaseMs / 2);
    expect(answeredAt - killedAt).toBeLessThan(leaseMs + 600); // the lapse, then at most one poll interval
    // The waiter now holds the lease: a third worker waits for its publication.
    const [third] = workers(1, 'dead-loader', { leaseMs });
    const thirdAnswer = third!.broker.claim(key, 'run');
    await sleep(50);
    waiter!.broker.publish(mxFact(key, '220 second'), 'run');
    await expect(thirdAnswer).resolves.toEqual({ fact: mxFact(key, '220 second') });
  }, 30_000);

  it('runs do not see each other\'s facts', async () => {
    const [a1, a2] = workers(2, 'run-a');
    const [b] = workers(1, 'run-b');
    const key = 'dns ns.example.nl A';
    await expect(a1!.broker.claim(key, 'run')).resolves.toEqual({ load: true });
    a1!.broker.publish({ key, kind: 'dns', value: ['192.0.2.53'] }, 'run');
    await expect(a2!.broker.claim(key, 'run')).resolves.toEqual({ fact: { key, kind: 'dns', value: ['192.0.2.53'] } });
    await expect(b!.broker.claim(key, 'run')).resolves.toEqual({ load: true });
  });

  it('a fact over the size cap is not stored: every claimant loads it, at once rather than in turn', async () => {
    const [first, second, third] = workers(3, 'too-big', { maxFactBytes: 1_000 });
    const key = 'tls-enumeration mx.example.nl:25';
    await expect(first!.broker.claim(key, 'run')).resolves.toEqual({ load: true });
    first!.broker.publish({ key, kind: 'tls-enumeration', value: { offered: 'x'.repeat(2_000) } }, 'run');
    await expect(Promise.all([second!.broker.claim(key, 'run'), third!.broker.claim(key, 'run')])).resolves.toEqual([{ load: true }, { load: true }]);
    expect(first!.stats().notShared).toBe(1);
    const redis = connect();
    expect(await redis.strlen(`${runPrefix('too-big')}fact:${key}`)).toBe(1);
    expect(await redis.exists(`${runPrefix('too-big')}loading:${key}`)).toBe(0);
  });

  it('a domain\'s own fact (domain lifetime) never goes to Redis: every claimant loads it, and nothing is stored', async () => {
    const [loader, reader] = workers(2, 'own');
    const key = 'dns www.example.nl A';
    await expect(loader!.broker.claim(key, 'domain')).resolves.toEqual({ load: true });
    loader!.broker.publish({ key, kind: 'dns', value: ['192.0.2.80'] }, 'domain');
    await expect(reader!.broker.claim(key, 'domain')).resolves.toEqual({ load: true });
    expect(await connect().keys(`${runPrefix('own')}*`)).toEqual([]);
    expect(loader!.stats()).toMatchObject({ local: 1, loaded: 0 });
  });

  it('TTLs: a run fact is renewed on each claim; a run-lifetime failure that is not unreachable lapses after domainTtlMs', async () => {
    const [loader, reader] = workers(2, 'ttl', { domainTtlMs: 300, runTtlMs: 2_000 });
    const redis = connect();
    const prefix = `${runPrefix('ttl')}fact:`;
    for (const key of ['run', 'run-421']) await expect(loader!.broker.claim(key, 'run')).resolves.toEqual({ load: true });
    loader!.broker.publish(mxFact('run'), 'run');
    loader!.broker.publish({ key: 'run-421', kind: 'smtp', error: { name: 'ProbeError', message: '421', reason: 'protocol', stage: 'exchange' } }, 'run');
    await sleep(20);
    expect(await redis.pttl(`${prefix}run-421`)).toBeLessThanOrEqual(300);
    expect(await redis.pttl(`${prefix}run`)).toBeGreaterThan(1_500);
    await sleep(700);
    await expect(reader!.broker.claim('run-421', 'run')).resolves.toEqual({ load: true });
    await expect(reader!.broker.claim('run', 'run')).resolves.toEqual({ fact: mxFact('run') });
    expect(await redis.pttl(`${prefix}run`)).toBeGreaterThan(1_900); // renewed by that claim
  });

  it('Redis restarted (persistence on) while one worker loads and another waits: the waiter gets the fact', async () => {
    const [loader, waiter] = workers(2, 'restart', { leaseMs: 3_000 }, lab.persistent.url);
    const key = 'smtp restart.example.nl:25';
    await expect(loader!.broker.claim(key, 'run')).resolves.toEqual({ load: true });
    const waiting = waiter!.broker.claim(key, 'run');
    await sleep(100);
    await lab.persistent.stop(true);
    await sleep(300);
    await lab.persistent.start();
    await sleep(300);
    loader!.broker.publish(mxFact(key), 'run');
    await expect(waiting).resolves.toEqual({ fact: mxFact(key) });
    expect(waiter!.stats()).toMatchObject({ shared: 1, waited: 1, redisErrors: 0 });
  }, 30_000);

  it('Redis gone for good: a claim answers "load it here" after a lease instead of holding the domain up', async () => {
    const gone = await startLabRedis({});
    const client = connect(gone.url);
    await client.ping();
    await gone.close();
    const { broker, stats } = fleetFactBroker(client, 'gone', { leaseMs: 500 });
    const started = performance.now();
    await expect(broker.claim('dns gone.example.nl A', 'run')).resolves.toEqual({ load: true });
    expect(performance.now() - started).toBeGreaterThan(450);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(stats().redisErrors).toBe(1);
    broker.publish({ key: 'dns gone.example.nl A', kind: 'dns', value: [] }, 'run'); // goes nowhere, throws nothing
  });

  it('clearRun removes every key of its run (facts, leases, slots) and none of another run', async () => {
    const redis = connect();
    const [doneRun] = workers(1, 'done');
    const [otherRun] = workers(1, 'other');
    for (const [{ broker }, i] of [[doneRun!, 0], [otherRun!, 1]] as const) {
      for (let k = 0; k < 1_200; k++) {
        await broker.claim(`k${k}`, 'run');
        if (k % 2 === i) broker.publish({ key: `k${k}`, kind: 'dns', value: [k] }, 'run'); // the rest stay leases
      }
    }
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => { holding = r; });
    const fleet = fleetLimits(connect(), 'done', { leaseMs: 5_000 });
    const slot = fleet.limits('mx', '198.51.100.3:25', 1, async () => {
      holding();
      await new Promise<void>((r) => { release = r; });
    });
    await held;
    const keysOf = async (pattern: string) => (await redis.keys(pattern)).length;
    // A publication replaces its lease: 600 facts, 600 leases (loads unfinished) and the slot (its holders and its
    // ticket counter; the empty queue of waiters is no key).
    expect([await keysOf('vouch:done:fact:*'), await keysOf('vouch:done:loading:*'), await keysOf('vouch:done:slot:*')]).toEqual([600, 600, 2]);
    expect(await keysOf('*vouch:other:*')).toBe(1_200);
    await expect(clearRun(redis, 'done')).resolves.toBe(1_202);
    expect(await keysOf('*vouch:done:*')).toBe(0);
    expect(await keysOf('*vouch:other:*')).toBe(1_200);
    release();
    await slot;
    await fleet.close();
    await doneRun!.close();
    await otherRun!.close();
  }, 30_000);
});
