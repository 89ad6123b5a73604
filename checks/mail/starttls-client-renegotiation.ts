import { defineCheck } from '../../src/core/check.ts';
import { judgeClientRenegotiation } from '../../src/tls/judge/renegotiation.ts';
import { judgeFactsAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, refuse client-initiated renegotiation after STARTTLS (OpenSSL 3: '
  + 'SSL_OP_NO_RENEGOTIATION), or at least limit it to 10 per connection.';

export const starttlsClientRenegotiationCheck = defineCheck({
  id: 'mail.starttls-client-renegotiation',
  title: 'MX hosts accept no more client-initiated renegotiations after STARTTLS than the TLS profile allows',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (client-initiated renegotiation: at most 10)', 'RFC 5246 7.4.1.2', 'RFC 3207',
    'CVE-2011-1473', 'internet.nl (mail): "Client-initiated renegotiation"', 'The same verdict as tls.client-renegotiation; one SMTP session',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeFactsAfterStarttls(ctx, async (ep) => {
    const facts = await ctx.probes.smtpTlsRenegotiation(ep);
    return { facts, enumeration: facts.protocol === null ? await ctx.probes.smtpTlsEnumeration(ep) : null };
  }, ({ facts, enumeration }, policy) => judgeClientRenegotiation(facts, policy, enumeration))),
});
