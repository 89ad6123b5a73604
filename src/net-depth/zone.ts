import type { Probes } from '../probes/types.ts';
import type { DnsAnswer } from '../probes/types.ts';

/** The zone a domain lives in and its delegated name servers, as the configured resolver reports them. */
export type ZoneNameServers = {
  /** The closest enclosing name with NS records (the zone apex), or null when none was found below the TLD. */
  readonly zone: string | null;
  /** The NS targets at the apex, lower case, sorted, each once. */
  readonly nameServers: readonly string[];
  /** The names asked, from the domain up. */
  readonly queried: readonly string[];
};

/** The domain and its parents, longest first, down to two labels: a TLD's servers are never the domain's own. */
export function apexCandidates(domain: string): string[] {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  return labels.slice(0, Math.max(1, labels.length - 1)).map((_, i) => labels.slice(i).join('.'));
}

/**
 * Climbs from the domain to the first name that has NS records of its own (RFC 1034 4.2.1: the apex of a zone holds
 * its NS RRset). An alias is not an apex: an answer reached through a CNAME is the target's, so the climb goes on.
 */
export async function zoneNameServers(probes: Pick<Probes, 'dns'>, domain: string): Promise<ZoneNameServers> {
  const queried: string[] = [];
  for (const name of apexCandidates(domain)) {
    queried.push(name);
    const answer: DnsAnswer = await probes.dns(name, 'NS');
    if (answer.records.length > 0 && answer.cnames.length === 0) {
      const nameServers = [...new Set(answer.records.map((r) => r.toLowerCase().replace(/\.$/, '')))].sort();
      return { zone: name, nameServers, queried };
    }
  }
  return { zone: null, nameServers: [], queried };
}
