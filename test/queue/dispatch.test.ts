import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../src/core/check.ts';
import type { DomainRecord } from '../../src/core/domain-record.ts';
import { defaultTarget } from '../../src/config/defaults.ts';
import { redisServerAvailable, startLabRedis, type LabRedis } from '../../src/lab/redis-server.ts';
import { createLogger } from '../../src/log.ts';
import { startQueueDispatch, type QueueDispatch } from '../../src/queue/dispatch.ts';
import { bullmqConnection, encodeRecord, jobIdOf, QUEUE_NAME, recordKey, type DomainJobData } from '../../src/queue/job-record.ts';
import { parseQueueUrl, type QueueEndpoint } from '../../src/queue/redis-connection.ts';
import { refusalsKey, specKey, type RunSpec } from '../../src/queue/run-spec.ts';
import type { DomainJob } from '../../src/runner/pipeline.ts';

/**
 * The scanner's side of a queued run (src/queue/dispatch.ts) against a real redis-server, with BullMQ workers in
 * this process standing in for `vouch worker` (the real ones: test/e2e/queue.test.ts).
 */
const CHECKS = [{ id: 'a.one', title: 'One', promises: ['p1'] }, { id: 'a.two', title: 'Two', promises: [] }] as unknown as Check[];
const SPEC = { toolVersion: '0.0.0-test', checkIds: ['a.one', 'a.two'], config: {}, scanned: [], pluginDigests: {}, logLevel: 'info' } as unknown as RunSpec;
const job = (index: number): DomainJob => ({ index, target: defaultTarget(`d${index}.test`) });
const recordOf = (data: DomainJobData): DomainRecord => ({
  index: data.index, domain: data.target.domain, startedAt: 't0', finishedAt: 't1', complete: true, artifacts: {}, facts: [],
  results: CHECKS.map((c) => ({ checkId: c.id, title: c.title, domain: data.target.domain, promises: c.promises, startedAt: 't0', durationMs: 1, artifacts: [], status: 'pass', summary: 'fine', evidence: {} })),
});

let server: LabRedis;
let endpoint: QueueEndpoint;
let redis: Redis;
const closing: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (!redisServerAvailable()) return;
  server = await startLabRedis();
  endpoint = parseQueueUrl(server.url, {}) as QueueEndpoint;
  redis = new Redis(endpoint.options);
}, 30_000);
afterEach(async () => { for (const close of closing.splice(0).reverse()) await close(); });
afterAll(async () => { redis?.disconnect(); await server?.close(); });

/** The log as parsed JSON lines. */
function memoryLog() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  return { log: createLogger('debug', stream), lines };
}

/** A stand-in for `vouch worker`: `work` decides each job (default: write the record, as the real one does). */
function fakeWorker(work?: (job: Job<DomainJobData>) => Promise<unknown>): Worker<DomainJobData> {
  const worker = new Worker<DomainJobData>(QUEUE_NAME, work ?? (async (j) => {
    await redis.set(recordKey(j.data.runId, j.data.index), encodeRecord(recordOf(j.data)));
    return { index: j.data.index };
  }), { connection: bullmqConnection(endpoint), concurrency: 4 });
  closing.push(() => worker.close());
  return worker;
}

async function dispatch(runId: string, extra: { flushJournal?: () => Promise<void>; idleWarnMs?: number } = {}) {
  const { log, lines } = memoryLog();
  const d: QueueDispatch = await startQueueDispatch({
    endpoint, runId, spec: SPEC, checks: CHECKS, attempts: 2, log, flushJournal: extra.flushJournal ?? (async () => undefined), pollMs: 100,
    ...(extra.idleWarnMs ? { idleWarnMs: extra.idleWarnMs } : {}),
  });
  closing.push(() => d.close(false));
  return { d, lines };
}

