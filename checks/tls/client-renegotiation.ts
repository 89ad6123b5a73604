import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_SERVED } from '../../src/core/prerequisites.ts';
import { judgeClientRenegotiation } from '../../src/tls/judge/renegotiation.ts';

const REMEDIATION = 'Refuse client-initiated renegotiation (OpenSSL 3: SSL_OP_NO_RENEGOTIATION; nginx and Apache refuse it by '
  + 'default; Node: `secureOptions: SSL_OP_NO_RENEGOTIATION`), or at least limit it to 10 per connection.';

export const tlsClientRenegotiationCheck = defineCheck({
  id: 'tls.client-renegotiation',
  title: 'The server accepts no more client-initiated renegotiations than the TLS profile allows',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (client-initiated renegotiation: at most 10)', 'RFC 5246 7.4.1.2',
    'The limit is the TLS profile\'s hygiene.clientRenegotiation (NCSC-NL 2025-05: 10; Mozilla: no rule)',
    'Not applicable (pass) only when the TLS enumeration saw TLS 1.0, 1.1 and 1.2 all refused',
    'CVE-2011-1473 (renegotiation denial of service)', 'internet.nl: "Client-initiated renegotiation"',
    'Measured with node:tls: one TLS 1.2 connection, renegotiate() up to 11 times',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => {
      const facts = await ctx.probes.tlsRenegotiation(ep);
      // Only "no version below TLS 1.3" needs the enumeration's word (cached: tls.protocol-versions reads it too).
      return judgeClientRenegotiation(facts, ctx.settings.tlsPolicy, facts.protocol === null ? await ctx.probes.tlsEnumeration(ep) : null);
    }, { prerequisite: HTTPS_SERVED }),
});
