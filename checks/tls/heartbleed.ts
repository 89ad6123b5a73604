import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeWebWeakness } from '../../src/tls/judge/raw-weaknesses.ts';

const REMEDIATION = 'Update OpenSSL (1.0.1g or later; every supported release is fixed) or rebuild it without '
  + 'heartbeats, restart every service that loaded it, then replace the certificate\'s private key and revoke the '
  + 'old certificate: Heartbleed may have leaked it, with passwords and session cookies.';

export const tlsHeartbleedCheck = defineCheck({
  id: 'tls.heartbleed',
  title: 'The server does not answer a malformed heartbeat (Heartbleed, CVE-2014-0160)',
  promises: ['transport-encryption', 'infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'CVE-2014-0160 (OpenSSL 1.0.1 to 1.0.1f), RFC 6520 4: a HeartbeatMessage too large for its record MUST be discarded silently',
    'Probe: after the server\'s flight, a heartbeat request whose payload_length runs 16 bytes past its record, then a well-formed one; '
      + 'an answer to the first fails. The payload echoed is Vouch\'s own (the non-exploiting method Mozilla '
      + 'published; sslyze): no server memory is read',
    'Silence passes, as in testssl.sh and sslyze (RFC 6520 3 lets a server discard heartbeats during the handshake); the wait is in the evidence',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, judgeWebWeakness(ctx, 'heartbleed'), { prerequisite: HTTPS_LISTENING }),
});
