import { defineCheck } from '../../src/core/check.ts';
import { judgeKnownWeaknesses } from '../../src/tls/judge/known-weaknesses.ts';
import { judgeAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host, turn off SSLv2 and SSLv3 after STARTTLS (and on every server that holds the same RSA '
  + 'key, for DROWN), and remove 3DES, DES, IDEA, RC2, RC4, NULL, anonymous and export suites; for DHE use an RFC 7919 '
  + 'group of 2048 bits or more, or offer only ECDHE.';

export const starttlsKnownWeaknessesCheck = defineCheck({
  id: 'mail.starttls-known-weaknesses',
  title: 'MX hosts show no known TLS weakness after STARTTLS (POODLE, SWEET32, FREAK, LOGJAM, DROWN, RC4, NULL, anonymous)',
  promises: ['mail-transport-encryption', 'infrastructure-security'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'POODLE CVE-2014-3566, SWEET32 CVE-2016-2183 / CVE-2016-6329, FREAK CVE-2015-0204, LOGJAM CVE-2015-4000, DROWN CVE-2016-0800, '
      + 'RC4 CVE-2013-2566 / CVE-2015-2808; BEAST CVE-2011-3389 and LUCKY13 CVE-2013-0169 informational (as testssl.sh)',
    'RFC 3207',
    'The same verdict as tls.known-weaknesses, from the mail.starttls-cipher-suites enumeration (no SMTP session of its own)',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeAfterStarttls(ctx, judgeKnownWeaknesses)),
});
