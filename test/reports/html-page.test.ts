import { describe, expect, it } from 'vitest';
import { htmlWriter } from '../../reports/html.ts';
import { anchors } from '../../reports/html/markup.ts';
import { LIMITS } from '../../reports/html/survey.ts';
import { renderReport, streamOf } from '../../reports/memory.ts';
import type { ReportStream } from '../../reports/types.ts';
import { fixtureReport } from './fixture-report.ts';
import { auditorReport } from './html-fixture.ts';
import { syntheticStream } from './synthetic.ts';

const report = auditorReport();
const page = await renderReport(htmlWriter, report);
/** The markup between an element's opening (found by `start`) and the next `end`. */
const slice = (start: string, end: string, from = page) => from.slice(from.indexOf(start), from.indexOf(end, from.indexOf(start)));
const textOf = (markup: string) => markup.replace(/<[^>]*>/g, '');

describe('the html report of an estate with findings, waivers and a baseline', () => {
  it('anchors every domain, result and promise', () => {
    for (const entry of report.domains) {
      expect(page).toContain(`<section class="domain" id="${anchors.domain(entry.domain)}"`);
      for (const r of entry.results) expect(page).toContain(`<details id="${anchors.result(entry.domain, r.checkId)}"`);
    }
    for (const p of report.promises!) expect(page).toContain(` id="p-${p.id}"`);
    expect(page).toContain('<section class="domain" id="d-example.nl"'); // readable where the name allows
  });

  it('names in each promise the domains that failed it, linked to their sections', () => {
    const row = slice('<tr id="p-transport-encryption">', '</tr>');
    const failing = report.domains.filter((d) => d.results.some((r) => r.status === 'fail' && r.promises.includes('transport-encryption')));
    expect(failing.length).toBeGreaterThan(3);
    expect(textOf(row)).toContain(`Failed on (${failing.length}): example.nl, `);
    for (const d of failing.filter((x) => x.domain.startsWith('www'))) expect(row).toContain(`<a href="#d-${d.domain}">`);
    const unverified = slice('<tr id="p-mail-transport-encryption">', '</tr>');
    expect(textOf(unverified)).toContain('Could not be tested on (2): www1.customer-portal.example.nl, www6.customer-portal.example.nl');
  });

  it('lists manual promises without attestation once, compactly, still anchored', () => {
    const bare = report.promises!.filter((p) => p.kind === 'manual' && p.attestation === null);
    expect(bare.length).toBeGreaterThan(5);
    expect(page).toContain(`${bare.length} manual promise(s) without an attestation`);
    for (const p of bare) expect(page).not.toContain(`<tr id="p-${p.id}">`);
  });

  it('links each result to the raw artifacts it used, which are in the report with certificates as PEM', () => {
    const hsts = slice('<details id="r-www0.customer-portal.example.nl~http.hsts"', '</details>');
    expect(hsts).toContain('<a href="#a-www0.customer-portal.example.nl~http_3a_GET_20_https_3a__2f__2f_www0.customer-portal.example.nl_2f_">');
    const tls = slice('<details id="a-www0.customer-portal.example.nl~tls_3a_www0.customer-portal.example.nl_3a_443_40_192.0.2.0"', '</details>');
    expect(tls).toContain('&quot;pem&quot;: &quot;[PEM 1 below]&quot;');
    expect(tls).toContain('<pre class="evidence pem">-----BEGIN CERTIFICATE-----\nMIID');
    // The writers' fixture names artifacts its domain entry does not hold: said, not linked.
    expect(page).toContain('<code>tls:<wbr>example.<wbr>nl:<wbr>443@<wbr>192.<wbr>0.<wbr>2.<wbr>10</code> <span class="muted">(not in this report)</span>');
  });

  it('opens the raw artifacts of a failure or an error (they print expanded), and keeps the others closed', () => {
    const artifact = (key: string) => slice(`<details id="${anchors.artifact('www0.customer-portal.example.nl', key)}"`, '>');
    // www0: HSTS fails (its response headers), the web certificate expires in 3 days (fail), DMARC passes.
    expect(artifact('http:GET https://www0.customer-portal.example.nl/')).toMatch(/ open$/);
    expect(artifact('tls:www0.customer-portal.example.nl:443@192.0.2.0')).toMatch(/ open$/);
    expect(artifact('dns:TXT:_dmarc.www0.customer-portal.example.nl')).not.toContain(' open');
  });

  it('says what changed since the baseline, failures first, each linked to its result', () => {
    const changes = slice('<section id="changes"', '</section>');
    // A week ago every HSTS header was in place and DMARC enforced: now three HSTS fail and two DMARC fails are waived.
    expect(textOf(changes)).toContain(`Compared with run ${report.baseline!.runId} of 2026-05-25T02:00:00.000Z: 5 result(s) with a new verdict (3 now fail, 2 now waived)`);
    expect([...changes.matchAll(/<a href="#(r-[^"]*)">/g)].map((m) => m[1])).toEqual([
      'r-www0.customer-portal.example.nl~http.hsts', 'r-www3.customer-portal.example.nl~http.hsts', 'r-www6.customer-portal.example.nl~http.hsts',
      'r-www2.customer-portal.example.nl~mail.dmarc', 'r-www6.customer-portal.example.nl~mail.dmarc']);
    expect(page).toContain('<dt>Since</dt><dd>2026-06-01T02:00:00.000Z (new in this run)</dd>');
    // What each verdict was in the baseline: every one of them passed a week ago.
    expect(changes).toContain('<th scope="col">Was</th><th scope="col">Now</th>');
    const row = slice('<tr><td><a href="#r-www0.customer-portal.example.nl~http.hsts">', '</tr>', changes);
    expect([...row.matchAll(/class="badge st-([a-z]+)"/g)].map((m) => m[1])).toEqual(['pass', 'fail']);
  });

  it('shows no change section without a baseline', async () => {
    expect(await renderReport(htmlWriter, fixtureReport())).not.toContain('id="changes"');
  });

  it('sorts the expiry timeline by days left, web and MX, judged by the thresholds the checks used', () => {
    const timeline = slice('<section id="certificates"', '</section>');
    const days = [...timeline.matchAll(/<span class="num">(-?\d+|\d+ day\(s\) ago)<\/span>/g)].map((m) => m[1]!.endsWith('ago') ? -parseInt(m[1]!, 10) : Number(m[1]));
    expect(days).toEqual([...days].sort((a, b) => a - b));
    expect(timeline).toContain('<td>SMTP (MX)</td>');
    // The MX host beside the address it answered on, as the web host is beside its own.
    expect(textOf(timeline)).toContain('mx.www1.customer-portal.example.nl198.51.100.1');
    expect(timeline).toContain('<span class="dl">nl</span></span><br><span class="muted">198.<wbr>51.<wbr>100.<wbr>1</span>');
    expect(textOf(timeline)).toMatch(/✗ EXPIRED 2 day\(s\) ago/);
    expect(textOf(timeline)).toMatch(/18 web and MX certificate\(s\): \d+ pass, \d+ warn, \d+ fail, 2 skip\./);
  });
});

