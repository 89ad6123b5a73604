import { defineCheck } from '../../src/core/check.ts';
import { judgeFactsAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeZeroRtt } from '../../src/tls/judge/zero-rtt.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, switch off TLS 1.3 early data (0-RTT) after STARTTLS (OpenSSL '
  + '`SSL_CTX_set_max_early_data(ctx, 0)`, the default): early data can be replayed.';

export const starttlsZeroRttCheck = defineCheck({
  id: 'mail.starttls-zero-rtt',
  title: 'MX hosts offer no TLS 1.3 early data (0-RTT) after STARTTLS; session resumption noted',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (0-RTT: not allowed)', 'RFC 8446 4.2.10', 'RFC 3207',
    'internet.nl (mail): "0-RTT"', 'The same verdict as tls.zero-rtt; two SMTP sessions',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeFactsAfterStarttls(ctx, (ep) => ctx.probes.smtpTlsSession(ep), judgeZeroRtt)),
});
