import type { Verdict } from '../../core/endpoints.ts';
import type { ErrorReason, JsonObject } from '../../core/types.ts';
import type { TlsEnumeration } from '../enumerate.ts';
import { problemReason as reasonOf } from '../enumerate-context.ts';
export { reasonOf };
import type { Classification, Policy } from '../policy.ts';
import { policyEvidence, verdictOf } from '../policy.ts';
import { PROTOCOL_VERSIONS, type PolicyClass, type ProtocolVersion } from '../types.ts';

/**
 * What the three issue-9 judges (cipher suites, cipher order, key exchange) share: pure functions from the
 * enumeration's facts and a policy to one endpoint's `Verdict`. The rule every judge follows:
 * - a fail seen stands, whatever else could not be tested;
 * - otherwise anything the enumeration could not see (a version whose acceptance is unknown, a problem it recorded)
 *   makes the verdict `error`, with everything that WAS seen in the evidence: nothing unseen passes;
 * - otherwise the worst class decides: insufficient fails, phase-out warns, sufficient and good pass.
 */

/** One thing the policy classed and the policy's reasons, as it appears in the evidence. */
export type Finding = {
  readonly what: string;
  readonly class: PolicyClass;
  readonly clause: string;
  readonly rule: string;
  readonly source: string;
  /** Extra facts for the evidence (version, suite, bits, ...). */
  readonly facts?: JsonObject;
};

export const finding = (what: string, c: Classification, facts?: JsonObject): Finding =>
  ({ what, class: c.class, clause: c.clause, rule: c.rule, source: c.source, ...(facts ? { facts } : {}) });

export const findingEvidence = (f: Finding): JsonObject =>
  ({ ...f.facts, name: f.what, class: f.class, clause: f.clause, rule: f.rule, source: f.source });

/** The policy as the evidence names it: every verdict says which profile, which version, from which source. */

/** A gap: something the enumeration did not see, and why. */
export type Gap = { readonly what: string; readonly reason: ErrorReason };


/** Problems of the per-version suite jobs, without the order job's (whose lines start with `<version> order:`). */
export const suiteProblems = (problems: readonly string[]): string[] => problems.filter((p) => !/^\S+ order:/.test(p));
export const orderProblems = (problems: readonly string[]): string[] => problems.filter((p) => /^\S+ order:/.test(p));

/**
 * Gaps in the per-version suite facts of `versions` (default: every version): acceptance unknown, or the suite
 * elimination stopped on a problem (a suite not offered, garbage, a spent budget).
 */
export function suiteGaps(e: TlsEnumeration, versions: readonly ProtocolVersion[] = PROTOCOL_VERSIONS): Gap[] {
  const gaps: Gap[] = [];
  for (const version of versions) {
    const v = e.versions[version];
    if (v.accepted === null) {
      const why = v.problems[0] ?? v.refusal ?? 'no answer';
      gaps.push({ what: `${version}: whether it is accepted is unknown (${why})`, reason: reasonOf(why) });
      continue;
    }
    for (const problem of suiteProblems(v.problems)) gaps.push({ what: problem.startsWith(version) ? problem : `${version}: ${problem}`, reason: reasonOf(problem) });
  }
  return gaps;
}

/** The worst class's status among findings; `pass` for none. */
export function statusOf(findings: readonly Finding[]): 'pass' | 'warn' | 'fail' {
  const statuses = findings.map((f) => verdictOf(f.class));
  return statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
}

/**
 * The verdict from a status reached on what was seen, and the gaps: a fail stands; otherwise a gap is `error`
 * (the first gap's reason; every gap in the evidence), never a pass or a warn by omission.
 */
export function settle(
  seen: { readonly status: 'pass' | 'warn' | 'fail'; readonly summary: string }, gaps: readonly Gap[], evidence: JsonObject,
): Verdict {
  const withGaps = gaps.length > 0 ? { ...evidence, notTested: gaps.map((g) => g.what) } : evidence;
  if (seen.status === 'fail') return { status: 'fail', summary: seen.summary, evidence: withGaps };
  const [first] = gaps;
  if (first) {
    const more = gaps.length > 1 ? ` (and ${gaps.length - 1} more)` : '';
    const sofar = seen.status === 'warn' ? `; so far: ${seen.summary}` : '';
    return { status: 'error', reason: first.reason, summary: `could not test everything: ${first.what}${more}${sofar}`, evidence: withGaps };
  }
  return { status: seen.status, summary: seen.summary, evidence: withGaps };
}

/**
 * No version accepted and nothing unknown: there is no TLS to judge, which is the protocol-version check's finding
 * (and mail.starttls's on an MX), reported there once. The judges skip, naming it, instead of passing on nothing.
 */
export function noTls(e: TlsEnumeration, gaps: readonly Gap[], evidence: JsonObject): Verdict | null {
  if (gaps.length > 0 || Object.values(e.versions).some((v) => v.accepted !== false)) return null;
  const where = e.transport === 'smtp-starttls' ? 'mail.starttls-protocols' : 'tls.protocol-versions';
  return { status: 'skip', reason: 'prerequisite', summary: `no TLS version is accepted, so there is nothing to judge; see ${where}`, evidence };
}

/** "a, b, c and 4 more" */
export function listSome(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The facts every judge's evidence starts with. */
export function baseEvidence(e: TlsEnumeration, policy: Policy): JsonObject {
  return { policy: policyEvidence(policy), transport: e.transport, ...measurementEvidence(e) };
}

/** How the enumeration was measured: connections, when, and (shared per address) through which name and this name's fingerprint. */
export function measurementEvidence(e: TlsEnumeration): JsonObject {
  return {
    // On an MX every hello is its own SMTP session (issue 9, "Politeness").
    [e.transport === 'smtp-starttls' ? 'smtpSessions' : 'connections']: e.connections,
    observedAt: e.observedAt,
    ...(e.sharedFrom ? { sharedFrom: e.sharedFrom } : {}),
    ...(e.fingerprint ? { fingerprint: e.fingerprint } : {}),
  };
}
