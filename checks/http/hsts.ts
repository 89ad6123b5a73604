import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { parseHsts } from '../../src/parse/hsts.ts';

const REMEDIATION = 'Send "Strict-Transport-Security: max-age=31536000; includeSubDomains" on every HTTPS response.';

export const hstsCheck = defineCheck({
  id: 'http.hsts',
  title: 'HTTPS responses carry a Strict-Transport-Security policy',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['RFC 6797', 'internet.nl: HSTS (max-age of at least one year)'],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, async (ep) => {
    const hop = await ctx.probes.http(ep, { url: `https://${ep.hostname}/` });
    const values = hop.headers['strict-transport-security'] ?? [];
    const parsed = parseHsts(values);
    const min = ctx.settings.thresholds.hstsMinMaxAgeSeconds;
    const evidence = {
      url: hop.url, httpStatus: hop.status, header: values.length ? [...values] : null,
      ...(parsed.ok ? { ...parsed.policy, notes: [...parsed.notes] } : { problem: parsed.problem }),
      minMaxAge: min,
    };
    if (!parsed.ok) return { status: 'fail', summary: parsed.problem, evidence };
    const { maxAge, includeSubDomains, preload } = parsed.policy;
    if (maxAge === 0) return { status: 'fail', summary: 'max-age=0 tells browsers to forget the HSTS policy', evidence };
    const flags = [includeSubDomains ? 'includeSubDomains' : '', preload ? 'preload' : ''].filter(Boolean).join(', ');
    const detail = `HSTS max-age=${maxAge}${flags ? ` (${flags})` : ''}`;
    if (maxAge < min) return { status: 'warn', summary: `${detail} is below ${min} s`, evidence };
    return { status: 'pass', summary: detail, evidence };
  }),
});
