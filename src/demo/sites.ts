import type { SiteSpec } from '../lab/estate.ts';
import type { Route } from '../lab/http-server.ts';
import { generateKeyPairSync } from 'node:crypto';
import type { Status } from '../core/types.ts';
import { MODP1024_PEM } from '../lab/tls-variants.ts';

/** The TLS 1.3 suites (good and sufficient) that the cipher demo sites keep, so only their TLS 1.2 list differs. */
const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
/** An ECDHE suite first, then CBC with SHA-1 (ECDHE and static RSA): insufficient under NCSC-NL 2025. */
const WEAK_CIPHERS = `ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA:${TLS13_SUITES}`;

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

/** RFC 9116: Contact and Expires (within a year) are required. */
const SECURITY_TXT: Route = {
  status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: `Contact: mailto:security@demo.test\nExpires: ${new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 19)}Z\nPreferred-Languages: nl, en\n`,
};

const goodRoutes = (extra: Readonly<Record<string, string | readonly string[]>> = {}) =>
  ({ '/': page({ ...GOOD_HEADERS, ...extra }), '/.well-known/security.txt': SECURITY_TXT });

/** A careless site: reflects any Origin with credentials, sets tracking cookies without flags, names its versions. */
const leakyPage: Route = (req, res) => {
  res.setHeader('server', 'Apache/2.4.41 (Ubuntu)');
  res.setHeader('x-powered-by', 'PHP/7.4.3');
  res.setHeader('set-cookie', ['PHPSESSID=abc123; path=/', '_ga=GA1.2.3; path=/; SameSite=Lax; Secure', 'fbp=fb.1.2; path=/; Secure; SameSite=None']);
  if (req.headers.origin) {
    res.setHeader('access-control-allow-origin', req.headers.origin);
    res.setHeader('access-control-allow-credentials', 'true');
  }
  res.setHeader('strict-transport-security', 'max-age=31536000');
  res.setHeader('content-type', 'text/html');
  res.end('<!doctype html><title>leaky</title><script>var tracking = true;</script>');
};

/** A demo domain, the finding it is there to show, and the verdicts that finding must produce. */
export type DemoSite = SiteSpec & {
  readonly shows: string;
  /** Which checks apply (default: web only, unless the site has a mail host). */
  readonly scope?: { readonly web: boolean; readonly mail: boolean; readonly profile?: 'standard' | 'parked' };
  readonly dkimSelectors?: readonly string[];
  readonly cookies?: readonly { readonly name: string; readonly category: string }[];
  readonly sendingIps?: readonly string[];
  /** Check id -> status the scan must report; checks not named must pass (or skip). */
  readonly expects: Readonly<Record<string, Status>>;
};

