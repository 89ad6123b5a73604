import type { Settings, Thresholds } from './settings.ts';
import type { Target } from '../core/types.ts';
import { ALLOW_NOTHING } from '../net/special-addresses.ts';
import { builtinPolicy } from '../tls/policy.ts';

/** Every default in one place, so the README and `vouch validate` can show them. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  hstsMinMaxAgeSeconds: 31_536_000,
  certExpiryWarnDays: 30,
  certExpiryFailDays: 7,
  minRsaBits: 2048,
  minEcBits: 256,
  dkimMinRsaBits: 1024,
  dkimWarnRsaBits: 2048,
  securityTxtMaxExpiryDays: 366,
};

/** The privacy statement allows "technische en functionele cookies" and non-invasive "analytische cookies". */
export const DEFAULT_COOKIE_CATEGORIES: readonly string[] = ['technical', 'functional', 'analytics'];

export const DEFAULT_SETTINGS: Settings = {
  thresholds: DEFAULT_THRESHOLDS,
  allowedCookieCategories: DEFAULT_COOKIE_CATEGORIES,
  strictMxCertificates: false,
  maxRedirects: 10,
  redirects: { allow: ALLOW_NOTHING, scannedHosts: [] },
  // A getter: the policy file is read when first needed, not when this module is imported.
  get tlsPolicy() { return builtinPolicy('ncsc-2025-05'); },
  tlsVersionProbe: 'raw',
  ocspQueryResponder: false,
  rpki: { originZone: null, originZone6: null, validator: null },
  now: () => new Date(),
};

/** A target with every optional part at its default: web and mail on, standard profile, nothing declared. */
export function defaultTarget(domain: string): Target {
  return { domain, web: true, mail: true, profile: 'standard', dkimSelectors: [], sendingIps: [], urls: [], cookies: [] };
}

export const DEFAULT_PROBE_SETTINGS = {
  timeoutMs: 5_000,
  checkTimeoutMs: 30_000,
  domainsInFlight: 32,
  connectionsPerHost: 2,
  mxConnectionsPerAddress: 1,
  // 1 MiB: room for a page setting thousands of cookies (itself a finding), while a 10 MB header block is refused.
  maxHeaderBytes: 1024 * 1024,
  maxBodyBytes: 64 * 1024,
  maxRedirects: 10,
  dnsRetries: 1,
  ipFamilies: [4, 6] as readonly (4 | 6)[],
} as const;
