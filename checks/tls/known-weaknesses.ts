import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeKnownWeaknesses } from '../../src/tls/judge/known-weaknesses.ts';

const REMEDIATION = 'Turn off SSLv2 and SSLv3 (on every server that holds this RSA key, for DROWN), and remove 3DES, DES, IDEA, '
  + 'RC2, RC4, NULL, anonymous and export suites; for DHE use an RFC 7919 group of 2048 bits or more (ffdhe3072 or '
  + 'better), or offer only ECDHE. TLS 1.3 with AEAD suites avoids every weakness listed here.';

export const tlsKnownWeaknessesCheck = defineCheck({
  id: 'tls.known-weaknesses',
  title: 'No known TLS weakness follows from the accepted versions and suites (POODLE, SWEET32, FREAK, LOGJAM, DROWN, RC4, NULL, anonymous)',
  promises: ['transport-encryption', 'infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'POODLE CVE-2014-3566 (RFC 7568), SWEET32 CVE-2016-2183 / CVE-2016-6329, FREAK CVE-2015-0204, LOGJAM CVE-2015-4000 (weakdh.org), '
      + 'DROWN CVE-2016-0800, RC4 CVE-2013-2566 / CVE-2015-2808 (RFC 7465)',
    'BEAST CVE-2011-3389 and LUCKY13 CVE-2013-0169: informational, as testssl.sh rates them (named in a pass, never a fail)',
    'Derived from the tls.cipher-suites enumeration, no connection of its own; a version that could not be enumerated is error for the weaknesses it could show',
    'DROWN: only this endpoint is examined; another SSLv2 server with the same RSA key also makes it vulnerable',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeKnownWeaknesses(await ctx.probes.tlsEnumeration(ep)), { prerequisite: HTTPS_LISTENING }),
});
