import type { CheckResult, JsonObject, Outcome } from '../../src/core/types.ts';
import { BUILT_IN_CATALOGUE } from '../../src/compliance/catalogue.ts';
import { annotateSince } from '../../src/compliance/history.ts';
import { sealReport } from '../../src/compliance/integrity.ts';
import { createPromiseRollup, createStatusTally } from '../../src/compliance/rollup.ts';
import { createWaiverApplier, type Waiver } from '../../src/compliance/waivers.ts';
import { baselineOf } from '../../reports/memory.ts';
import { SCHEMA_VERSION, type Attestation, type ReportDomain, type ScanReport } from '../../reports/types.ts';

/** Fixed times: every timestamp in the fixture derives from these, so snapshots never need normalising. */
export const SCAN_START = '2026-06-01T02:00:00.000Z';
export const SCAN_END = '2026-06-01T02:00:07.250Z';
export const NOW = new Date(SCAN_END);

/** Strings a hostile server (or a careless config) could put into a report; each writer must neutralise them. */
export const HOSTILE = {
  script: '<script>alert(1)</script>',
  attribute: `"'><img src=x onerror=alert(1)>`,
  control: 'line1\nline2\r\u0000\u0007\u001b[31mred\u202eevil',
} as const;

export const HOSTILE_DOMAIN = `${HOSTILE.attribute}.example`;

const at = (offsetMs: number) => new Date(Date.parse(SCAN_START) + offsetMs).toISOString();

type Head = Pick<CheckResult, 'checkId' | 'title' | 'domain' | 'promises' | 'artifacts'>;
const result = (head: Head, offsetMs: number, outcome: Outcome): CheckResult =>
  ({ ...head, startedAt: at(offsetMs), durationMs: 120 + offsetMs / 10, ...outcome });

const leaf = (fingerprint: string, notAfter: string): JsonObject => ({
  subject: 'CN=example.nl', issuer: 'CN=Example CA', subjectAltNames: ['example.nl', 'www.example.nl'],
  notBefore: '2026-03-01T00:00:00.000Z', notAfter, fingerprintSha256: fingerprint,
  keyType: 'ec', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256',
});

const FP_A = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const TRANSPORT = ['transport-encryption'];
const SPOOFING = ['mail-anti-spoofing'];

/** The raw results of a realistic scan of three domains, one of them with a hostile name, before waivers. */
export function fixtureResults(): CheckResult[] {
  const d = 'example.nl';
  const shop = 'shop.example.nl';
  return [
    result({ checkId: 'https.available', title: 'The website is served over HTTPS', domain: d, promises: TRANSPORT, artifacts: ['tls:example.nl:443@192.0.2.10'] }, 0, {
      status: 'pass', summary: 'HTTPS answers (TLSv1.3, HTTP 200)',
      evidence: { host: d, port: 443, addresses: [{ address: '192.0.2.10', status: 'pass', summary: 'HTTPS answers', protocol: 'TLSv1.3', httpStatus: 200 }] },
    }),
    result({ checkId: 'http.hsts', title: 'HTTPS responses carry a Strict-Transport-Security policy', domain: d, promises: TRANSPORT, artifacts: ['http:GET https://example.nl/'] }, 100, {
      status: 'warn', summary: `HSTS max-age=15552000 is below 31536000 s; server says ${HOSTILE.script}`,
      evidence: { url: 'https://example.nl/', header: [`max-age=15552000; ${HOSTILE.script}`], maxAge: 15552000, observedAt: at(150) },
      remediation: 'Send "Strict-Transport-Security: max-age=31536000; includeSubDomains" on every HTTPS response.',
    }),
    result({ checkId: 'tls.certificate-expiry', title: 'The certificate is within its validity period, with time to spare', domain: d, promises: TRANSPORT, artifacts: ['tls:example.nl:443@192.0.2.10', 'tls:example.nl:443@2001:db8::10'] }, 200, {
      status: 'fail', summary: 'certificate expires in 9 days (2026-06-10T12:00:00.000Z) (2001:db8::10)',
      evidence: {
        host: d, port: 443, addresses: [
          { address: '192.0.2.10', status: 'pass', summary: 'valid for 80 more days', leaf: leaf(FP_A, '2026-08-20T12:00:00.000Z'), chainLength: 2, daysLeft: 80, observedAt: at(250) },
          { address: '2001:db8::10', status: 'fail', summary: 'expires in 9 days', leaf: leaf(FP_A.replace('AA', '0F'), '2026-06-10T12:00:00.000Z'), chainLength: 2, daysLeft: 9, observedAt: at(260) },
        ],
      },
      remediation: 'Renew the certificate well before it expires, preferably automatically (ACME).',
    }),
    result({ checkId: 'tls.protocol-versions', title: 'Only current TLS versions are accepted (1.2 and 1.3; not 1.0 or 1.1)', domain: d, promises: TRANSPORT, artifacts: [] }, 300, {
      status: 'error', summary: 'could not test TLSv1: connect timed out after 8000 ms', reason: 'timeout',
    }),
    result({ checkId: 'mail.dkim', title: 'Every configured DKIM selector publishes a usable, strong public key', domain: d, promises: SPOOFING, artifacts: [] }, 400, {
      status: 'skip', summary: 'No DKIM selectors configured', reason: 'not-configured',
    }),
    result({ checkId: 'mail.dmarc', title: 'The domain publishes an enforcing DMARC policy', domain: d, promises: SPOOFING, artifacts: ['dns:TXT:_dmarc.example.nl'] }, 500, {
      status: 'fail', summary: 'DMARC policy is none: forged mail is only monitored (_dmarc.example.nl)',
      evidence: { record: 'v=DMARC1; p=none; rua=mailto:dmarc@example.nl', effectivePolicy: 'none', observedAt: at(510) },
      remediation: 'Publish "v=DMARC1; p=reject; rua=mailto:<reports address>".',
    }),
    result({ checkId: 'https.available', title: 'The website is served over HTTPS', domain: shop, promises: TRANSPORT, artifacts: [] }, 600, {
      status: 'pass', summary: 'HTTPS answers (TLSv1.2, HTTP 301)', evidence: { host: shop, port: 443, addresses: [] },
    }),
    result({ checkId: 'mail.dmarc', title: 'The domain publishes an enforcing DMARC policy', domain: shop, promises: SPOOFING, artifacts: [] }, 700, {
      status: 'pass', summary: 'DMARC policy reject (_dmarc.example.nl, inherited from the organizational domain as sp)',
      evidence: { record: 'v=DMARC1; p=reject; sp=reject', effectivePolicy: 'reject' },
    }),
    result({ checkId: 'http.hsts', title: 'HTTPS responses carry a Strict-Transport-Security policy', domain: HOSTILE_DOMAIN, promises: TRANSPORT, artifacts: [`http:GET https://${HOSTILE_DOMAIN}/`] }, 800, {
      status: 'fail', summary: `HSTS header missing; page title ${HOSTILE.attribute} ${HOSTILE.control}`,
      evidence: { url: `https://${HOSTILE_DOMAIN}/`, header: null, [HOSTILE.script]: HOSTILE.attribute, problem: HOSTILE.control },
      remediation: `Send HSTS. ${HOSTILE.script}`,
    }),
  ];
}

