import { defineCheck, fail, pass, skip } from '../../src/core/check.ts';
import type { Probes } from '../../src/probes/types.ts';
import { sameOrganization } from '../../src/dns/organizational-domain.ts';
import { discoverDmarc } from '../../src/mail/dmarc-record.ts';
import { DMARC_RECORD_START } from '../../src/parse/dmarc.ts';

type DmarcDestinationEvidence = {
  tag: 'rua' | 'ruf'; uri: string; host: string; external: boolean;
  authorizationName: string | null; records: readonly string[]; authorized: boolean;
};

const REMEDIATION = 'Ask each external report receiver to publish TXT "v=DMARC1" at <your domain>._report._dmarc.<their '
  + 'domain> (RFC 7489 7.1), or remove its address from rua=/ruf=; without it receivers send no reports there.';

/** `mail.dmarc-report-authorization`: rua/ruf destinations outside the organisation have opted in (RFC 7489 7.1). */
export const dmarcReportAuthCheck = defineCheck({
  id: 'mail.dmarc-report-authorization',
  title: 'External DMARC report destinations have authorized receiving reports',
  promises: ['mail-anti-spoofing'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 7489 7.1 (authorization record), 6.4 ("v" is case-insensitive, DMARC1 is not)'],

  async run({ target, probes }) {
    if (!target.mail) return skip('Mail checks are disabled for this domain', 'not-applicable');
    const found = await discoverDmarc(probes, target.domain);
    if (!found.parsed?.ok || found.recordDomain === null) {
      return skip('No single valid DMARC record, so there are no report destinations to check (see mail.dmarc)', 'not-applicable');
    }
    const policyDomain = found.recordDomain;
    const { rua, ruf } = found.parsed.record;
    const uris = [...rua.map((u) => ({ tag: 'rua' as const, ...u })), ...ruf.map((u) => ({ tag: 'ruf' as const, ...u }))];
    const destinations = await Promise.all(uris.flatMap(({ tag, uri, host }) => (host === null ? [] : [
      judgeDestination(probes, policyDomain, tag, uri, host),
    ])));
    const evidence = { policyDomain, record: found.records[0]!, destinations };
    const unauthorized = destinations.filter((d) => !d.authorized);
    if (unauthorized.length > 0) {
      const names = [...new Set(unauthorized.map((d) => d.authorizationName))].join(', ');
      return fail(`No v=DMARC1 authorization at ${names}: receivers will not send those reports`, evidence, REMEDIATION);
    }
    const external = destinations.filter((d) => d.external).map((d) => d.host);
    if (external.length === 0) return pass('All DMARC report destinations are within the domain\'s own organization', evidence);
    return pass(`External DMARC report destinations are authorized: ${[...new Set(external)].join(', ')}`, evidence);
  },
});

/**
 * RFC 7489 7.1: a destination outside the Organizational Domain of the domain the policy came from must publish a
 * TXT record starting with v=DMARC1 at `<policy domain>._report._dmarc.<destination host>`.
 */
async function judgeDestination(
  probes: Probes, policyDomain: string, tag: 'rua' | 'ruf', uri: string, host: string,
): Promise<DmarcDestinationEvidence> {
  if (sameOrganization(policyDomain, host)) {
    return { tag, uri, host, external: false, authorizationName: null, records: [], authorized: true };
  }
  const authorizationName = `${policyDomain}._report._dmarc.${host}`;
  const answer = await probes.dns(authorizationName, 'TXT');
  const authorized = answer.records.some((r) => DMARC_RECORD_START.test(r));
  return { tag, uri, host, external: true, authorizationName, records: answer.records, authorized };
}
