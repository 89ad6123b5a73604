import { defineCheck } from '../../src/core/check.ts';
import { judgeOcspStaplingOf } from '../../src/tls/judge/ocsp-stapling.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, enable OCSP stapling where the MTA supports it (e.g. Exim `tls_ocsp_file`) so the '
  + 'handshake after STARTTLS carries a current, CA-signed OCSP response refreshed before nextUpdate. A certificate with '
  + 'must-staple requires it.';

export const starttlsOcspStaplingCheck = defineCheck({
  id: 'mail.starttls-ocsp-stapling',
  title: 'MX hosts staple a good, current OCSP response after STARTTLS',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'RFC 6066 8 (status_request)', 'RFC 6960', 'RFC 7633 (must-staple)', 'RFC 3207',
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (OCSP stapling: optional)', 'internet.nl (mail): "OCSP stapling"',
    'The same verdict as tls.ocsp-stapling, on the handshake of the SMTP probe (and its responder, with ocsp.queryResponder)',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, async (ep) => {
    const smtp = await ctx.probes.smtp(ep);
    if (!smtp.tls) {
      const why = smtp.tlsError ?? (smtp.starttlsAdvertised ? 'STARTTLS is refused' : 'STARTTLS is not advertised');
      return { status: 'skip', reason: 'prerequisite', summary: `no TLS handshake to staple on: ${why}; see mail.starttls`, evidence: { endpoint: smtp.endpoint } };
    }
    return judgeOcspStaplingOf(ctx, smtp.tls);
  }),
});
