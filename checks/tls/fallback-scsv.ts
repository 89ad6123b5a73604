import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeFallbackScsv } from '../../src/tls/judge/hygiene.ts';

const REMEDIATION = 'Update the TLS library or server to one that honours TLS_FALLBACK_SCSV (RFC 7507), or accept only one TLS '
  + 'version below 1.3.';

export const tlsFallbackScsvCheck = defineCheck({
  id: 'tls.fallback-scsv',
  title: 'The server refuses a downgraded handshake that carries TLS_FALLBACK_SCSV (RFC 7507)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 7507 3 (inappropriate_fallback)',
    'POODLE downgrade (CVE-2014-3566)',
    'One hello at the next lower accepted version (SSLv3 to TLS 1.2) with TLS_FALLBACK_SCSV; not applicable (pass) with fewer than two such versions',
    'testssl.sh: "TLS_FALLBACK_SCSV (RFC 7507)"',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeFallbackScsv(await ctx.probes.tlsHygiene(ep), ctx.settings.tlsPolicy), { prerequisite: HTTPS_LISTENING }),
});
