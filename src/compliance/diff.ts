import type { Json } from '../core/types.ts';
import type { Baseline } from '../../reports/baseline.ts';
import type { ReportDomain, ReportResult, ReportStatus } from '../../reports/types.ts';
import { canonicalJson } from './integrity.ts';

/** One domain and check whose status moved between two reports (`null`: absent from that report). */
export type StatusChange = {
  readonly domain: string;
  readonly checkId: string;
  readonly from: ReportStatus | null;
  readonly to: ReportStatus | null;
  /** The newer summary (the older one when the result was removed). */
  readonly summary: string;
};

/** A stable evidence field that differs, by its path in the evidence (array items named by their address etc.). */
export type EvidenceChange = {
  readonly domain: string;
  readonly checkId: string;
  readonly field: string;
  readonly before: Json | null;
  readonly after: Json | null;
};

/** A domain and check: the identity a result keeps across runs. */
export type Pair = { readonly domain: string; readonly checkId: string };

/** What changed between two scans; `worse` is what a nightly job's exit code follows. */
export type ReportDiff = {
  /** Now `fail`, and was not (including pairs new in this scan, and waivers that expired). */
  readonly newFailures: readonly StatusChange[];
  /** Was `fail`, now `pass`, `warn` or `skip`. */
  readonly fixed: readonly StatusChange[];
  /** Now `error`, and was not: we lost the ability to show the promise is kept. */
  readonly newlyUnverifiable: readonly StatusChange[];
  /** Was `error`, now anything but `fail` (a recovered fail is listed under newFailures). */
  readonly recovered: readonly StatusChange[];
  /** Now `warn`, was `pass`, `skip` or absent. Reported, but not counted as worse: warnings do not fail a scan either. */
  readonly newWarnings: readonly StatusChange[];
  /** Now `waived`, and was not. */
  readonly newlyWaived: readonly StatusChange[];
  readonly changedEvidence: readonly EvidenceChange[];
  readonly added: readonly Pair[];
  readonly removed: readonly Pair[];
  /** A new failure or a newly unverifiable result. */
  readonly worse: boolean;
};

/**
 * Evidence keys compared between runs, wherever they occur in the evidence: identities and configuration that only
 * change when someone changes something (a certificate replaced, a record edited, a header reconfigured). Observation
 * times, countdowns (`daysLeft`) and per-run values are deliberately absent, so an unchanged estate shows no change.
 */
export const STABLE_EVIDENCE_KEYS: ReadonlySet<string> = new Set([
  'fingerprintSha256', 'issuer', 'subjectAltNames', 'keyType', 'keyBits', 'signatureAlgorithm',
  'record', 'records', 'header', 'effectivePolicy', 'accepted', 'location',
]);

/** Array items are named by one of these when present, so reordered DNS answers do not look like changes. */
const ITEM_NAMES = ['address', 'selector', 'version', 'name'] as const;

