import { defineCheck } from '../../src/core/check.ts';
import { judgeValidations } from './dnssec-judge.ts';

const REMEDIATION = 'Sign the zone with DNSSEC at your DNS operator and publish its DS record at the parent zone through '
  + 'your registrar, so validating resolvers can build a chain of trust from the root (RFC 4033 5, RFC 4035 2.4).';
const BOGUS_REMEDIATION = 'The zone\'s signatures do not validate (expired or missing RRSIGs, a DS at the parent that matches '
  + 'no DNSKEY, or a DS left behind after signing stopped): validating resolvers refuse to answer for it at all. Re-sign '
  + 'the zone or correct the DS record at the parent (RFC 4035 5.5, RFC 6781 4.1.4).';

/** `dns.dnssec`: Vouch validates the domain's SOA and A answers itself, from the trust anchor down (issue 13). */
export const dnssecCheck = defineCheck({
  id: 'dns.dnssec',
  title: 'The domain\'s DNS answers are DNSSEC-signed and validate',
  promises: ['infrastructure-security'],
  scope: 'domain',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 4033 5', 'RFC 4035 4.3, 5', 'RFC 5155', 'RFC 9276', 'RFC 8624',
    'Validated by Vouch itself (src/dnssec), as internet.nl does: from the IANA root anchors (or `dnssec.trustAnchors`) '
      + 'down to the domain\'s SOA and A answers. Insecure (a proven unsigned delegation) fails, bogus fails with its '
      + 'reason, and what could not be fetched is an error. The resolver only passes records along (queries carry DO '
      + 'and CD); its AD bit is kept in the evidence as a cross-check and decides nothing. A resolver that strips '
      + 'DNSSEC records makes the check an error (client-limitation), said once per scan in the log'],

  async run({ target, probes }) {
    // SOA speaks for the zone, A for the name people connect to (a CNAME into an unsigned zone shows on A only).
    const validations = await Promise.all((['SOA', 'A'] as const).map((type) => probes.dnssec(target.domain, type)));
    return judgeValidations(target.domain, validations, { unsigned: REMEDIATION, bogus: BOGUS_REMEDIATION });
  },
});
