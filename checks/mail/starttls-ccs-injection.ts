import { defineCheck } from '../../src/core/check.ts';
import { judgeMailWeakness } from '../../src/tls/judge/raw-weaknesses.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, update OpenSSL (0.9.8za, 1.0.0m, 1.0.1h or later) and restart the mail server.';

export const starttlsCcsInjectionCheck = defineCheck({
  id: 'mail.starttls-ccs-injection',
  title: 'MX hosts refuse an early ChangeCipherSpec after STARTTLS (CCS injection, CVE-2014-0224)',
  promises: ['mail-transport-encryption', 'infrastructure-security'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'CVE-2014-0224; RFC 5246 7.4 (handshake order) and 7.1: a ChangeCipherSpec before the key exchange is an unexpected_message',
    'Probe: after the server\'s flight, a ChangeCipherSpec; on silence a second one: bad_record_mac or '
      + 'decryption_failed to the second proves acceptance (fail), as in testssl.sh',
    'Silence to both, or a close after a silence, is error (ambiguous), never a pass or a fail',
    'RFC 3207; the same probe as tls.ccs-injection, every connection its own SMTP session up to STARTTLS\'s 220, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeMailWeakness(ctx, 'ccs-injection')),
});
