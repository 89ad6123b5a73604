import { defineCheck } from '../../src/core/check.ts';
import { judgeValidations } from '../dns/dnssec-judge.ts';
import { judgeMxHosts } from './mx-endpoints.ts';

const REMEDIATION = 'Ask the operator of the MX host\'s zone to sign it with DNSSEC and publish its DS at the parent, or '
  + 'receive mail on a host in a signed zone: without it a sender cannot authenticate the MX host\'s addresses, nor use '
  + 'DANE for it (RFC 7672 2.2, RFC 4035 4.3).';
const BOGUS_REMEDIATION = 'The MX host\'s zone is signed but does not validate (expired or missing RRSIGs, or a DS that matches '
  + 'no DNSKEY): validating senders cannot resolve it, so mail to the domain bounces or waits. Have its operator re-sign '
  + 'the zone or correct the DS at the parent (RFC 4035 5.5).';

/**
 * `mail.dnssec-mx`: the zone of every MX host is DNSSEC-signed and validates (internet.nl's mail test, "DNSSEC of the
 * mail server domains"). Vouch validates each host's A answer itself; an MX host with only AAAA records still has
 * a proven, signed NODATA for A, so the question shows its zone either way.
 */
export const dnssecMxCheck = defineCheck({
  id: 'mail.dnssec-mx',
  title: 'Every MX host\'s zone is DNSSEC-signed and validates',
  promises: ['mail-transport-encryption', 'infrastructure-security'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 4035 4.3, 5', 'RFC 7672 2.2 (DANE for SMTP needs a secure MX host)',
    'internet.nl mail test: DNSSEC of the mail server domain(s)', 'Validated by Vouch itself, as dns.dnssec is'],

  run: (ctx) => judgeMxHosts(ctx, async (mx) => {
    const validation = await ctx.probes.dnssec(mx.exchange, 'A');
    // judgeMxHosts prefixes the host's name, and groups hosts whose summaries agree.
    return judgeValidations('the MX host\'s zone', [validation], { unsigned: REMEDIATION, bogus: BOGUS_REMEDIATION });
  }),
});
