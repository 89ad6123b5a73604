import type { Json } from '../../src/core/types.ts';
import type { ReportDomain, ReportHeader, ReportResult } from '../types.ts';
import { isChange } from './changes.ts';
import { anchors, domainName, EMPTY, html, identifier, type Safe } from './markup.ts';
import { badge } from './status.ts';
import { browserArtifact } from './browser-visit.ts';

/** What every domain section needs from the header: the scan start (for "changed") and the promises that have rows. */
export type SectionContext = { readonly header: ReportHeader; readonly promiseIds: ReadonlySet<string> };

const OPEN: Safe = html` open`;

function field(name: string, value: Safe | readonly Safe[] | string | null): Safe {
  const absent = value === null || value === '' || (Array.isArray(value) && value.length === 0);
  return absent ? EMPTY : html`<dt>${name}</dt><dd>${value}</dd>`;
}

const joined = (items: readonly Safe[]): Safe[] => items.map((item, i) => html`${i > 0 ? ', ' : ''}${item}`);

function promiseLinks(r: ReportResult, ctx: SectionContext): Safe[] {
  return joined(r.promises.map((p) => (ctx.promiseIds.has(p) ? html`<a href="#${anchors.promise(p)}">${identifier(p)}</a>` : identifier(p))));
}

/** The raw facts a result was judged from: linked where the domain's entry holds them, else named as not kept. */
function artifactLinks(r: ReportResult, entry: ReportDomain): Safe[] {
  return joined(r.artifacts.map((key) => (Object.hasOwn(entry.artifacts, key)
    ? html`<a href="#${anchors.artifact(entry.domain, key)}"><code>${identifier(key)}</code></a>`
    : html`<code>${identifier(key)}</code> <span class="muted">(not in this report)</span>`)));
}

function resultBlock(r: ReportResult, entry: ReportDomain, ctx: SectionContext): Safe {
  const reason = r.status === 'error' || r.status === 'skip' ? r.reason : null;
  const remediation = 'remediation' in r ? r.remediation : null;
  const waiver = r.status === 'waived'
    ? `${r.originalStatus} accepted by ${r.waiver.owner} until ${r.waiver.expires}: ${r.waiver.reason}` : null;
  const since = r.since === undefined ? null : isChange(r, ctx.header) ? `${r.since} (new in this run)` : r.since;
  const evidence = 'evidence' in r && r.evidence !== undefined ? JSON.stringify(r.evidence, null, 2) : null;
  // Findings open by default, on screen and on paper (print cannot open a <details>): an auditor sees what is wrong
  // without clicking.
  const open = r.status === 'fail' || r.status === 'error' ? OPEN : EMPTY;
  return html`<details id="${anchors.result(r.domain, r.checkId)}"${open}><summary>${badge(r.status)} <code>${identifier(r.checkId)}</code> ${r.title}: <span class="evidence">${r.summary}</span></summary>
<dl class="meta">${field('Reason', reason)}${field('Remediation', remediation)}${field('Waiver', waiver)}
${field('Since', since)}${field('Checked', `${r.startedAt} (${r.durationMs} ms)`)}${field('Promises', promiseLinks(r, ctx))}
${field('Artifacts', artifactLinks(r, entry))}</dl>
${evidence === null ? EMPTY : html`<pre class="evidence">${evidence}</pre>`}</details>`;
}

/**
 * An artifact as indented JSON, with each certificate's PEM lifted out into a block of its own (the JSON names it
 * "PEM 1 below"): in JSON a PEM is one line of `\n` escapes that openssl cannot read when copied.
 */
export function artifactText(value: Json): { readonly json: string; readonly pems: readonly string[] } {
  const pems: string[] = [];
  const json = JSON.stringify(value, (key, v: unknown) => {
    if (key === 'pem' && typeof v === 'string' && v.startsWith('-----BEGIN ')) {
      pems.push(v);
      return `[PEM ${pems.length} below]`;
    }
    return v;
  }, 2) ?? 'null';
  return { json, pems };
}

function artifactBlock(domain: string, key: string, artifact: Json, open: boolean): Safe {
  const { figure, value } = browserArtifact(key, artifact);
  const { json, pems } = artifactText(value);
  return html`<details id="${anchors.artifact(domain, key)}"${open ? OPEN : EMPTY}><summary><code>${identifier(key)}</code></summary>
${figure}<pre class="evidence">${json}</pre>${pems.map((pem, i) => html`<p>PEM ${i + 1}:</p><pre class="evidence pem">${pem}</pre>`)}</details>`;
}

/** The artifacts a failure or an error was judged from: open like their result, so they print expanded too. */
function findingArtifacts(results: readonly ReportResult[]): ReadonlySet<string> {
  return new Set(results.filter((r) => r.status === 'fail' || r.status === 'error').flatMap((r) => r.artifacts));
}

/** One domain: its anchored results in check order, then the raw artifacts they reference. */
export function domainSection(entry: ReportDomain, ctx: SectionContext): Safe {
  const keys = Object.keys(entry.artifacts);
  const opened = findingArtifacts(entry.results);
  return html`<section class="domain" id="${anchors.domain(entry.domain)}" aria-labelledby="${anchors.domain(entry.domain)}~h">
<h3 id="${anchors.domain(entry.domain)}~h">${domainName(entry.domain)}</h3>
${entry.results.length === 0 ? html`<p class="muted">No results.</p>` : entry.results.map((r) => resultBlock(r, entry, ctx))}
${keys.length === 0 ? EMPTY : html`<h4>Raw evidence (${keys.length} artifact(s))</h4>
${keys.map((key) => artifactBlock(entry.domain, key, entry.artifacts[key]!, opened.has(key)))}`}</section>`;
}
