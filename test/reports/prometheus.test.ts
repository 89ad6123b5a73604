import { describe, expect, it } from 'vitest';
import type { CheckResult, JsonObject } from '../../src/core/types.ts';
import { renderReport, streamOf } from '../../reports/memory.ts';
import { certificateExpirySamples, domainResultSamples, prometheusWriter, resultSamples, serviceOf } from '../../reports/prometheus.ts';
import { PROMETHEUS_PER_RESULT } from '../../reports/types.ts';
import { syntheticStream } from './synthetic.ts';
import type { ReportResult, ScanReport } from '../../reports/types.ts';
import { fixtureReport, fixtureResults, SCAN_START } from './fixture-report.ts';
import { HAVE_PROMTOOL, PROMTOOL_NOTE, promtoolCheck } from './prometheus-promtool.ts';

const MX_NOT_AFTER = '2026-07-01T00:00:00.000Z';
const MX_EXPIRY = Date.parse(MX_NOT_AFTER) / 1000;

/** mail.mx-certificate's evidence as judgeMxHosts and judgeEndpoints nest it: per MX host (with port 25), per address. */
const mxEvidence = (addresses: readonly JsonObject[]): JsonObject => ({
  domain: 'example.nl',
  mx: [{ host: 'mx1.example.nl', preference: 10, status: 'pass', summary: 'ok', port: 25, addresses: [...addresses] }],
});

const mxResult = (evidence: JsonObject): CheckResult => ({
  checkId: 'mail.mx-certificate', title: 'MX certificates are trusted', domain: 'example.nl', promises: ['mail-transport-encryption'],
  startedAt: SCAN_START, durationMs: 90, artifacts: [], status: 'pass', summary: 'trusted chain; valid for mx1.example.nl', evidence,
});

const MX_RESULT = mxResult(mxEvidence([{ address: '192.0.2.25', status: 'pass', summary: 'ok', leaf: { notAfter: MX_NOT_AFTER }, daysLeft: 29 }]));

/** The writers' fixture report plus an MX certificate, with the MX check declared a mail check as the registry does. */
function reportWithMx(): ScanReport {
  const report = fixtureReport({ results: [...fixtureResults(), MX_RESULT] });
  return { ...report, checks: report.checks.map((c) => (c.id.startsWith('mail.') ? { ...c, scope: 'mail' as const } : c)) };
}

const SCOPES = new Map([['tls.certificate-expiry', 'web'], ['mail.mx-certificate', 'mail']] as const);

describe('serviceOf', () => {
  it.each([['web', 'https'], ['mail', 'smtp'], ['domain', 'domain'], [undefined, 'unknown']] as const)('%s -> %s', (scope, service) => {
    expect(serviceOf(scope)).toBe(service);
  });
});

describe('certificateExpirySamples', () => {
  const web = fixtureResults().find((r) => r.checkId === 'tls.certificate-expiry')!;

  it('has one series per host, port, service and address, valued at the leaf\'s notAfter in Unix seconds (web and MX)', () => {
    expect(certificateExpirySamples([web, MX_RESULT] as ReportResult[], SCOPES).split('\n')).toEqual([
      'vouch_certificate_expiry_timestamp_seconds{domain="example.nl",host="example.nl",port="443",service="https",address="192.0.2.10"} 1787227200',
      'vouch_certificate_expiry_timestamp_seconds{domain="example.nl",host="example.nl",port="443",service="https",address="2001:db8::10"} 1781092800',
      `vouch_certificate_expiry_timestamp_seconds{domain="example.nl",host="mx1.example.nl",port="25",service="smtp",address="192.0.2.25"} ${MX_EXPIRY}`,
      '',
    ]);
  });

  it('keeps the earliest expiry of a place named twice (a repeated series would void the file), and skips unreadable expiries', () => {
    const twice = mxResult(mxEvidence([
      { address: '192.0.2.25', leaf: { notAfter: '2027-01-01T00:00:00.000Z' }, daysLeft: 213 },
      { address: '192.0.2.25', leaf: { notAfter: MX_NOT_AFTER }, daysLeft: 29 },
      { address: '192.0.2.26', leaf: { notAfter: 'not a date' }, daysLeft: 29 },
      { address: '192.0.2.27', daysLeft: 29 },
    ]));
    expect(certificateExpirySamples([twice] as ReportResult[], SCOPES)).toBe(
      `vouch_certificate_expiry_timestamp_seconds{domain="example.nl",host="mx1.example.nl",port="25",service="smtp",address="192.0.2.25"} ${MX_EXPIRY}\n`);
  });
});

