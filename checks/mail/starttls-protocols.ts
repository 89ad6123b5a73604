import { defineCheck } from '../../src/core/check.ts';
import { judgeVersions, probeVersions } from '../tls/protocol-versions.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, disable TLS 1.0 and 1.1 for STARTTLS and enable TLS 1.3 (keep TLS 1.2), '
  + 'per the NCSC-NL TLS guidelines.';

export const starttlsProtocolsCheck = defineCheck({
  id: 'mail.starttls-protocols',
  title: 'MX hosts accept only current TLS versions after STARTTLS (1.2 and 1.3; not 1.0 or 1.1)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: ['RFC 8996 (TLS 1.0 and 1.1 deprecated)', 'RFC 3207',
    'NCSC-NL TLS guidelines: TLS 1.3 good, 1.2 sufficient, 1.0/1.1 phase out; the same verdict as tls.protocol-versions'],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, async (ep) => {
    const smtp = await ctx.probes.smtp(ep);
    if (smtp.starttlsReply?.code !== 220) {
      // Without a 220 to STARTTLS no version can be offered: that is mail.starttls's fail, reported there once.
      const why = smtp.starttlsAdvertised ? 'STARTTLS is refused' : 'STARTTLS is not advertised';
      return { status: 'skip', reason: 'prerequisite', summary: `${why}, so no TLS version can be tested; see mail.starttls`, evidence: { endpoint: smtp.endpoint, starttlsAdvertised: smtp.starttlsAdvertised } };
    }
    // Each version on its own connection, even when the full handshake failed: a legacy-only server shows up here.
    return judgeVersions(await probeVersions((e, v) => ctx.probes.smtpTlsVersion(e, v), ep));
  }),
});
