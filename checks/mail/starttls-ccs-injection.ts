import { defineCheck } from '../../src/core/check.ts';
import { tlsCcsInjectionCheck } from '../tls/ccs-injection.ts';
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
    // The web check's references, then what differs on an MX.
    ...(tlsCcsInjectionCheck.references ?? []),
    'RFC 3207; the same probe as tls.ccs-injection, every connection its own SMTP session up to STARTTLS\'s 220, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeMailWeakness(ctx, 'ccs-injection')),
});
