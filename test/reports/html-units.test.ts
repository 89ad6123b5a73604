import { describe, expect, it } from 'vitest';
import type { CertificateExpiry } from '../../reports/certificates.ts';
import { FirstNames, Smallest } from '../../reports/html/bounded.ts';
import { statusBars } from '../../reports/html/chart.ts';
import { isChange } from '../../reports/html/changes.ts';
import { artifactText } from '../../reports/html/domain.ts';
import { axisDays, axisPercent, expiryRow } from '../../reports/html/expiry.ts';
import { anchors, domainName, idPart, identifier, shortTime } from '../../reports/html/markup.ts';
import { MatrixSelection, matrixRow, promiseColumns } from '../../reports/html/matrix.ts';
import type { ReportHeader, ReportResult } from '../../reports/types.ts';
import { syntheticHeader } from './synthetic.ts';

const result = (checkId: string, status: ReportResult['status'], promises: readonly string[], since?: string): ReportResult => ({
  checkId, title: checkId, domain: 'example.nl', promises, startedAt: '2026-06-01T00:00:00.000Z', durationMs: 1, artifacts: [],
  ...(status === 'error' || status === 'skip' ? { status, reason: 'timeout', summary: 's' } as const
    : status === 'waived' ? { status, originalStatus: 'fail', summary: 's', evidence: {}, remediation: 'r', waiver: { reason: 'r', owner: 'o', expires: '2027-01-01' } } as const
      : status === 'pass' ? { status, summary: 's', evidence: {} } as const : { status, summary: 's', evidence: {}, remediation: 'r' } as const),
  ...(since === undefined ? {} : { since }),
} as ReportResult);

describe('domain names and identifiers in markup', () => {
  it.each([
    ['example.nl', '<span class="dn"><span class="dl">example.</span><wbr><span class="dl">nl</span></span>'],
    ['www.shop.example.nl', '<span class="dn"><span class="dl">www.</span><wbr><span class="dl">shop.</span><wbr><span class="dl">example.</span><wbr><span class="dl">nl</span></span>'],
    ['localhost', '<span class="dn"><span class="dl">localhost</span></span>'],
    // Each label nowrap: never broken at a hyphen (\`no-\` / \`redirect\`).
    ['no-redirect.demo.test', '<span class="dn"><span class="dl">no-redirect.</span><wbr><span class="dl">demo.</span><wbr><span class="dl">test</span></span>'],
    ['xn--bcher-kva.example', '<span class="dn"><span class="dl">xn--bcher-kva.</span><wbr><span class="dl">example</span></span>'],
    ['bücher.example', '<span class="dn"><span class="dl">bücher.</span><wbr><span class="dl">example</span></span>'],
    ['example.nl.', '<span class="dn"><span class="dl">example.</span><wbr><span class="dl">nl.</span></span>'],
    // No host name: shown as evidence (may wrap anywhere), escaped, and without <wbr>s that would look like structure.
    ['"><b>x</b>.example', '<span class="evidence">&quot;&gt;&lt;b&gt;x&lt;/b&gt;.example</span>'],
    ['a b.example', '<span class="evidence">a b.example</span>'],
  ])('domainName(%j)', (name, markup) => {
    expect(domainName(name).__html).toBe(markup);
  });

  it('breaks identifiers only after their separators, and shortens UTC times for tables', () => {
    expect(identifier('tls:a.example:443@192.0.2.1').__html).toBe('tls:<wbr>a.<wbr>example:<wbr>443@<wbr>192.<wbr>0.<wbr>2.<wbr>1');
    expect(identifier('<x>').__html).toBe('&lt;x&gt;');
    expect(shortTime('2026-06-10T12:00:00.000Z')).toBe('2026-06-10 12:00 UTC');
    expect(shortTime('2026-06-10T12:00Z')).toBe('2026-06-10 12:00 UTC');
    expect(shortTime('2026-06-10T12:00:00+02:00')).toBe('2026-06-10T12:00:00+02:00'); // not UTC: shown as it is
    expect(shortTime('unknown')).toBe('unknown');
  });

  it.each([
    ['example.nl', 'example.nl'],
    ['a_b', 'a_5f_b'],
    ['a b', 'a_20_b'],
    ['"><x', '_22__3e__3c_x'],
    ['x~y', 'x_7e_y'],
    ['\u{1F600}', '_1f600_'],
  ])('idPart(%j) = %j', (value, id) => {
    expect(idPart(value)).toBe(id);
  });

  it('gives different anchors to names that a lossy slug would merge', () => {
    const names = ['a_b', 'a b', 'a-b', 'a.b', 'a_5f_b', 'A-b'];
    expect(new Set(names.map(anchors.domain)).size).toBe(names.length);
    expect(anchors.result('a~b', 'c')).not.toBe(anchors.result('a', 'b~c'));
    expect(anchors.result('example.nl', 'tls.certificate-expiry')).toBe('r-example.nl~tls.certificate-expiry');
  });
});

