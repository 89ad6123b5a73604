import { endpointLabel } from '../../core/endpoint-label.ts';
import { ProbeError } from '../../core/errors.ts';
import { askSoa, DNS_PORT, type NameServerAddress, type NameServerFacts } from '../../probes/dns-authoritative.ts';
import { probeKind } from './kind.ts';

/**
 * Asks every address of name server `nameServer` for the SOA of `zone`, directly and without recursion (the
 * addresses come through the configured resolver and `connectTo`, as any endpoint's do). A name server serves many
 * zones of an estate, but the question is per zone; kept for the run all the same, since a domain and its
 * subdomains ask the same zone.
 */
export const nameServerSoa = probeKind({
  name: 'nameServerSoa',
  lifetime: 'run',
  key: (nameServer: string, zone: string) => `ns-soa:${zone.toLowerCase()}@${nameServer.toLowerCase()}`,
  async load(ctx, nameServer, zone): Promise<NameServerFacts> {
    const base = { nameServer, zone, observedAt: new Date().toISOString() };
    let endpoints;
    try {
      endpoints = (await ctx.probes.endpoints(nameServer, DNS_PORT)).endpoints;
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      return { ...base, resolutionError: err.message, addresses: [] };
    }
    const addresses = await Promise.all(endpoints.map(async (ep): Promise<NameServerAddress> => {
      const where = { address: ep.address, ...(ep.dialPort === DNS_PORT ? {} : { dialPort: ep.dialPort }) };
      ctx.stats.dnsQueries++;
      try {
        const reply = await ctx.bounded(`soa ${endpointLabel(ep)}`, (signal) => askSoa(ep.address, ep.dialPort, zone, ctx.config.probe.timeoutMs, signal));
        return { ...where, reply, error: null };
      } catch (err) {
        if (!(err instanceof ProbeError)) throw err;
        return { ...where, reply: null, error: { reason: err.reason, message: err.message } };
      }
    }));
    return { ...base, resolutionError: null, addresses };
  },
});
