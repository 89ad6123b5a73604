import { loadPolicy, type Policy } from '../tls/policy.ts';
import { allowedKeys } from './definition/index.ts';
import { checkKeys, readMapping, readString, type Problems } from './fields.ts';

/**
 * The TLS profile verdicts are judged by. NCSC-NL 2025-05 by default: the Dutch reference (internet.nl) and the
 * guideline the privacy statement's "https and the padlock" is measured against in the Netherlands.
 */
export const DEFAULT_TLS_PROFILE = 'ncsc-2025';

/** How often a TLS configuration is measured: once per address and configuration, or once per name (config `tls.measure`). */
export const MEASURE_MODES = ['per-address', 'per-name'] as const;
export type MeasureMode = (typeof MEASURE_MODES)[number];

export type TlsConfig = {
  /** As written in the config (a built-in id or a path), for the report. */
  readonly profile: string;
  readonly policy: Policy;
  /**
   * `per-address` (default): the TLS configuration behind an address and port is measured once, through the first
   * name that asks, and every further name on it whose fingerprint (five hellos) matches uses that measurement, which
   * its results say (src/runner/shared-endpoints.ts). `per-name`: every name is measured on its own.
   */
  readonly measure: MeasureMode;
};

/**
 * `tls: { profile: ncsc-2025 | mozilla-modern | mozilla-intermediate | mozilla-old | ./my-profile.yaml }`. A user
 * profile is validated like the config: each of its problems is listed under `tls.profile`, with its own path.
 */
export async function readTls(raw: unknown, baseDir: string, problems: Problems): Promise<TlsConfig | undefined> {
  const node = readMapping(raw ?? {}, 'tls', problems) ?? {};
  checkKeys(node, 'tls', allowedKeys('tls'), problems);
  const profile = readString(node['profile'], 'tls.profile', problems) ?? DEFAULT_TLS_PROFILE;
  const measure = readString(node['measure'], 'tls.measure', problems) ?? 'per-address';
  if (!(MEASURE_MODES as readonly string[]).includes(measure)) problems.push(`tls.measure: expected one of ${MEASURE_MODES.join(', ')}, got "${measure}"`);
  const loaded = await loadPolicy(profile, baseDir);
  if (!loaded.ok) {
    for (const problem of loaded.problems) problems.push(`tls.profile: ${problem}`);
    return undefined;
  }
  return { profile, policy: loaded.policy, measure: measure === 'per-name' ? 'per-name' : 'per-address' };
}
