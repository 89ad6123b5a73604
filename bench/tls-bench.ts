import { execFile, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { hostname, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { Endpoint } from '../src/core/types.ts';
import { buildConfig } from '../src/config/load.ts';
import { createLogger } from '../src/log.ts';
import { createProbeSession } from '../src/runner/probes.ts';
import { RAW_WEAKNESSES } from '../src/tls/weakness/facts.ts';

/**
 * `npm run bench -- --tls [--runs 5] [--json]` (or `npm run bench:tls`): issues 9 and 10's "Politeness and speed".
 * For a full assessment of three lab endpoints (src/lab/tls-variants.ts `modern`, `legacy`, `smtp-starttls`, served
 * by a child process on the other core), it measures Vouch's probes of one endpoint through a real probe session
 * (`assess`: the enumeration of every version SSLv2 to TLS 1.3 with order, groups and DHE prime, and the hygiene,
 * renegotiation, resumption, 0-RTT and weakness probes) and sslscan on the same endpoint, alternating, and prints the
 * median of N runs of each: wall time, TCP connections (counted at the server) and client CPU. One warm-up run of
 * each is not counted. A measurement, not a test.
 *
 * Client CPU: Vouch's is `process.cpuUsage()` around the assessment (this process does nothing else meanwhile);
 * sslscan's is the CPU of the reaped child (`cutime + cstime` of /proc/self/stat, 10 ms ticks), process start
 * included, as its wall time is.
 */

const SSLSCAN = '/usr/bin/sslscan';
/** nmap 7.93 ssl-enum-ciphers on the same kinds of endpoint (../shared/guide/performance.md): the connection budget. */
const NMAP_CONNECTIONS: Record<string, number> = { modern: 44, legacy: 107, 'smtp-starttls': 126 };
const VARIANTS = ['modern', 'legacy', 'smtp-starttls'] as const;

type Target = { host: string; port: number; starttls: 'smtp' | null };
type Sample = { wallMs: number; cpuMs: number; connections: number };

const run = promisify(execFile);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** CPU of this process's reaped children, ms (Linux /proc: fields 16 and 17, in clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tls: { type: 'boolean', default: true }, runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
  });
  const runs = Math.max(1, Number(values.runs));

  const child = fork(fileURLToPath(new URL('./tls-variants-process.js', import.meta.url)), [...VARIANTS], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const [{ ports }] = (await once(child, 'message')) as [{ ports: Record<string, Target> }];
    const rows = [];
    for (const name of VARIANTS) {
      const target = ports[name]!;
      const vouch: Sample[] = [];
      const sslscan: Sample[] = [];
      for (let i = 0; i <= runs; i++) {
        const v = await measure(child, target, () => assess(target));
        const s = await measure(child, target, () => runSslscan(target));
        if (i > 0) { vouch.push(v); sslscan.push(s); } // run 0 warms up
      }
      const med = (samples: Sample[], k: keyof Sample) => median(samples.map((x) => x[k]));
      const row = {
        endpoint: name,
        vouchWallMs: +med(vouch, 'wallMs').toFixed(1), sslscanWallMs: +med(sslscan, 'wallMs').toFixed(1),
        vouchConnections: med(vouch, 'connections'), sslscanConnections: med(sslscan, 'connections'), nmapConnections: NMAP_CONNECTIONS[name]!,
        vouchCpuMs: +med(vouch, 'cpuMs').toFixed(1), sslscanCpuMs: +med(sslscan, 'cpuMs').toFixed(1),
        wallRatio: +(med(vouch, 'wallMs') / med(sslscan, 'wallMs')).toFixed(2),
        connectionRatio: +(med(vouch, 'connections') / med(sslscan, 'connections')).toFixed(2),
        cpuRatio: med(sslscan, 'cpuMs') > 0 ? +(med(vouch, 'cpuMs') / med(sslscan, 'cpuMs')).toFixed(2) : null,
        vouchWallMsRange: [Math.min(...vouch.map((x) => x.wallMs)), Math.max(...vouch.map((x) => x.wallMs))].map((x) => +x.toFixed(1)),
        sslscanWallMsRange: [Math.min(...sslscan.map((x) => x.wallMs)), Math.max(...sslscan.map((x) => x.wallMs))].map((x) => +x.toFixed(1)),
      };
      rows.push(row);
    }
    const result = { runs, node: process.version, loadAverage: loadavg().map((x) => +x.toFixed(2)), rows };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      process.stdout.write(`TLS bench, median of ${runs} runs (load average ${result.loadAverage.join(' ')}), Node ${process.version}\n`);
      process.stdout.write(`${'endpoint'.padEnd(14)} ${'wall ms vouch/sslscan'.padEnd(24)} ${'ratio'.padEnd(6)} ${'conn. vouch/sslscan/nmap'.padEnd(26)} ${'CPU ms vouch/sslscan'.padEnd(22)} ratio\n`);
      for (const r of rows) {
        process.stdout.write(`${r.endpoint.padEnd(14)} ${`${r.vouchWallMs} / ${r.sslscanWallMs}`.padEnd(24)} ${String(r.wallRatio).padEnd(6)} `
          + `${`${r.vouchConnections} / ${r.sslscanConnections} / ${r.nmapConnections}`.padEnd(26)} ${`${r.vouchCpuMs} / ${r.sslscanCpuMs}`.padEnd(22)} ${r.cpuRatio}\n`);
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}

/** The server's connection counts, per port. */
async function counts(child: ChildProcess): Promise<Record<string, number>> {
  const reply = once(child, 'message') as Promise<[{ counts: Record<string, number> }]>;
  child.send({ count: true });
  return (await reply)[0].counts;
}

async function measure(child: ChildProcess, target: Target, work: () => Promise<number | null>): Promise<Sample> {
  const before = (await counts(child))[target.port] ?? 0;
  const cpu = process.cpuUsage();
  const childCpu = childrenCpuMs();
  const started = process.hrtime.bigint();
  const ownCpu = await work(); // null: the work ran in this process; a number would be reported by the work itself
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = ownCpu ?? (childrenCpuMs() - childCpu > 0 ? childrenCpuMs() - childCpu : (used.user + used.system) / 1000);
  const connections = ((await counts(child))[target.port] ?? 0) - before;
  return { wallMs, cpuMs, connections };
}

/**
 * Vouch's full assessment of one endpoint as a scan runs it (src/runner/probes.ts, default settings): the name's
 * handshake (certificates, OCSP staple) or SMTP session, its fingerprint and the enumeration (issue 9), and issue
 * 10's hygiene hellos, client renegotiation, resumption and 0-RTT, and the raw weakness probes (Heartbleed, CCS
 * injection, ROBOT, Ticketbleed), all started at once as the checks start them.
 */
async function assess(target: Target): Promise<number> {
  const endpoint: Endpoint = { hostname: 'localhost', port: target.port, address: target.host, dialPort: target.port };
  const loaded = await buildConfig({ domains: ['bench.test'], resolvers: ['127.0.0.1:9'], ehloName: hostname() }, { source: null, baseDir: process.cwd() });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const cpu = process.cpuUsage();
  const session = createProbeSession(loaded.config, new AbortController().signal, createLogger('silent'), 'bench');
  try {
    const p = session.probesFor(() => undefined);
    const smtp = target.starttls === 'smtp';
    const [, enumeration] = await Promise.all([
      smtp ? p.smtp(endpoint) : p.tls(endpoint),
      smtp ? p.smtpTlsEnumeration(endpoint) : p.tlsEnumeration(endpoint),
      smtp ? p.smtpTlsHygiene(endpoint) : p.tlsHygiene(endpoint),
      smtp ? p.smtpTlsRenegotiation(endpoint) : p.tlsRenegotiation(endpoint),
      smtp ? p.smtpTlsSession(endpoint) : p.tlsSession(endpoint),
      ...RAW_WEAKNESSES.map((w) => (smtp ? p.smtpTlsWeakness(endpoint, w) : p.tlsWeakness(endpoint, w))),
    ]);
    if (enumeration.problems.length > 0) throw new Error(`enumeration problems: ${enumeration.problems.join('; ')}`);
  } finally {
    await session.close();
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000;
}

async function runSslscan(target: Target): Promise<null> {
  await run(SSLSCAN, ['--no-colour', ...(target.starttls === 'smtp' ? ['--starttls-smtp'] : []), `${target.host}:${target.port}`], { maxBuffer: 4 << 20 });
  return null;
}

await main();
