import { describe, expect, it } from 'vitest';
import { Recap } from '../../src/cli/recap.ts';
import { formatsWarning } from '../../src/cli/run-output.ts';
import type { ReportDomain, ReportResult } from '../../reports/types.ts';

const result = (checkId: string, status: string, summary: string, reason?: string): ReportResult =>
  ({ checkId, status, summary, ...(reason ? { reason } : {}), title: checkId, domain: '', promises: [], startedAt: '', durationMs: 0, artifacts: [] }) as unknown as ReportResult;
const domain = (name: string, results: ReportResult[]): ReportDomain => ({ domain: name, results, artifacts: {} });

const ORDER = ['a.example.nl', 'bb.example.nl', 'c.example.nl'];
const recap = (limit?: number, failOn: 'fail' | 'warn' = 'fail') => new Recap({
  orderOf: (d) => ORDER.indexOf(d), statuses: failOn === 'warn' ? ['fail', 'warn', 'error'] : ['fail', 'error'], ...(limit ? { limit } : {}),
});

describe('Recap', () => {
  it('lists only failures and errors, in configured domain order whatever order domains finish in', () => {
    const r = recap();
    r.add(domain('c.example.nl', [result('http.hsts', 'fail', 'no HSTS'), result('dns.dnssec', 'pass', 'signed')]));
    r.add(domain('a.example.nl', [result('tls.versions', 'error', 'no answer\nin 5 s', 'timeout'), result('http.csp', 'warn', 'weak'), result('mail.spf', 'skip', 'off')]));
    r.add(domain('bb.example.nl', [result('http.hsts', 'waived', 'accepted')]));
    expect(r.text()).toBe([
      'Recap: 1 failure, 1 error (could not test)',
      '  ERROR   a.example.nl  tls.versions  timeout: no answer in 5 s',
      '  FAIL    c.example.nl  http.hsts     no HSTS',
      '',
    ].join('\n'));
  });

  it('says so when there is nothing to act on, and lists warnings with --fail-on warn', () => {
    expect(recap().text()).toBe('Recap: no failures, no errors\n');
    const r = recap(undefined, 'warn');
    expect(r.text()).toBe('Recap: no failures, no warnings, no errors\n');
    r.add(domain('a.example.nl', [result('http.csp', 'warn', 'weak'), result('http.x', 'warn', 'also weak')]));
    expect(r.text()).toBe('Recap: 2 warnings\n  WARN    a.example.nl  http.csp  weak\n  WARN    a.example.nl  http.x    also weak\n');
  });

  it('keeps the first `limit` lines by domain order and counts the rest (bounded memory)', () => {
    const r = recap(2);
    for (const name of [...ORDER].reverse()) for (let i = 0; i < 3; i++) r.add(domain(name, [result(`c.k${i}`, 'fail', 'x')]));
    const lines = r.text().trimEnd().split('\n');
    expect(lines).toEqual(['Recap: 9 failures', '  FAIL    a.example.nl  c.k0  x', '  FAIL    a.example.nl  c.k1  x', '  ... and 7 more (see the report)']);
  });

  it('never passes control characters or bidi overrides from a summary to the terminal, and cuts long ones', () => {
    const r = recap();
    r.add(domain('a.example.nl', [result('x.y', 'fail', `evil\x1b[2J\u202eesrever${'z'.repeat(300)}`)]));
    const line = r.text().split('\n')[1]!;
    expect(line).toMatch(/^ {2}FAIL {4}a\.example\.nl {2}x\.y {2}evil\?\[2J\?esreverz+\.\.\.$/);
    expect(line.length).toBeLessThan(200);
  });
});

describe('formatsWarning', () => {
  it.each([
    [['json', 'html', 'csv'], null, 'without --out only the first format (json) is written, to stdout; not written: html, csv (give --out DIR to write every format)'],
    [['json', 'html'], '/var/lib/vouch', null],
    [['json'], null, null],
    [[], null, null],
  ])('%j with dir %s', (asked, dir, warning) => {
    expect(formatsWarning(asked, { dir })).toBe(warning);
  });
});
