import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_SERVED } from '../../src/core/prerequisites.ts';
import { parseHsts } from '../../src/parse/hsts.ts';
import type { TlsFacts } from '../../src/probes/types.ts';

const REMEDIATION = 'Send "Strict-Transport-Security: max-age=31536000; includeSubDomains" on every HTTPS response, over '
  + 'a connection whose certificate is trusted and names the host.';

/** Why a browser would ignore any HSTS header on this connection (RFC 6797 8.1, 8.4), or null when it would not. */
function certificateError(tls: TlsFacts): string | null {
  if (!tls.chainTrusted) return `the certificate chain is not trusted (${tls.authorizationError ?? 'unknown reason'})`;
  if (!tls.hostnameMatches) return `the certificate is not valid for ${tls.hostname}`;
  return null;
}

export const hstsCheck = defineCheck({
  id: 'http.hsts',
  title: 'HTTPS responses carry a Strict-Transport-Security policy',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 6797 6.1 (syntax), 6.1.1 (max-age=0 deletes the policy)',
    'RFC 6797 8.1 and 8.4: a header received over a connection with certificate errors is ignored, so it fails here',
    'internet.nl: HSTS max-age of at least one year; the MDN HTTP Observatory fails a max-age under six months',
    'Differs from the Observatory: a max-age below thresholds.hstsMinMaxAgeSeconds (one year by default) fails',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, async (ep) => {
    const [hop, tls] = await Promise.all([ctx.probes.http(ep, { url: `https://${ep.hostname}/` }), ctx.probes.tls(ep)]);
    const values = hop.headers['strict-transport-security'] ?? [];
    const parsed = parseHsts(values);
    const min = ctx.settings.thresholds.hstsMinMaxAgeSeconds;
    const ignoredBecause = certificateError(tls);
    const evidence = {
      url: hop.url, httpStatus: hop.status, header: values.length ? [...values] : null,
      ...(parsed.ok ? { ...parsed.policy, notes: [...parsed.notes] } : { problem: parsed.problem }),
      minMaxAge: min, chainTrusted: tls.chainTrusted, hostnameMatches: tls.hostnameMatches,
      authorizationError: tls.authorizationError,
    };
    if (!parsed.ok) return { status: 'fail', summary: parsed.problem, evidence };
    if (ignoredBecause) {
      return { status: 'fail', summary: `browsers ignore this HSTS header: ${ignoredBecause} (RFC 6797 8.1)`, evidence };
    }
    const { maxAge, includeSubDomains, preload } = parsed.policy;
    if (maxAge === 0) return { status: 'fail', summary: 'max-age=0 tells browsers to forget the HSTS policy', evidence };
    const flags = [includeSubDomains ? 'includeSubDomains' : '', preload ? 'preload' : ''].filter(Boolean).join(', ');
    const detail = `HSTS max-age=${maxAge}${flags ? ` (${flags})` : ''}`;
    if (maxAge < min) return { status: 'fail', summary: `${detail} is below the required ${min} s`, evidence };
    return { status: 'pass', summary: detail, evidence };
  }, { prerequisite: HTTPS_SERVED }),
});
