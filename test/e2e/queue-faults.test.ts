import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startEstate, type Estate } from '../../src/lab/estate.ts';
import { redisServerAvailable } from '../../src/lab/redis-server.ts';
import type { ScanReport } from '../../reports/types.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';
import { startQueueFleet, VOUCH_BIN, type QueueFleet, type WorkerOptions } from '../support/queue-fleet.ts';
import { simpleSites } from '../support/simple-sites.ts';

/**
 * Issue 12's faults, each with real processes: a lab redis-server, `vouch worker` processes of the built CLI under a
 * supervisor that restarts them (test/support/queue-fleet.ts), and `vouch scan --queue` against a lab estate. A
 * plugin check that waits SLOW_MS per domain keeps every domain in a worker long enough for a kill to land mid-job;
 * leases of LEASE_MS make a dead worker's jobs come back quickly. The verdicts are compared, per domain and check,
 * with an in-process scan of the same estate and configuration.
 */
const { domains: DOMAINS, sites: SITES } = simpleSites('queue-faults.test', 12);
const SLOW_MS = 500;
const LEASE_MS = 2_000;
const WORKER: WorkerOptions = { concurrency: 2, leaseMs: LEASE_MS, logLevel: 'info' };
/** The domain whose checks kill their worker (test 5). */
const CRASHER = DOMAINS[4]!;

/** Waits SLOW_MS, noting `start PID DOMAIN` and `end PID DOMAIN` in activity.log: a test can then kill a worker mid-domain. */
const slowCheck = (version: string) => `{ id: 'lab.slow', title: 'waits, then passes', promises: ['transport-encryption'],
  scope: 'domain', needs: ['dns'], remediation: 'Nothing to do: a lab check.',
  async run({ target }) { const { appendFileSync } = await import('node:fs');
    appendFileSync(${JSON.stringify(activityLog())}, 'start ' + process.pid + ' ' + target.domain + '\\n');
    await new Promise((r) => setTimeout(r, ${SLOW_MS}));
    appendFileSync(${JSON.stringify(activityLog())}, 'end ' + process.pid + ' ' + target.domain + '\\n');
    return { status: 'pass', summary: 'waited (${version}) for ' + target.domain, evidence: {} }; } }`;
const activityLog = () => join(dir, 'activity.log');
const crashCheck = `{ id: 'lab.crash', title: 'kills its worker for one domain', promises: ['transport-encryption'],
  scope: 'domain', needs: ['dns'], remediation: 'Nothing to do: a lab check.',
  async run({ target }) { if (target.domain === ${JSON.stringify(CRASHER)}) process.kill(process.pid, 'SIGKILL');
    return { status: 'pass', summary: 'still alive', evidence: {} }; } }`;

let estate: Estate;
let dir: string;
let baseline: ScanReport;
const cleanup = cleanupAfterEach();

