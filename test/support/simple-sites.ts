import type { CertVariant, SiteSpec } from '../../src/lab/estate.ts';
import { GOOD_HEADERS } from '../../src/demo/sites.ts';

const SECURITY_TXT = () => `Contact: mailto:security@lab.test\nExpires: ${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 19)}Z\n`;

/**
 * `count` well-run web sites `site<i>.<zone>` (HTTPS with good headers and security.txt, HTTP redirecting), plus the
 * signed parent zone with CAA, for tests about how a scan runs rather than what it finds. `certs` gives a site
 * another certificate variant by index.
 */
export function simpleSites(zone: string, count: number, certs: Readonly<Record<number, CertVariant>> = {}): { domains: string[]; sites: SiteSpec[] } {
  const domains = Array.from({ length: count }, (_, i) => `site${i}.${zone}`);
  const sites: SiteSpec[] = [
    ...domains.map((domain, i) => ({
      domain, http: 'redirect' as const, records: { ad: true },
      https: {
        ...(certs[i] ? { cert: certs[i] } : {}),
        routes: {
          '/': { status: 200, headers: GOOD_HEADERS, body: '<!doctype html><p>lab</p>' },
          '/.well-known/security.txt': { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: SECURITY_TXT() },
        },
      },
    })),
    { domain: zone, records: { ad: true, CAA: [{ flags: 0, tag: 'issue', value: `ca.${zone}` }] } },
  ];
  return { domains, sites };
}
