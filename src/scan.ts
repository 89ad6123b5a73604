import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { Settings } from './config/settings.ts';
import { redirectSettings } from './config/redirects.ts';
import type { Check } from './core/check.ts';
import type { Status } from './core/types.ts';
import { applyWaivers } from './compliance/waivers.ts';
import { annotateSince } from './compliance/history.ts';
import { rollupPromises, summarizeResults } from './compliance/rollup.ts';
import { sealReport } from './compliance/integrity.ts';
import { createProbeSession, type ProbeSession } from './runner/probes.ts';
import { runChecks } from './runner/run.ts';
import { SCHEMA_VERSION, type ScanReport } from '../reports/types.ts';
import { VERSION } from './version.ts';

export type ScanOptions = {
  readonly config: Config;
  readonly checks: readonly Check[];
  readonly log: Logger;
  /** Aborting it stops the scan: unfinished checks become `error` and the report is marked `interrupted`. */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly onDomainDone?: (done: number, total: number) => void;
  /** The previous report, for `since` on every result. */
  readonly baseline?: ScanReport | null;
};

export type ScanOutcome = { readonly report: ScanReport; readonly stats: ProbeSession['stats'] };

/** Runs one scan and builds its report. Never throws for anything a target does; see runChecks. */
export async function runScan(options: ScanOptions): Promise<ScanOutcome> {
  const { config, checks, log } = options;
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  // Every check and probe in flight listens for the run being stopped; hundreds at once is the design, not a leak.
  setMaxListeners(0, signal);
  const startedAt = now();
  const session = createProbeSession(config, signal, log, VERSION);
  const settings: Settings = {
    thresholds: config.thresholds, allowedCookieCategories: config.cookieCategories,
    strictMxCertificates: config.strictMxCertificates, maxRedirects: config.probe.maxRedirects, now,
    redirects: redirectSettings(config), tlsPolicy: config.tls.policy, tlsVersionProbe: config.probe.tlsVersionProbe,
    ocspQueryResponder: config.ocsp.queryResponder,
  };
  log.info({ domains: config.targets.length, checks: checks.length, resolvers: session.resolvers }, 'scan started');
  try {
    const results = await runChecks({
      targets: config.targets, checks, probesFor: (track) => session.probesFor(track), settings,
      concurrency: config.probe.concurrency, checkTimeoutMs: config.probe.checkTimeoutMs, signal, log,
      ...(options.onDomainDone ? { onDomainDone: options.onDomainDone } : {}),
    });
    const finishedAt = now();
    // Order matters: waivers first (a waived fail no longer counts), then `since` and the roll-ups, the seal last.
    const { compliance } = config;
    const waived = applyWaivers(results, compliance.waivers, finishedAt);
    const annotated = annotateSince(waived.results, options.baseline ?? null, startedAt.toISOString());
    const summary = summarizeResults(annotated);
    const report: ScanReport = {
      schemaVersion: SCHEMA_VERSION,
      tool: { name: 'vouch', version: VERSION },
      runId: randomUUID(),
      status: signal.aborted ? 'interrupted' : 'complete',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      config: { source: config.source, digest: config.digest },
      resolvers: session.resolvers,
      domains: config.targets.map((t) => t.domain),
      checks: checks.map((c) => ({ id: c.id, title: c.title, promises: c.promises, scope: c.scope })),
      summary,
      results: annotated,
      artifacts: session.artifacts(),
      promises: rollupPromises(compliance.catalogue, annotated, compliance.attestations, finishedAt),
      waivers: waived.waivers,
      ...(options.baseline ? { baseline: { runId: options.baseline.runId, startedAt: options.baseline.startedAt } } : {}),
    };
    log.info({ summary, durationMs: report.durationMs, status: report.status }, 'scan finished');
    return { report: sealReport(report, compliance.signingKeyPem ?? undefined), stats: { ...session.stats } };
  } finally {
    await session.close();
  }
}

/** The exit code a report earns: 1 on a fail (or warn with failOn 'warn'), else 2 on an error, else 0. Waived findings do not count. */
export function exitCodeFor(summary: Readonly<Record<Status, number>>, failOn: 'fail' | 'warn'): 0 | 1 | 2 {
  if (summary.fail > 0 || (failOn === 'warn' && summary.warn > 0)) return 1;
  if (summary.error > 0) return 2;
  return 0;
}
