/**
 * Static review of a domain's SPF policy, independent of any sender: the record, its include/redirect tree with
 * the DNS-querying terms each node costs, and the problems a receiver would hit (RFC 7208 3.4, 4.5, 4.6.4, 5, 6).
 * DNS failures are thrown, never reported as "missing": absence is a finding, failure to look is not.
 */
import { expandDomainSpec } from '../parse/spf/macro.ts';
import type { MacroString, MacroValues } from '../parse/spf/macro.ts';
import { parseMxRecords } from '../parse/mx.ts';
import { withoutTrailingDot } from '../parse/spf/domain.ts';
import { DNS_QUERYING_TERMS, isSpfRecord, parseSpfRecord } from '../parse/spf/record.ts';
import type { SpfMechanism, SpfRecord } from '../parse/spf/record.ts';
import { SPF_LIMITS } from './spf-dns.ts';
import type { SpfDns } from './spf-dns.ts';

/** One finding: `fail` where receivers would return permerror or anyone may pass, `warn` for weak or risky setups. */
export type SpfLintProblem = { readonly severity: 'fail' | 'warn'; readonly message: string };

/** One record in the expanded policy. */
export type SpfLintNode = {
  readonly domain: string;
  readonly via: 'root' | 'include' | 'redirect';
  /** The term in the parent that leads here (`include:_spf.example.com`); null for the root. */
  readonly term: string | null;
  /** The SPF record found, or null when none was found or the node was not expanded (see `note`). */
  readonly record: string | null;
  /** DNS-querying terms this record's reachable part costs (include, a, mx, ptr, exists, redirect). */
  readonly lookups: number;
  /** `lookups` plus those of every node below. */
  readonly totalLookups: number;
  /** Names this record's own terms point at that do not exist or have no records of the type asked. */
  readonly voidLookups: number;
  /** Why the node was not expanded, if it was not. */
  readonly note: string | null;
  readonly children: readonly SpfLintNode[];
};

/** The lint of one domain's SPF policy; JSON only, ready to be evidence. */
export type SpfLint = {
  readonly domain: string;
  /** Every TXT record at the domain that starts with `v=spf1`. */
  readonly records: readonly string[];
  /** The expanded policy, or null when there is not exactly one record. */
  readonly tree: SpfLintNode | null;
  readonly lookups: number;
  readonly lookupLimit: number;
  readonly voidLookups: number;
  readonly voidLookupLimit: number;
  readonly problems: readonly SpfLintProblem[];
};

/** RFC 7208 3.4: keep the record so that the answer fits a 512-octet UDP DNS message. */
const MAX_RECORD_BYTES = 512;
const MAX_MX_NAMES = 10;

type State = { readonly dns: SpfDns; readonly problems: SpfLintProblem[]; lookups: number; voids: number; overLimit: boolean };
type Place = {
  readonly domain: string; readonly via: SpfLintNode['via']; readonly term: string | null;
  /** On the domain's own evaluation path (the root and its redirect targets), where the final `all` matters. */
  readonly chain: boolean;
  readonly ancestors: readonly string[];
};
type Report = (severity: SpfLintProblem['severity'], message: string) => void;

/**
 * Lints the SPF policy of `domain`. Throws whatever `dns` throws (a ProbeError on timeout or SERVFAIL), including
 * for an include/redirect target: a receiver would return temperror there, so nothing can be concluded.
 * @example
 * const lint = await lintSpf('example.nl', probes.dns);
 * lint.problems // [{ severity: 'warn', message: 'example.nl: "?all" ...' }]
 */
