import { defineCheck } from '../../src/core/check.ts';
import { tlsSecureRenegotiationCheck } from '../tls/secure-renegotiation.ts';
import { judgeSecureRenegotiation } from '../../src/tls/judge/hygiene.ts';
import { judgeFactsAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host: update the TLS library or server: every maintained one supports RFC 5746 secure '
  + 'renegotiation and sends renegotiation_info; if it cannot be updated, turn renegotiation off.';

export const starttlsSecureRenegotiationCheck = defineCheck({
  id: 'mail.starttls-secure-renegotiation',
  title: 'MX hosts support secure renegotiation after STARTTLS (RFC 5746 renegotiation_info)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    // The web check's references, then what differs on an MX.
    ...(tlsSecureRenegotiationCheck.references ?? []),
    'RFC 3207',
    'The same verdict as tls.secure-renegotiation; every hello is its own SMTP session, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeFactsAfterStarttls(ctx, (ep) => ctx.probes.smtpTlsHygiene(ep), judgeSecureRenegotiation)),
});