beforeAll(async () => {
  estate = await startEstate(SITES, { caName: 'Queue Faults Test CA' });
  dir = await mkdtemp(join(tmpdir(), 'vouch-queue-faults-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  // The yardstick: the same configuration scanned in one process, no queue.
  const config = await configFile('baseline', [slowCheck('v1')]);
  const run = scanner(['-c', config, '--workers', '1', '--out', join(dir, 'baseline')]);
  expect((await run.exited).code, run.stderr()).toBeLessThanOrEqual(2);
  baseline = await latest(join(dir, 'baseline'));
}, 60_000);
afterAll(async () => {
  await estate?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A configuration and its plugin file (`<name>.mjs`, the given checks) in the test's directory. */
async function configFile(name: string, checks: readonly string[], extra = ''): Promise<string> {
  await writeFile(join(dir, `${name}.mjs`), `export const checks = [${checks.join(',\n')}];\n`);
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, [
    `domains: [${DOMAINS.join(', ')}]`, 'defaults: { mail: false }', `resolvers: ["127.0.0.1:${estate.dns.port}"]`,
    `trustedCaFiles: ["${join(dir, 'ca.pem')}"]`, `connectTo: [${estate.connectTo.map((r) => JSON.stringify(r)).join(', ')}]`,
    `plugins: ["./${name}.mjs"]`, 'timeouts: { probeMs: 2000 }', 'checks: { only: ["https.*", "http.*", "lab.*"] }',
    extra, '',
  ].join('\n'));
  return path;
}

/** `vouch scan ARGS` as a process of its own (JSON reports only), its stderr kept. */
function scanner(args: readonly string[], logLevel = 'warn') {
  const child = spawn(process.execPath, [VOUCH_BIN, 'scan', ...args, '--log-level', logLevel, ...(args.includes('--resume') ? [] : ['--format', 'json'])],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
  cleanup.defer(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  return { child, exited, stderr: () => stderr };
}

async function fleet(workers: number, options: Omit<Parameters<typeof startQueueFleet>[0], 'workers'> = {}): Promise<QueueFleet> {
  const started = await startQueueFleet({ ...WORKER, ...options, workers });
  cleanup.defer(() => started.close());
  return started;
}

async function journalOf(out: string): Promise<string> {
  const name = (await readdir(out)).filter((n) => n.endsWith('.journal.ndjson')).sort().at(-1);
  if (!name) throw new Error(`no journal in ${out}`);
  return join(out, name);
}

/** The journal's complete domain lines, counted by domain index. */
async function completeLines(out: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const line of (await readFile(await journalOf(out), 'utf8')).split('\n')) {
    const m = /^\{"type":"domain","index":(\d+),"complete":true/.exec(line);
    if (m) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  }
  return counts;
}

/** Polls `probe` every 50 ms until it is true, for at most `ms`. */
async function until(what: string, probe: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await Promise.resolve(probe()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const latest = async (out: string) => JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
const statuses = (report: ScanReport, skip: (checkId: string) => boolean = () => false) =>
  report.domains.flatMap((d) => d.results.filter((r) => !skip(r.checkId)).map((r) => `${d.domain} ${r.checkId} ${r.status}`));

/** Every domain exactly once in the journal and the report, and the run complete. */
async function expectEveryDomainOnce(out: string): Promise<ScanReport> {
  const lines = await completeLines(out);
  expect([...lines.keys()].sort((a, b) => a - b)).toEqual(DOMAINS.map((_, i) => i));
  expect([...lines.values()].every((n) => n === 1)).toBe(true);
  const report = await latest(out);
  expect(report.status).toBe('complete');
  expect(report.domains.map((d) => d.domain)).toEqual(DOMAINS);
  return report;
}

/** BullMQ's event stream of the queue: which jobs were found stalled (their worker's lease lapsed). */
async function stalledEvents(url: string): Promise<number> {
  const redis = new Redis(url);
  try {
    const [stream] = await redis.keys('*vouch-scan:events');
    if (!stream) return 0;
    const entries = await redis.xrange(stream, '-', '+');
    return entries.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'stalled').length;
  } finally {
    redis.disconnect();
  }
}

describe.skipIf(!redisServerAvailable())('queued scan faults (issue 12)', () => {
  it('sanity: the yardstick scan judged every domain, and the slow check ran in it', () => {
    expect(baseline.domains.map((d) => d.domain)).toEqual(DOMAINS);
    expect(statuses(baseline).length).toBeGreaterThan(DOMAINS.length * 10);
    expect(baseline.domains.every((d) => d.results.some((r) => r.checkId === 'lab.slow' && r.status === 'pass'))).toBe(true);
    expect(baseline.domains.every((d) => d.results.every((r) => r.status !== 'error'))).toBe(true);
  });

  it('a worker killed with kill -9 mid-run: its jobs go to the others; complete, each domain once, same verdicts', async () => {
    const queue = await fleet(3, { restart: false });
    const out = join(dir, 'worker-killed');
    const scan = scanner(['-c', await configFile('worker-killed', [slowCheck('v1')]), '--queue', queue.url, '--out', out]);
    // Killed in the middle of a domain (its slow check started, not ended), once three domains are finished.
    const midDomain = async (pid: number | null) => {
      const lines = (await readFile(activityLog(), 'utf8')).split('\n');
      return lines.filter((l) => l.startsWith(`start ${pid} `)).length > lines.filter((l) => l.startsWith(`end ${pid} `)).length;
    };
    // Whichever worker is mid-domain then (on a busy machine one worker may have taken the rest of the queue).
    let victim = -1;
    await until('a worker mid-domain after three finished', async () => {
      if ((await completeLines(out)).size < 3) return false;
      for (let i = 0; i < queue.workers.length; i++) if (await midDomain(queue.workers[i]!.pid())) { victim = i; return true; }
      return false;
    });
    await queue.kill(victim, 'SIGKILL');
    const { code } = await scan.exited;
    expect(code, scan.stderr()).toBeLessThanOrEqual(2);
    const report = await expectEveryDomainOnce(out);
    expect(statuses(report)).toEqual(statuses(baseline));
    // The kill landed mid-job: BullMQ found the dead worker's jobs stalled and gave them to another.
    expect(await stalledEvents(queue.url)).toBeGreaterThan(0);
    expect(queue.workers[victim]!.pid()).toBeNull();
  }, 60_000);

  it('the scanner killed mid-run: vouch scan --resume collects the rest from Redis and its journal', async () => {
    const queue = await fleet(2);
    const out = join(dir, 'scanner-killed');
    const first = scanner(['-c', await configFile('scanner-killed', [slowCheck('v1')]), '--queue', queue.url, '--out', out]);
    await until('three finished domains', async () => (await completeLines(out)).size >= 3);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const before = (await completeLines(out)).size;
    expect(before).toBeLessThan(DOMAINS.length);
    // The workers go on meanwhile: their results wait in Redis for the resumed scanner.
    await new Promise((r) => setTimeout(r, SLOW_MS * 2));
    const second = scanner(['--resume', out]);
    const { code } = await second.exited;
    expect(code, second.stderr()).toBeLessThanOrEqual(2);
    const report = await expectEveryDomainOnce(out);
    expect(report.resumed).toEqual([expect.objectContaining({ domainsDone: before })]);
    expect(statuses(report)).toEqual(statuses(baseline));
  }, 60_000);

  it('Redis unreachable at the start: exit 69 at once, with one line naming the URL', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}/0`;
    const started = Date.now();
    const scan = scanner([DOMAINS[0]!, '--queue', url], 'silent');
    const { code } = await scan.exited;
    expect(code, scan.stderr()).toBe(69);
    expect(Date.now() - started).toBeLessThan(8_000);
    const lines = scan.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(url);
  }, 20_000);

  it('Redis killed and restarted mid-run (persistence on): the run completes with the same verdicts', async () => {
    const queue = await fleet(2, { redis: { persistence: true } });
    const out = join(dir, 'redis-restarted');
    const scan = scanner(['-c', await configFile('redis-restarted', [slowCheck('v1')]), '--queue', queue.url, '--out', out]);
    await until('three finished domains', async () => (await completeLines(out)).size >= 3);
    await queue.redis.stop(true);
    await new Promise((r) => setTimeout(r, 1_000));
    await queue.redis.start();
    const { code } = await scan.exited;
    expect(code, scan.stderr()).toBeLessThanOrEqual(2);
    const report = await expectEveryDomainOnce(out);
    expect(statuses(report)).toEqual(statuses(baseline));
  }, 60_000);

  it('a domain whose checks keep killing the worker: error with the cause after queue.attempts; the rest judged', async () => {
    // One domain at a time per worker: a crash then takes no other domain's attempt with it.
    const queue = await fleet(3, { concurrency: 1 });
    const out = join(dir, 'crashing');
    const config = await configFile('crashing', [slowCheck('v1'), crashCheck], 'queue: { attempts: 2 }');
    const scan = scanner(['-c', config, '--queue', queue.url, '--out', out]);
    const { code } = await scan.exited;
    expect(code, scan.stderr()).toBe(2);
    const report = await expectEveryDomainOnce(out);
    const crashed = report.domains.find((d) => d.domain === CRASHER)!;
    expect(crashed.results.length).toBeGreaterThan(10);
    for (const r of crashed.results) {
      expect(r.status, r.checkId).toBe('error');
      expect(r.summary, r.checkId).toMatch(/stall|attempt|crash|died|killed/i);
    }
    // Killed exactly as often as the configured attempts: then given up, not retried forever.
    expect(queue.workers.reduce((n, w) => n + w.restarts(), 0)).toBe(2);
    const others = (r: ScanReport) => statuses({ ...r, domains: r.domains.filter((d) => d.domain !== CRASHER) }, (id) => id === 'lab.crash');
    expect(others(report)).toEqual(others(baseline));
    expect(report.domains.filter((d) => d.domain !== CRASHER).every((d) => d.results.some((r) => r.checkId === 'lab.crash' && r.status === 'pass'))).toBe(true);
  }, 60_000);

  it('an incompatible worker (its plugin differs from the run\'s) refuses clearly; the scanner warns; a compatible one finishes', async () => {
    const queue = await fleet(0);
    const out = join(dir, 'incompatible');
    const config = await configFile('incompatible', [slowCheck('v1')]);
    const scan = scanner(['-c', config, '--queue', queue.url, '--out', out]);
    const redis = new Redis(queue.url);
    cleanup.defer(() => redis.disconnect());
    await until('the run spec in Redis', async () => (await redis.keys('vouch:*spec*')).length > 0, 15_000);
    // The plugin file changes after the scan started: a worker started now loads another plugin than the run's.
    const plugin = join(dir, 'incompatible.mjs');
    const original = await readFile(plugin, 'utf8');
    await writeFile(plugin, original.replace('(v1)', '(v2)'));
    const stale = queue.addWorker();
    await until('a refusal in the worker\'s log', () => /refus/i.test(stale.log()), 20_000);
    await writeFile(plugin, original);
    const compatibleFrom = Date.now();
    queue.addWorker();
    const { code } = await scan.exited;
    expect(code, scan.stderr()).toBeLessThanOrEqual(2);
    // The refusing worker stays in the fleet (one not yet upgraded) and must not starve the compatible one: alone,
    // it scans the 12 domains in about 4 s; a refused job that comes back for the refuser every few seconds costs a
    // multiple of that.
    expect(Date.now() - compatibleFrom, 'the compatible worker was kept waiting by the refusing one').toBeLessThan(15_000);
    const refusals = stale.log().split('\n').filter((l) => /refus/i.test(l));
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals[0]).toMatch(/plugin|digest/i);
    expect(scan.stderr(), 'the scanner printed no warning of the refusal').toMatch(/refus/i);
    const report = await expectEveryDomainOnce(out);
    expect(statuses(report)).toEqual(statuses(baseline));
    // Judged by the run's plugin, never by the changed one.
    const slow = report.domains.map((d) => d.results.find((r) => r.checkId === 'lab.slow')!.summary);
    expect(slow.every((s) => s.includes('(v1)'))).toBe(true);
  }, 60_000);
});
