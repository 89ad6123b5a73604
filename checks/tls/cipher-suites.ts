import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeCipherSuites } from '../../src/tls/judge/cipher-suites.ts';

const REMEDIATION = 'Accept only good and sufficient cipher suites: TLS 1.3 suites and, for TLS 1.2, ECDHE with AES-GCM or '
  + 'ChaCha20-Poly1305 (NCSC-NL TLS guidelines appendix B). Remove static RSA, CBC with SHA-1, 3DES, RC4 and every '
  + 'other insufficient suite, and plan to remove the phase-out ones.';

export const tlsCipherSuitesCheck = defineCheck({
  id: 'tls.cipher-suites',
  title: 'Every accepted cipher suite is good or sufficient under the TLS policy, per TLS version',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05, §3.3.3, §3.3.4 and appendix B (the configured tls.profile; default ncsc-2025)',
    'Mozilla Server Side TLS 5.7 (profiles mozilla-modern, mozilla-intermediate, mozilla-old)',
    'internet.nl: "Ciphers (Algorithm selections)"',
    'Every version is enumerated (SSLv2 to TLS 1.3); a version or suite that could not be tested is error, never a pass',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeCipherSuites(await ctx.probes.tlsEnumeration(ep), ctx.settings.tlsPolicy), { prerequisite: HTTPS_LISTENING }),
});
