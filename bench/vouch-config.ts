import type { Config } from '../src/config/config.ts';
import { buildConfig } from '../src/config/load.ts';
import { DKIM_SELECTOR } from './layout.ts';

/** What a scanner needs to reach the bench estate (printed by bench/estate-process.ts). */
export type EstateAccess = { readonly dns: string; readonly connectTo: readonly string[]; readonly caPem: string };

/**
 * Vouch's configuration for a scan of the bench estate: every check, web and mail, the estate's DNS, its CA and its
 * connect-to rules, `window` domains in flight, the reports (and journal) into `dir`.
 */
export async function benchScanConfig(options: {
  readonly names: readonly string[]; readonly estate: EstateAccess; readonly window: number; readonly workers?: number;
  readonly dir: string; readonly formats: readonly string[];
}): Promise<Config> {
  const { estate } = options;
  const loaded = await buildConfig({
    domains: options.names.map((name) => ({ name, dkimSelectors: [DKIM_SELECTOR] })),
    resolvers: [estate.dns], connectTo: estate.connectTo, ipFamilies: [4],
    concurrency: { domains: options.window, ...(options.workers ? { workers: options.workers } : {}) }, timeouts: { probeMs: 10_000 },
    output: { dir: options.dir, formats: options.formats },
  }, { source: null, baseDir: process.cwd(), extraCaPems: [estate.caPem] });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.config;
}
