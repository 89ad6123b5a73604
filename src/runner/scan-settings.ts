import type { Config } from '../config/config.ts';
import { redirectSettings } from '../config/redirects.ts';
import type { Settings } from '../config/settings.ts';

/**
 * The settings every check of a run reads, from its configuration. One function for the scanning thread, each
 * worker thread and a replay, so they cannot judge by different settings. `now` is the clock: a replay passes the
 * recorded scan's time, so "expires in 20 days" means the same in a replay as it did in the scan.
 */
export function scanSettings(config: Config, now: () => Date): Settings {
  return {
    thresholds: config.thresholds, allowedCookieCategories: config.cookieCategories,
    strictMxCertificates: config.strictMxCertificates, maxRedirects: config.probe.maxRedirects, now,
    redirects: redirectSettings(config), tlsPolicy: config.tls.policy, tlsVersionProbe: config.probe.tlsVersionProbe,
    ocspQueryResponder: config.ocsp.queryResponder, rpki: config.rpki, browserEnabled: config.browser.enabled,
  };
}
