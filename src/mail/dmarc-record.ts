import type { Probes } from '../probes/types.ts';
import { organizationalDomain } from '../dns/organizational-domain.ts';
import { DMARC_RECORD_START, parseDmarc, type DmarcParse } from '../parse/dmarc.ts';

/** Which DMARC record applies to a domain, found the way a receiver finds it. JSON-only, so it can be evidence. */
export type DmarcDiscovery = {
  readonly domain: string;
  readonly organizationalDomain: string | null;
  /** Every `_dmarc` name queried, in order. */
  readonly queried: readonly string[];
  /** `domain`: its own record; `organizational-domain`: the fallback of RFC 7489 6.6.3 step 3; null: none. */
  readonly source: 'domain' | 'organizational-domain' | null;
  /** The domain whose `_dmarc` name holds `records` (report authorization is checked for it, RFC 7489 7.1). */
  readonly recordDomain: string | null;
  /** The TXT records there that start with `v=DMARC1`. */
  readonly records: readonly string[];
  /** Records at the queried names that look like DMARC but do not start with exactly `v=DMARC1` (discarded). */
  readonly discarded: readonly string[];
  /** The parse of the one record; null when there are none or several (then no policy applies, 6.6.3 step 5). */
  readonly parsed: DmarcParse | null;
};

/** `v=dmarc1`, ` v = DMARC1;`-style attempts that receivers discard: worth showing to whoever typed them. */
const NEAR_MISS = /^\s*v\s*=\s*dmarc1/i;

/**
 * Finds the DMARC record for `domain` (RFC 7489 6.6.3): TXT at `_dmarc.<domain>`, keeping only records that start
 * with `v=DMARC1`; if none remain, the same at the Organizational Domain (3.2). Several records at the first name
 * that has any do not trigger the fallback: policy discovery stops there. ProbeErrors propagate.
 */
export async function discoverDmarc(probes: Probes, domain: string): Promise<DmarcDiscovery> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const org = organizationalDomain(name);
  const candidates = org === null || org === name ? [name] : [name, org];
  const queried: string[] = [];
  const discarded: string[] = [];
  for (const [index, candidate] of candidates.entries()) {
    queried.push(`_dmarc.${candidate}`);
    const answer = await probes.dns(`_dmarc.${candidate}`, 'TXT');
    const records = answer.records.filter((r) => DMARC_RECORD_START.test(r));
    discarded.push(...answer.records.filter((r) => !DMARC_RECORD_START.test(r) && NEAR_MISS.test(r)));
    if (records.length === 0) continue;
    return {
      domain: name, organizationalDomain: org, queried, source: index === 0 ? 'domain' : 'organizational-domain',
      recordDomain: candidate, records, discarded, parsed: records.length === 1 ? parseDmarc(records[0]!) : null,
    };
  }
  return { domain: name, organizationalDomain: org, queried, source: null, recordDomain: null, records: [], discarded, parsed: null };
}
