import type { Config } from '../src/config/config.ts';
import { buildConfig } from '../src/config/load.ts';
import { DKIM_SELECTOR } from './layout.ts';

/** What a scanner needs to reach the bench estate (printed by bench/estate-process.ts). */
export type EstateAccess = {
  readonly dns: string; readonly connectTo: readonly string[]; readonly caPem: string;
  /** The trust anchor of the estate's signed DNS, in zone-file form. */
  readonly anchorsText: string;
};

/**
 * The checks that rest on Vouch's own DNSSEC validation (issue 13): `--dnssec off` in the bench skips them, to
 * measure what validation costs. tls.dane stays: with no TLSA at _443 it validates nothing.
 */
export const DNSSEC_CHECKS: readonly string[] = ['dns.dnssec', 'mail.dnssec-mx', 'mail.dane'];

/**
 * Vouch's configuration for a scan of the bench estate: every check, web and mail (without DNSSEC_CHECKS when
 * `dnssec` is false), the estate's DNS and its trust anchor, its CA and its connect-to rules, `window` domains in
 * flight, the reports (and journal) into `dir`.
 */
export async function benchScanConfig(options: {
  readonly names: readonly string[]; readonly estate: EstateAccess; readonly window: number; readonly workers?: number;
  readonly dir: string; readonly formats: readonly string[]; readonly dnssec?: boolean;
}): Promise<Config> {
  const { estate } = options;
  const loaded = await buildConfig({
    domains: options.names.map((name) => ({ name, dkimSelectors: [DKIM_SELECTOR] })),
    resolvers: [estate.dns], connectTo: estate.connectTo, ipFamilies: [4],
    concurrency: { domains: options.window, ...(options.workers ? { workers: options.workers } : {}) }, timeouts: { probeMs: 10_000 },
    output: { dir: options.dir, formats: options.formats },
    ...(options.dnssec === false ? { checks: { skip: DNSSEC_CHECKS } } : {}),
  }, {
    source: null, baseDir: process.cwd(), extraCaPems: [estate.caPem],
    dnssecAnchors: { text: estate.anchorsText, source: 'the bench estate\'s lab root (bench/bench-zone.ts)' },
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.config;
}
