import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startLabRedis, type LabRedis } from '../src/lab/redis-server.ts';
import { DEFAULT_WEB_ADDRESSES, DKIM_SELECTOR, domainName } from './layout.ts';
import type { EstateAccess } from './vouch-config.ts';

/**
 * `npm run bench:queue -- --domains 2000 --workers 1,2,3` (issue 12): the bench estate (bench/bench-estate.ts, in a
 * process of its own) scanned by the built CLI in one process (`--workers 1`, no queue), then through a lab Redis
 * with 1, 2 and 3 `vouch worker` processes, side by side in one run; each run on a fresh Redis. Prints per run the
 * scan's domains/s (from the scanner's "scan started" to its "scan finished" log line) and the CPU per domain of
 * every process taking part (scanner, workers, redis-server; /proc and INFO cpu); then the queue's overhead (one worker
 * through Redis against the in-process scan; budget: at most 10% of throughput) and Redis's memory per 1,000 queued
 * domains (INFO used_memory before and after a scanner with no worker has enqueued them). A measurement, not a test.
 * `--no-in-process` skips the in-process run; VOUCH_BENCH_KEEP=1 keeps the runs' directories (reports, worker logs).
 */
const { values } = parseArgs({
  options: {
    domains: { type: 'string', default: '2000' }, workers: { type: 'string', default: '1,2,3' },
    window: { type: 'string', default: '500' }, 'memory-domains': { type: 'string', default: '1000' },
    'web-addresses': { type: 'string', default: String(DEFAULT_WEB_ADDRESSES) }, json: { type: 'boolean', default: false },
    'no-in-process': { type: 'boolean', default: false },
  },
});
const domains = Number(values.domains);
const window = Number(values.window);
const memoryDomains = Number(values['memory-domains']);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const BIN = here('../src/cli/main.js');
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

type Row = Record<string, string | number | null>;

const estate = await startEstateProcess(Math.max(domains, memoryDomains), Number(values['web-addresses']));
const dir = await mkdtemp(join(tmpdir(), 'vouch-queue-bench-'));
try {
  const rows: Row[] = [];
  if (!values['no-in-process']) rows.push(print(await measure('in-process, 1 thread', domains, 0)));
  for (const workers of values.workers.split(',').filter(Boolean).map(Number)) rows.push(print(await measure(`queue, ${workers} worker(s)`, domains, workers)));
  const inProcess = rows.find((r) => r['workers'] === 0)?.['domainsPerSecond'] as number | undefined;
  const oneWorker = rows.find((r) => r['workers'] === 1)?.['domainsPerSecond'] as number | undefined;
  const oneWorkerCpu = rows.find((r) => r['workers'] === 1)?.['cpuMsPerDomain'] as number | undefined;
  if (inProcess && oneWorker && oneWorkerCpu) {
    print({
      run: 'queue overhead (1 worker vs in-process)', throughputLossPercent: +((1 - oneWorker / inProcess) * 100).toFixed(1), budgetPercent: 10,
      // What the queue costs in all (scanner, worker and Redis together against the one process), whatever the cores.
      cpuOverheadPercent: +((oneWorkerCpu / (rows[0]!['cpuMsPerDomain'] as number) - 1) * 100).toFixed(1),
    });
  }
  print(await queuedMemory(memoryDomains));
} finally {
  estate.stop();
  // VOUCH_BENCH_KEEP=1 keeps the runs' journals, reports and configurations, as bench/bench.ts does.
  if (process.env['VOUCH_BENCH_KEEP'] === '1') process.stderr.write(`kept ${dir}\n`);
  else await rm(dir, { recursive: true, force: true });
}

