import { defineCheck } from '../../src/core/check.ts';
import { judgeCipherOrder } from '../../src/tls/judge/cipher-order.ts';
import { judgeAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, make the server choose the suite by its own order after STARTTLS (Postfix '
  + 'tls_preempt_cipherlist = yes; OpenSSL SSL_OP_CIPHER_SERVER_PREFERENCE), with good and sufficient suites before phase-out ones.';

export const starttlsCipherOrderCheck = defineCheck({
  id: 'mail.starttls-cipher-order',
  title: 'MX hosts enforce their own cipher order after STARTTLS, stronger suites first, as the TLS policy requires',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS (guideline B2-5 in version 2.1; the policy\'s order rule), as internet.nl implements it',
    'Mozilla Server Side TLS 5.7 (server_preferred_order)',
    'RFC 3207', 'internet.nl (mail): "Cipher order"',
    'The same verdict as tls.cipher-order; TLS 1.3 order is informational',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeAfterStarttls(ctx, judgeCipherOrder)),
});