/** Flattens the stable fields of one evidence object into path -> canonical value. */
export function stableFields(evidence: Json | undefined): Map<string, Json> {
  const out = new Map<string, Json>();
  const walk = (value: Json, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${itemName(item) ?? i}]`));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const at = path ? `${path}.${key}` : key;
        if (STABLE_EVIDENCE_KEYS.has(key)) out.set(at, child);
        else walk(child, at);
      }
    }
  };
  if (evidence !== undefined) walk(evidence, '');
  return out;
}

function itemName(item: Json): string | null {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return null;
  const obj = item as { readonly [key: string]: Json };
  for (const key of ITEM_NAMES) {
    const v = obj[key];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return null;
}

const evidenceOf = (r: ReportResult): Json | undefined => ('evidence' in r ? r.evidence : undefined);

/** The older report, as a Baseline (reports/baseline.ts) provides it: looked up by domain, and its domain names. */
export type DiffOlder = Pick<Baseline, 'resultsOf' | 'domainNames'>;
/** The newer report: anything that yields its domains in order (a ReportStream, a Baseline). */
export type DiffNewer = { domains(): AsyncIterable<ReportDomain> };

type Lists = { -readonly [K in Exclude<keyof ReportDiff, 'worse'>]: ReportDiff[K] extends readonly (infer T)[] ? T[] : never };

/** Sorts one result's change into the lists it belongs to; a pair can be in several (added and a new failure). */
function classify(lists: Lists, c: StatusChange): void {
  if (c.to === 'fail' && c.from !== 'fail') lists.newFailures.push(c);
  if (c.from === 'fail' && (c.to === 'pass' || c.to === 'warn' || c.to === 'skip')) lists.fixed.push(c);
  if (c.to === 'error' && c.from !== 'error') lists.newlyUnverifiable.push(c);
  if (c.from === 'error' && c.to !== 'error' && c.to !== 'fail') lists.recovered.push(c);
  if (c.to === 'warn' && (c.from === null || c.from === 'pass' || c.from === 'skip')) lists.newWarnings.push(c);
  if (c.to === 'waived' && c.from !== 'waived') lists.newlyWaived.push(c);
  if (c.from === null) lists.added.push({ domain: c.domain, checkId: c.checkId });
}

/**
 * Compares two reports result by result, paired on domain and check, as a fold: one pass over the newer report's
 * domains, each looked up in the older one, then the older report's domain names for what was removed. Holds one
 * domain of each, the newer report's domain names, and the lists it returns. Lists follow the newer report's order;
 * `removed` follows the older one's.
 */
export async function diffReports(older: DiffOlder, newer: DiffNewer): Promise<ReportDiff> {
  const lists: Lists = {
    newFailures: [], fixed: [], newlyUnverifiable: [], recovered: [], newWarnings: [], newlyWaived: [], changedEvidence: [], added: [], removed: [],
  };
  /** Each newer domain, with the older results it no longer has (null: none). */
  const gone = new Map<string, Pair[] | null>();
  for await (const { domain, results } of newer.domains()) {
    const olderResults = (await older.resultsOf(domain)) ?? [];
    const before = new Map(olderResults.map((r) => [r.checkId, r]));
    for (const r of results) {
      const old = before.get(r.checkId);
      classify(lists, { domain, checkId: r.checkId, from: old?.status ?? null, to: r.status, summary: r.summary });
      if (old) lists.changedEvidence.push(...compareEvidence(domain, r.checkId, evidenceOf(old), evidenceOf(r)));
    }
    if (gone.has(domain)) continue; // a domain listed twice: what it lost is counted once
    const now = new Set(results.map((r) => r.checkId));
    const lost = olderResults.filter((r) => !now.has(r.checkId)).map((r) => ({ domain, checkId: r.checkId }));
    gone.set(domain, lost.length > 0 ? lost : null);
  }
  for (const domain of older.domainNames()) {
    if (gone.has(domain)) lists.removed.push(...(gone.get(domain) ?? []));
    else lists.removed.push(...((await older.resultsOf(domain)) ?? []).map((r) => ({ domain, checkId: r.checkId })));
  }
  return { ...lists, worse: lists.newFailures.length > 0 || lists.newlyUnverifiable.length > 0 };
}

function compareEvidence(domain: string, checkId: string, older: Json | undefined, newer: Json | undefined): EvidenceChange[] {
  const a = stableFields(older);
  const b = stableFields(newer);
  // An error result usually has no evidence: "it vanished" would only repeat the status change.
  if (a.size === 0 || b.size === 0) return [];
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  return fields
    .filter((field) => canonicalJson(a.get(field) ?? null) !== canonicalJson(b.get(field) ?? null))
    .map((field) => ({ domain, checkId, field, before: a.get(field) ?? null, after: b.get(field) ?? null }));
}

/** The diff as terminal text: one section per kind of change, empty sections left out. */
export function renderDiff(diff: ReportDiff): string {
  const status = (s: ReportStatus | null) => s ?? 'absent';
  const line = (c: StatusChange) => `  ${c.domain}  ${c.checkId}  ${status(c.from)} -> ${status(c.to)}  ${oneLine(c.summary)}`;
  const sections: [string, string[]][] = [
    ['New failures', diff.newFailures.map(line)],
    ['Newly unverifiable (could not test)', diff.newlyUnverifiable.map(line)],
    ['New warnings', diff.newWarnings.map(line)],
    ['Newly waived', diff.newlyWaived.map(line)],
    ['Fixed', diff.fixed.map(line)],
    ['Recovered (testable again)', diff.recovered.map(line)],
    ['Changed evidence', diff.changedEvidence.map((e) =>
      `  ${e.domain}  ${e.checkId}  ${e.field}: ${oneLine(canonicalJson(e.before))} -> ${oneLine(canonicalJson(e.after))}`)],
    ['Added', diff.added.map((p) => `  ${p.domain}  ${p.checkId}`)],
    ['Removed', diff.removed.map((p) => `  ${p.domain}  ${p.checkId}`)],
  ];
  const body = sections.filter(([, lines]) => lines.length > 0).map(([title, lines]) => `${title} (${lines.length}):\n${lines.join('\n')}`);
  const verdict = diff.worse ? 'Worse: new failures or newly unverifiable results.' : 'Not worse.';
  return `${[...(body.length ? body : ['No changes.']), verdict].join('\n\n')}\n`;
}

/**
 * Network text may hold control characters or bidi overrides: a diff line must not be able to move the cursor,
 * forge lines, or display text reordered.
 */
function oneLine(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+/g, ' ');
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}
