import { defineCheck } from '../../src/core/check.ts';
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
    'RFC 7457 2.6 and RFC 9325 3.3 (compression must be off)',
    'CVE-2012-4929 (CRIME)',
    'RFC 3749 (DEFLATE)',
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (the configured tls.profile\'s hygiene rule, where it has one)',
    'internet.nl: "TLS compression"',
    'The hello offers DEFLATE and null and reads the method chosen; TLS 1.3-only servers pass as not applicable',
    'RFC 3207',
    'The same verdict as tls.compression; every hello is its own SMTP session, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeFactsAfterStarttls(ctx, (ep) => ctx.probes.smtpTlsHygiene(ep), judgeCompression)),
});
