import { defineCheck } from '../../src/core/check.ts';
import { tlsHeartbleedCheck } from '../tls/heartbleed.ts';
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
    // The web check's references, then what differs on an MX.
    ...(tlsHeartbleedCheck.references ?? []),
    'RFC 3207; the same probe as tls.heartbleed, every connection its own SMTP session up to STARTTLS\'s 220, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeMailWeakness(ctx, 'heartbleed')),
});
