import net from 'node:net';
import { defineCheck, fail, skip } from '../../src/core/check.ts';
import { worstOf, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import { ipv6Targets, untestableVerdict } from '../../src/net-depth/ipv6.ts';
import { zoneNameServers } from '../../src/net-depth/zone.ts';
import { DNS_PORT, type NameServerFacts } from '../../src/probes/dns-authoritative.ts';

const REMEDIATION = 'Give at least two of the zone\'s name servers AAAA records and let them answer DNS queries over IPv6 '
  + '(internet.nl IPv6 test: name servers of the domain), so resolvers with only IPv6 can resolve the domain.';

/** How one IPv6 address of a name server did, from the SOA question `nameServerSoa` asked it. */
function reachVerdict(facts: NameServerFacts, address: string): Verdict {
  const row = facts.addresses.find((a) => a.address === address);
  if (!row) return untestableVerdict(`${address} was not asked`);
  if (row.reply) return { status: 'pass', summary: `answers DNS over IPv6 (${row.reply.rcode}${row.reply.authoritative ? ', authoritative' : ''})`, evidence: {} };
  const cause = row.error?.message ?? 'no answer';
  // Silence over IPv6 from a server that answered over IPv4 is a broken IPv6 path; silence everywhere is not known.
  const ipv4Answered = facts.addresses.some((a) => net.isIPv4(a.address) && a.reply !== null);
  if (ipv4Answered) return { status: 'fail', summary: `answers over IPv4 but not over IPv6: ${cause}`, evidence: { cause } };
  return { status: 'error', reason: row.error?.reason ?? 'timeout', summary: `answers over neither IPv4 nor IPv6 from here: ${cause}`, evidence: { cause } };
}

/** `dns.ipv6-name-servers`: at least two name servers of the zone have AAAA records, and each answers over IPv6. */
export const ipv6NameServersCheck = defineCheck({
  id: 'dns.ipv6-name-servers',
  title: 'At least two name servers of the zone are reachable over IPv6',
  promises: ['infrastructure-security'],
  scope: 'domain',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 3596 (AAAA)', 'RFC 3901 (DNS IPv6 transport guidelines: at least one IPv6-reachable authoritative server)',
    'internet.nl: at least two name servers with an AAAA record, all reachable over IPv6'],

  async run({ target, probes }) {
    const { zone, nameServers } = await zoneNameServers(probes, target.domain);
    if (zone === null) return skip(`No NS records for ${target.domain}: no name servers to reach; see dns.name-servers`, 'prerequisite');
    const perServer = await Promise.all(nameServers.map(async (ns) => {
      const [{ aaaa, targets }, facts] = await Promise.all([ipv6Targets(probes, ns, DNS_PORT), probes.nameServerSoa(ns, zone)]);
      const rows = targets.map(({ address, endpoint, untestable }): Judged => ({
        label: `${ns} (${address})`, facts: { nameServer: ns, address },
        verdict: endpoint ? reachVerdict(facts, address) : untestableVerdict(untestable ?? 'not dialled'),
      }));
      return { ns, aaaa: [...aaaa.records], rows };
    }));
    const withAaaa = perServer.filter((s) => s.aaaa.length > 0).map((s) => s.ns);
    const evidence = { zone, nameServers: perServer.map((s) => ({ name: s.ns, aaaa: s.aaaa })), withAaaa };
    if (withAaaa.length < 2) {
      return fail(`${withAaaa.length === 0 ? 'No' : 'Only one'} name server of ${zone} has an AAAA record${withAaaa.length === 1 ? ` (${withAaaa[0]})` : ''}: at least two are needed`,
        { ...evidence, addresses: [] }, REMEDIATION);
    }
    const rows = perServer.flatMap((s) => s.rows);
    return worstOf(rows, {
      summary: (worst) => (rows.every((r) => r.verdict.status === worst.verdict.status)
        ? `${worst.verdict.status === 'pass' ? `${withAaaa.length} name servers of ${zone} answer over IPv6` : worst.verdict.summary} (all ${rows.length} IPv6 addresses)`
        : `${worst.label}: ${worst.verdict.summary}`),
      evidence: (addresses) => ({ ...evidence, addresses }),
      remediation: REMEDIATION,
    });
  },
});