export async function lintSpf(domain: string, dns: SpfDns): Promise<SpfLint> {
  const state: State = { dns, problems: [], lookups: 0, voids: 0, overLimit: false };
  const report: Report = (severity, message) => state.problems.push({ severity, message });
  const answer = await dns(domain, 'TXT');
  const records = answer.records.filter(isSpfRecord);
  let tree: SpfLintNode | null = null;
  if (records.length === 0) {
    report('fail', `${domain}: no SPF record (a TXT record starting with "v=spf1", RFC 7208 4.5)`);
  } else if (records.length > 1) {
    report('fail', `${domain}: ${records.length} SPF records; receivers return permerror unless there is exactly one (RFC 7208 4.5)`);
  } else {
    const bytes = Buffer.byteLength(records[0]!);
    if (bytes > MAX_RECORD_BYTES) {
      report('warn', `${domain}: the record is ${bytes} bytes; over ${MAX_RECORD_BYTES} it may not fit a UDP DNS answer (RFC 7208 3.4)`);
    }
    tree = await lintRecord(state, { domain, via: 'root', term: null, chain: true, ancestors: [] }, records[0]!);
  }
  if (state.lookups > SPF_LIMITS.maxLookups) {
    report('fail', `${state.lookups}${state.overLimit ? ' or more' : ''} DNS-querying terms in the expanded policy; `
      + `receivers return permerror after ${SPF_LIMITS.maxLookups} (RFC 7208 4.6.4)`);
  }
  if (state.voids > SPF_LIMITS.maxVoidLookups) {
    report('fail', `${state.voids} void lookups (names that do not exist or have no records); `
      + `receivers return permerror after ${SPF_LIMITS.maxVoidLookups} (RFC 7208 4.6.4)`);
  }
  return {
    domain, records, tree, lookups: state.lookups, lookupLimit: SPF_LIMITS.maxLookups,
    voidLookups: state.voids, voidLookupLimit: SPF_LIMITS.maxVoidLookups, problems: state.problems,
  };
}

function leaf(place: Place, record: string | null, note: string | null): SpfLintNode {
  const { domain, via, term } = place;
  return { domain, via, term, record, lookups: 0, totalLookups: 0, voidLookups: 0, note, children: [] };
}

async function lintRecord(state: State, place: Place, text: string): Promise<SpfLintNode> {
  const { domain } = place;
  const report: Report = (severity, message) => state.problems.push({ severity, message: `${domain}: ${message}` });
  const parsed = parseSpfRecord(text);
  if (!parsed.ok) {
    for (const problem of parsed.problems) report('fail', `${problem} (receivers return permerror, RFC 7208 4.6)`);
    return leaf(place, text, 'not expanded: syntax error');
  }
  const { record } = parsed;
  const reachable = reachableMechanisms(record);
  judgeTerms(record, reachable, place.chain, report);
  const redirect = reachable.some((m) => m.kind === 'all') ? null : record.redirect;
  const lookups = reachable.filter((m) => DNS_QUERYING_TERMS.has(m.kind)).length + (redirect ? 1 : 0);
  state.lookups += lookups;
  let voids = 0;
  const children: SpfLintNode[] = [];
  for (const mechanism of reachable) {
    if (mechanism.kind === 'include' && mechanism.domainSpec) {
      children.push(await lintTarget(state, place, 'include', mechanism.text, mechanism.domainSpec));
    } else if (mechanism.kind === 'a' || mechanism.kind === 'mx' || mechanism.kind === 'exists') {
      voids += await voidTarget(state, domain, mechanism, report);
    }
  }
  if (redirect) children.push(await lintTarget(state, place, 'redirect', redirect.text, redirect.value));
  state.voids += voids;
  const below = children.reduce((sum, child) => sum + child.totalLookups, 0);
  return { ...leaf(place, text, null), lookups, totalLookups: lookups + below, voidLookups: voids, children };
}

/** RFC 7208 5.1: terms after `all` are never evaluated, so they cost nothing (and do nothing). */
function reachableMechanisms(record: SpfRecord): readonly SpfMechanism[] {
  const all = record.mechanisms.findIndex((m) => m.kind === 'all');
  return all === -1 ? record.mechanisms : record.mechanisms.slice(0, all + 1);
}

function judgeTerms(record: SpfRecord, reachable: readonly SpfMechanism[], chain: boolean, report: Report): void {
  const all = reachable.find((m) => m.kind === 'all');
  if (all?.qualifier === '+') report('fail', `"${all.text}" lets every host on the internet pass (RFC 7208 5.1)`);
  if (reachable.some((m) => m.kind === 'ptr')) report('warn', '"ptr" is slow and unreliable; RFC 7208 5.5 says it SHOULD NOT be used');
  if (all && record.mechanisms.length > reachable.length) {
    report('warn', `terms after "${all.text}" are never evaluated (RFC 7208 5.1)`);
  }
  if (all && record.redirect) {
    report('warn', `"${record.redirect.text}" is ignored because the record has "${all.text}" (RFC 7208 6.1)`);
  }
  if (!chain) return;
  // Only the record(s) that end the domain's own evaluation decide what happens to unlisted senders.
  if (all?.qualifier === '?') {
    report('warn', `"${all.text}" gives unlisted senders neutral, which receivers treat like no policy (RFC 7208 8.2)`);
  }
  if (!all && !record.redirect) report('warn', 'no "all" and no "redirect=": unlisted senders get the default neutral (RFC 7208 4.7)');
}

