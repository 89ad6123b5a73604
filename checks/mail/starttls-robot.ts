import { defineCheck } from '../../src/core/check.ts';
import { tlsRobotCheck } from '../tls/robot.ts';
import { judgeMailWeakness } from '../../src/tls/judge/raw-weaknesses.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, turn off RSA key exchange (the TLS_RSA_* suites; keep ECDHE) after '
  + 'STARTTLS, or update the TLS stack or appliance firmware to a release fixed for ROBOT.';

export const starttlsRobotCheck = defineCheck({
  id: 'mail.starttls-robot',
  title: 'MX hosts are no RSA padding oracle after STARTTLS (ROBOT, CVE-2017-13099 and vendor CVEs)',
  promises: ['mail-transport-encryption', 'infrastructure-security'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    // The web check's references, then what differs on an MX.
    ...(tlsRobotCheck.references ?? []),
    'RFC 3207; the same probe as tls.robot, every connection its own SMTP session up to STARTTLS\'s 220, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeMailWeakness(ctx, 'robot')),
});
