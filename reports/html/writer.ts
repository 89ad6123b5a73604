import type { ReportWriter } from '../types.ts';
import { statusChart } from './chart.ts';
import { changesSection } from './changes.ts';
import { domainSection, type SectionContext } from './domain.ts';
import { expirySection } from './expiry.ts';
import { contents, pageHeader, waiversSection } from './header.ts';
import { html } from './markup.ts';
import { matrixSection } from './matrix.ts';
import { promisesSection } from './promises.ts';
import { STYLE } from './style.ts';
import { survey } from './survey.ts';

/**
 * The auditor's report: one self-contained HTML file (no scripts, no external resources, inline SVG only) with, at
 * the top, the domains x promises matrix, status charts, the certificate expiry timeline and what changed since the
 * baseline; then the promises, the waivers and every result with its evidence and raw artifacts, all anchored.
 * Every value is escaped by the `html` tag; the Content-Security-Policy (no scripts, no loads, inline styles, data: images only)
 * is defence in depth on top.
 *
 * Two passes over the domains, each holding one domain: the survey (digest, scope and the bounded overviews), then
 * the domain sections. Time is linear in the report, memory flat in the number of domains.
 */
export const htmlWriter: ReportWriter = {
  format: 'html',
  extension: 'html',
  async write(report, out) {
    const h = report.header;
    const seen = await survey(report);
    await out(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vouch report ${h.startedAt}</title>
<style>${STYLE}</style>
</head>
<body>
${pageHeader(h, seen)}
${contents(h, seen)}
<main>
<section id="glance" aria-labelledby="glance-h"><h2 id="glance-h">At a glance</h2>
${matrixSection(seen.matrix, seen.columns)}
<section id="charts" aria-labelledby="charts-h"><h3 id="charts-h">Results and domains by status</h3>
${statusChart('Results by status', h.summary)}
${statusChart('Domains by their worst result', seen.domainsByWorst)}</section>
${expirySection(seen.certificates)}
${changesSection(seen.changes)}
</section>
${promisesSection(h.promises, seen.findings)}
${waiversSection(h.waivers)}
<section id="results" aria-labelledby="results-h"><h2 id="results-h">Results by domain</h2>
`.__html);
    const ctx: SectionContext = { header: h, promiseIds: new Set((h.promises ?? []).map((p) => p.id)) };
    for await (const entry of report.domains()) await out(domainSection(entry, ctx).__html);
    await out(`</section>
</main>
</body>
</html>
`);
  },
};
