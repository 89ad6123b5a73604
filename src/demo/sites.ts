import type { SiteSpec } from '../lab/estate.ts';
import type { Route } from '../lab/http-server.ts';
import type { Status } from '../core/types.ts';

/** Headers of a well-run site, so the good demo domain passes the header checks too. */
export const GOOD_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'content-type': 'text/html; charset=utf-8',
};

const page = (headers: Readonly<Record<string, string | readonly string[]>>): Route =>
  ({ status: 200, headers, body: '<!doctype html><title>demo</title><p>Demo site served by Vouch on loopback.</p>' });

const goodRoutes = (extra: Readonly<Record<string, string | readonly string[]>> = {}) => ({ '/': page({ ...GOOD_HEADERS, ...extra }) });

/** A demo domain, the finding it is there to show, and the verdicts that finding must produce. */
export type DemoSite = SiteSpec & {
  readonly shows: string;
  readonly mail?: boolean;
  /** Check id -> status the scan must report; checks not named must pass (or skip). */
  readonly expects: Readonly<Record<string, Status>>;
};

/** Built-in demo domains under `.demo.test` (RFC 6761 reserves .test; nothing here can leak to real hosts). */
export const DEMO_SITES: readonly DemoSite[] = [
  { domain: 'good.demo.test', shows: 'a well-configured site: everything passes', https: { routes: goodRoutes() }, http: 'redirect', expects: {} },
  {
    domain: 'legacy-tls.demo.test', shows: 'accepts TLS 1.0 and 1.1 (fail)',
    https: { tls: { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, routes: goodRoutes() }, http: 'redirect',
    expects: { 'tls.protocol-versions': 'fail' },
  },
  { domain: 'expired.demo.test', shows: 'certificate expired two days ago (fail)', https: { cert: 'expired', routes: goodRoutes() }, http: 'redirect',
    expects: { 'tls.certificate-expiry': 'fail', 'tls.certificate-trust': 'fail' } },
  { domain: 'wrong-name.demo.test', shows: 'certificate issued for another host name (fail)', https: { cert: 'wrong-host', routes: goodRoutes() }, http: 'redirect',
    expects: { 'tls.certificate-hostname': 'fail' } },
  { domain: 'no-redirect.demo.test', shows: 'serves pages over plain HTTP without redirecting (fail)', https: { routes: goodRoutes() }, http: page({}),
    expects: { 'https.redirect': 'fail' } },
  {
    domain: 'no-hsts.demo.test', shows: 'no Strict-Transport-Security header (fail); TLS 1.2 only (warn)',
    https: { tls: { maxVersion: 'TLSv1.2' }, routes: { '/': page(Object.fromEntries(Object.entries(GOOD_HEADERS).filter(([k]) => k !== 'strict-transport-security'))) } },
    http: 'redirect',
    expects: { 'http.hsts': 'fail', 'tls.protocol-versions': 'warn' },
  },
];
