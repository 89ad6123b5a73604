import type { TlsConfigurationDeps, TlsConfigurationMeasurements } from './tls-configuration-probes.ts';

/**
 * `createTlsConfigurationMeasurements`, with the TLS engine (enumeration, hygiene, weakness probes: ~40 modules)
 * loaded at the first measurement instead of at start-up: a one-check run before an audit (issue 11's start-up
 * budget) asks no such question, and a full scan pays the import once.
 */
export function lazyTlsConfigurationMeasurements(deps: TlsConfigurationDeps): TlsConfigurationMeasurements {
  let loading: Promise<TlsConfigurationMeasurements> | undefined;
  const measurements = () => (loading ??= import('./tls-configuration-probes.ts').then((m) => m.createTlsConfigurationMeasurements(deps)));
  return {
    enumeration: async (ep, transport) => (await measurements()).enumeration(ep, transport),
    hygiene: async (ep, transport) => (await measurements()).hygiene(ep, transport),
    renegotiation: async (ep, transport) => (await measurements()).renegotiation(ep, transport),
    session: async (ep, transport) => (await measurements()).session(ep, transport),
    weakness: async (ep, transport, weakness) => (await measurements()).weakness(ep, transport, weakness),
  };
}