/** One scan of `count` domains: in this process's child `vouch scan` alone (workers 0), or through Redis with `workers` workers. */
async function measure(label: string, count: number, workers: number): Promise<Row> {
  const out = join(dir, label.replace(/\W+/g, '-'));
  const config = await configFile(out, count, window);
  const redis = workers > 0 ? await startLabRedis() : null;
  const fleet: ChildProcess[] = [];
  try {
    if (redis) {
      // Each worker may hold the whole window: the scanner's window bounds the domains in flight, as in-process.
      for (let i = 0; i < workers; i++) {
        // Each worker's log into a file of the run (kept with VOUCH_BENCH_KEEP=1): a pipe nobody reads would fill
        // and block the worker on its next log line.
        const logFile = openSync(`${out}.worker-${i}.log`, 'w');
        fleet.push(vouch(['worker', '--queue', redis.url, '--concurrency', String(window), '--log-level', 'warn'], logFile));
        closeSync(logFile);
      }
      await untilWorkersListen(redis, workers);
    }
    const scan = vouch(['scan', '-c', config, '--out', out, '--format', 'json', '--log-level', 'info',
      ...(redis ? ['--queue', redis.url] : ['--workers', '1'])]);
    const marks: Record<string, { time: number; cpuMs: number }> = {};
    const lines = createInterface({ input: scan.stderr! });
    lines.on('line', (line) => {
      const entry = parseLog(line);
      if (entry?.msg !== 'scan started' && entry?.msg !== 'scan finished') return;
      // Read at once, synchronously: the CPU of every process at the moment the scanner logged the mark.
      marks[entry.msg] = { time: Date.parse(entry.time), cpuMs: [scan, ...fleet].reduce((n, p) => n + cpuMs(p.pid!), 0) };
      if (redis) void redisCpuMs(redis).then((ms) => { marks[`${entry.msg} redis`] = { time: 0, cpuMs: ms }; });
    });
    const [code] = (await once(scan, 'exit')) as [number | null];
    await new Promise((r) => setTimeout(r, 200)); // the last INFO cpu answer
    const started = marks['scan started'];
    const finished = marks['scan finished'];
    if (!started || !finished || code === null || code > 2) return { run: label, domains: count, workers, failed: `exit ${code}` };
    const redisCpu = redis ? (marks['scan finished redis']?.cpuMs ?? NaN) - (marks['scan started redis']?.cpuMs ?? NaN) : 0;
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Report;
    return {
      run: label, domains: count, workers,
      domainsPerSecond: +(count / ((finished.time - started.time) / 1000)).toFixed(1),
      cpuMsPerDomain: +((finished.cpuMs - started.cpuMs + redisCpu) / count).toFixed(2),
      redisCpuMsPerDomain: redis ? +(redisCpu / count).toFixed(2) : null,
      // Other work on the machine skews domains/s: the 1-minute load average as the run ended.
      loadAverage: +loadavg()[0]!.toFixed(1),
      summary: JSON.stringify(report.summary), topErrors: topErrors(report),
    };
  } finally {
    await Promise.all(fleet.map(async (p) => { const exited = once(p, 'exit'); p.kill('SIGTERM'); await exited; }));
    await redis?.close();
  }
}