describe('bounded collections', () => {
  it('Smallest keeps the smallest items in order, the earlier first on ties, and counts all', () => {
    const kept = new Smallest<[number, string]>(3, (a, b) => a[0] - b[0]);
    for (const item of [[5, 'a'], [1, 'b'], [9, 'c'], [1, 'd'], [3, 'e'], [0, 'f'], [7, 'g'], [1, 'h']] as [number, string][]) kept.add(item);
    expect(kept.items()).toEqual([[0, 'f'], [1, 'b'], [1, 'd']]);
    expect(kept.total).toBe(8);
  });

  it('FirstNames keeps the first names and counts the rest', () => {
    const names = new FirstNames(2);
    for (const n of ['a', 'b', 'c', 'd']) names.add(n);
    expect([names.names, names.total, names.more]).toEqual([['a', 'b'], 4, 2]);
  });
});

describe('the matrix', () => {
  const header = { ...syntheticHeader(1, 1), checks: [{ id: 'x.plugin', title: 'x', promises: ['plugin-promise'], scope: 'web' as const }],
    promises: [{ id: 'b', title: 'B', kind: 'automated' }, { id: 'manual', title: 'M', kind: 'manual' }, { id: 'a', title: 'A', kind: 'automated' }] } as unknown as ReportHeader;
  const columns = promiseColumns(header);

  it('has a column per automated promise in catalogue order, then promises only checks name', () => {
    expect(columns.map((c) => c.id)).toEqual(['b', 'a', 'plugin-promise']);
    const manual = promiseColumns({ ...header, checks: [{ id: 'x', title: 'x', promises: ['manual'], scope: 'web' }] });
    expect(manual.map((c) => [c.id, c.title])).toEqual([['b', 'B'], ['a', 'A'], ['manual', 'M']]);
  });

  it('shows per promise the worst result and which check it was; null where no check of it ran', () => {
    const row = matrixRow('example.nl', [result('c1', 'pass', ['a']), result('c2', 'error', ['a', 'b']), result('c3', 'warn', ['a']),
      result('c4', 'waived', ['b']), result('c5', 'fail', ['unknown'])], columns);
    expect(row.cells).toEqual([{ status: 'error', checkId: 'c2' }, { status: 'error', checkId: 'c2' }, null]);
    expect(matrixRow('x', [result('c1', 'fail', ['a']), result('c2', 'error', ['a'])], columns).cells[1]).toEqual({ status: 'fail', checkId: 'c1' });
  });

  it('shows a small estate whole, and of a larger one the first domains with findings, counting the rest', () => {
    const select = (domains: number, limit: number, findingEvery: number) => {
      const selection = new MatrixSelection(limit);
      for (let d = 0; d < domains; d++) {
        const results = [result('c', d % findingEvery === 0 ? 'fail' : 'pass', ['a'])];
        selection.add(matrixRow(`d${d}`, results, columns), results);
      }
      const m = selection.finish();
      return [m.rows.map((r) => r.domain), m.findingsLeftOut, m.cleanLeftOut];
    };
    expect(select(3, 3, 2)).toEqual([['d0', 'd1', 'd2'], 0, 0]);
    expect(select(10, 3, 2)).toEqual([['d0', 'd2', 'd4'], 2, 5]);
    expect(select(10, 3, 100)).toEqual([['d0'], 0, 9]);
  });
});

