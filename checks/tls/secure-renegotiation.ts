import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeSecureRenegotiation } from '../../src/tls/judge/hygiene.ts';

const REMEDIATION = 'Update the TLS library or server: every maintained one supports RFC 5746 secure renegotiation and sends '
  + 'renegotiation_info; if it cannot be updated, turn renegotiation off.';

export const tlsSecureRenegotiationCheck = defineCheck({
  id: 'tls.secure-renegotiation',
  title: 'The server supports secure renegotiation (RFC 5746 renegotiation_info)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 5746 3.6 (the server\'s renegotiation_info)',
    'CVE-2009-3555 (renegotiation prefix injection)',
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (the configured tls.profile\'s hygiene rule, where it has one)',
    'internet.nl: "Secure renegotiation"',
    'One hello at the highest accepted TLS 1.0-1.2 version; TLS 1.3-only servers pass as not applicable (TLS 1.3 has no renegotiation)',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeSecureRenegotiation(await ctx.probes.tlsHygiene(ep), ctx.settings.tlsPolicy), { prerequisite: HTTPS_LISTENING }),
});
