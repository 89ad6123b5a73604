import type { ReportHeader, WaiverState } from '../types.ts';
import { REPORT_STATUSES } from '../types.ts';
import { anchors, domainName, EMPTY, html, identifier, type Safe } from './markup.ts';
import { badge } from './status.ts';
import type { Survey } from './survey.ts';

function field(name: string, value: Safe | string | null | undefined): Safe {
  return value === null || value === undefined || value === '' ? EMPTY : html`<dt>${name}</dt><dd>${value}</dd>`;
}

function scope(survey: Survey, checks: number): Safe {
  const { names } = survey;
  const listed = names.names.map((d, i) => html`${i > 0 ? ', ' : ''}${domainName(d)}`);
  return html`${survey.domainCount} domain(s): ${listed}${names.more > 0 ? `, and ${names.more} more (each in its section below)` : ''}; ${checks} check(s)`;
}

/** The page's title block: what was scanned, when, by what, and the digest of the JSON report it corresponds to. */
export function pageHeader(report: ReportHeader, survey: Survey): Safe {
  const s = report.summary;
  const totals = REPORT_STATUSES.map((st) => html`${badge(st)} ${s[st] ?? 0} `);
  return html`<header><h1>Vouch compliance evidence</h1>
${report.status === 'interrupted' ? html`<p class="banner"><strong>Interrupted:</strong> the scan was stopped before it finished; unfinished checks are reported as errors.</p>` : ''}
<dl class="meta">${field('Scan', `${report.startedAt} to ${report.finishedAt} (${report.durationMs} ms)`)}
${field('Run', report.runId)}${field('Tool', `${report.tool.name} ${report.tool.version}`)}
${field('Scope', scope(survey, report.checks.length))}
${field('Configuration', `${report.config.source ?? '(defaults)'}, ${report.config.digest}`)}
${field('Baseline', report.baseline ? `${report.baseline.runId} (${report.baseline.startedAt})` : null)}
${field('Report digest', survey.seal.digest)}
${field('Signature', survey.seal.publicKeyFingerprint === null ? null : `ed25519, key ${survey.seal.publicKeyFingerprint}`)}</dl>
<p>${totals}</p></header>`;
}

/** The table of contents: every section, and the first domains by name (the matrix and each section link the rest). */
export function contents(report: ReportHeader, survey: Survey): Safe {
  const glance = [
    html`<li><a href="#matrix">Domains by promise</a></li>`, html`<li><a href="#charts">Results and domains by status</a></li>`,
    survey.certificates.total > 0 ? html`<li><a href="#certificates">Certificate expiry</a></li>` : EMPTY,
    survey.changes ? html`<li><a href="#changes">Changed since the previous run</a></li>` : EMPTY,
  ];
  const domains = survey.names.names.map((d) => html`<li><a href="#${anchors.domain(d)}">${domainName(d)}</a></li>`);
  return html`<nav class="toc" aria-labelledby="toc-h"><h2 id="toc-h">Contents</h2><ol>
<li><a href="#glance">At a glance</a><ol>${glance}</ol></li>
${report.promises ? html`<li><a href="#promises">Promises</a></li>` : EMPTY}
${report.waivers && report.waivers.length > 0 ? html`<li><a href="#waivers">Waivers</a></li>` : EMPTY}
<li><a href="#results">Results by domain</a><ol class="domains">${domains}${survey.names.more > 0 ? html`<li>and ${survey.names.more} more, in report order</li>` : EMPTY}</ol></li>
</ol></nav>`;
}

/** Every configured waiver with what became of it, so an expired or unused one does not go unnoticed. */
export function waiversSection(waivers: readonly WaiverState[] | undefined): Safe {
  if (!waivers || waivers.length === 0) return EMPTY;
  const rows = waivers.map((w) => html`<tr><td>${w.state}</td><td>${domainName(w.domain)}</td><td><code>${identifier(w.checkId)}</code></td>
<td>${w.reason}</td><td>${w.owner}</td><td>${w.expires}</td><td class="num">${w.matched}</td></tr>`);
  return html`<section id="waivers" aria-labelledby="waivers-h"><h2 id="waivers-h">Waivers</h2>
<div class="wide" role="region" aria-label="Waivers table" tabindex="0"><table class="waivers"><thead><tr><th scope="col">State</th><th scope="col">Domain</th><th scope="col">Check</th>
<th scope="col">Reason</th><th scope="col">Owner</th><th scope="col">Expires</th><th scope="col">Results</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}
