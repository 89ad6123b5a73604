import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_SERVED } from '../../src/core/prerequisites.ts';
import { judgeZeroRtt } from '../../src/tls/judge/zero-rtt.ts';

const REMEDIATION = 'Switch off TLS 1.3 early data (0-RTT): nginx `ssl_early_data off` (the default), OpenSSL '
  + '`SSL_CTX_set_max_early_data(ctx, 0)`, and the equivalent on CDNs and load balancers. Early data can be replayed.';

export const tlsZeroRttCheck = defineCheck({
  id: 'tls.zero-rtt',
  title: 'The server offers no TLS 1.3 early data (0-RTT); session resumption noted',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (0-RTT: not allowed)', 'RFC 8446 2.3, 4.2.10 and 8 (replay)',
    'internet.nl: "0-RTT"',
    'Whether 0-RTT is allowed is the TLS profile\'s hygiene.zeroRtt (NCSC-NL 2025-05: forbidden; Mozilla: no rule)',
    'Judged from the server\'s session tickets: max_early_data above 0 announces that the server will accept early data (RFC 8446 4.6.1), which warns where the profile forbids 0-RTT; an early-data acceptance proven on a resumed session fails',
    'Evidence notes session resumption (ID or ticket): a second handshake offering the saved session',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeZeroRtt(await ctx.probes.tlsSession(ep), ctx.settings.tlsPolicy), { prerequisite: HTTPS_SERVED }),
});
