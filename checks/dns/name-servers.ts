import net from 'node:net';
import { defineCheck, fail, inconclusive, pass, warn } from '../../src/core/check.ts';
import { judgeNameServers } from '../../src/net-depth/name-server-verdict.ts';
import { zoneNameServers } from '../../src/net-depth/zone.ts';

const REMEDIATION = 'Delegate the zone to at least two name servers, preferably in different networks (RFC 2182 5), and make '
  + 'every name server listed in the NS records (at the parent and in the zone) answer authoritatively for it; remove '
  + 'a server that no longer serves the zone, and let secondaries follow the primary (NOTIFY and zone transfers) so '
  + 'they serve the same SOA serial.';

/** `dns.name-servers`: the zone of the domain is served by at least two authoritative name servers that agree. */
export const nameServersCheck = defineCheck({
  id: 'dns.name-servers',
  title: 'At least two name servers answer authoritatively for the zone, with the same SOA serial',
  promises: ['infrastructure-security'],
  scope: 'domain',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 1034 4.1', 'RFC 2182 5 (at least two servers)', 'RFC 1912 2.8 (lame delegations)', 'RFC 1035 4.1.1 (AA bit)',
    'internet.nl: name servers reachable (IPv6 test)',
    'Vouch asks each address of each NS directly with RD=0; differing serials warn, since secondaries lag for seconds after an update'],

  async run({ target, probes }) {
    const { zone, nameServers, queried } = await zoneNameServers(probes, target.domain);
    if (zone === null) return fail(`No NS records for ${target.domain} or its parents below the top-level domain`, { zone: null, queried, nameServers: [] }, REMEDIATION);
    const facts = await Promise.all(nameServers.map((ns) => probes.nameServerSoa(ns, zone)));
    // An address of a family this host cannot reach says nothing about the zone (no IPv6 here).
    const untestable = new Map<string, boolean>();
    for (const row of facts.flatMap((f) => f.addresses)) {
      if (row.error?.reason === 'unreachable' && net.isIPv6(row.address)) untestable.set(row.address, !(await probes.ipv6Client(row.address)).usable);
    }
    const verdict = judgeNameServers(zone, facts, (address) => untestable.get(address) === true);
    const evidence = { ...verdict.evidence, queried };
    switch (verdict.status) {
      case 'pass': return pass(verdict.summary, evidence);
      case 'warn': return warn(verdict.summary, evidence, REMEDIATION);
      case 'fail': return fail(verdict.summary, evidence, REMEDIATION);
      default: return inconclusive(verdict.summary, verdict.reason ?? 'timeout', evidence);
    }
  },
});
