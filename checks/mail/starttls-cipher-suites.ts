import { defineCheck } from '../../src/core/check.ts';
import { judgeCipherSuites } from '../../src/tls/judge/cipher-suites.ts';
import { judgeAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, accept only good and sufficient cipher suites after STARTTLS: TLS 1.3 suites and, '
  + 'for TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305 (NCSC-NL TLS guidelines appendix B). Remove static RSA, CBC '
  + 'with SHA-1, 3DES, RC4 and every other insufficient suite, and plan to remove the phase-out ones.';

export const starttlsCipherSuitesCheck = defineCheck({
  id: 'mail.starttls-cipher-suites',
  title: 'MX hosts accept only good or sufficient cipher suites after STARTTLS, per TLS version',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05, §3.3.3, §3.3.4 and appendix B (the configured tls.profile; default ncsc-2025)',
    'Mozilla Server Side TLS 5.7 (profiles mozilla-modern, mozilla-intermediate, mozilla-old)',
    'RFC 3207', 'internet.nl (mail): "Ciphers (Algorithm selections)"',
    'The same verdict as tls.cipher-suites; every hello is its own SMTP session, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeAfterStarttls(ctx, judgeCipherSuites)),
});
