import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { startCountingProxy } from '../runner/support/counting-proxy.ts';
import { nodeOnOneCpu } from '../runner/support/one-cpu.ts';
import { simpleSites } from '../support/simple-sites.ts';
import type { ScanReport } from '../../reports/types.ts';
import { workerHeapLimits } from '../../src/runner/workers/heap-limits.ts';

/**
 * Issue 11: the same estate scanned in one thread and by two worker threads gives the same verdicts, the
 * politeness limit (2 connections at once per destination address, the default) holds across the workers, and the
 * shared address's TLS configuration is measured once, whatever worker asks: counted at the server side by a relay
 * every web connection goes through.
 */
const BIN = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const run = promisify(execFile);

const { domains: DOMAINS, sites: SITES } = simpleSites('workers.test', 8);

let estate: Estate;
let dir: string;

beforeAll(async () => {
  estate = await startEstate(SITES, { caName: 'Workers Test CA' });
  dir = await mkdtemp(join(tmpdir(), 'vouch-workers-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
}, 60_000);
afterAll(async () => { await estate?.close(); });

/**
 * One CLI scan with every web port of the estate behind a counting proxy (in a process of its own, as the server
 * sees connections): one destination address and port per server, as a shared-hosting address is.
 */
async function scan(workers: number): Promise<{ report: ScanReport; maxOpen: number; connections: number; log: Record<string, unknown>[] }> {
  const ports = [...new Set(estate.connectTo.map((r) => Number(r.split('::')[1])))];
  const proxies = await Promise.all(ports.map((port) => startCountingProxy(port)));
  try {
    const proxyOf = new Map(ports.map((port, i) => [port, proxies[i]!.port]));
    const rules = estate.connectTo.map((r) => { const [head, port] = r.split('::'); return `${head}::${proxyOf.get(Number(port))}`; });
    const out = join(dir, `out-${workers}`);
    // On one CPU, so that the relay sees the packets in the order they were sent (support/one-cpu.ts).
    const scan = nodeOnOneCpu([BIN, 'scan', ...DOMAINS, '--workers', String(workers), '--resolver', `127.0.0.1:${estate.dns.port}`,
      '--ca', join(dir, 'ca.pem'), ...rules.flatMap((r) => ['--connect-to', r]), '--timeout', '2000',
      '--out', out, '--format', 'json', '--log-level', 'info']);
    const { stderr } = await run(scan.command, scan.args, { timeout: 60_000 }).catch((err: { code?: number; stderr?: string }) => {
      if (typeof err.code !== 'number' || err.code > 2) throw err; // 1 and 2 are verdicts, not failures to run
      return { stderr: err.stderr ?? '' };
    });
    const counts = await Promise.all(proxies.map((p) => p.counts()));
    return {
      report: JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport,
      maxOpen: Math.max(...counts.map((c) => c.maxOpen)), connections: counts.reduce((n, c) => n + c.connections, 0),
      log: stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
  }
}

const verdicts = (report: ScanReport) => report.domains.flatMap((d) => d.results.map((r) => `${d.domain} ${r.checkId} ${r.status} ${r.summary}`));

describe('worker threads (issue 11)', () => {
  it('two workers give the verdicts of one, and never more than 2 connections at once to one destination', async () => {
    const one = await scan(1);
    const two = await scan(2);
    expect(one.report.domains.map((d) => d.domain)).toEqual(DOMAINS);
    expect(verdicts(two.report)).toEqual(verdicts(one.report));
    expect(verdicts(one.report).length).toBeGreaterThan(8 * 30);
    // Many connections in all (the count can fail), never more than the limit at once.
    expect(one.connections).toBeGreaterThan(50);
    expect(two.connections).toBeGreaterThan(50);
    // The sites share one server address: its TLS configuration (29 connections here) is measured once in all, not
    // once per worker. Slack for a parked handshake that expired before its first request (one per domain at most).
    expect(two.connections).toBeLessThanOrEqual(one.connections + DOMAINS.length);
    expect(two.maxOpen).toBeLessThanOrEqual(2);
    expect(one.maxOpen).toBeLessThanOrEqual(2);
    // Each worker runs with the heap limits sized for its share of the window (src/runner/workers/heap-limits.ts), as
    // the worker itself sees them: V8's limit is the old generation plus the young one. Without them it would be V8's
    // default, a quarter of the machine's memory up to ~4 GB.
    const ready = two.log.find((line) => line['msg'] === 'worker threads ready');
    const limits = workerHeapLimits(32, 2);
    expect(ready?.['workers']).toBe(2);
    expect(ready?.['heapLimitMb']).toBeGreaterThanOrEqual(limits.maxOldGenerationSizeMb!);
    expect(ready?.['heapLimitMb']).toBeLessThanOrEqual(limits.maxOldGenerationSizeMb! + limits.maxYoungGenerationSizeMb!);
    expect(one.log.some((line) => line['msg'] === 'worker threads ready')).toBe(false);
    // Each session says what its kept tier held (src/runner/kept-facts.ts); this estate is small enough for nothing to be dropped.
    const kept = (log: typeof one.log) => log.filter((line) => line['msg'] === 'facts kept for the run');
    expect(kept(one.log)).toHaveLength(1);
    expect(kept(one.log)[0]).toMatchObject({ keptEvicted: 0 });
    expect(kept(two.log)).toHaveLength(2); // one per worker thread
  }, 120_000);

  it('a worker thread that dies loses no domain: its domains come back as errors with the cause, and a resume scans them again', async () => {
    // What a worker out of its heap limit does (ERR_WORKER_OUT_OF_MEMORY, src/runner/workers/heap-limits.ts), without
    // the gigabyte it would take: a plugin check ends its worker thread (process.exit in a worker ends that thread
    // only) on one domain, the first time only.
    const crasher = DOMAINS[3]!;
    const marker = join(dir, 'crashed-once');
    await writeFile(join(dir, 'exit-once.mjs'), `import { existsSync, writeFileSync } from 'node:fs';
export const checks = [{ id: 'lab.exit-once', title: 'ends its worker thread once', promises: ['transport-encryption'],
  scope: 'domain', needs: ['dns'], remediation: 'Nothing to do: a lab check.',
  async run({ target }) {
    if (target.domain === ${JSON.stringify(crasher)} && !existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); process.exit(7); }
    return { status: 'pass', summary: 'still running', evidence: {} };
  } }];
`);
    const config = join(dir, 'exit-once.yaml');
    await writeFile(config, [
      `domains: [${DOMAINS.join(', ')}]`, 'defaults: { mail: false }', `resolvers: ["127.0.0.1:${estate.dns.port}"]`,
      `trustedCaFiles: ["${join(dir, 'ca.pem')}"]`, `connectTo: [${estate.connectTo.map((r) => JSON.stringify(r)).join(', ')}]`,
      'plugins: ["./exit-once.mjs"]', 'concurrency: { workers: 2 }', 'timeouts: { probeMs: 2000 }',
      'checks: { only: ["http.hsts", "lab.*"] }', '',
    ].join('\n'));
    const out = join(dir, 'out-crash');
    const vouch = (args: string[]) => run(process.execPath, [BIN, ...args, '--log-level', 'silent'], { timeout: 60_000 }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (err: { code?: number; stderr?: string }) => { if (typeof err.code !== 'number') throw err; return { code: err.code, stderr: err.stderr ?? '' }; });
    const first = await vouch(['scan', '-c', config, '--out', out, '--format', 'json']);
    expect(existsSync(marker)).toBe(true);
    expect(first.code).toBe(2); // could not test some: not a fail, not a crash of the scan
    expect(first.stderr).toMatch(/domains? not finished \(a worker thread exited; their checks are error\): vouch scan --resume .*out-crash scans them again/);
    const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
    expect(report.domains.map((d) => d.domain)).toEqual(DOMAINS); // none lost
    const lost = report.domains.filter((d) => d.results.some((r) => r.status === 'error'));
    expect(lost.map((d) => d.domain)).toContain(crasher);
    // The domains of the other worker are judged as usual.
    expect(lost.length).toBeLessThan(DOMAINS.length);
    for (const d of lost) {
      for (const r of d.results) expect(r.summary).toMatch(/^not finished: the worker thread scanning this domain exited \(code 7\)/);
    }
    // They were not finished: a resume scans them again, and only them; this time the check lets its worker live.
    const second = await vouch(['scan', '--resume', out]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('not finished');
    const resumed = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
    expect(resumed.resumed).toEqual([expect.objectContaining({ domainsDone: DOMAINS.length - lost.length })]);
    expect(resumed.domains.map((d) => d.domain)).toEqual(DOMAINS);
    expect(resumed.domains.flatMap((d) => d.results.map((r) => r.status))).not.toContain('error');
    // Now every domain is finished: nothing left to resume, which is said.
    const third = await vouch(['scan', '--resume', out]);
    expect(third.code).toBe(64);
    expect(third.stderr).toContain('finished; there is nothing to resume');
  }, 120_000);
});