/** Redis's memory for `count` queued domains: a scanner whose window holds them all, and no worker to take them. */
async function queuedMemory(count: number): Promise<Row> {
  const out = join(dir, 'memory');
  const config = await configFile(out, count, count);
  const redis = await startLabRedis();
  const client = new Redis(redis.url);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('vouch-scan', { connection });
  try {
    const before = await usedMemory(client);
    const scan = vouch(['scan', '-c', config, '--out', out, '--format', 'json', '--log-level', 'silent', '--queue', redis.url]);
    const deadline = Date.now() + 120_000;
    while ((await queue.getWaitingCount()) < count) {
      if (Date.now() > deadline || scan.exitCode !== null) throw new Error(`the scanner queued ${await queue.getWaitingCount()} of ${count} domains`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const after = await usedMemory(client);
    // Where it goes: the jobs (one hash each), BullMQ's event stream (an entry per job added and waiting), the
    // wait list, and the run's spec (once per run: the configuration and every domain's name).
    const kbOf = async (pattern: string) => {
      const [key] = await client.keys(pattern);
      return key ? Math.round((Number(await client.memory('USAGE', key, 'SAMPLES', 0)) / 1024) * 10) / 10 : null;
    };
    const exited = once(scan, 'exit');
    scan.kill('SIGTERM');
    await exited;
    return {
      run: `Redis memory, ${count} queued domains`, usedMemoryBeforeKb: Math.round(before / 1024), usedMemoryAfterKb: Math.round(after / 1024),
      kbPer1000Domains: Math.round(((after - before) / count) * 1000 / 1024),
      oneJobHashKb: await kbOf('*vouch-scan:*-0'), eventStreamKb: await kbOf('*vouch-scan:events'),
      waitListKb: await kbOf('*vouch-scan:wait'), runSpecKb: await kbOf('vouch:*:spec'),
    };
  } finally {
    await queue.close();
    connection.disconnect(); // BullMQ leaves a connection it was given open
    client.disconnect();
    await redis.close();
  }
}

/** The scan's configuration: every check, web and mail, like bench/vouch-config.ts, as a file for the CLI. */
async function configFile(out: string, count: number, inFlight: number): Promise<string> {
  await writeFile(`${out}.domains.txt`, `${Array.from({ length: count }, (_, i) => domainName(i)).join('\n')}\n`);
  await writeFile(`${out}.ca.pem`, estate.info.caPem);
  // The estate's signed DNS has a trust anchor of its own (when bench/estate-process.ts prints one).
  const anchors = estate.info.anchorsText ? `${out}.anchors.txt` : null;
  if (anchors) await writeFile(anchors, estate.info.anchorsText);
  await writeFile(`${out}.yaml`, [
    `domainsFile: ${JSON.stringify(`${out}.domains.txt`)}`, `defaults: { dkimSelectors: [${DKIM_SELECTOR}] }`,
    `resolvers: [${JSON.stringify(estate.info.dns)}]`, `connectTo: [${estate.info.connectTo.map((r) => JSON.stringify(r)).join(', ')}]`,
    `trustedCaFiles: [${JSON.stringify(`${out}.ca.pem`)}]`, 'ipFamilies: [4]', `concurrency: { domains: ${inFlight} }`,
    'timeouts: { probeMs: 10000 }', ...(anchors ? [`dnssec: { trustAnchors: ${JSON.stringify(anchors)} }`] : []), '',
  ].join('\n'));
  return `${out}.yaml`;
}

type Report = { summary: Record<string, number>; domains: { results: { checkId: string; status: string; summary: string }[] }[] };

/** The three commonest `error` results (check and summary, digits masked): load's timeouts look unlike a queue's faults. */
function topErrors(report: Report): string | null {
  const counts = new Map<string, number>();
  for (const r of report.domains.flatMap((d) => d.results)) {
    if (r.status !== 'error') continue;
    const key = `${r.checkId}: ${r.summary.replace(/\d+/g, 'N').slice(0, 120)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([key, n]) => `${n} x ${key}`).join(' | ') || null;
}

/**
 * The built CLI with `args`; its stderr piped (read by the caller) or into the file `stderr`. `VOUCH_BENCH_NODE_ARGS`
 * (space-separated) goes to node before the CLI, for profiling the scanner and the workers: for instance
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` (node refuses --cpu-prof in NODE_OPTIONS).
 */
function vouch(args: readonly string[], stderr?: number): ChildProcess {
  const nodeArgs = (process.env.VOUCH_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, BIN, ...args], { stdio: ['ignore', 'ignore', stderr ?? 'pipe'] });
}

/** Waits until `count` BullMQ workers are connected to the queue (they name their connections). */
async function untilWorkersListen(redis: LabRedis, count: number): Promise<void> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('vouch-scan', { connection });
  try {
    const deadline = Date.now() + 30_000;
    while ((await queue.getWorkersCount()) < count) {
      if (Date.now() > deadline) throw new Error(`${count} workers did not connect within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

function parseLog(line: string): { msg: string; time: string } | null {
  try {
    return JSON.parse(line) as { msg: string; time: string };
  } catch {
    return null;
  }
}

/** A live process's CPU time so far (user + system), from /proc (Linux). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 3 of stat(5), utime 14 and stime 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

async function redisCpuMs(redis: LabRedis): Promise<number> {
  const client = new Redis(redis.url);
  try {
    const info = await client.info('cpu');
    const value = (key: string) => Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(info)?.[1]);
    return (value('used_cpu_user') + value('used_cpu_sys')) * 1000;
  } finally {
    client.disconnect();
  }
}

async function usedMemory(client: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))?.[1]);
}

/** The estate in its own process (bench/estate-process.ts), as bench/bench.ts runs it; no latency injected. */
async function startEstateProcess(count: number, addresses: number) {
  const child = spawn(process.execPath, [here('./estate-process.js'), String(count), String(addresses), '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [first] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { info: JSON.parse(first) as EstateAccess, stop: () => { child.stdin!.end(); child.kill('SIGTERM'); } };
}

function print(row: Row): Row {
  if (values.json) process.stdout.write(`${JSON.stringify(row)}\n`);
  else process.stdout.write(`\n${Object.entries(row).filter(([, v]) => v !== null).map(([k, v]) => `${k.padEnd(26)} ${v}`).join('\n')}\n`);
  return row;
}
