import { defineCheck, skip } from '../../src/core/check.ts';
import { probeFailure, worstOf, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import { answersOverIpv4, ipv6Targets, judgeReach, untestableVerdict } from '../../src/net-depth/ipv6.ts';
import { parseMxRecords } from '../../src/parse/mx.ts';
import { SMTP_PORT } from '../mail/mx-endpoints.ts';

const REMEDIATION = 'Give every MX host an AAAA record and let its SMTP server answer on port 25 over IPv6 as over IPv4 '
  + '(internet.nl IPv6 test for mail servers).';

/** `dns.ipv6-mail`: every MX host has AAAA records and its SMTP server answers on each. */
export const ipv6MailCheck = defineCheck({
  id: 'dns.ipv6-mail',
  title: 'Every MX host is reachable over IPv6 (AAAA records, SMTP on port 25)',
  promises: ['infrastructure-security'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: ['RFC 3596 (AAAA)', 'RFC 5321 5.1', 'internet.nl: IPv6 for mail servers (AAAA, reachable)',
    'A silent IPv6 address fails only when the same MX answered over IPv4 from the same scanner; a scanner without IPv6 reports error (client-limitation)'],

  async run({ target, probes }) {
    const mx = await probes.dns(target.domain, 'MX');
    const hosts = [...new Set(parseMxRecords(mx.records).records.map((r) => r.exchange).filter((e) => e !== '.'))];
    if (hosts.length === 0) return skip(`The domain has no MX host (${mx.result}): nothing to reach over IPv6; see mail.mx`, 'not-applicable');
    const rows = (await Promise.all(hosts.map(async (host): Promise<Judged[]> => {
      try {
        const { aaaa, targets, ipv4 } = await ipv6Targets(probes, host, SMTP_PORT);
        if (aaaa.records.length === 0) {
          return [{ label: host, facts: { host, address: null }, verdict: { status: 'fail', summary: `no AAAA record (${aaaa.result})`, evidence: {} } }];
        }
        return Promise.all(targets.map(async ({ address, endpoint, untestable }): Promise<Judged> => {
          const facts = { host, address };
          if (!endpoint) return { label: `${host} (${address})`, facts, verdict: untestableVerdict(untestable ?? 'not dialled') };
          const verdict = await judgeReach(`SMTP on ${address}`, async () => ({ banner: (await probes.smtp(endpoint)).banner.lines[0] ?? null }),
            () => answersOverIpv4(ipv4, (ep) => probes.smtp(ep)));
          return { label: `${host} (${address})`, facts, verdict };
        }));
      } catch (err) {
        const verdict: Verdict = probeFailure(err);
        return [{ label: host, facts: { host, address: null }, verdict }];
      }
    }))).flat();
    return worstOf(rows, {
      summary: (worst) => `${worst.label}: ${worst.verdict.summary}`,
      evidence: (addresses) => ({ domain: target.domain, addresses }),
      remediation: REMEDIATION,
    });
  },
});
