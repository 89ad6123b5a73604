import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EstateCounters } from './bench-estate.ts';
import type { RunResult, RunSpec } from './bench-run.ts';
import { CD_SUFFIX } from './bench-zone.ts';
import { DEFAULT_WEB_ADDRESSES } from './layout.ts';

// `--tls`: issue 9's TLS mode, a bench of its own (bench/tls-bench.ts: Vouch's enumeration against sslscan).
if (process.argv.includes('--tls')) {
  await import('./tls-bench.ts');
  process.exit(0);
}

/**
 * `npm run bench -- --domains 1000,10000,100000 --workers 1,default --rtt-ms 0,50`: for every size and latency, starts
 * the bench estate (bench/bench-estate.ts: web and mail, DNS, HTTPS, HTTP, SMTP with STARTTLS) in a child process,
 * then scans it side by side with the minimal scan (bench/minimal-scan.ts) and with Vouch at each worker count,
 * each in a fresh process, and prints per run: domains/s, client CPU per domain, connections and DNS queries per
 * domain as the servers counted them, peak RSS, the servers' CPU, and for Vouch the report-writing time and its CPU
 * per domain against the minimal scan's. `--dnssec on,off` runs each scan also without Vouch's own DNSSEC validation
 * (the checks resting on it skipped, and the minimal scan without the validator's questions), side by side, for
 * what validation costs (issue 13). A measurement, not a test: it asserts nothing. See docs/benchmark.md.
 */
const USAGE = `usage: npm run bench -- [options]   (or: node dist/bench/bench.js [options])
  --domains N[,N...]       estate sizes, one estate per size and latency (default 1000)
  --workers W[,W...]       Vouch's worker threads per run; "default" is Vouch's own choice (default: default)
  --rtt-ms MS[,MS...]      injected round-trip time (default 0)
  --window N               domains in flight, for Vouch and the minimal scan alike (default 500)
  --web-addresses N        loopback addresses the web servers listen on (default ${DEFAULT_WEB_ADDRESSES})
  --formats F[,F...]       report formats Vouch writes after the scan (default json,text)
  --dnssec on|off|on,off   Vouch's own DNSSEC validation (default on)
  --no-minimal             skip the minimal scan
  --json                   one JSON line per run
  --tls                    issue 9's TLS bench instead (bench/tls-bench.ts)
See docs/benchmark.md.`;

