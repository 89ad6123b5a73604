import { defineCheck } from '../../src/core/check.ts';
import { headerValues, judgePages } from './page.ts';
import type { PageFetch, Verdict } from './page.ts';

/** An origin no site owns (RFC 2606 .invalid): if it comes back, the server reflects whatever it is sent. */
export const PROBE_ORIGIN = 'https://vouch-cors-probe.invalid';

const REMEDIATION = 'Return Access-Control-Allow-Origin only for an allow-list of trusted origins; never echo the request\'s '
  + 'Origin together with "Access-Control-Allow-Credentials: true".';

function judge({ final }: PageFetch): Verdict {
  const allowOrigin = (final.headers['access-control-allow-origin']?.[0] ?? '').trim();
  const credentials = (final.headers['access-control-allow-credentials']?.[0] ?? '').trim();
  const evidence = {
    requestOrigin: PROBE_ORIGIN,
    accessControlAllowOrigin: headerValues(final, 'access-control-allow-origin'),
    accessControlAllowCredentials: headerValues(final, 'access-control-allow-credentials'),
  };
  const reflected = allowOrigin === PROBE_ORIGIN;
  // Fetch "CORS check": credentials are shared only when the value is exactly `true`.
  if (reflected && credentials === 'true') {
    return { status: 'fail', summary: 'CORS reflects any Origin with credentials: other sites can read responses as the signed-in user', evidence };
  }
  if (reflected) return { status: 'pass', summary: 'CORS reflects any Origin, but without credentials', evidence };
  if (allowOrigin === '*') return { status: 'pass', summary: 'CORS allows any origin without credentials (*)', evidence };
  if (allowOrigin === '') return { status: 'pass', summary: 'No CORS access granted to a foreign Origin', evidence };
  return { status: 'pass', summary: `CORS grants only ${allowOrigin.slice(0, 80)}`, evidence };
}

/** CORS: a request with a foreign Origin must not come back with that origin and credentials allowed. */
export const corsCheck = defineCheck({
  id: 'http.cors',
  title: 'Cross-origin requests cannot read responses with the user\'s credentials',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'WHATWG Fetch §3.2 CORS protocol, "CORS check"',
    'MDN HTTP Observatory "cross-origin-resource-sharing" test: "universal access" (reflected origin with credentials) fails in both',
    'Differs from the Observatory: Access-Control-Allow-Credentials must be exactly "true", as browsers compare it.',
  ],
  run: judgePages(judge, REMEDIATION, { origin: PROBE_ORIGIN }),
});
