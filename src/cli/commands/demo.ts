import { buildConfig } from '../../config/load.ts';
import { ExitError } from '../../core/errors.ts';
import { DEMO_MAIL_SITES, DEMO_SITES, DEMO_SUPPORT_SITES } from '../../demo/sites.ts';
import { startEstate } from '../../lab/estate.ts';
import type { LogLevel } from '../../log.ts';
import { ALL_CHECKS } from '../../../checks/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { executeScan, type ScanCommandOptions } from './scan.ts';
import type { ReportResult, ReportStream } from '../../../reports/types.ts';

/** Every scanned demo domain, web first, then mail. */
export const ALL_DEMO_SITES = [...DEMO_SITES, ...DEMO_MAIL_SITES];

/**
 * Checks the demo leaves out: its loopback world has no delegation to ask name servers about and it scans IPv4 only,
 * so they would show only the demo's own limits (test/net-depth/ covers them against a lab that has both).
 */
const NOT_SHOWN_BY_THE_DEMO: readonly string[] = ['dns.name-servers', 'dns.ipv6-web', 'dns.ipv6-mail'];

/** Results that differ from what the demo sites are built to show: an unnamed check must pass or skip. */
export function unexpectedResults(results: readonly ReportResult[]): string[] {
  return results.flatMap((r) => {
    const expected = ALL_DEMO_SITES.find((s) => s.domain === r.domain)?.expects[r.checkId];
    const ok = expected ? r.status === expected : r.status === 'pass' || r.status === 'skip';
    return ok ? [] : [`${r.domain} ${r.checkId}: ${r.status} (expected ${expected ?? 'pass'}): ${r.summary}`];
  });
}

export type DemoOptions = {
  readonly outDir?: string;
  readonly formats?: readonly string[];
  readonly failOn: 'fail' | 'warn';
  readonly logLevel?: LogLevel;
  readonly progress: boolean;
} & Pick<ScanCommandOptions, 'colour' | 'formatsAsked'>;

/**
 * `vouch demo`: starts DNS, HTTP and HTTPS servers for the demo domains on loopback, scans them with every check
 * through the same code path as `vouch scan` (connect-to rules and the demo CA are the only differences), and
 * exits 0 when the scan ran: the failures it shows are the point.
 */
export async function demoCommand(options: DemoOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  // Demo zones are DNSSEC-signed unless a site says otherwise (records.ad: false).
  const signed = ALL_DEMO_SITES.map((s) => ({ ...s, records: { ad: true, ...s.records } }));
  const estate = await startEstate([...signed, ...DEMO_SUPPORT_SITES], { caName: 'Vouch Demo CA' });
  try {
    const raw = {
      domains: ALL_DEMO_SITES.map((s) => ({
        name: s.domain, web: s.scope?.web ?? true, mail: s.scope?.mail ?? false, profile: s.scope?.profile ?? 'standard',
        dkimSelectors: s.dkimSelectors ?? [], sendingIps: s.sendingIps ?? [], cookies: s.cookies ?? [],
      })),
      ehloName: 'scanner.demo.test',
      resolvers: [`${estate.dns.host}:${estate.dns.port}`],
      connectTo: estate.connectTo,
      // Demo sites live on loopback: a redirect between them must be followed, as it would be between public hosts.
      allowRedirectsTo: estate.allowRedirectsTo,
      ipFamilies: [4],
      // The probes that wait for silence scale their quiet windows with how fast the server answered (microseconds on
      // loopback), so the deadline only bounds a hang: 10 s, because a busy machine (CI on two shared cores) turned
      // 2 s into "no answer" errors for TLS and SMTP probes, while the quiet demo takes the same 3 s either way.
      timeouts: { probeMs: 10_000 },
    };
    const overrides = { ...(options.formats ? { formats: options.formats } : {}), ...(options.outDir ? { outDir: options.outDir } : {}) };
    // The estate's DNS is really signed (src/lab/dnssec/lab-mirror.ts) under a lab root: Vouch validates from its anchor.
    const loaded = await buildConfig(raw, { source: null, baseDir: io.cwd, overrides, extraCaPems: [estate.ca.certPem], dnssecAnchors: { text: estate.dnssecAnchorsText, source: 'the demo\'s lab root anchor' } });
    if (!loaded.ok) throw new ExitError(EXIT.internal, `demo configuration is invalid: ${loaded.problems.join('; ')}`);
    // The explanation goes where the text summary goes; a machine-readable report on stdout stays clean.
    const banner = options.outDir || (options.formats?.[0] ?? 'text') === 'text' ? io.stdout : io.stderr;
    banner.write('Vouch demo: scanning simulated domains served on loopback (no internet needed).\n');
    for (const site of ALL_DEMO_SITES) banner.write(`  ${site.domain.padEnd(24)} ${site.shows}\n`);
    banner.write('\n');
    const surprises: string[] = [];
    const inspect = async (stream: ReportStream) => {
      for await (const domain of stream.domains()) surprises.push(...unexpectedResults(domain.results));
    };
    const checks = ALL_CHECKS.filter((c) => !NOT_SHOWN_BY_THE_DEMO.includes(c.id));
    const { code } = await executeScan({ config: loaded.config, checks }, options, io, signal, { inspect: [inspect] });
    if (code === EXIT.interrupted || code === EXIT.internal || code === EXIT.cantWrite) return code;
    banner.write(surprises.length === 0
      ? '\nEvery demo domain showed exactly the findings it is there to show.\n'
      : `\nUnexpected demo results (please report this):\n${surprises.map((s) => `  ${s}`).join('\n')}\n`);
    banner.write(`\nThe demo exits 0; "vouch scan" on these results would exit ${code} (see "vouch --help" for exit codes).\n`);
    return EXIT.ok;
  } finally {
    await estate.close();
  }
}
