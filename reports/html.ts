import { createPublicKey } from 'node:crypto';
import { createReportDigest, publicKeyFingerprint, signingKey } from '../src/compliance/integrity.ts';
import { domainTexts } from './json.ts';
import type { Attestation, PromiseStatus, ReportHeader, ReportResult, ReportStatus, ReportWriter, WaiverState } from './types.ts';
import { REPORT_STATUSES } from './types.ts';
import { certificateExpiries } from './certificates.ts';

/** Markup built by the `html` tag: the only thing interpolated without escaping. */
type Safe = { readonly __html: string };
type Value = string | number | Safe | readonly Safe[];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * Control characters and bidi/zero-width format characters from the network are shown as `\uXXXX` rather than
 * rendered: raw, they could hide text or reorder what an auditor reads (a U+202E override flips the rest of a line).
 */
export function visible(text: string): string {
  // Cc (controls, but tab and newline) and Cf (format: bidi marks and overrides, zero-width, soft hyphen, tags,
  // U+061C), plus the blank "filler" letters U+115F, U+1160, U+3164, U+FFA0 that render as nothing.
  return text.replace(/(?![\t\n])[\p{Cc}\p{Cf}\u115f\u1160\u3164\uffa0\ufff9-\ufffb]/gu,
    (c) => {
      const hex = c.codePointAt(0)!.toString(16).toUpperCase();
      return hex.length > 4 ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
    });
}

const isSafe = (v: Value): v is Safe => typeof v === 'object' && !Array.isArray(v);

/**
 * Template tag that escapes every interpolated string or number. Markup can only come from another `html` template,
 * so a value from the network or the config cannot become markup by someone forgetting to escape it.
 */
function html(strings: TemplateStringsArray, ...values: readonly Value[]): Safe {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const text = Array.isArray(v) ? v.map((s) => s.__html).join('') : isSafe(v) ? v.__html : escapeHtml(visible(String(v)));
    out += text + strings[i + 1]!;
  });
  return { __html: out };
}

const LABEL: Readonly<Record<ReportStatus, string>> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skip: 'SKIP', waived: 'WAIVED' };
const STATE_LABEL: Readonly<Record<PromiseStatus['status'], string>> = {
  'met': 'Met', 'met-with-warnings': 'Met, with warnings', 'not-met': 'Not met', 'not-verified': 'Not verified',
  'not-assessed': 'Not assessed', 'attested': 'Attested', 'unattested': 'Not attested', 'attestation-expired': 'Attestation expired',
};
const STATE_TONE: Readonly<Record<PromiseStatus['status'], ReportStatus>> = {
  'met': 'pass', 'met-with-warnings': 'warn', 'not-met': 'fail', 'not-verified': 'error', 'not-assessed': 'skip',
  'attested': 'pass', 'unattested': 'warn', 'attestation-expired': 'fail',
};

/** A status as a CSS class: from a fixed list, so a tampered report cannot inject class names either. */
const tone = (status: string): string => (REPORT_STATUSES as readonly string[]).includes(status) ? status : 'skip';
const badge = (status: ReportStatus) => html`<span class="badge st-${tone(status)}">${LABEL[status] ?? String(status)}</span>`;

const STYLE: Safe = { __html: `
:root{color-scheme:light;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1f24}
body{margin:0 auto;max-width:72rem;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{margin-top:2rem;border-bottom:2px solid #d0d7de;padding-bottom:.25rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f6f8fa}td ul{margin:0;padding-left:1rem}td p{margin:0}code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:.75rem;overflow:auto;white-space:pre-wrap;word-break:break-all;max-height:40rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.meta dt{font-weight:600}dl.meta dd{margin:0;word-break:break-all}
.badge{display:inline-block;min-width:4.5rem;text-align:center;border-radius:.25rem;padding:0 .4rem;font-weight:700;font-size:.8rem;color:#fff}
.st-pass{background:#1a7f37}.st-warn{background:#9a6700}.st-fail{background:#cf222e}.st-error{background:#8250df}.st-skip{background:#6e7781}.st-waived{background:#0969da}
details{border:1px solid #d0d7de;border-radius:.35rem;margin:.35rem 0;padding:.25rem .6rem}
summary{cursor:pointer}details[open] summary{margin-bottom:.4rem}
blockquote{margin:0 0 .3rem;padding-left:.6rem;border-left:3px solid #d0d7de;font-style:italic}
.banner{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem;margin:.5rem 0}.muted{color:#57606a}
.soon{color:#cf222e;font-weight:700}
@media print{details{break-inside:avoid}}
` };
const OPEN: Safe = { __html: ' open' };

