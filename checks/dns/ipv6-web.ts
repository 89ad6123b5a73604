import { defineCheck, fail } from '../../src/core/check.ts';
import { probeFailure, whereSummary, worstOf, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { answersOverIpv4, ipv6Targets, judgeReach, untestableVerdict } from '../../src/net-depth/ipv6.ts';
import { responseDifferences } from '../../src/net-depth/same-response.ts';
import type { Probes } from '../../src/probes/types.ts';

const REMEDIATION = 'Publish an AAAA record for the web host and serve the site on it exactly as over IPv4: HTTPS on port '
  + '443 with the same status, redirects and security headers (RFC 8200; internet.nl IPv6 test for websites).';
const HTTPS_PORT = 443;

/** The landing page over one endpoint, as compared between the families. */
const landing = (probes: Probes, domain: string, ep: Endpoint) => probes.http(ep, { url: `https://${domain}/` });

/** `dns.ipv6-web`: the web host has AAAA records, each serves HTTPS, and the site answers the same as over IPv4. */
export const ipv6WebCheck = defineCheck({
  id: 'dns.ipv6-web',
  title: 'The website is reachable over IPv6 and answers the same as over IPv4',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['dns', 'web'],
  remediation: REMEDIATION,
  references: ['RFC 8200', 'RFC 3596 (AAAA)', 'internet.nl: IPv6 for websites (AAAA, reachable, same website)',
    'A silent IPv6 address fails only when the same site answered over IPv4 from the same scanner; a scanner without IPv6 reports error (client-limitation)'],

  async run({ target, probes }) {
    const domain = target.domain;
    const { aaaa, targets, ipv4 } = await ipv6Targets(probes, domain, HTTPS_PORT);
    if (aaaa.records.length === 0) {
      return fail(`${domain} has no AAAA record (${aaaa.result}): the site cannot be reached over IPv6`, { host: domain, aaaa: [], addresses: [] }, REMEDIATION);
    }
    const ipv4Page = ipv4[0] ? landing(probes, domain, ipv4[0]).catch(() => null) : Promise.resolve(null);
    const rows = await Promise.all(targets.map(async ({ address, endpoint, untestable }): Promise<Judged> => {
      const facts = { address, ...(endpoint && endpoint.dialPort !== HTTPS_PORT ? { dialPort: endpoint.dialPort } : {}) };
      if (!endpoint) return { label: address, facts, verdict: untestableVerdict(untestable ?? 'not dialled') };
      const reach = await judgeReach(`HTTPS on ${address}`, async () => ({ protocol: (await probes.tls(endpoint)).protocol }),
        () => answersOverIpv4(ipv4, (ep) => probes.tls(ep)));
      if (reach.status !== 'pass') return { label: address, facts, verdict: reach };
      return { label: address, facts, verdict: await sameSite(probes, domain, endpoint, await ipv4Page).catch(probeFailure) };
    }));
    return worstOf(rows, {
      summary: (worst) => whereSummary(worst, rows, 'AAAA addresses'),
      evidence: (addresses) => ({ host: domain, aaaa: [...aaaa.records], ipv4Compared: ipv4[0]?.address ?? null, addresses }),
      remediation: REMEDIATION,
    });
  },
});

/** The landing page over IPv6 against the one over IPv4: status and security headers. */
async function sameSite(probes: Probes, domain: string, ep: Endpoint, ipv4Page: Awaited<ReturnType<Probes['http']>> | null): Promise<Verdict> {
  const page = await landing(probes, domain, ep);
  const compared = { httpStatus: page.status };
  if (!ipv4Page) {
    return { status: 'pass', summary: `HTTPS answers over IPv6 (status ${page.status}); no IPv4 answer to compare it with`, evidence: { ...compared, differences: [] } };
  }
  const differences = responseDifferences(ipv4Page, page);
  if (differences.length > 0) {
    return { status: 'fail', summary: `the site answers differently over IPv6: ${differences.join('; ')}`, evidence: { ...compared, ipv4HttpStatus: ipv4Page.status, differences } };
  }
  return { status: 'pass', summary: `HTTPS answers over IPv6 with the same status (${page.status}) and security headers as over IPv4`, evidence: { ...compared, ipv4HttpStatus: ipv4Page.status, differences } };
}
