import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeWebWeakness } from '../../src/tls/judge/raw-weaknesses.ts';

const REMEDIATION = 'Update OpenSSL (0.9.8za, 1.0.0m, 1.0.1h or later; every supported release is fixed) and '
  + 'restart every service that loaded it.';

export const tlsCcsInjectionCheck = defineCheck({
  id: 'tls.ccs-injection',
  title: 'The server refuses an early ChangeCipherSpec (CCS injection, CVE-2014-0224)',
  promises: ['transport-encryption', 'infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'CVE-2014-0224; RFC 5246 7.4 (handshake order) and 7.1: a ChangeCipherSpec before the key exchange is an unexpected_message',
    'Probe: after the server\'s flight, a ChangeCipherSpec; on silence a second one: bad_record_mac or '
      + 'decryption_failed to the second proves acceptance (fail), as in testssl.sh',
    'Silence to both, or a close after a silence, is error (ambiguous), never a pass or a fail',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, judgeWebWeakness(ctx, 'ccs-injection'), { prerequisite: HTTPS_LISTENING }),
});
