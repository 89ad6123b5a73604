import net from 'node:net';
import type { EndpointSet } from '../../probes/types.ts';
import { probeKind } from './kind.ts';

/** Where to connect for `hostname:port`: a `--connect-to` rule's address, the IP literal itself, or its A/AAAA records. */
export const endpoints = probeKind({
  name: 'endpoints',
  key: (hostname: string, port: number) => `endpoints:${hostname.toLowerCase()}:${port}`,
  // An MX host's addresses are asked by every domain that points at it: kept for the run, like its SMTP facts.
  lifetime: (_hostname: string, port: number) => (port === 25 ? 'run' : 'domain'),
  async load(ctx, hostname, port): Promise<EndpointSet> {
    const rule = ctx.matchConnectTo(hostname, port);
    const dialPort = rule?.dialPort ?? port;
    if (rule?.address) {
      return { hostname, port, source: 'connect-to', endpoints: [{ hostname, port, address: rule.address, dialPort }], answers: [] };
    }
    if (net.isIP(hostname)) return { hostname, port, source: 'dns', endpoints: [{ hostname, port, address: hostname, dialPort }], answers: [] };
    const types = ctx.config.probe.ipFamilies.map((f): 'A' | 'AAAA' => (f === 4 ? 'A' : 'AAAA'));
    const answers = await Promise.all(types.map((t) => ctx.probes.dns(hostname, t)));
    const addresses = answers.flatMap((a) => [...a.records].sort());
    return { hostname, port, source: 'dns', endpoints: addresses.map((address) => ({ hostname, port, address, dialPort })), answers };
  },
});
