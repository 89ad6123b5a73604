import { defineCheck } from '../../src/core/check.ts';
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
    'Böck, Somorovsky, Young: Return Of Bleichenbacher\'s Oracle Threat (USENIX Security 2018); CVE-2017-13099, '
      + 'CVE-2017-6168, CVE-2017-17382, CVE-2017-17427, CVE-2017-17428, CVE-2017-13098, CVE-2017-1000385',
    'RFC 5246 7.4.7.1: a badly padded premaster secret must be treated like a good one',
    'Only where the enumeration saw RSA key exchange (else not applicable); five ClientKeyExchange payloads, each '
      + 'followed by ChangeCipherSpec and Finished, then (when those answers are alike) the five alone, as robot-detect '
      + 'and sslyze do; different answers are repeated once: the same differences fail, changing ones are error; at '
      + 'most 15 connections',
    'RFC 3207; the same probe as tls.robot, every connection its own SMTP session up to STARTTLS\'s 220, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeMailWeakness(ctx, 'robot')),
});
