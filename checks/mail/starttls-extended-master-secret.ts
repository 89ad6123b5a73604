import { defineCheck } from '../../src/core/check.ts';
import { tlsExtendedMasterSecretCheck } from '../tls/extended-master-secret.ts';
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
    // The web check's references, then what differs on an MX.
    ...(tlsExtendedMasterSecretCheck.references ?? []),
    'RFC 3207',
    'The same verdict as tls.extended-master-secret; every hello is its own SMTP session, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeFactsAfterStarttls(ctx, (ep) => ctx.probes.smtpTlsHygiene(ep), judgeExtendedMasterSecret)),
});
