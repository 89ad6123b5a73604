import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeCipherOrder } from '../../src/tls/judge/cipher-order.ts';

const REMEDIATION = 'Make the server choose the suite by its own order (nginx ssl_prefer_server_ciphers on; Apache '
  + 'SSLHonorCipherOrder on; OpenSSL SSL_OP_CIPHER_SERVER_PREFERENCE), with good and sufficient suites before phase-out ones.';

export const tlsCipherOrderCheck = defineCheck({
  id: 'tls.cipher-order',
  title: 'The server enforces its own cipher order, stronger suites first, as the TLS policy requires',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS (guideline B2-5 in version 2.1; the policy\'s order rule), as internet.nl implements it',
    'Mozilla Server Side TLS 5.7 (server_preferred_order: not required by modern and intermediate)',
    'internet.nl: "Cipher order"',
    'TLS 1.3 order is reported but informational; one accepted suite has no order to judge; ChaCha20 first is noted',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeCipherOrder(await ctx.probes.tlsEnumeration(ep), ctx.settings.tlsPolicy), { prerequisite: HTTPS_LISTENING }),
});
