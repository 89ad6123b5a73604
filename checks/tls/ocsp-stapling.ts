import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_SERVED } from '../../src/core/prerequisites.ts';
import { judgeOcspStaplingOf } from '../../src/tls/judge/ocsp-stapling.ts';

const REMEDIATION = 'Enable OCSP stapling (nginx `ssl_stapling on`, Apache `SSLUseStapling on`, or your load balancer\'s '
  + 'equivalent) so the server sends a current, CA-signed OCSP response in the handshake; make sure it refreshes the '
  + 'response before nextUpdate. A certificate with must-staple requires it.';

export const tlsOcspStaplingCheck = defineCheck({
  id: 'tls.ocsp-stapling',
  title: 'The server staples a good, current OCSP response signed by the certificate\'s issuer',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 6066 8 (status_request)', 'RFC 6960 (OCSP: 3.2 response acceptance, 4.2.2.2 authorized responders)',
    'RFC 7633 (TLS Feature: must-staple)', 'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (OCSP stapling: optional)',
    'internet.nl: "OCSP stapling"',
    'Asked for on the full handshake; no staple warns (fails under must-staple); revoked, stale or invalid staples fail',
    'With ocsp.queryResponder: the certificate\'s AIA responder asked over HTTP (RFC 6960 4.1, A.1); a revoked answer fails, any other is noted',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeOcspStaplingOf(ctx, await ctx.probes.tls(ep)), { prerequisite: HTTPS_SERVED }),
});
