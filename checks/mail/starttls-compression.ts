import { defineCheck } from '../../src/core/check.ts';
import { tlsCompressionCheck } from '../tls/compression.ts';
import { judgeCompression } from '../../src/tls/judge/hygiene.ts';
import { judgeFactsAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host: turn TLS compression off (OpenSSL: SSL_OP_NO_COMPRESSION, the default since OpenSSL '
  + '1.1.0), or update the TLS library.';

export const starttlsCompressionCheck = defineCheck({
  id: 'mail.starttls-compression',
  title: 'MX hosts do not accept TLS compression after STARTTLS (CRIME)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    // The web check's references, then what differs on an MX.
    ...(tlsCompressionCheck.references ?? []),
    'RFC 3207',
    'The same verdict as tls.compression; every hello is its own SMTP session, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeFactsAfterStarttls(ctx, (ep) => ctx.probes.smtpTlsHygiene(ep), judgeCompression)),
});
