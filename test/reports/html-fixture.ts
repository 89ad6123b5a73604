import type { CheckResult, JsonObject, Outcome } from '../../src/core/types.ts';
import { sealReport } from '../../src/compliance/integrity.ts';
import type { ReportDomain, ScanReport } from '../../reports/types.ts';
import { fixtureReport, fixtureResults, SCAN_START } from './fixture-report.ts';

/**
 * The auditor's view of an estate, for the HTML report's browser tests: the writers' fixture (a hostile domain name,
 * a waiver, a timeout) plus eight more domains with web and MX certificates near and far from expiry, mail and
 * cookie checks, waived and unverifiable results, a baseline the verdicts changed from, and raw artifacts (a
 * certificate PEM, an SMTP transcript, response headers, DNS answers) that the results reference.
 */

/** The extra domains, www0 to www7: enough to cycle through every verdict below, few enough to keep axe quick. */
const EXTRA = Array.from({ length: 8 }, (_, i) => i);

const PROMISE: Readonly<Record<string, string>> = {
  'tls.certificate-expiry': 'transport-encryption', 'http.hsts': 'transport-encryption', 'mail.starttls': 'mail-transport-encryption',
  'mail.mx-certificate': 'mail-transport-encryption', 'mail.spf': 'mail-anti-spoofing', 'mail.dmarc': 'mail-anti-spoofing',
  'http.cookies': 'cookie-use', 'http.security-txt': 'security-contact',
};
const THRESHOLDS = { warnDays: 30, failDays: 7 };
const DAY_MS = 86_400_000;
const expiresIn = (days: number) => new Date(Date.parse(SCAN_START) + days * DAY_MS).toISOString();

function result(domain: string, checkId: string, artifacts: readonly string[], outcome: Outcome): CheckResult {
  return { checkId, title: `The ${checkId} check`, domain, promises: [PROMISE[checkId]!], startedAt: SCAN_START, durationMs: 40, artifacts, ...outcome };
}

function certificate(domain: string, address: string, days: number): JsonObject {
  const status = days < THRESHOLDS.failDays ? 'fail' : days < THRESHOLDS.warnDays ? 'warn' : 'pass';
  return { address, status, daysLeft: days, ...THRESHOLDS, leaf: { subject: `CN=${domain}`, notAfter: expiresIn(days) } };
}

/** Domain `i` of the extra estate: its verdicts cycle so every status and promise shows up somewhere. */
function extraResults(i: number): CheckResult[] {
  const domain = `www${i}.customer-portal.example.nl`;
  const webDays = [3, 12, 25, 45, 90, -2, 200, 60][i % 8]!;
  const mxDays = [40, 5, 28, 365][i % 4]!;
  const cert = (days: number) => (days < 7 ? 'fail' : days < 30 ? 'warn' : 'pass');
  const webStatus = cert(webDays);
  const mxStatus = cert(mxDays);
  const fix = { remediation: 'Fix it as the check describes.' };
  return [
    result(domain, 'tls.certificate-expiry', [`tls:${domain}:443@192.0.2.${i}`], webStatus === 'pass'
      ? { status: 'pass', summary: `certificate valid for ${webDays} more days`, evidence: { host: domain, addresses: [certificate(domain, `192.0.2.${i}`, webDays)] } }
      : { status: webStatus, summary: `certificate expires in ${webDays} days`, evidence: { host: domain, addresses: [certificate(domain, `192.0.2.${i}`, webDays)] }, ...fix }),
    result(domain, 'http.hsts', [`http:GET https://${domain}/`], i % 3 === 0
      ? { status: 'fail', summary: 'no Strict-Transport-Security header', evidence: { header: null }, ...fix }
      : { status: 'pass', summary: 'max-age=31536000; includeSubDomains', evidence: { header: ['max-age=31536000; includeSubDomains'] } }),
    result(domain, 'mail.starttls', [`smtp:mx.${domain}:25@198.51.100.${i}`], i % 5 === 1
      ? { status: 'error', reason: 'timeout', summary: 'could not test: the MX did not answer within 8000 ms' }
      : { status: 'pass', summary: 'STARTTLS offered and negotiated (TLSv1.3)', evidence: { tls: 'TLSv1.3' } }),
    result(domain, 'mail.mx-certificate', [`smtp:mx.${domain}:25@198.51.100.${i}`], mxStatus === 'pass'
      ? { status: 'pass', summary: 'trusted chain', evidence: { mx: [{ host: `mx.${domain}`, addresses: [certificate(`mx.${domain}`, `198.51.100.${i}`, mxDays)] }] } }
      : { status: mxStatus, summary: `MX certificate expires in ${mxDays} days`, evidence: { mx: [{ host: `mx.${domain}`, addresses: [certificate(`mx.${domain}`, `198.51.100.${i}`, mxDays)] }] }, ...fix }),
    result(domain, 'mail.dmarc', [`dns:TXT:_dmarc.${domain}`], i % 4 === 2
      ? { status: 'fail', summary: 'DMARC policy is none', evidence: { record: 'v=DMARC1; p=none' }, ...fix }
      : { status: 'pass', summary: 'DMARC policy reject', evidence: { record: 'v=DMARC1; p=reject' } }),
    result(domain, 'http.cookies', [], i % 6 === 4
      ? { status: 'warn', summary: 'a tracking cookie without consent: _ga', evidence: { cookies: ['_ga'] }, ...fix }
      : { status: 'pass', summary: 'only functional cookies', evidence: { cookies: [] } }),
    result(domain, 'http.security-txt', [], { status: 'skip', reason: 'not-configured', summary: 'security.txt is not required here' }),
  ];
}

