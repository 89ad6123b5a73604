import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_CHECKS } from '../checks/index.ts';
import { buildConfig } from '../src/config/load.ts';
import { createLogger } from '../src/log.ts';
import { runScan } from '../src/scan.ts';
import { readFileSync } from 'node:fs';

/** The simulated servers' CPU time (Linux /proc), to tell whether they or the scanner limit the throughput. */
function childCpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

// `--tls`: issue 9's TLS mode, a bench of its own (bench/tls-bench.ts: Vouch's enumeration against sslscan).
if (process.argv.includes('--tls')) {
  await import('./tls-bench.ts');
  process.exit(0);
}

/**
 * `npm run bench -- [--domains 500] [--rtt-ms 0] [--concurrency 512]`: starts N simulated domains (DNS, HTTP, HTTPS)
 * in a child process, scans them with every web and DNS check in this process, and prints throughput, client CPU
 * per domain, connections per domain and peak RSS. A measurement, not a test: it asserts nothing.
 */
const { values } = parseArgs({
  options: {
    domains: { type: 'string', default: '500' }, 'rtt-ms': { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '512' }, json: { type: 'boolean', default: false },
  },
});
const domains = Number(values.domains);
const rttMs = Number(values['rtt-ms']);
const concurrency = Number(values.concurrency);

const child = spawn(process.execPath, [fileURLToPath(new URL('./estate-process.js', import.meta.url)), String(domains), String(rttMs / 2)], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const estate = JSON.parse(line) as { dns: string; connectTo: string[]; caPem: string; domains: string[] };

const loaded = await buildConfig({
  domains: estate.domains.map((name) => ({ name, mail: false })), resolvers: [estate.dns], connectTo: estate.connectTo, ipFamilies: [4],
  concurrency: { checks: concurrency }, timeouts: { probeMs: 10_000 },
}, { source: null, baseDir: process.cwd(), extraCaPems: [estate.caPem] });
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));

// The servers' CPU is counted from here: starting them (a certificate and a staple per domain) is not the scan's.
const serverCpuBefore = childCpuMs(child.pid);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const { report, stats } = await runScan({ config: loaded.config, checks: ALL_CHECKS, log: createLogger('silent') });
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const serverCpuAfter = childCpuMs(child.pid);
const serverCpuMs = serverCpuAfter === null || serverCpuBefore === null ? null : serverCpuAfter - serverCpuBefore;
child.kill('SIGTERM');

const result = {
  domains, rttMs, concurrency, checks: report.results.length,
  seconds: +(wallMs / 1000).toFixed(2),
  domainsPerSecond: +(domains / (wallMs / 1000)).toFixed(1),
  clientCpuMsPerDomain: +((cpu.user + cpu.system) / 1000 / domains).toFixed(2),
  tlsConnectionsPerDomain: +((stats.tlsHandshakes + stats.tlsVersionProbes) / domains).toFixed(2),
  tlsEnumerationHellosPerDomain: +(stats.tlsEnumerationHellos / domains).toFixed(2),
  tcpConnectionsPerDomain: +((stats.tlsHandshakes + stats.tlsVersionProbes + stats.tlsEnumerationHellos + stats.tcpConnects) / domains).toFixed(2),
  dnsQueriesPerDomain: +(stats.dnsQueries / domains).toFixed(2),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  serverCpuMsPerDomain: serverCpuMs === null ? null : +(serverCpuMs / domains).toFixed(2),
  summary: report.summary,
};
process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${Object.entries(result).map(([k, v]) => `${k.padEnd(24)} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n')}\n`);
