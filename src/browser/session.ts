/** The probe session's browser (src/runner/probe-kinds/context.ts): its router over the session's own probes. */
import type { Config } from '../config/config.ts';
import type { AddressAllowList } from '../net/special-addresses.ts';
import type { Probes } from '../probes/types.ts';
import { browserPages, type BrowserPages } from './pages.ts';
import { routerFor } from './route.ts';

export function sessionBrowser(config: Config, probes: () => Pick<Probes, 'endpoints' | 'tls'>, allow: AddressAllowList): BrowserPages {
  // Chromium cannot be handed the configured CAs: with any, Vouch's own TLS probe (which trusts them) verifies each
  // tunnel's certificate instead, and the pages skip Chromium's check.
  const vouchVerifies = config.trustedCaPems.length > 0;
  const router = routerFor({
    endpoints: (host, port) => probes().endpoints(host, port),
    allow,
    scannedHosts: new Set(config.targets.map((t) => t.domain.toLowerCase())),
    verify: vouchVerifies
      ? async (endpoint) => {
        const facts = await probes().tls(endpoint);
        if (!facts.chainTrusted) return `certificate not trusted (${facts.authorizationError ?? 'unknown issuer'})`;
        return facts.hostnameMatches ? null : 'certificate does not name the host';
      }
      : null,
  });
  return browserPages(config.browser, router, vouchVerifies);
}