/** Built-in demo domains under `.demo.test` (RFC 6761 reserves .test; nothing here can leak to real hosts). */
export const DEMO_SITES: readonly DemoSite[] = [
  { domain: 'good.demo.test', shows: 'a well-configured site: everything passes', https: { routes: goodRoutes() }, http: 'redirect', expects: {} },
  {
    domain: 'legacy-tls.demo.test', shows: 'accepts TLS 1.0 and 1.1 (fail)',
    https: { tls: { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, routes: goodRoutes() }, http: 'redirect',
    // OpenSSL's DEFAULT list: CBC with SHA-1 in every version, so the cipher suites fail too.
    expects: { 'tls.protocol-versions': 'fail', 'tls.cipher-suites': 'fail' },
  },
  { domain: 'expired.demo.test', shows: 'certificate expired two days ago (fail)', https: { cert: 'expired', routes: goodRoutes() }, http: 'redirect',
    expects: { 'tls.certificate-expiry': 'fail', 'tls.certificate-trust': 'fail', 'http.hsts': 'fail' } },
  { domain: 'missing-chain.demo.test', shows: 'serves its certificate without the intermediate that issued it (fail)',
    https: { cert: 'missing-intermediate', routes: goodRoutes() }, http: 'redirect',
    // The lab staples only for leaves its CA issued directly: this one's issuer is not served, so no staple either.
    expects: { 'tls.certificate-chain': 'fail', 'tls.certificate-trust': 'fail', 'http.hsts': 'fail', 'tls.ocsp-stapling': 'warn' } },
  { domain: 'wrong-name.demo.test', shows: 'certificate issued for another host name (fail)', https: { cert: 'wrong-host', routes: goodRoutes() }, http: 'redirect',
    expects: { 'tls.certificate-hostname': 'fail', 'http.hsts': 'fail' } },
  { domain: 'no-redirect.demo.test', shows: 'serves pages over plain HTTP without redirecting (fail)', https: { routes: goodRoutes() }, http: page({}),
    expects: { 'https.redirect': 'fail' } },
  {
    // TLS 1.2 without 1.3 passes under NCSC-NL 2025-05 (TLS 1.2 is sufficient; tls.protocol-versions notes it).
    domain: 'no-hsts.demo.test', shows: 'no Strict-Transport-Security header (fail); TLS 1.2 only',
    https: {
      tls: { maxVersion: 'TLSv1.2' },
      routes: { ...goodRoutes(), '/': page(Object.fromEntries(Object.entries(GOOD_HEADERS).filter(([k]) => k !== 'strict-transport-security'))) },
    },
    http: 'redirect',
    expects: { 'http.hsts': 'fail' },
  },
  {
    domain: 'weak-ciphers.demo.test', shows: 'accepts CBC-SHA1 and static-RSA cipher suites (fail)',
    https: { cert: 'rsa', tls: { ciphers: WEAK_CIPHERS }, routes: goodRoutes() }, http: 'redirect',
    expects: { 'tls.cipher-suites': 'fail' },
  },
  {
    domain: 'client-order.demo.test', shows: 'lets the client choose the cipher suite instead of enforcing its own order (fail)',
    https: { tls: { honorCipherOrder: false }, routes: goodRoutes() }, http: 'redirect',
    expects: { 'tls.cipher-order': 'fail' },
  },
  {
    domain: 'dhe-1024.demo.test', shows: 'DHE with a 1024-bit common prime (fail, LOGJAM); DHE suites are phase-out (warn)',
    https: {
      cert: 'rsa', routes: goodRoutes(),
      tls: { ciphers: `ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:${TLS13_SUITES}`, dhparam: MODP1024_PEM },
    },
    http: 'redirect',
    expects: { 'tls.key-exchange': 'fail', 'tls.cipher-suites': 'warn', 'tls.known-weaknesses': 'fail' },
  },
  {
    domain: 'leaky.demo.test', shows: 'no CSP, session cookie without Secure/HttpOnly, marketing cookie, CORS reflection, versions shown',
    https: { routes: { '/': leakyPage } }, http: 'redirect',
    cookies: [{ name: '_ga', category: 'analytics' }, { name: 'fbp', category: 'marketing' }],
    expects: {
      'http.csp': 'fail', 'http.framing': 'fail', 'http.content-type-options': 'fail', 'http.referrer-policy': 'warn',
      'http.permissions-policy': 'warn', 'http.cross-origin-isolation': 'warn', 'http.cors': 'fail', 'http.cookies': 'fail',
      'http.cookie-inventory': 'fail', 'http.security-txt': 'fail', 'http.server-disclosure': 'warn',
    },
  },
];

/** A DKIM key record (RFC 6376 3.6.1; Ed25519 per RFC 8463: p= is the raw 32-byte key). */
function dkimRecord(type: 'ed25519' | 'rsa1024'): string {
  if (type === 'ed25519') {
    const spki = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    return `v=DKIM1; k=ed25519; p=${spki.subarray(-32).toString('base64')}`;
  }
  const spki = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
  return `v=DKIM1; k=rsa; p=${spki.toString('base64')}`;
}

const MAIL_ONLY = { web: false, mail: true } as const;

/** The mail records of a domain that keeps every mail promise. */
function goodMailZone(domain: string) {
  return {
    [`_dmarc.${domain}`]: { TXT: [`v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`] },
    [`sel1._domainkey.${domain}`]: { TXT: [dkimRecord('ed25519')] },
    [`_mta-sts.${domain}`]: { TXT: ['v=STSv1; id=20261101T000000'] },
    [`_smtp._tls.${domain}`]: { TXT: [`v=TLSRPTv1; rua=mailto:tlsrpt@${domain}`] },
    [`mta-sts.${domain}`]: { A: ['127.0.0.1'] },
  };
}

/** Mail demo domains: STARTTLS on the MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT and DANE. */
export const DEMO_MAIL_SITES: readonly DemoSite[] = [
  {
    domain: 'mail-good.demo.test', shows: 'mail kept safe: STARTTLS, SPF, DKIM, DMARC reject, MTA-STS enforce, DANE',
    scope: MAIL_ONLY, dkimSelectors: ['sel1'], sendingIps: ['127.0.0.1'], mail: { dane: true },
    // One TLSA record (the lab publishes the current key only): no rollover scheme, which internet.nl warns about.
    records: { TXT: ['v=spf1 mx -all'], ad: true }, zone: goodMailZone('mail-good.demo.test'), expects: { 'mail.dane-rollover': 'warn' },
  },
  {
    domain: 'no-starttls.demo.test', shows: 'its mail server does not offer STARTTLS (fail)',
    scope: MAIL_ONLY, dkimSelectors: ['sel1'], mail: { variant: 'no-starttls' },
    records: { TXT: ['v=spf1 mx -all'] }, zone: goodMailZone('no-starttls.demo.test'),
    expects: { 'mail.starttls': 'fail', 'mail.starttls-protocols': 'skip', 'mail.mx-certificate': 'skip', 'mail.dane': 'warn' },
  },
  {
    domain: 'mail-weak-ciphers.demo.test', shows: 'its mail server accepts CBC-SHA1 and static-RSA cipher suites after STARTTLS (fail)',
    scope: MAIL_ONLY, dkimSelectors: ['sel1'], sendingIps: ['127.0.0.1'], mail: { cert: 'rsa', tls: { ciphers: WEAK_CIPHERS }, dane: true },
    records: { TXT: ['v=spf1 mx -all'], ad: true }, zone: goodMailZone('mail-weak-ciphers.demo.test'),
    expects: { 'mail.starttls-cipher-suites': 'fail', 'mail.dane-rollover': 'warn' },
  },
  {
    domain: 'spoofable.demo.test', shows: 'SPF +all, DMARC p=none, a 1024-bit DKIM key, no DNSSEC (fail, warn)',
    scope: MAIL_ONLY, dkimSelectors: ['old'], mail: {},
    records: { TXT: ['v=spf1 +all'], ad: false },
    zone: {
      '_dmarc.spoofable.demo.test': { TXT: ['v=DMARC1; p=none'] },
      'old._domainkey.spoofable.demo.test': { TXT: [dkimRecord('rsa1024')] },
    },
    expects: { 'dns.dnssec': 'fail', 'mail.dnssec-mx': 'fail', 'mail.spf': 'fail', 'mail.dmarc': 'fail', 'mail.dkim': 'warn', 'mail.mta-sts': 'warn', 'mail.tls-rpt': 'warn', 'mail.dane': 'warn' },
  },
  {
    domain: 'parked.demo.test', shows: 'sends and receives no mail, and says so: null MX, v=spf1 -all, DMARC reject',
    scope: { web: false, mail: true, profile: 'parked' },
    records: { TXT: ['v=spf1 -all'], MX: [{ preference: 0, exchange: '.' }] },
    zone: { '_dmarc.parked.demo.test': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@parked.demo.test'] } }, expects: {},
  },
];

/** Served but not scanned: the parent zone (signed, with CAA for every demo domain) and MTA-STS policy hosts. */
export const DEMO_SUPPORT_SITES: readonly SiteSpec[] = [{
  domain: 'demo.test', records: { CAA: [{ flags: 0, tag: 'issue', value: 'ca.demo.test' }], ad: true },
}, {
  domain: 'mta-sts.mail-good.demo.test', http: 'closed',
  https: { routes: { '/.well-known/mta-sts.txt': { status: 200, headers: { 'content-type': 'text/plain' },
    body: 'version: STSv1\r\nmode: enforce\r\nmx: mx.mail-good.demo.test\r\nmax_age: 1209600\r\n' } } },
}, {
  domain: 'mta-sts.mail-weak-ciphers.demo.test', http: 'closed',
  https: { routes: { '/.well-known/mta-sts.txt': { status: 200, headers: { 'content-type': 'text/plain' },
    body: 'version: STSv1\r\nmode: enforce\r\nmx: mx.mail-weak-ciphers.demo.test\r\nmax_age: 1209600\r\n' } } },
}, {
  domain: 'mta-sts.no-starttls.demo.test', http: 'closed',
  https: { routes: { '/.well-known/mta-sts.txt': { status: 200, headers: { 'content-type': 'text/plain' },
    body: 'version: STSv1\r\nmode: enforce\r\nmx: mx.no-starttls.demo.test\r\nmax_age: 1209600\r\n' } } },
}];