function parseOptions() {
  try {
    return parseArgs({
      options: {
        domains: { type: 'string', default: '1000' }, workers: { type: 'string', default: 'default' },
        'rtt-ms': { type: 'string', default: '0' }, window: { type: 'string', default: '500' },
        'web-addresses': { type: 'string', default: String(DEFAULT_WEB_ADDRESSES) }, formats: { type: 'string', default: 'json,text' },
        'no-minimal': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, dnssec: { type: 'string', default: 'on' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // An unknown or malformed option: say which, and how the bench is used, rather than a stack trace.
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}
const { values } = parseOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);
/** Whole numbers of at least `min`, or exit 2 naming the option. */
const counts = (option: string, text: string, min: number) => list(text).map((item) => {
  const n = Number(item);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench: --${option} takes whole numbers of at least ${min}, not "${item}"\n${USAGE}`);
    process.exit(2);
  }
  return n;
});
const sizes = counts('domains', values.domains, 1);
const workerCounts = list(values.workers).map((w) => (w === 'default' ? undefined : counts('workers', w, 1)[0]));
const rtts = counts('rtt-ms', values['rtt-ms'], 0);
const dnssecModes = list(values.dnssec).map((mode) => {
  if (mode !== 'on' && mode !== 'off') throw new Error(`--dnssec takes on, off or on,off, not ${mode}`);
  return mode === 'on';
});
const window = counts('window', values.window, 1)[0]!;
const webAddresses = counts('web-addresses', values['web-addresses'], 1)[0]!;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

type Row = Record<string, string | number | null>;

for (const domains of sizes) {
  for (const rttMs of rtts) {
    const estate = await startEstateProcess(domains, webAddresses, rttMs);
    try {
      for (const dnssec of dnssecModes) {
        let minimalCpu: number | null = null;
        const mode = dnssecModes.length > 1 ? ` dnssec=${dnssec ? 'on' : 'off'}` : '';
        const runs: { label: string; spec: Omit<RunSpec, 'domains' | 'estate' | 'window' | 'formats' | 'dnssec'> }[] = [
          ...(values['no-minimal'] ? [] : [{ label: `minimal${mode}`, spec: { kind: 'minimal' as const } }]),
          ...workerCounts.map((workers) => ({ label: `vouch w=${workers ?? 'default'}${mode}`, spec: { kind: 'vouch' as const, ...(workers ? { workers } : {}) } })),
        ];
        for (const { label, spec } of runs) {
          const before = await estate.counters();
          const result = await runChild({ ...spec, domains, estate: estate.info, window, formats: list(values.formats), dnssec });
          if (typeof result === 'string') {
            // A run that did not finish (a crash, memory exhausted) is a result too: say so and go on with the next.
            print({ run: label, domains, rttMs, failed: result });
            continue;
          }
          const after = await estate.counters();
          const cpuPerDomain = result.scan.cpuMs / domains;
          if (result.kind === 'minimal') minimalCpu = cpuPerDomain;
          print({ ...rowOf(label, domains, rttMs, result, before, after, minimalCpu), dnssec: dnssec ? 'on' : 'off' });
        }
      }
    } finally {
      estate.stop();
    }
  }
}

function rowOf(label: string, domains: number, rttMs: number, r: RunResult, before: Counted, after: Counted, minimalCpu: number | null): Row {
  const per = (n: number, digits = 2) => +(n / domains).toFixed(digits);
  const delta = (key: keyof EstateCounters & keyof Counted) => (after[key] as number) - (before[key] as number);
  const cpu = r.scan.cpuMs / domains;
  return {
    run: label, domains, rttMs, workers: r.workers,
    domainsPerSecond: +(domains / (r.scan.wallMs / 1000)).toFixed(1),
    clientCpuMsPerDomain: +cpu.toFixed(2),
    ratioToMinimal: r.kind === 'vouch' && minimalCpu ? +(cpu / minimalCpu).toFixed(2) : null,
    peakRssMb: r.peakRssMb,
    webConnectionsPerDomain: per(delta('httpsConnections') + delta('httpConnections')),
    httpRequestsPerDomain: per(delta('httpsRequests') + delta('httpRequests')),
    smtpSessionsPerDomain: per(delta('smtpConnections')),
    dnsQueriesPerDomain: per(delta('dnsQueries')),
    // The DNSSEC validator's questions (DO and CD), and how often the root's keys were fetched (once per run and process).
    validatorQueriesPerDomain: per(shapes(before, after, (shape) => shape.endsWith(CD_SUFFIX))),
    rootDnskeyQuestions: shapes(before, after, (shape) => shape.startsWith('DNSKEY ') && shape.endsWith(CD_SUFFIX)),
    serverCpuMsPerDomain: per(after.cpuMs - before.cpuMs),
    reportSeconds: r.report ? +(r.report.wallMs / 1000).toFixed(2) : null,
    reportCpuSeconds: r.report ? +(r.report.cpuMs / 1000).toFixed(2) : null,
    summary: r.summary ? JSON.stringify(r.summary) : null,
    failures: r.failures, failureSample: r.failureSample,
  };
}

/** DNS questions of the shapes `which` picks (bench/dns-thread.ts names them) between two readings. */
function shapes(before: Counted, after: Counted, which: (shape: string) => boolean): number {
  return Object.entries(after.dnsByShape).filter(([shape]) => which(shape)).reduce((sum, [shape, n]) => sum + n - (before.dnsByShape[shape] ?? 0), 0);
}

/** As each run ends (a 100,000-domain run takes an hour): a text block, or with `--json` one JSON line. */
function print(row: Row): void {
  if (values.json) return void process.stdout.write(`${JSON.stringify(row)}\n`);
  process.stdout.write(`\n${Object.entries(row).filter(([, v]) => v !== null).map(([k, v]) => `${k.padEnd(26)} ${v}`).join('\n')}\n`);
}

type Counted = EstateCounters & { readonly cpuMs: number };

/** The estate in its own process; `counters()` asks it for its servers' counters and its CPU time so far. */
async function startEstateProcess(domains: number, addresses: number, rttMs: number) {
  const child = spawn(process.execPath, [here('./estate-process.js'), String(domains), String(addresses), String(rttMs / 2)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Interface = createInterface({ input: child.stdout! });
  const replies = lines[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const { value, done } = await replies.next();
    if (done) throw new Error('the bench estate process ended');
    return value as string;
  };
  const info = JSON.parse(await nextLine()) as RunSpec['estate'];
  return {
    info,
    counters: async (): Promise<Counted> => { child.stdin!.write('counters\n'); return JSON.parse(await nextLine()) as Counted; },
    stop: () => { child.stdin!.end(); child.kill('SIGTERM'); },
  };
}

/**
 * One measurement in a fresh process; its last stdout line is the result, or why there is none. `VOUCH_BENCH_NODE_ARGS`
 * passes node flags to it, as in bench/queue-bench.ts (`--cpu-prof --cpu-prof-dir=/tmp/prof`: node refuses
 * --cpu-prof in NODE_OPTIONS).
 */
async function runChild(spec: RunSpec): Promise<RunResult | string> {
  const nodeArgs = (process.env.VOUCH_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, here('./bench-run.js'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  createInterface({ input: child.stdout! }).on('line', (line) => { last = line; });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return code === 0 ? JSON.parse(last) as RunResult : `the ${spec.kind} run ended with ${signal ?? `exit code ${code}`} (its stderr above says why)`;
}
