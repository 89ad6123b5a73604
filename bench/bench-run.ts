import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_CHECKS } from '../checks/index.ts';
import { selectChecks } from '../src/runner/select.ts';
import { runMinimalScan } from './minimal-scan.ts';
import { runVouch, type Phase } from './run-vouch.ts';
import { domainName } from './layout.ts';
import { benchScanConfig, type EstateAccess } from './vouch-config.ts';

/**
 * One measured scan of the bench estate, in a process of its own so that its peak RSS is its own (maxRSS never goes
 * down): argv[2] is a RunSpec as JSON; prints one JSON line, a RunResult.
 */
export type RunSpec = {
  readonly kind: 'vouch' | 'minimal';
  readonly domains: number;
  readonly estate: EstateAccess;
  /** Domains in flight. */
  readonly window: number;
  /** Vouch only: worker threads; absent: Vouch's default (the number of cores). */
  readonly workers?: number;
  /** Vouch only: the report formats written after the scan. */
  readonly formats: readonly string[];
  /** Vouch's own DNSSEC validation: its checks (and the minimal scan's validator questions) when true. */
  readonly dnssec: boolean;
};

export type RunResult = {
  readonly kind: RunSpec['kind'];
  readonly scan: Phase;
  readonly report: Phase | null;
  readonly workers: number;
  readonly peakRssMb: number;
  readonly stats: Readonly<Record<string, number>>;
  readonly summary: Readonly<Record<string, number>> | null;
  readonly failures: number;
  readonly failureSample: string | null;
};

const spec = JSON.parse(process.argv[2] ?? '{}') as RunSpec;
const [dnsAddress = '', dnsPort = '53'] = spec.estate.dns.split(':');
const portOf = (service: number) => Number(spec.estate.connectTo.find((rule) => rule.startsWith(`:${service}::`))?.split('::')[1]);

let result: RunResult;
if (spec.kind === 'minimal') {
  const started = process.cpuUsage();
  const wallStart = performance.now();
  const outcome = await runMinimalScan({
    domains: spec.domains, nameOf: domainName, resolver: { address: dnsAddress, port: Number(dnsPort) },
    ports: { https: portOf(443), http: portOf(80), smtp: portOf(25) }, caPem: spec.estate.caPem, window: spec.window, dnssec: spec.dnssec,
  });
  const cpu = process.cpuUsage(started);
  result = {
    kind: 'minimal', scan: { wallMs: performance.now() - wallStart, cpuMs: (cpu.user + cpu.system) / 1000 }, report: null, workers: 1,
    peakRssMb: peakRssMb(), stats: {}, summary: null, failures: outcome.failures, failureSample: outcome.firstFailure,
  };
} else {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-bench-'));
  try {
    const names = Array.from({ length: spec.domains }, (_, i) => domainName(i));
    const config = await benchScanConfig({
      names, estate: spec.estate, window: spec.window, ...(spec.workers ? { workers: spec.workers } : {}), dir, formats: spec.formats, dnssec: spec.dnssec,
    });
    // As the CLI does: the configuration's checks.skip (DNSSEC_CHECKS with `dnssec: false`) narrows the registry.
    const selection = selectChecks(ALL_CHECKS, config.checks.only, config.checks.skip);
    if (!selection.ok) throw new Error(selection.problems.join('\n'));
    const run = await runVouch(config, selection.checks, spec.workers ? { workers: spec.workers } : {});
    const errors = run.summary['error'] ?? 0;
    result = {
      kind: 'vouch', scan: run.scan, report: run.report, workers: run.workers, peakRssMb: peakRssMb(), stats: run.stats,
      summary: run.summary, failures: errors, failureSample: run.topErrors.join('\n') || null,
    };
  } finally {
    // VOUCH_BENCH_KEEP=1 keeps the run's output directory (journal, reports) for a look at what was written.
    if (process.env['VOUCH_BENCH_KEEP'] === '1') process.stderr.write(`kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
