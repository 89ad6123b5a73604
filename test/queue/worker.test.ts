import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { defaultTarget } from '../../src/config/defaults.ts';
import { buildConfig } from '../../src/config/load.ts';
import { loadPlugins } from '../../src/config/plugins.ts';
import { redisServerAvailable, startLabRedis, type LabRedis } from '../../src/lab/redis-server.ts';
import { createLogger } from '../../src/log.ts';
import { bullmqConnection, decodeRecord, jobIdOf, QUEUE_NAME, recordKey, UNCOLLECTED_KEEP_MS, type DomainJobData } from '../../src/queue/job-record.ts';
import { parseQueueUrl, type QueueEndpoint } from '../../src/queue/redis-connection.ts';
import { buildRunSpec, refusalsKey, specKey, type RunSpec } from '../../src/queue/run-spec.ts';
import { startQueueWorker, type QueueWorker } from '../../src/queue/worker.ts';
import { VERSION } from '../../src/version.ts';

/**
 * `vouch worker`'s engine (src/queue/worker.ts) in this process against a real redis-server, scanning with a plugin
 * check (no network): what it writes, what it refuses, and what it gives back. Killed worker processes and crashing
 * domains are test/e2e/queue-faults.test.ts's.
 */
const PLUGIN = `export const checks = [{
  id: 'lab.echo', title: 'Echo', promises: [], scope: 'domain', needs: [], remediation: 'nothing to remediate here',
  async run(ctx) {
    if (ctx.target.domain.startsWith('slow.')) {
      await new Promise((resolve) => { const t = setTimeout(resolve, 30000); ctx.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }); });
    }
    return { status: 'pass', summary: 'seen ' + ctx.target.domain, evidence: {} };
  },
}];
`;

