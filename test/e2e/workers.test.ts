import { execFile } from 'node:child_process';
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
async function scan(workers: number): Promise<{ report: ScanReport; maxOpen: number; connections: number }> {
  const ports = [...new Set(estate.connectTo.map((r) => Number(r.split('::')[1])))];
  const proxies = await Promise.all(ports.map((port) => startCountingProxy(port)));
  try {
    const proxyOf = new Map(ports.map((port, i) => [port, proxies[i]!.port]));
    const rules = estate.connectTo.map((r) => { const [head, port] = r.split('::'); return `${head}::${proxyOf.get(Number(port))}`; });
    const out = join(dir, `out-${workers}`);
    // On one CPU, so that the relay sees the packets in the order they were sent (support/one-cpu.ts).
    const scan = nodeOnOneCpu([BIN, 'scan', ...DOMAINS, '--workers', String(workers), '--resolver', `127.0.0.1:${estate.dns.port}`,
      '--ca', join(dir, 'ca.pem'), ...rules.flatMap((r) => ['--connect-to', r]), '--timeout', '2000',
      '--out', out, '--format', 'json', '--log-level', 'silent']);
    await run(scan.command, scan.args, { timeout: 60_000 }).catch((err: { code?: number }) => {
      if (typeof err.code !== 'number' || err.code > 2) throw err; // 1 and 2 are verdicts, not failures to run
    });
    const counts = await Promise.all(proxies.map((p) => p.counts()));
    return {
      report: JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport,
      maxOpen: Math.max(...counts.map((c) => c.maxOpen)), connections: counts.reduce((n, c) => n + c.connections, 0),
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
  }, 120_000);
});
