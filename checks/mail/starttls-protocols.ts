import { defineCheck } from '../../src/core/check.ts';
import { judgeVersions, versionsFromEnumeration } from '../tls/protocol-versions.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';
import { measurementEvidence } from '../../src/tls/judge/common.ts';

const REMEDIATION = 'On every MX host, disable SSL 2.0, SSL 3.0, TLS 1.0 and TLS 1.1 for STARTTLS and enable TLS 1.3 (keep '
  + 'TLS 1.2 where the TLS profile allows it), per the configured TLS profile (default the NCSC-NL TLS guidelines 2025-05).';

export const starttlsProtocolsCheck = defineCheck({
  id: 'mail.starttls-protocols',
  title: 'MX hosts accept only current TLS versions after STARTTLS (by the TLS profile: not SSLv2, SSLv3, TLS 1.0 or 1.1)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: ['RFC 6176 (SSL 2.0 prohibited)', 'RFC 7568 (SSL 3.0 deprecated)', 'RFC 8996 (TLS 1.0 and 1.1 deprecated)', 'RFC 3207',
    'the configured TLS profile (tls.profile), NCSC-NL TLS guidelines 2025-05 §3.3.1 by default; the same verdict as tls.protocol-versions'],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, async (ep) => {
    const smtp = await ctx.probes.smtp(ep);
    if (smtp.starttlsReply?.code !== 220) {
      // Without a 220 to STARTTLS no version can be offered: that is mail.starttls's fail, reported there once.
      const why = smtp.starttlsAdvertised ? 'STARTTLS is refused' : 'STARTTLS is not advertised';
      return { status: 'skip', reason: 'prerequisite', summary: `${why}, so no TLS version can be tested; see mail.starttls`, evidence: { endpoint: smtp.endpoint, starttlsAdvertised: smtp.starttlsAdvertised } };
    }
    // Every version (SSLv2 to TLS 1.3) is read from the STARTTLS enumeration, whose hellos each get their own SMTP
    // session, even when the full handshake failed: a legacy-only server shows up here. The same cached facts serve
    // the mail cipher-suite checks, so versions cost no extra session (STARTTLS has no node engine).
    const enumeration = await ctx.probes.smtpTlsEnumeration(ep);
    const verdict = judgeVersions(versionsFromEnumeration(enumeration), ctx.settings.tlsPolicy, 'smtp-tls-enumeration');
    return { ...verdict, evidence: { ...verdict.evidence, ...measurementEvidence(enumeration) } };
  }),
});
