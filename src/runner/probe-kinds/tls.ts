import { endpointLabel } from '../../core/endpoint-label.ts';
import type { Endpoint } from '../../core/types.ts';
import { probeTlsVersion } from '../../probes/tls-version.ts';
import { probeTlsVersionWithNode } from '../../probes/tls-version-node.ts';
import type { TlsFacts, TlsVersion, TlsVersionFacts } from '../../probes/types.ts';
import { endpointKey, probeKind } from './kind.ts';

/** One full node:tls handshake: what was negotiated and the chain as served; its socket serves the first HTTPS request. */
export const tls = probeKind({
  name: 'tls',
  key: (ep: Endpoint) => `tls:${endpointKey(ep)}`,
  load: (ctx, ep): Promise<TlsFacts> => ctx.handshakeAndPark(ep),
});

/**
 * Whether the server accepts a hello offering exactly one version: raw hellos, or node:tls with config
 * `tlsVersionProbe: node` (not in the key: one run uses one way).
 */
export const tlsVersion = probeKind({
  name: 'tlsVersion',
  key: (ep: Endpoint, version: TlsVersion) => `tls-version:${version}:${endpointKey(ep)}`,
  load(ctx, ep, version): Promise<TlsVersionFacts> {
    ctx.stats.tlsVersionProbes++;
    const probe = ctx.config.probe.tlsVersionProbe === 'node' ? probeTlsVersionWithNode : probeTlsVersion;
    return ctx.web(ep, () => ctx.bounded(`tls-version ${version} ${endpointLabel(ep)}`, (signal) => probe(ep, version, signal)));
  },
});
