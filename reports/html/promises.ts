import type { Attestation, PromiseStatus, ReportResult, ReportStatus } from '../types.ts';
import { REPORT_STATUSES } from '../types.ts';
import { FirstNames } from './bounded.ts';
import { anchors, domainName, EMPTY, externalLink, html, identifier, type Safe } from './markup.ts';
import { stateBadge } from './status.ts';

/** Domains named per promise and outcome; the rest are counted ("and 12 more"), each in its own section anyway. */
const NAMED_DOMAINS = 20;

type Named = { readonly failed: FirstNames; readonly unverified: FirstNames };

/** Which domains failed each promise, and on which it could not be tested, as domains stream past. */
export class PromiseFindings {
  private readonly byPromise = new Map<string, Named>();

  add(domain: string, results: readonly ReportResult[]): void {
    const failed = new Set<string>();
    const unverified = new Set<string>();
    for (const r of results) {
      if (r.status === 'fail') for (const p of r.promises) failed.add(p);
      if (r.status === 'error') for (const p of r.promises) unverified.add(p);
    }
    for (const p of failed) this.of(p).failed.add(domain);
    for (const p of unverified) this.of(p).unverified.add(domain);
  }

  named(promiseId: string): Named | undefined {
    return this.byPromise.get(promiseId);
  }

  private of(promiseId: string): Named {
    let named = this.byPromise.get(promiseId);
    if (!named) this.byPromise.set(promiseId, named = { failed: new FirstNames(NAMED_DOMAINS), unverified: new FirstNames(NAMED_DOMAINS) });
    return named;
  }
}

function domainList(label: string, names: FirstNames | undefined): Safe {
  if (!names || names.total === 0) return EMPTY;
  const links = names.names.map((d, i) => html`${i > 0 ? ', ' : ''}<a href="#${anchors.domain(d)}">${domainName(d)}</a>`);
  return html`<p>${label} (${names.total}): ${links}${names.more > 0 ? ` and ${names.more} more` : ''}</p>`;
}

function attestationText(a: Attestation | null): Safe {
  if (!a) return html`<span class="muted">no attestation</span>`;
  return html`attested by ${a.by} on ${a.date}, expires ${a.expires}; evidence: ${externalLink(a.evidenceUrl)}`;
}

function countsText(counts: Readonly<Record<ReportStatus, number>>): string {
  return REPORT_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`).join(', ');
}

function promiseRow(p: PromiseStatus, findings: PromiseFindings): Safe {
  const controls = p.controls.map((c) => html`<li>${c.framework} ${c.id} ${c.title}</li>`);
  const standards = p.standards.map((s) => html`<li>${s}</li>`);
  const checks = p.checks.map((c) => html`<li><code>${identifier(c.checkId)}</code>: ${countsText(c.counts)}</li>`);
  const named = findings.named(p.id);
  return html`<tr id="${anchors.promise(p.id)}">
<td>${stateBadge(p.status)}</td>
<td><strong>${p.title}</strong><br><code>${identifier(p.id)}</code> <span class="muted">(${p.kind})</span></td>
<td><blockquote lang="nl">${p.clauseNl}</blockquote>${p.clauseEn}</td>
<td><ul>${controls}${standards}</ul></td>
<td class="evidence">${checks.length ? html`<ul>${checks}</ul>` : p.kind === 'automated' ? html`<span class="muted">no check results</span>` : ''}
${domainList('Failed on', named?.failed)}${domainList('Could not be tested on', named?.unverified)}
${p.kind === 'manual' ? html`<p>${attestationText(p.attestation)}</p>` : ''}</td>
</tr>`;
}

/** Manual promises nobody attested and no check disproved: one line, not one empty row each. */
const isBareManual = (p: PromiseStatus): boolean => p.kind === 'manual' && p.attestation === null && p.status === 'unattested';

/** The promise roll-up, one anchored row per promise; bare manual promises listed once, compactly, below it. */
export function promisesSection(promises: readonly PromiseStatus[] | undefined, findings: PromiseFindings): Safe {
  if (!promises) return EMPTY;
  const bare = promises.filter(isBareManual);
  const listed = bare.map((p, i) => html`${i > 0 ? '; ' : ''}<span id="${anchors.promise(p.id)}">${p.title} (<code>${identifier(p.id)}</code>)</span>`);
  return html`<section id="promises" aria-labelledby="promises-h"><h2 id="promises-h">Promises</h2>
<div class="wide" role="region" aria-label="Promise roll-up table" tabindex="0"><table class="promises"><thead><tr><th scope="col">Status</th><th scope="col">Promise</th><th scope="col">Statement (Dutch, then English)</th>
<th scope="col">Controls and standards</th><th scope="col">Evidence</th></tr></thead>
<tbody>${promises.filter((p) => !isBareManual(p)).map((p) => promiseRow(p, findings))}</tbody></table></div>
${bare.length === 0 ? EMPTY : html`<p>${stateBadge('unattested')} ${bare.length} manual promise(s) without an attestation (add one under <code>attestations</code> in the configuration): ${listed}.</p>`}
</section>`;
}
