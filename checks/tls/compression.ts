import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeCompression } from '../../src/tls/judge/hygiene.ts';

const REMEDIATION = 'Turn TLS compression off (OpenSSL: SSL_OP_NO_COMPRESSION, the default since OpenSSL 1.1.0), or update the '
  + 'TLS library.';

export const tlsCompressionCheck = defineCheck({
  id: 'tls.compression',
  title: 'The server does not accept TLS compression (CRIME)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 7457 2.6 and RFC 9325 3.3 (compression must be off)',
    'CVE-2012-4929 (CRIME)',
    'RFC 3749 (DEFLATE)',
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (the configured tls.profile\'s hygiene rule, where it has one)',
    'internet.nl: "TLS compression"',
    'The hello offers DEFLATE and null and reads the method chosen; TLS 1.3-only servers pass as not applicable',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeCompression(await ctx.probes.tlsHygiene(ep), ctx.settings.tlsPolicy), { prerequisite: HTTPS_LISTENING }),
});
