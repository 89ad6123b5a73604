import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { redisServerAvailable, startLabRedis, type LabRedis } from '../../src/lab/redis-server.ts';
import type { ScanReport } from '../../reports/types.ts';
import { QUEUE_NAME } from '../../src/queue/job-record.ts';
import { simpleSites } from '../support/simple-sites.ts';
import { startCountingProxy } from '../runner/support/counting-proxy.ts';
import { nodeOnOneCpu } from '../runner/support/one-cpu.ts';

/**
 * Issue 12: `vouch scan --queue` with two `vouch worker` processes (the built CLI, real processes) on a real
 * redis-server gives the report an in-process scan of the same lab estate gives: every domain exactly once, the same
 * verdicts; both workers took part; and the finished run leaves nothing of its own in Redis.
 */
const BIN = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const run = promisify(execFile);
const { domains: DOMAINS, sites: SITES } = simpleSites('queue.test', 8);

let estate: Estate;
let redis: LabRedis;
let dir: string;
const workers: { child: ChildProcess; log: () => string }[] = [];
/** The in-process scan's report: the verdicts every queued scan must give. */
let alone: ScanReport | undefined;

beforeAll(async () => {
  if (!redisServerAvailable()) return;
  estate = await startEstate(SITES, { caName: 'Queue Test CA' });
  redis = await startLabRedis({ password: 'lab-secret' });
  dir = await mkdtemp(join(tmpdir(), 'vouch-queue-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
}, 60_000);
afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await estate?.close();
  await redis?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const scanArgs = (out: string, rules: readonly string[] = estate.connectTo) => [BIN, 'scan', ...DOMAINS, '--resolver', `127.0.0.1:${estate.dns.port}`,
  '--ca', join(dir, 'ca.pem'), ...rules.flatMap((r) => ['--connect-to', r]), '--timeout', '2000', '--out', out, '--format', 'json'];

async function scan(out: string, extra: readonly string[], env: NodeJS.ProcessEnv = process.env, rules?: readonly string[]): Promise<{ report: ScanReport; stderr: string }> {
  const done = await run(process.execPath, [...scanArgs(out, rules), ...extra], { timeout: 90_000, env }).catch((err: { code?: number; stderr?: string }) => {
    if (typeof err.code !== 'number' || err.code > 2) throw err; // 1 and 2 are verdicts, not failures to run
    return { stderr: err.stderr ?? '' };
  });
  return { report: JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport, stderr: done.stderr };
}

/** A `vouch worker` process; resolves once it logs that it is listening. */
async function startWorker(url: string): Promise<{ child: ChildProcess; log: () => string }> {
  // Both workers on one CPU, so that the relays see the packets in the order they were sent (support/one-cpu.ts).
  const command = nodeOnOneCpu([BIN, 'worker', '--queue', url, '--concurrency', '2', '--lease-ms', '2000', '--log-level', 'debug']);
  const child = spawn(command.command, command.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
  const worker = { child, log: () => text };
  workers.push(worker);
  const deadline = Date.now() + 30_000;
  while (!text.includes('"worker started"')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`vouch worker did not start: ${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return worker;
}

const until = async (what: () => Promise<boolean>, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
};
const verdicts = (report: ScanReport) => report.domains.flatMap((d) => d.results.map((r) => `${d.domain} ${r.checkId} ${r.status} ${r.summary}`));
const scanned = (log: string) => log.split('\n').filter((line) => line.includes('"domain scanned"')).map((line) => (JSON.parse(line) as { domain: string }).domain);

describe.skipIf(!redisServerAvailable())('a queued scan over two vouch worker processes (issue 12)', () => {
  it('reports every domain once, with the verdicts of an in-process scan, politely, and leaves Redis clean', async () => {
    alone = (await scan(join(dir, 'alone'), ['--workers', '1'])).report;
    // The password only in the environment, as a service would have it; the URL carries none.
    const url = redis.url.replace(':lab-secret@', '');
    const env = { ...process.env, VOUCH_QUEUE_PASSWORD: 'lab-secret' };
    const [a, b] = await Promise.all([startWorker(redis.url), startWorker(redis.url)]);
    // Every connection of the workers goes through a counting relay per server port (in a process of its own, as the
    // server sees them): one destination address and port each, shared by all 8 domains, as a shared-hosting address is.
    const ports = [...new Set(estate.connectTo.map((r) => Number(r.split('::')[1])))];
    const proxies = await Promise.all(ports.map((port) => startCountingProxy(port)));
    let queued: Awaited<ReturnType<typeof scan>>;
    let counts: Awaited<ReturnType<(typeof proxies)[number]['counts']>>[];
    try {
      const proxyOf = new Map(ports.map((port, i) => [port, proxies[i]!.port]));
      const rules = estate.connectTo.map((r) => { const [head, port] = r.split('::'); return `${head}::${proxyOf.get(Number(port))}`; });
      queued = await scan(join(dir, 'queued'), ['--queue', url, '--log-level', 'info'], env, rules);
      counts = await Promise.all(proxies.map((p) => p.counts()));
    } finally {
      await Promise.all(proxies.map((p) => p.close()));
    }
    // Many connections from the two workers in all (the count can fail), never more than 2 at once to one destination
    // (concurrency.connectionsPerHost, held fleet-wide through Redis).
    console.log(`queued scan through 2 workers: ${counts.reduce((n, c) => n + c.connections, 0)} connections, at most ${Math.max(...counts.map((c) => c.maxOpen))} at once to one destination`);
    expect(counts.reduce((n, c) => n + c.connections, 0)).toBeGreaterThan(50);
    expect(Math.max(...counts.map((c) => c.maxOpen))).toBeLessThanOrEqual(2);

    expect(queued.report.status).toBe('complete');
    expect(queued.report.domains.map((d) => d.domain)).toEqual(DOMAINS);
    expect(verdicts(queued.report)).toEqual(verdicts(alone));
    expect(verdicts(alone).length).toBeGreaterThan(8 * 30);
    // Each domain was scanned once in all, and by both workers between them.
    const byA = scanned(a.log()), byB = scanned(b.log());
    expect([...byA, ...byB].sort()).toEqual([...DOMAINS].sort());
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);

    const client = new Redis({ host: '127.0.0.1', port: redis.port, password: 'lab-secret' });
    try {
      expect(await client.keys(`vouch:${queued.report.runId}:*`)).toEqual([]);
      expect(await client.keys(`*${queued.report.runId}*`)).toEqual([]);
    } finally {
      client.disconnect();
    }
  }, 150_000);

  it('workers stop on SIGTERM with exit 0', async () => {
    for (const worker of workers.splice(0)) {
      const exited = once(worker.child, 'exit');
      worker.child.kill('SIGTERM');
      const [code] = await exited as [number | null];
      expect(code).toBe(0);
      expect(worker.log()).toContain('"worker stopped"');
    }
  }, 30_000);

  it('a scanner killed after queueing: the workers go on, and --resume collects their records (the password kept out of the journal)', async () => {
    const out = join(dir, 'resumed');
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, password: 'lab-secret' } });
    try {
      // No worker yet: the scanner queues all 8 domains and waits; it is killed there, as by a crash.
      const scanner = spawn(process.execPath, [...scanArgs(out), '--queue', redis.url], { stdio: 'ignore' });
      const deadline = Date.now() + 30_000;
      while ((await queue.getWaitingCount()) < DOMAINS.length) {
        if (scanner.exitCode !== null || Date.now() > deadline) throw new Error(`the scanner did not queue its domains (exit ${scanner.exitCode})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const killed = once(scanner, 'exit');
      scanner.kill('SIGKILL');
      await killed;
      const journal = (await readdir(out)).find((n) => n.endsWith('.journal.ndjson'))!;
      expect(await readFile(join(out, journal), 'utf8')).not.toContain('lab-secret');

      // The fleet scans the queued domains with no scanner running.
      await startWorker(redis.url);
      await until(async () => (await queue.getCompletedCount()) === DOMAINS.length);

      const noPassword = await run(process.execPath, [BIN, 'scan', '--resume', out]).then(() => null, (err: { code: number; stderr: string }) => err);
      expect(noPassword?.code).toBe(64);
      expect(noPassword?.stderr).toContain('was given with a password, which the journal does not keep: set VOUCH_QUEUE_PASSWORD');
      await run(process.execPath, [BIN, 'scan', '--resume', out], { timeout: 60_000, env: { ...process.env, VOUCH_QUEUE_PASSWORD: 'lab-secret' } })
        .catch((err: { code?: number }) => { if (typeof err.code !== 'number' || err.code > 2) throw err; });
      const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
      expect(report.status).toBe('complete');
      expect(report.resumed).toHaveLength(1);
      expect(report.domains.map((d) => d.domain)).toEqual(DOMAINS);
      expect(verdicts(report)).toEqual(verdicts(alone!));
      // Collected, not scanned again: the one worker scanned each domain once, before the resume.
      expect(scanned(workers[0]!.log()).sort()).toEqual([...DOMAINS].sort());
      expect(await queue.getCompletedCount()).toBe(0);
    } finally {
      await queue.close();
    }
  }, 120_000);

  it('over rediss:// with a private CA and an ACL user, for the scanner and the worker', async () => {
    const tls = await startLabRedis({ tls: true, aclUser: { name: 'vouch', password: 'acl-secret' } });
    try {
      await writeFile(join(dir, 'redis-ca.pem'), tls.caPem!);
      await writeFile(join(dir, 'echo.mjs'), `export const checks = [{ id: 'lab.echo', title: 'Echo', promises: [], scope: 'domain', needs: [],
        remediation: 'nothing to remediate here', async run({ target }) { return { status: 'pass', summary: 'seen ' + target.domain, evidence: {} }; } }];\n`);
      await writeFile(join(dir, 'echo.yaml'), `domains: [a.test, b.test]\nplugins: [./echo.mjs]\nchecks: { only: [lab.echo] }\n`
        + `queue: { url: "${tls.url.replace(':acl-secret@', '@')}", caFile: redis-ca.pem }\n`);
      const worker = spawn(process.execPath, [BIN, 'worker', '--queue', tls.url, '--queue-ca', join(dir, 'redis-ca.pem'), '--log-level', 'debug'],
        { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      worker.stderr!.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; });
      workers.push({ child: worker, log: () => log });
      const out = join(dir, 'tls');
      await run(process.execPath, [BIN, 'scan', '-c', join(dir, 'echo.yaml'), '--out', out, '--format', 'json'],
        { timeout: 60_000, env: { ...process.env, VOUCH_QUEUE_PASSWORD: 'acl-secret' } });
      const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
      expect(report.domains.map((d) => d.results.map((r) => `${d.domain} ${r.status} ${r.summary}`))).toEqual([['a.test pass seen a.test'], ['b.test pass seen b.test']]);
      expect(scanned(log).sort()).toEqual(['a.test', 'b.test']); // by the worker, through the TLS queue
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    } finally {
      await tls.close();
    }
  }, 60_000);

  it('Redis not answering: exit 69 at once, with one line naming it, for the scan and the worker', async () => {
    const dead = await startLabRedis();
    await dead.stop(true); // its port is free now: nothing answers there
    try {
      const started = Date.now();
      const failed = (err: { code: number; stderr: string }) => err;
      const scanFailure = await run(process.execPath, [...scanArgs(join(dir, 'none')), '--queue', dead.url]).then(() => null, failed);
      const workerFailure = await run(process.execPath, [BIN, 'worker', '--queue', dead.url]).then(() => null, failed);
      expect(Date.now() - started).toBeLessThan(15_000);
      for (const failure of [scanFailure, workerFailure]) {
        expect(failure?.code).toBe(69);
        expect(failure?.stderr).toMatch(new RegExp(`^vouch: the queue's Redis at redis://127.0.0.1:${dead.port}/0 does not answer: .*ECONNREFUSED`, 'm'));
      }
    } finally {
      await dead.close();
    }
  }, 30_000);
});
