import { defineCheck } from '../../src/core/check.ts';
import { judgeMailWeakness } from '../../src/tls/judge/raw-weaknesses.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, update OpenSSL (1.0.1g or later) or rebuild it without heartbeats and '
  + 'restart the mail server, then replace its private key and certificate: Heartbleed may have leaked them.';

export const starttlsHeartbleedCheck = defineCheck({
  id: 'mail.starttls-heartbleed',
  title: 'MX hosts do not answer a malformed heartbeat after STARTTLS (Heartbleed, CVE-2014-0160)',
  promises: ['mail-transport-encryption', 'infrastructure-security'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'CVE-2014-0160 (OpenSSL 1.0.1 to 1.0.1f), RFC 6520 4: a HeartbeatMessage too large for its record MUST be discarded silently',
    'Probe: after the server\'s flight, a heartbeat request whose payload_length runs 16 bytes past its record, then a well-formed one; '
      + 'an answer to the first fails. The payload echoed is Vouch\'s own (the non-exploiting method Mozilla '
      + 'published; sslyze): no server memory is read',
    'Silence passes, as in testssl.sh and sslyze (RFC 6520 3 lets a server discard heartbeats during the handshake); the wait is in the evidence',
    'RFC 3207; the same probe as tls.heartbleed, every connection its own SMTP session up to STARTTLS\'s 220, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeMailWeakness(ctx, 'heartbleed')),
});
