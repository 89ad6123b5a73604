import { defineCheck } from '../../src/core/check.ts';
import { judgeExtendedMasterSecret } from '../../src/tls/judge/hygiene.ts';
import { judgeFactsAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host: update the TLS library or server to one that supports RFC 7627 extended_master_secret '
  + '(OpenSSL 1.1.0 and later, and every maintained library, do by default).';

export const starttlsExtendedMasterSecretCheck = defineCheck({
  id: 'mail.starttls-extended-master-secret',
  title: 'MX hosts support the Extended Master Secret after STARTTLS (RFC 7627)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'RFC 7627 5.2 (the server echoes extended_master_secret)',
    'Triple handshake attack (Bhargavan et al., 2014; CVE-2014-1295)',
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (requires it; without a policy rule a missing EMS warns)',
    'internet.nl: "Extended Master Secret"',
    'TLS 1.3-only servers pass as not applicable (the TLS 1.3 key schedule binds the handshake, RFC 8446 7.1)',
    'RFC 3207',
    'The same verdict as tls.extended-master-secret; every hello is its own SMTP session, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeFactsAfterStarttls(ctx, (ep) => ctx.probes.smtpTlsHygiene(ep), judgeExtendedMasterSecret)),
});