/** Expands a target when it uses no macro but %{d}; other macros depend on the sender and cannot be linted. */
function staticTarget(domain: string, spec: MacroString | null): string | null {
  if (!spec) return withoutTrailingDot(domain);
  if (spec.tokens.some((t) => t.kind === 'macro' && t.letter !== 'd')) return null;
  const values: MacroValues = { s: '', l: '', o: '', d: withoutTrailingDot(domain), i: '', p: '', h: '', c: '', r: '', t: '', v: '' };
  return expandDomainSpec(spec, values);
}

async function lintTarget(
  state: State, parent: Place, via: 'include' | 'redirect', term: string, spec: MacroString,
): Promise<SpfLintNode> {
  const target = staticTarget(parent.domain, spec);
  const place: Place = {
    domain: target ?? spec.text, via, term, chain: parent.chain && via === 'redirect',
    ancestors: [...parent.ancestors, parent.domain.toLowerCase()],
  };
  const report: Report = (severity, message) => state.problems.push({ severity, message: `${parent.domain}: ${message}` });
  if (target === null) {
    report('warn', `"${term}" depends on the sender (macros), so its lookups are not counted here`);
    return leaf(place, null, 'not expanded: the target uses sender-dependent macros');
  }
  const loop = [...place.ancestors, target.toLowerCase()];
  if (place.ancestors.includes(target.toLowerCase())) {
    report('fail', `"${term}" loops back (${loop.join(' -> ')}); receivers return permerror (RFC 7208 4.6.4)`);
    return leaf(place, null, 'not expanded: loop');
  }
  if (state.lookups > SPF_LIMITS.maxLookups) {
    state.overLimit = true;
    return leaf(place, null, 'not expanded: the lookup limit is already exceeded');
  }
  const answer = await state.dns(target, 'TXT');
  const voidLookups = answer.result === 'records' ? 0 : 1;
  state.voids += voidLookups;
  const records = answer.records.filter(isSpfRecord);
  const section = via === 'include' ? '5.2' : '6.1';
  if (records.length !== 1) {
    const what = records.length === 0 ? `no SPF record at ${target}` : `${records.length} SPF records at ${target}`;
    report('fail', `"${term}": ${what}; receivers return permerror (RFC 7208 ${section})`);
    return { ...leaf(place, records.length === 0 ? null : records.join(' | '), `not expanded: ${what}`), voidLookups };
  }
  return lintRecord(state, place, records[0]!);
}

/** Counts a void lookup for a static a/mx/exists target (RFC 7208 4.6.4) and checks the 10-MX cap on `mx`. */
async function voidTarget(state: State, domain: string, mechanism: SpfMechanism, report: Report): Promise<number> {
  const target = staticTarget(domain, mechanism.domainSpec);
  if (target === null) return 0;
  if (mechanism.kind === 'mx') {
    const mx = await state.dns(target, 'MX');
    const count = parseMxRecords(mx.records).records.length;
    if (count > MAX_MX_NAMES) {
      report('fail', `"${mechanism.text}": ${target} has ${count} MX records; `
        + `receivers return permerror above ${MAX_MX_NAMES} (RFC 7208 4.6.4)`);
    }
    return mx.result === 'records' ? 0 : 1;
  }
  const a = await state.dns(target, 'A');
  if (a.result === 'records' || mechanism.kind === 'exists') return a.result === 'records' ? 0 : 1;
  // `a` asks for the client's own family: a name with neither A nor AAAA is void for every sender.
  const aaaa = await state.dns(target, 'AAAA');
  return aaaa.result === 'records' ? 0 : 1;
}
