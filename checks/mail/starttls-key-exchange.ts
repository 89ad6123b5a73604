import { defineCheck } from '../../src/core/check.ts';
import { judgeKeyExchange } from '../../src/tls/judge/key-exchange.ts';
import { judgeAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, use ECDHE with x25519, secp256r1 or secp384r1 after STARTTLS; for DHE use an '
  + 'RFC 7919 group of 3072 bits or more (Postfix smtpd_tls_dh1024_param_file despite its name), never a prime of '
  + '1024 bits or fewer; sign the key exchange with SHA-256 or better.';

export const starttlsKeyExchangeCheck = defineCheck({
  id: 'mail.starttls-key-exchange',
  title: 'MX hosts\' key exchange after STARTTLS (groups, ECDHE curves, DHE prime, signature hash) meets the TLS policy',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05, §3.3.2.1 (curves), §3.3.3.1 (FFDHE), §3.3.5 (key exchange hash)',
    'Mozilla Server Side TLS 5.7 (ecdh curves, dh_param_size)',
    'RFC 3207', 'RFC 7919 (FFDHE groups)', 'internet.nl (mail): "Key exchange parameters" and "Hash function for key exchange"',
    'The same verdict as tls.key-exchange; a DHE prime of 1024 bits or fewer is insufficient under every profile',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeAfterStarttls(ctx, judgeKeyExchange)),
});
