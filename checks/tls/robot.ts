import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeWebWeakness } from '../../src/tls/judge/raw-weaknesses.ts';

const REMEDIATION = 'Turn off RSA key exchange (the TLS_RSA_* suites; keep ECDHE), which NCSC-NL and Mozilla '
  + 'already require, or update the TLS stack or appliance firmware to a release fixed for ROBOT (robotattack.org '
  + 'lists the vendors).';

export const tlsRobotCheck = defineCheck({
  id: 'tls.robot',
  title: 'The server is no RSA padding oracle (ROBOT, CVE-2017-13099 and vendor CVEs)',
  promises: ['transport-encryption', 'infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'Böck, Somorovsky, Young: Return Of Bleichenbacher\'s Oracle Threat (USENIX Security 2018); CVE-2017-13099, '
      + 'CVE-2017-6168, CVE-2017-17382, CVE-2017-17427, CVE-2017-17428, CVE-2017-13098, CVE-2017-1000385',
    'RFC 5246 7.4.7.1: a badly padded premaster secret must be treated like a good one',
    'Only where the enumeration saw RSA key exchange (else not applicable); five ClientKeyExchange payloads, each '
      + 'followed by ChangeCipherSpec and Finished, then (when those answers are alike) the five alone, as robot-detect '
      + 'and sslyze do; different answers are repeated once: the same differences fail, changing ones are error; at '
      + 'most 15 connections',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, judgeWebWeakness(ctx, 'robot'), { prerequisite: HTTPS_LISTENING }),
});
