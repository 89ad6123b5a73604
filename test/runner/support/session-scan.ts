import pino from 'pino';
import type { Config } from '../../../src/config/config.ts';
import { buildConfig } from '../../../src/config/load.ts';
import type { Check } from '../../../src/core/check.ts';
import type { DomainRecord } from '../../../src/core/domain-record.ts';
import type { Estate } from '../../../src/lab/estate.ts';
import type { Probes } from '../../../src/probes/types.ts';
import { PROBE_KINDS } from '../../../src/runner/probe-kinds/index.ts';
import { createProbeSession, type DomainProbeScope, type ProbeSession, type ProbeSessionOptions } from '../../../src/runner/probes.ts';
import { runDomain } from '../../../src/runner/run.ts';
import { scanSettings } from '../../../src/runner/scan-settings.ts';

/**
 * A scan of a lab estate through the probe session, without the pipeline, journal or reports: the domains run at
 * once (so shared facts are shared), each through its own scope, into DomainRecords. Loopback only: every name
 * resolves through the estate's DNS and every port is remapped.
 */

export const silentLog = pino({ level: 'silent' });

/** The configuration to scan `domains` of `estate`, plus any raw configuration keys. */
export async function estateConfig(estate: Estate, domains: readonly string[], extra: Record<string, unknown> = {}): Promise<Config> {
  const loaded = await buildConfig({
    domains, resolvers: [`127.0.0.1:${estate.dns.port}`], connectTo: estate.connectTo, ipFamilies: [4],
    allowRedirectsTo: estate.allowRedirectsTo, timeouts: { probeMs: 1500 }, ...extra,
  }, { source: null, baseDir: '/tmp', extraCaPems: [estate.ca.certPem] });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.config;
}

/** One probe answer as a check received it, before any encoding. */
export type RawAnswer = { readonly kind: string; readonly key: string; readonly value: unknown };

export type SessionScan = { readonly records: DomainRecord[]; readonly raw: Map<string, RawAnswer>; readonly session: ProbeSession };

/** Runs `checks` on every configured domain at `now`; `raw` gets every value a check was given, by key. */
export async function scanThroughSession(config: Config, checks: readonly Check[], now: Date, options: ProbeSessionOptions = {}): Promise<SessionScan> {
  const session = createProbeSession(config, new AbortController().signal, silentLog, 'test', options);
  const raw = new Map<string, RawAnswer>();
  try {
    const records = await Promise.all(config.targets.map((target, index) => runDomain({ index, target }, {
      checks, scope: capturing(session.forDomain(target.domain), raw), settings: scanSettings(config, () => now),
      checkTimeoutMs: config.probe.checkTimeoutMs, signal: new AbortController().signal, log: silentLog,
    })));
    return { records, raw, session };
  } finally {
    await session.close();
  }
}

/** `scope`, with every value its probes answered copied into `raw`. */
function capturing(scope: DomainProbeScope, raw: Map<string, RawAnswer>): DomainProbeScope {
  return {
    probesFor(track) {
      const probes = scope.probesFor(track) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
      for (const [name, kind] of Object.entries(PROBE_KINDS)) {
        wrapped[name] = (...args) => {
          const answer = probes[name]!(...args);
          const key = (kind.key as (...a: unknown[]) => string)(...args);
          answer.then((value) => raw.set(key, { kind: name, key, value }), () => undefined);
          return answer;
        };
      }
      return wrapped as unknown as Probes;
    },
    finish: () => scope.finish(),
  };
}

/** What replay must reproduce of a result: everything but its timing. */
export function verdictOf(result: DomainRecord['results'][number]): Record<string, unknown> {
  const { startedAt: _started, durationMs: _duration, ...verdict } = result;
  return verdict;
}