/** Waivers as a config would hold them: one applies, one has expired, one matches nothing. */
export const FIXTURE_WAIVERS: readonly Waiver[] = [
  { domain: '*.example.nl', checkId: 'mail.dmarc', reason: 'shop sends no mail', owner: 'it@example.nl', expires: '2026-12-31' },
  { domain: 'example.nl', checkId: 'mail.*', reason: `DMARC rollout in Q2 ${HOSTILE.script}`, owner: HOSTILE.attribute, expires: '2026-09-30' },
  { domain: 'example.nl', checkId: 'tls.certificate-expiry', reason: 'renewal ticket OPS-12', owner: 'ops', expires: '2026-05-31' },
  { domain: 'old.example.nl', checkId: '*', reason: 'decommissioned', owner: 'ops', expires: '2027-01-01' },
];

export const FIXTURE_ATTESTATIONS: readonly Attestation[] = [
  { promiseId: 'staff-screening', by: 'HR (J. Jansen)', date: '2026-01-15', evidenceUrl: 'https://intranet.example.nl/vog-register', expires: '2027-01-15' },
  { promiseId: 'audit-trail', by: HOSTILE.attribute, date: '2025-01-01', evidenceUrl: 'javascript:alert(1)', expires: '2026-01-01' },
  { promiseId: 'infrastructure-security', by: 'CISO', date: '2026-05-01', evidenceUrl: 'https://intranet.example.nl/fw-review', expires: '2026-11-01' },
];

/** The configured domains, in order. */
export const FIXTURE_DOMAINS = ['example.nl', 'shop.example.nl', HOSTILE_DOMAIN] as const;

/**
 * A complete report as the CLI will build it, domain by domain: run results, then waivers, `since` against an
 * optional baseline, the promise roll-up, the summary, and the seal (digest only; signatures use a key made in the
 * test). A domain a result names that is not configured gets an entry after the configured ones.
 */
export function fixtureReport(options: { readonly baseline?: ScanReport; readonly results?: readonly CheckResult[] } = {}): ScanReport {
  const raw = options.results ?? fixtureResults();
  const waivers = createWaiverApplier(FIXTURE_WAIVERS, NOW);
  const tally = createStatusTally();
  const rollup = createPromiseRollup(BUILT_IN_CATALOGUE, FIXTURE_ATTESTATIONS, NOW);
  const baseline = options.baseline ? baselineOf(options.baseline) : null;
  const names = [...new Set([...FIXTURE_DOMAINS, ...raw.map((r) => r.domain)])];
  const domains: ReportDomain[] = names.map((domain) => {
    const previous = options.baseline?.domains.find((d) => d.domain === domain)?.results ?? null;
    const results = annotateSince(waivers.apply(raw.filter((r) => r.domain === domain)), previous, baseline, SCAN_START);
    tally.add(results);
    rollup.add(results);
    return { domain, results, artifacts: domain === 'example.nl' ? DMARC_ARTIFACT : {} };
  });
  const report: ScanReport = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'vouch', version: '0.1.0' },
    runId: '3f0c1a52-6a8e-4f7e-9d2b-0c1e2f3a4b5c',
    status: 'complete',
    startedAt: SCAN_START,
    finishedAt: SCAN_END,
    durationMs: 7250,
    config: { source: 'vouch.yaml', digest: `sha256:${'ab'.repeat(32)}` },
    resolvers: ['192.0.2.53:53'],
    checks: [...new Map(raw.map((r) => [r.checkId, { id: r.checkId, title: r.title, promises: r.promises, scope: 'web' as const }])).values()],
    summary: tally.counts(),
    promises: rollup.finish(),
    waivers: waivers.states(),
    ...(baseline ? { baseline: { runId: baseline.runId, startedAt: baseline.startedAt } } : {}),
    domains,
  };
  return sealReport(report);
}

const DMARC_ARTIFACT = { 'dns:TXT:_dmarc.example.nl': { records: ['v=DMARC1; p=none; rua=mailto:dmarc@example.nl'], observedAt: at(505) } };