let server: LabRedis;
let endpoint: QueueEndpoint;
let redis: Redis;
let queue: Queue<DomainJobData>;
let dir: string;
let config: Config;
let spec: RunSpec;
const closing: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (!redisServerAvailable()) return;
  server = await startLabRedis();
  endpoint = parseQueueUrl(server.url, {}) as QueueEndpoint;
  redis = new Redis(endpoint.options);
  queue = new Queue<DomainJobData>(QUEUE_NAME, { connection: bullmqConnection(endpoint) });
  dir = await mkdtemp(join(tmpdir(), 'vouch-worker-'));
  await writeFile(join(dir, 'plugin.mjs'), PLUGIN);
  const built = await buildConfig({ domains: ['a.test', 'slow.test'], plugins: ['./plugin.mjs'], checks: { only: ['lab.echo'] } }, { source: null, baseDir: dir });
  if (!built.ok) throw new Error(built.problems.join('\n'));
  config = built.config;
  spec = await buildRunSpec(config, (await loadPlugins(config.plugins)).checks, 'info', VERSION);
}, 30_000);
afterEach(async () => { for (const close of closing.splice(0).reverse()) await close(); });
afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function memoryLog() {
  const lines: { level: number; msg: string; run?: string }[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  return { log: createLogger('info', stream), lines };
}

async function worker(extra: { giveBackAfterMs?: number } = {}): Promise<{ worker: QueueWorker; lines: ReturnType<typeof memoryLog>['lines'] }> {
  const { log, lines } = memoryLog();
  const started = await startQueueWorker({ endpoint, concurrency: 2, leaseMs: 5_000, log, workerId: 'test-worker', refusalDelayMs: 200, ...extra });
  closing.push(() => started.stop());
  return { worker: started, lines };
}

/** A run with `spec` in Redis and one job per domain. */
async function run(theSpec: RunSpec | null, domains: string[], attempts = 2): Promise<string> {
  const runId = randomUUID();
  if (theSpec) await redis.set(specKey(runId), JSON.stringify(theSpec));
  for (const [index, domain] of domains.entries()) {
    await queue.add('domain', { runId, index, target: defaultTarget(domain) }, { jobId: jobIdOf(runId, index), attempts, backoff: { type: 'fixed', delay: 100 } });
  }
  return runId;
}

const until = async (what: () => Promise<boolean> | boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};
const state = (runId: string, index: number) => queue.getJobState(jobIdOf(runId, index));

describe.skipIf(!redisServerAvailable())('startQueueWorker against a real redis-server', () => {
  it('scans a domain with the run\'s checks and leaves its record in Redis, not in the job', async () => {
    await worker();
    const runId = await run(spec, ['a.test']);
    await until(async () => (await state(runId, 0)) === 'completed');
    const record = decodeRecord((await redis.get(recordKey(runId, 0)))!, { index: 0, target: defaultTarget('a.test') });
    if (typeof record === 'string') throw new Error(record);
    expect(record.complete).toBe(true);
    expect(record.results.map((r) => [r.checkId, r.status, r.summary])).toEqual([['lab.echo', 'pass', 'seen a.test']]);
    expect((await queue.getJob(jobIdOf(runId, 0)))!.returnvalue).toEqual({ index: 0 });
    // Uncollected (a scanner killed and never resumed), it goes when BullMQ removes the job: 7 days.
    expect(await redis.pttl(recordKey(runId, 0))).toBeGreaterThan(UNCOLLECTED_KEEP_MS - 60_000);
  }, 20_000);

  it('refuses a run of another version: one error line, the refusal for the scanner, the job back in the queue uncounted', async () => {
    const { lines } = await worker();
    const runId = await run({ ...spec, toolVersion: '0.0.1-other' }, ['a.test']);
    await until(async () => (await redis.hget(refusalsKey(runId), 'test-worker')) !== null);
    await new Promise((r) => setTimeout(r, 1_000)); // refused again every 200 ms meanwhile
    const message = `refusing run ${runId}: it was started by Vouch 0.0.1-other, this worker is ${VERSION}`;
    expect(await redis.hget(refusalsKey(runId), 'test-worker')).toBe(message);
    expect(lines.filter((l) => l.msg.startsWith('refusing'))).toEqual([expect.objectContaining({ level: 50, msg: message })]);
    const job = (await queue.getJob(jobIdOf(runId, 0)))!;
    expect(['delayed', 'waiting', 'active']).toContain(await job.getState());
    expect(job.attemptsMade).toBe(0);
    expect(await redis.exists(recordKey(runId, 0))).toBe(0);
    await queue.remove(jobIdOf(runId, 0)).catch(() => undefined);
  }, 20_000);

  it('refuses a run whose plugin differs from the file here', async () => {
    await worker();
    const path = join(dir, 'plugin.mjs');
    const runId = await run({ ...spec, pluginDigests: { [path]: 'sha256:0000000000000000000000' } }, ['a.test']);
    await until(async () => (await redis.hget(refusalsKey(runId), 'test-worker')) !== null);
    expect(await redis.hget(refusalsKey(runId), 'test-worker')).toMatch(new RegExp(`^refusing run ${runId}: plugin ${path} differs here \\(sha256:[0-9a-f]{12}, the run's is sha256:000000000000\\)$`));
    await queue.remove(jobIdOf(runId, 0)).catch(() => undefined);
  }, 20_000);

  it('fails for good a domain that already cost as many worker processes as its attempts, naming why', async () => {
    const runId = await run(spec, ['a.test'], 2);
    // As BullMQ records a job whose worker died on it twice (its stalled-job recovery; the real deaths: queue-faults.test.ts).
    await redis.hset(`bull:${QUEUE_NAME}:${jobIdOf(runId, 0)}`, 'stc', 2);
    await worker();
    await until(async () => (await state(runId, 0)) === 'failed');
    expect((await queue.getJob(jobIdOf(runId, 0)))!.failedReason)
      .toBe('the worker process scanning it stopped without finishing 2 times (killed, crashed or out of memory), of 2 attempts allowed');
    expect(await redis.exists(recordKey(runId, 0))).toBe(0);
  }, 20_000);

  it('a job of a run that has no spec (cleared) fails at once, saying so', async () => {
    await worker();
    const runId = await run(null, ['a.test']);
    await until(async () => (await state(runId, 0)) === 'failed');
    expect((await queue.getJob(jobIdOf(runId, 0)))!.failedReason).toMatch(/has no spec in Redis/);
  }, 20_000);

  it('stop() gives back a domain still scanning after the grace, uncounted, with no record', async () => {
    const { worker: w } = await worker({ giveBackAfterMs: 300 });
    const runId = await run(spec, ['slow.test']);
    await until(async () => (await state(runId, 0)) === 'active');
    const started = Date.now();
    await w.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    const job = (await queue.getJob(jobIdOf(runId, 0)))!;
    expect(await job.getState()).toBe('waiting');
    expect([job.attemptsMade, job.stalledCounter]).toEqual([0, 0]);
    expect(await redis.exists(recordKey(runId, 0))).toBe(0);
    await queue.remove(jobIdOf(runId, 0));
  }, 20_000);
});