describe('a large estate: bounded overviews, every domain in full below them', () => {
  const DOMAINS = 1_000;
  let passes = 0;
  const stream = syntheticStream(DOMAINS, 4);
  const counted: ReportStream = { ...stream, domains: () => { passes++; return stream.domains(); } };
  const large = renderReport(htmlWriter, counted);

  it('reads the stream twice: the survey for the overviews, then the sections', async () => {
    await large;
    expect(passes).toBe(2);
  });

  it('shows the first domains with findings in the matrix and counts the rest', async () => {
    const matrix = slice('<section id="matrix"', '</section>', await large);
    expect(matrix.match(/<th scope="row">/g)).toHaveLength(LIMITS.matrixRows);
    // Synthetic domains cycle their statuses: every domain has a warn, fail or error among its four checks.
    expect(textOf(matrix)).toContain(`Not shown here: ${DOMAINS - LIMITS.matrixRows} more domain(s) with findings;`);
  });

  it('lists the soonest certificates and the first domains by name, and says how many more', async () => {
    const html = await large;
    const timeline = slice('<section id="certificates"', '</section>', html);
    expect(timeline.match(/<tr><td>/g)).toHaveLength(LIMITS.certificates);
    expect(textOf(timeline)).toMatch(/later-expiring certificate\(s\) not listed here/);
    expect(textOf(slice('<nav', '</nav>', html))).toContain(`and ${DOMAINS - LIMITS.scopeNames} more, in report order`);
    expect(html.match(/<section class="domain" /g)).toHaveLength(DOMAINS);
  });

  it('writes an empty report', async () => {
    const empty = await renderReport(htmlWriter, streamOf({ ...fixtureReport(), domains: [] }));
    expect(empty).toContain('No domain was scanned.');
    expect(empty).toMatch(/<\/html>\n$/);
  });
});