const PEM = ['-----BEGIN CERTIFICATE-----', ...Array.from({ length: 12 }, (_, i) => `MIIDADCCAqagAwIBAgIQdQcX${String(i).padStart(2, '0')}wHWGfixD6RhyxLEcTAKBggqhkjOPQQDAjAsMRIw`), '-----END CERTIFICATE-----'].join('\n');

/** Raw artifacts as the probes record them, under the keys the results above name. */
function artifactsOf(entry: ReportDomain): ReportDomain['artifacts'] {
  const i = /^www(\d+)\./.exec(entry.domain)?.[1];
  if (i === undefined) return entry.artifacts;
  const d = entry.domain;
  return {
    [`dns:TXT:_dmarc.${d}`]: { name: `_dmarc.${d}`, type: 'TXT', result: 'records', records: ['v=DMARC1; p=reject'], resolver: '192.0.2.53:53' },
    [`http:GET https://${d}/`]: { status: 200, headers: { 'strict-transport-security': ['max-age=31536000; includeSubDomains'], 'content-security-policy': [`default-src 'self'; script-src 'self' https://cdn.${d}/very/long/path/that/must/wrap/when/printed/on/a4/paper`] } },
    [`smtp:mx.${d}:25@198.51.100.${i}`]: {
      banner: { code: 220, lines: [`mx.${d} ESMTP`] }, ehloName: 'scanner.example', extensions: ['PIPELINING', 'SIZE 10240000', 'STARTTLS', '8BITMIME'],
      starttlsReply: { code: 220, lines: ['2.0.0 Ready to start TLS'] }, tls: { protocol: 'TLSv1.3', chain: [{ subject: `CN=mx.${d}`, pem: PEM }] },
    },
    [`tls:${d}:443@192.0.2.${i}`]: { address: `192.0.2.${i}`, protocol: 'TLSv1.3', chain: [{ subject: `CN=${d}`, notAfter: expiresIn(30), pem: PEM }] },
  };
}

/** The baseline: the same estate a week earlier, when every HSTS header was still in place and DMARC enforced. */
function baselineReport(): ScanReport {
  const weekEarlier = new Date(Date.parse(SCAN_START) - 7 * DAY_MS).toISOString();
  const results = EXTRA.flatMap((i) => extraResults(i)).map((r): CheckResult => (r.checkId === 'http.hsts' || r.checkId === 'mail.dmarc'
    ? { ...r, status: 'pass', summary: 'was fine', evidence: {} } as CheckResult : r));
  const report = fixtureReport({ results: [...fixtureResults(), ...results] });
  const domains = report.domains.map((d) => ({ ...d, results: d.results.map((r) => ({ ...r, since: weekEarlier })) }));
  return { ...report, startedAt: weekEarlier, domains };
}

export function auditorReport(): ScanReport {
  const report = fixtureReport({ results: [...fixtureResults(), ...EXTRA.flatMap((i) => extraResults(i))], baseline: baselineReport() });
  return sealReport({ ...report, domains: report.domains.map((entry) => ({ ...entry, artifacts: artifactsOf(entry) })) });
}