const until = async (what: () => Promise<boolean> | boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.skipIf(!redisServerAvailable())('startQueueDispatch against a real redis-server', () => {
  it('resolves each domain with the record its worker wrote; the record leaves Redis only after the journal is flushed', async () => {
    const runId = randomUUID();
    const flushes: { at: number; recordThere: number }[] = [];
    const { d } = await dispatch(runId, {
      flushJournal: async () => { flushes.push({ at: Date.now(), recordThere: await redis.exists(recordKey(runId, 0)) }); },
    });
    expect(JSON.parse((await redis.get(specKey(runId)))!)).toEqual(SPEC);
    fakeWorker();
    const records = await Promise.all([0, 1, 2].map((i) => d.run(job(i))));
    expect(records.map((r) => [r.index, r.domain, r.complete, r.results[0]!.status])).toEqual([[0, 'd0.test', true, 'pass'], [1, 'd1.test', true, 'pass'], [2, 'd2.test', true, 'pass']]);
    // Not journaled yet: everything is still in Redis, and stays.
    await new Promise((r) => setTimeout(r, 1_300));
    expect(flushes).toEqual([]);
    expect(await redis.exists(recordKey(runId, 0), recordKey(runId, 1))).toBe(2);
    for (const r of records.slice(0, 2)) d.journaled(r);
    await until(async () => (await redis.exists(recordKey(runId, 0))) === 0, 3_000);
    expect(flushes.length).toBeGreaterThan(0);
    expect(flushes[0]!.recordThere).toBe(1); // the flush came first, with the record still in Redis
    const queue = new Queue(QUEUE_NAME, { connection: bullmqConnection(endpoint) });
    closing.push(() => queue.close());
    expect(await queue.getJobState(jobIdOf(runId, 0))).toBe('unknown'); // removed
    expect(await queue.getJobState(jobIdOf(runId, 2))).toBe('completed'); // not journaled: kept
    expect(await redis.exists(recordKey(runId, 2))).toBe(1);
  }, 20_000);

  it('a resumed scanner collects a domain whose job completed while no scanner ran', async () => {
    const runId = randomUUID();
    const queue = new Queue<DomainJobData>(QUEUE_NAME, { connection: bullmqConnection(endpoint) });
    closing.push(() => queue.close());
    const worker = fakeWorker();
    const data = { runId, index: 5, target: job(5).target };
    await queue.add('domain', data, { jobId: jobIdOf(runId, 5) });
    await until(async () => (await queue.getJobState(jobIdOf(runId, 5))) === 'completed');
    await worker.close();
    const { d } = await dispatch(runId);
    const record = await d.run(job(5));
    expect([record.index, record.domain, record.complete, record.results[1]!.summary]).toEqual([5, 'd5.test', true, 'fine']);
  }, 20_000);

  it('a domain whose attempts are spent becomes an error record naming the cause, complete', async () => {
    const runId = randomUUID();
    const { d, lines } = await dispatch(runId);
    fakeWorker(async () => { throw new Error('boom in the checks'); });
    const record = await d.run(job(1));
    expect(record.complete).toBe(true);
    expect(record.results.map((r) => [r.checkId, r.status, 'reason' in r ? r.reason : null])).toEqual([['a.one', 'error', 'internal'], ['a.two', 'error', 'internal']]);
    expect(record.results[0]!.summary).toBe('not tested: its workers could not finish it: boom in the checks (2 of 2 attempts failed)');
    expect(lines.some((l) => l.level === 40 && l.msg.includes('boom in the checks'))).toBe(true);
  }, 20_000);

  it('prints each refusal once, and says when no worker takes anything', async () => {
    const runId = randomUUID();
    const { d, lines } = await dispatch(runId, { idleWarnMs: 300 });
    const pending = d.run(job(0));
    await redis.hset(refusalsKey(runId), 'host-a/12', `refusing run ${runId}: it was started by Vouch 0.0.0-test, this worker is 9.9.9`);
    await until(() => lines.some((l) => l.msg.includes('refuses')) && lines.some((l) => l.msg.includes('no worker has taken')), 3_000);
    await new Promise((r) => setTimeout(r, 400));
    expect(lines.filter((l) => l.msg.includes('refuses'))).toEqual([expect.objectContaining({
      level: 40, worker: 'host-a/12', msg: `a worker refuses this run's domains: refusing run ${runId}: it was started by Vouch 0.0.0-test, this worker is 9.9.9`,
    })]);
    expect(lines.filter((l) => l.msg.includes('no worker has taken'))).toHaveLength(1);
    d.abort();
    await pending;
  }, 20_000);

  it('abort: waiting domains come back interrupted and incomplete; the run stays in Redis for a resume', async () => {
    const runId = randomUUID();
    const { d } = await dispatch(runId);
    const pending = [d.run(job(0)), d.run(job(1))];
    const queue = new Queue(QUEUE_NAME, { connection: bullmqConnection(endpoint) });
    closing.push(() => queue.close());
    await until(async () => (await queue.getJobState(jobIdOf(runId, 1))) === 'waiting');
    d.abort();
    const records = await Promise.all(pending);
    expect(records.map((r) => [r.complete, r.results[0]!.status, 'reason' in r.results[0]! ? r.results[0].reason : null])).toEqual([[false, 'error', 'interrupted'], [false, 'error', 'interrupted']]);
    await d.close(false);
    expect(await queue.getJobState(jobIdOf(runId, 0))).toBe('waiting');
    expect(await redis.exists(specKey(runId))).toBe(1);
    await queue.remove(jobIdOf(runId, 0));
    await queue.remove(jobIdOf(runId, 1));
  }, 20_000);

  it('a complete run leaves none of its keys or jobs behind', async () => {
    const runId = randomUUID();
    const { d } = await dispatch(runId);
    fakeWorker();
    const records = await Promise.all([0, 1].map((i) => d.run(job(i))));
    await redis.set(`vouch:${runId}:fact:x`, '1'); // a fleet fact of the run (src/queue/fleet-facts.ts)
    for (const r of records) d.journaled(r);
    await d.close(true);
    expect(await redis.keys(`*${runId}*`)).toEqual([]);
  }, 20_000);
});