describe('the certificate expiry timeline', () => {
  const cert = (daysLeft: number, warnDays: number | null = 30, failDays: number | null = 7): CertificateExpiry =>
    ({ domain: 'example.nl', checkId: 'tls.certificate-expiry', address: '192.0.2.1', notAfter: null, daysLeft, warnDays, failDays });

  it.each([
    [-1, 30, 7, 'fail', 'EXPIRED'],
    [0, 30, 7, 'fail', 'FAIL'],
    [6, 30, 7, 'fail', 'FAIL'],
    [7, 30, 7, 'warn', 'WARN'], // as the check judges: fail below failDays, warn below warnDays
    [29, 30, 7, 'warn', 'WARN'],
    [30, 30, 7, 'pass', 'PASS'],
    [10, 14, 3, 'warn', 'WARN'],
    [10, null, null, 'skip', 'NO THRESHOLD'],
    [-5, null, null, 'fail', 'EXPIRED'],
  ] as const)('%i days left, thresholds %s/%s: %s', (days, warn, fail, status, label) => {
    expect(expiryRow(cert(days, warn, fail))).toMatchObject({ status, label });
  });

  it('scales to the furthest expiry shown, capped at 400 days, never shorter than a warning threshold', () => {
    const rows = (...days: number[]) => days.map((d) => expiryRow(cert(d)));
    expect(axisDays(rows(3, 90, 45))).toBe(90);
    expect(axisDays(rows(3, 5))).toBe(30);
    expect(axisDays(rows(900))).toBe(400);
    expect(axisDays([])).toBe(1);
    expect([axisPercent(45, 90), axisPercent(-3, 90), axisPercent(500, 90), axisPercent(1, 3)]).toEqual([50, 0, 100, 33.3]);
  });
});

describe('the status chart', () => {
  it('scales every bar to the largest count, one decimal', () => {
    expect(statusBars({ pass: 8, warn: 2, fail: 1, error: 0, skip: 3 }).map((b) => [b.status, b.count, b.percent])).toEqual([
      ['pass', 8, 100], ['warn', 2, 25], ['fail', 1, 12.5], ['error', 0, 0], ['skip', 3, 37.5], ['waived', 0, 0],
    ]);
  });

  it('draws no bar when nothing was counted', () => {
    expect(statusBars({}).every((b) => b.percent === 0 && b.count === 0)).toBe(true);
    expect(statusBars({ pass: Number.NaN, fail: -3 }).every((b) => b.percent === 0 && b.count === 0)).toBe(true); // a tampered summary
  });
});

describe('changes and artifacts', () => {
  it('a result changed in this run when it has a baseline and its verdict began with this scan', () => {
    const header = { ...syntheticHeader(1, 1), baseline: { runId: 'b', startedAt: '2026-05-01T00:00:00.000Z' } };
    expect(isChange(result('c', 'fail', [], header.startedAt), header)).toBe(true);
    expect(isChange(result('c', 'fail', [], '2026-05-01T00:00:00.000Z'), header)).toBe(false);
    expect(isChange(result('c', 'fail', [], header.startedAt), syntheticHeader(1, 1))).toBe(false);
  });

  it('lifts certificate PEMs out of an artifact into blocks of their own', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const { json, pems } = artifactText({ chain: [{ subject: 'CN=a', pem }, { pem: 'not a pem' }], tls: { pem } });
    expect(pems).toEqual([pem, pem]);
    expect(JSON.parse(json)).toEqual({ chain: [{ subject: 'CN=a', pem: '[PEM 1 below]' }, { pem: 'not a pem' }], tls: { pem: '[PEM 2 below]' } });
    expect(artifactText(null)).toEqual({ json: 'null', pems: [] });
  });
});