describe('series per result (prometheus.perResult)', () => {
  const results = fixtureReport().domains[0]!.results;
  const statusesOf = (text: string) => [...text.matchAll(/status="([a-z]+)"/g)].map((m) => m[1]);

  it.each([
    ['findings', ['warn', 'fail', 'error']],
    ['all', ['pass', 'warn', 'fail', 'error', 'skip', 'waived']],
    ['none', []],
  ] as const)('%s: a series valued 1 for each result of status %j', (perResult, statuses) => {
    const text = resultSamples(results, perResult);
    expect(statusesOf(text)).toEqual(statuses);
    expect(text.split('\n').filter(Boolean).every((line) => line.endsWith('} 1'))).toBe(true);
  });

  it('totals a domain per status it has, leaving out zeros and skip', () => {
    expect(domainResultSamples('example.nl', [...results, ...results.filter((r) => r.status === 'pass')])).toBe(['pass 2', 'warn 1', 'fail 1', 'error 1', 'waived 1']
      .map((s) => s.split(' ')).map(([status, n]) => `vouch_domain_results{domain="example.nl",status="${status}"} ${n}\n`).join(''));
  });

  it('is read from the stream: the writer follows prometheusPerResult, findings when absent', async () => {
    const lines = async (perResult?: typeof PROMETHEUS_PER_RESULT[number]) => {
      const stream = { ...streamOf(fixtureReport()), ...(perResult ? { prometheusPerResult: perResult } : {}) };
      return (await renderReport(prometheusWriter, stream)).split('\n').filter((l) => l.startsWith('vouch_check_status{')).length;
    };
    expect([await lines(), await lines('findings'), await lines('all'), await lines('none')]).toEqual([4, 4, 9, 0]);
  });

  it('keeps the file proportional to findings plus domains, not to domains x checks x statuses (100 domains x 68 checks)', async () => {
    // The synthetic estate's results cycle through pass, warn, fail, error and skip: 3 findings in 5.
    const text = await renderReport(prometheusWriter, { ...syntheticStream(100, 68) });
    const count = (prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix)).length;
    expect(count('vouch_check_status{')).toBe(100 * 68 * 3 / 5);
    expect(count('vouch_domain_results{')).toBe(100 * 4);
    expect(count('vouch_check_results{')).toBe(68 * 6);
  });
});

describe.skipIf(!HAVE_PROMTOOL)(`promtool check metrics (${PROMTOOL_NOTE})`, () => {
  it('accepts the writer\'s output for a report with web and MX certificates: no error and no lint problem', async () => {
    const text = await renderReport(prometheusWriter, reportWithMx());
    expect(text).toContain('service="smtp"');
    expect(text).toContain('service="https"');
    expect(await promtoolCheck(text)).toEqual({ code: 0, output: '' });
  });

  it.each(['all', 'none'] as const)('accepts it with perResult %s too', async (perResult) => {
    expect(await promtoolCheck(await renderReport(prometheusWriter, { ...streamOf(reportWithMx()), prometheusPerResult: perResult }))).toEqual({ code: 0, output: '' });
  });

  it('does report what it is there to catch, so its silence above means something', async () => {
    const lint = await promtoolCheck('# HELP vouch_certificate_expiry_days Days left.\n# TYPE vouch_certificate_expiry_days gauge\nvouch_certificate_expiry_days 9\n');
    expect(lint.code).not.toBe(0);
    expect(lint.output).toContain('use base unit "seconds" instead of "days"');
    const split = await promtoolCheck('# TYPE a gauge\na{x="1"} 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\na{x="2"} 1\n');
    expect(split.code).not.toBe(0);
  });
});
