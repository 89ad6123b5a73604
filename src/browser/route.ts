/**
 * Where the visit proxy sends a host (src/browser/proxy.ts): Vouch's own resolver and `--connect-to` mapping (the
 * session's `endpoints` probe), never the system resolver; and, as for redirects, never into a special-purpose
 * network (private, loopback, ...) unless `allowRedirectsTo` names it, except for the scanned domains themselves.
 */
import { endpointLabel } from '../core/endpoint-label.ts';
import { refusedAddress, type AddressAllowList } from '../net/special-addresses.ts';
import type { EndpointSet } from '../probes/types.ts';
import type { Endpoint } from '../core/types.ts';
import type { Router } from './proxy.ts';

export type RouteDependencies = {
  readonly endpoints: (host: string, port: number) => Promise<EndpointSet>;
  readonly allow: AddressAllowList;
  /** The configured domains, lower case: the user asked for their addresses, whatever they are. */
  readonly scannedHosts: ReadonlySet<string>;
  /**
   * With configured CAs (`trustedCaFiles`), which Chromium cannot be given, Vouch verifies each tunnel's certificate
   * itself (the session's TLS probe: chain against system roots plus the configured CAs, and the host name) and
   * the visit tells Chromium to skip its own check. Null: Chromium verifies against its own roots. Resolves to the
   * reason the certificate is refused, or null.
   */
  readonly verify: ((endpoint: Endpoint) => Promise<string | null>) | null;
};

export function routerFor(deps: RouteDependencies): Router {
  return async (host, port, tunnel) => {
    const set = await deps.endpoints(host, port);
    const first = set.endpoints[0];
    if (!first) return { refused: `${host} has no address` };
    if (!deps.scannedHosts.has(host)) {
      const special = refusedAddress(first.address, deps.allow);
      if (special) return { refused: `${endpointLabel(first)} is special (${special.description}); not contacted (see allowRedirectsTo)` };
    }
    const refusedCertificate = tunnel && deps.verify ? await deps.verify(first) : null;
    if (refusedCertificate) return { refused: `${endpointLabel(first)}: ${refusedCertificate}` };
    return { address: first.address, port: first.dialPort };
  };
}