/** Only http(s) links become anchors; anything else (javascript:, data:) stays text. */
function link(url: string): Safe {
  return /^https?:\/\//i.test(url) ? html`<a href="${url}" rel="noreferrer noopener">${url}</a>` : html`<code>${url}</code>`;
}

function attestationText(a: Attestation | null): Safe {
  if (!a) return html`<span class="muted">no attestation</span>`;
  return html`attested by ${a.by} on ${a.date}, expires ${a.expires}; evidence: ${link(a.evidenceUrl)}`;
}

function countsText(counts: Readonly<Record<ReportStatus, number>>): string {
  return REPORT_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`).join(', ');
}

function promiseRow(p: PromiseStatus): Safe {
  const state = p.status;
  const controls = p.controls.map((c) => html`<li>${c.framework} ${c.id} ${c.title}</li>`);
  const standards = p.standards.map((s) => html`<li>${s}</li>`);
  const checks = p.checks.map((c) => html`<li><code>${c.checkId}</code>: ${countsText(c.counts)}</li>`);
  return html`<tr>
<td><span class="badge st-${Object.hasOwn(STATE_TONE, state) ? STATE_TONE[state] : 'skip'}">${Object.hasOwn(STATE_LABEL, state) ? STATE_LABEL[state] : String(state)}</span></td>
<td><strong>${p.title}</strong><br><code>${p.id}</code> <span class="muted">(${p.kind})</span></td>
<td><blockquote lang="nl">${p.clauseNl}</blockquote>${p.clauseEn}</td>
<td><ul>${controls}${standards}</ul></td>
<td>${checks.length ? html`<ul>${checks}</ul>` : p.kind === 'automated' ? html`<span class="muted">no check results</span>` : ''}
${p.kind === 'manual' ? html`<p>${attestationText(p.attestation)}</p>` : ''}</td>
</tr>`;
}

function promisesSection(promises: readonly PromiseStatus[] | undefined): Safe {
  if (!promises) return html``;
  return html`<section><h2>Promises</h2>
<table><thead><tr><th>Status</th><th>Promise</th><th>Statement (Dutch, then English)</th><th>Controls and standards</th><th>Evidence</th></tr></thead>
<tbody>${promises.map(promiseRow)}</tbody></table></section>`;
}

/** Highlighted below this: ACME clients renew at 30 days left, so a certificate still under it has missed renewal. */
const SOON_DAYS = 30;

const CERTIFICATES_OPEN = html`<section><h2>Certificate expiry</h2>
<table><thead><tr><th>Domain</th><th>Address</th><th>Check</th><th>Not after</th><th>Days left</th></tr></thead><tbody>`;
const CERTIFICATES_CLOSE = html`</tbody></table></section>`;

function certificateRows(results: readonly ReportResult[]): Safe[] {
  return certificateExpiries(results).map((c) => html`<tr><td>${c.domain}</td><td>${c.address ?? ''}</td><td><code>${c.checkId}</code></td>
<td>${c.notAfter ?? 'unknown'}</td><td class="${c.daysLeft < SOON_DAYS ? 'soon' : ''}">${c.daysLeft}</td></tr>`);
}

function waiversSection(waivers: readonly WaiverState[] | undefined): Safe {
  if (!waivers || waivers.length === 0) return html``;
  const rows = waivers.map((w) => html`<tr><td>${w.state}</td><td>${w.domain}</td><td><code>${w.checkId}</code></td>
<td>${w.reason}</td><td>${w.owner}</td><td>${w.expires}</td><td>${w.matched}</td></tr>`);
  return html`<section><h2>Waivers</h2>
<table><thead><tr><th>State</th><th>Domain</th><th>Check</th><th>Reason</th><th>Owner</th><th>Expires</th><th>Results</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

function field(name: string, value: Safe | string | null | undefined): Safe {
  return value === null || value === undefined || value === '' ? html`` : html`<dt>${name}</dt><dd>${value}</dd>`;
}

function resultBlock(r: ReportResult): Safe {
  const reason = r.status === 'error' || r.status === 'skip' ? r.reason : null;
  const remediation = 'remediation' in r ? r.remediation : null;
  const waiver = r.status === 'waived'
    ? `${r.originalStatus} accepted by ${r.waiver.owner} until ${r.waiver.expires}: ${r.waiver.reason}` : null;
  const evidence = 'evidence' in r && r.evidence !== undefined ? JSON.stringify(r.evidence, null, 2) : null;
  // Findings open by default: an auditor should see what is wrong without clicking.
  const open = r.status === 'fail' || r.status === 'error' ? OPEN : '';
  return html`<details${open}><summary>${badge(r.status)} <code>${r.checkId}</code> ${r.title}: ${r.summary}</summary>
<dl class="meta">${field('Reason', reason)}${field('Remediation', remediation)}${field('Waiver', waiver)}
${field('Since', r.since)}${field('Checked', `${r.startedAt} (${r.durationMs} ms)`)}${field('Promises', r.promises.join(', '))}
${field('Artifacts', r.artifacts.join(', '))}</dl>
${evidence === null ? html`` : html`<pre>${evidence}</pre>`}</details>`;
}

/** The header's scope lists this many domains by name at most: each domain has its own section below anyway. */
const SCOPE_NAMES = 100;

/** Domains in scope: the count and the first names (the cut said). */
type Scope = { readonly count: number; readonly names: readonly string[] };
/** The JSON report's seal, recomputed here so the page names the digest it corresponds to. */
type Seal = { readonly digest: string; readonly publicKeyFingerprint: string | null };

function scopeText(scope: Scope, checks: number): string {
  const more = scope.count > scope.names.length ? `, and ${scope.count - scope.names.length} more (each in its section below)` : '';
  return `${scope.count} domain(s): ${scope.names.join(', ')}${more}; ${checks} check(s)`;
}

function header(report: ReportHeader, scope: Scope, seal: Seal): Safe {
  const s = report.summary;
  const totals = REPORT_STATUSES.map((st) => html`${badge(st)} ${s[st] ?? 0} `);
  return html`<header><h1>Vouch compliance evidence</h1>
${report.status === 'interrupted' ? html`<p class="banner"><strong>Interrupted:</strong> the scan was stopped before it finished; unfinished checks are reported as errors.</p>` : ''}
<dl class="meta">${field('Scan', `${report.startedAt} to ${report.finishedAt} (${report.durationMs} ms)`)}
${field('Run', report.runId)}${field('Tool', `${report.tool.name} ${report.tool.version}`)}
${field('Scope', scopeText(scope, report.checks.length))}
${field('Configuration', `${report.config.source ?? '(defaults)'}, ${report.config.digest}`)}
${field('Baseline', report.baseline ? `${report.baseline.runId} (${report.baseline.startedAt})` : null)}
${field('Report digest', seal.digest)}
${field('Signature', seal.publicKeyFingerprint === null ? null : `ed25519, key ${seal.publicKeyFingerprint}`)}</dl>
<p>${totals}</p></header>`;
}

/**
 * The auditor's report: one self-contained HTML file (no scripts, no external resources) with the promises, the
 * certificate expiry overview, the waivers and every result with its evidence. Every value is escaped by the `html`
 * tag; the Content-Security-Policy (no scripts, no loads, inline styles only) is defence in depth on top.
 */
export const htmlWriter: ReportWriter = {
  format: 'html',
  extension: 'html',
  async write(report, out) {
    const h = report.header;
    // Three passes over the domains, each holding one domain: the scope and the JSON report's digest for the
    // header, the certificate overview, then the results. Buffering either of the first two would grow with the estate.
    const key = report.signingKeyPem === undefined ? null : signingKey(report.signingKeyPem);
    const digest = createReportDigest(h);
    let count = 0;
    const names: string[] = [];
    for await (const entry of report.domains()) {
      digest.addCanonical(domainTexts(entry).canonical);
      if (count++ < SCOPE_NAMES) names.push(entry.domain);
    }
    const seal = { digest: digest.finish(), publicKeyFingerprint: key && publicKeyFingerprint(createPublicKey(key)) };
    await out(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vouch report ${h.startedAt}</title>
<style>${STYLE}</style>
</head>
<body>
${header(h, { count, names }, seal)}
<main>
${promisesSection(h.promises)}
`.__html);
    let certificates = false;
    for await (const { results } of report.domains()) {
      const rows = certificateRows(results);
      if (rows.length === 0) continue;
      await out(html`${certificates ? '' : CERTIFICATES_OPEN}${rows}`.__html);
      certificates = true;
    }
    await out(html`${certificates ? CERTIFICATES_CLOSE : ''}
${waiversSection(h.waivers)}
<section><h2>Results by domain</h2>`.__html);
    for await (const { domain, results } of report.domains()) {
      await out(html`<section><h3>${domain}</h3>
${results.map(resultBlock)}</section>`.__html);
    }
    await out(`</section>
</main>
</body>
</html>
`);
  },
};
