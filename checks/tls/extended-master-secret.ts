import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeExtendedMasterSecret } from '../../src/tls/judge/hygiene.ts';

const REMEDIATION = 'Update the TLS library or server to one that supports RFC 7627 extended_master_secret (OpenSSL 1.1.0 and '
  + 'later, and every maintained library, do by default).';

export const tlsExtendedMasterSecretCheck = defineCheck({
  id: 'tls.extended-master-secret',
  title: 'The server supports the Extended Master Secret (RFC 7627)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 7627 5.2 (the server echoes extended_master_secret)',
    'Triple handshake attack (Bhargavan et al., 2014; CVE-2014-1295)',
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05 (requires it; without a policy rule a missing EMS warns)',
    'internet.nl: "Extended Master Secret"',
    'TLS 1.3-only servers pass as not applicable (the TLS 1.3 key schedule binds the handshake, RFC 8446 7.1)',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeExtendedMasterSecret(await ctx.probes.tlsHygiene(ep), ctx.settings.tlsPolicy), { prerequisite: HTTPS_LISTENING }),
});
