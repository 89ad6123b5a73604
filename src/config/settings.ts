import type { AddressAllowList } from '../net/special-addresses.ts';
import type { Policy } from '../tls/policy.ts';
import type { RpkiConfig } from './network-depth.ts';

/** Thresholds a verdict is measured against. Defaults in `defaults.ts`; every one can be set in the config. */
export type Thresholds = {
  readonly hstsMinMaxAgeSeconds: number;
  readonly certExpiryWarnDays: number;
  readonly certExpiryFailDays: number;
  readonly minRsaBits: number;
  readonly minEcBits: number;
  readonly dkimMinRsaBits: number;
  readonly dkimWarnRsaBits: number;
  readonly securityTxtMaxExpiryDays: number;
};

/** The run-wide settings a check may read. Passed down explicitly; there is no global config. */
export type Settings = {
  readonly thresholds: Thresholds;
  /** Cookie categories the organisation's statement allows (default: the privacy statement's three). */
  readonly allowedCookieCategories: readonly string[];
  /** Treat MX certificate problems as fail rather than warn even without MTA-STS enforce. */
  readonly strictMxCertificates: boolean;
  /** Redirects followed before a chain counts as a loop (config `limits.maxRedirects`). */
  readonly maxRedirects: number;
  /**
   * Redirect targets followed beyond public addresses: special networks the config allows (`allowRedirectsTo`), and
   * the scanned host names (lower case), whose addresses the user asked for. See `src/web/redirect-walk.ts`.
   */
  readonly redirects: { readonly allow: AddressAllowList; readonly scannedHosts: readonly string[] };
  /** The TLS profile versions, suites, groups, DH sizes and certificate keys are judged by (config `tls.profile`). */
  readonly tlsPolicy: Policy;
  /** How TLS versions are probed (config `tlsVersionProbe`): `raw` hellos (default) or real node:tls handshakes. */
  readonly tlsVersionProbe: 'raw' | 'node';
  /** Ask each leaf's OCSP responder as well as reading the staple (config `ocsp.queryResponder`, off by default). */
  readonly ocspQueryResponder: boolean;
  /** Where route origins and their RPKI validity come from (config `rpki`; `net.rpki` skips without them). */
  readonly rpki: RpkiConfig;
  /** Pages are visited in headless Chromium (config `browser.enabled`, `--browser`); absent: off. */
  readonly browserEnabled?: boolean;
  /** The clock every verdict about time uses, injectable for tests. */
  readonly now: () => Date;
};
