import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { Named, TlsEnumeration } from '../enumerate.ts';
import { classifySuite, type Policy } from '../policy.ts';
import { describeSuite } from '../registry.ts';
import type { PolicyClass, ProtocolVersion } from '../types.ts';
import { baseEvidence, noTls, orderProblems, reasonOf, settle, suiteGaps, type Gap } from './common.ts';

/**
 * Issue 9, cipher order (internet.nl "Cipher order"): per TLS <= 1.2 version, whether the server enforces its own
 * order and, where the policy says so (`order.preferHigherClass`, internet.nl's rule), whether that order puts every
 * good or sufficient suite before every phase-out one (and phase-out before insufficient). A client-chosen order
 * where the policy requires the server's (`order.serverPreferenceRequired`) fails, as internet.nl's "does not
 * enforce its own cipher preference" does.
 * - With one accepted suite there is nothing to order: that version passes, saying why.
 * - TLS 1.3's order is reported but informational: every TLS 1.3 suite is AEAD with forward secrecy, and
 *   internet.nl does not judge it either.
 * - SSLv2 has no server order (the client picks from the server's list): not judged here.
 * - A ChaCha20 suite first is noted (a server may prefer it for clients without AES hardware; internet.nl allows it).
 */

/**
 * The tiers the order must respect: good and sufficient are one tier (internet.nl 2025 compares phase-out against
 * good-and-sufficient), then phase-out, then insufficient.
 */
const TIER: Readonly<Record<PolicyClass, number>> = { good: 2, sufficient: 2, 'phase-out': 1, insufficient: 0 };
const JUDGED: readonly ProtocolVersion[] = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'];

type VersionVerdict = { readonly status: 'pass' | 'fail'; readonly summary: string } | { readonly status: 'gap'; readonly gap: Gap };

export function judgeCipherOrder(e: TlsEnumeration, policy: Policy): Verdict {
  const rule = policy.order;
  const rows: JsonObject[] = [];
  const verdicts: { version: ProtocolVersion; verdict: VersionVerdict }[] = [];
  const classOf = (s: Named) => classifySuite(policy, describeSuite(s.code)).class;
  const listed = (list: readonly Named[] | null) => list?.map((s) => ({ name: s.name, class: classOf(s) })) ?? null;

  for (const version of JUDGED) {
    const v = e.versions[version];
    if (v.accepted !== true) continue;
    const verdict = judgeVersion(version, v.suites, v.serverOrder, v.order, orderProblems(v.problems), rule, classOf, policy.id);
    verdicts.push({ version, verdict });
    rows.push({
      version, suites: v.suites.length, serverOrder: v.serverOrder, order: listed(v.order),
      ...(v.chachaFirst ? { chachaFirst: true } : {}),
      verdict: verdict.status === 'gap' ? 'not tested' : verdict.status, note: verdict.status === 'gap' ? verdict.gap.what : verdict.summary,
    });
  }
  const tls13 = e.versions['TLSv1.3'];
  if (tls13.accepted === true) {
    rows.push({
      version: 'TLSv1.3', suites: tls13.suites.length, serverOrder: tls13.serverOrder, order: listed(tls13.order),
      ...(tls13.chachaFirst ? { chachaFirst: true } : {}),
      verdict: 'informational', note: 'TLS 1.3 order is informational, not judged: every TLS 1.3 suite is AEAD with forward secrecy',
    });
  }

  const evidence: JsonObject = {
    ...baseEvidence(e, policy),
    rule: rule
      ? { serverPreferenceRequired: rule.serverPreferenceRequired, preferHigherClass: rule.preferHigherClass, clause: rule.clause, source: rule.source }
      : null,
    versions: rows,
  };
  // The order is read from the suite sets: a version whose suites are unknown has an unknown order. TLS 1.3 and
  // SSLv2 do not decide the verdict, so their gaps do not make it an error.
  const gaps = [...suiteGaps(e, JUDGED), ...verdicts.flatMap(({ verdict }) => (verdict.status === 'gap' ? [verdict.gap] : []))];
  const none = noTls(e, [...gaps, ...suiteGaps(e)], evidence);
  if (none) return none;
  const failed = verdicts.filter((x) => x.verdict.status === 'fail');
  const chacha = JUDGED.some((version) => e.versions[version].chachaFirst === true) ? '; ChaCha20 preferred' : '';
  if (failed.length > 0) {
    return settle({ status: 'fail', summary: failed.map((x) => `${x.version}: ${(x.verdict as { summary: string }).summary}`).join('; ') }, gaps, evidence);
  }
  return settle({ status: 'pass', summary: passSummary(verdicts, tls13.accepted === true) + chacha }, gaps, evidence);
}

function judgeVersion(
  version: ProtocolVersion, suites: readonly Named[], serverOrder: 'server' | 'client' | null, order: readonly Named[] | null,
  problems: readonly string[], rule: Policy['order'], classOf: (s: Named) => PolicyClass, policyId: string,
): VersionVerdict {
  if (suites.length < 2) return { status: 'pass', summary: `only ${suites.length === 1 ? `one suite (${suites[0]!.name})` : 'no suite'} accepted: nothing to order` };
  if (!rule) return { status: 'pass', summary: 'this policy has no rule on the order' };
  const tiers = new Set(suites.map((s) => TIER[classOf(s)]));
  const mixed = tiers.size > 1;
  if (serverOrder === null) {
    const why = problems[0] ?? 'the server\'s choice could not be read';
    return { status: 'gap', gap: { what: `${version}: whether the server enforces its own order is unknown (${why})`, reason: reasonOf(why) } };
  }
  if (serverOrder === 'client') {
    if (rule.serverPreferenceRequired) {
      return { status: 'fail', summary: `the server follows the client's order; ${policyId} ${rule.clause} requires the server's own order` };
    }
    if (rule.preferHigherClass && mixed) {
      return { status: 'fail', summary: `the server follows the client's order, so a client may choose a weaker suite; ${policyId} ${rule.clause} requires the stronger first` };
    }
    return { status: 'pass', summary: 'the server follows the client\'s order, which this policy allows' };
  }
  if (!rule.preferHigherClass || !mixed) {
    return { status: 'pass', summary: mixed ? 'the server enforces its own order' : 'the server enforces its own order; every accepted suite is of one level' };
  }
  if (order === null) {
    const why = problems[0] ?? 'the order could not be read';
    return { status: 'gap', gap: { what: `${version}: the server's order is unknown (${why})`, reason: reasonOf(why) } };
  }
  for (const [i, first] of order.entries()) {
    const better = order.slice(i + 1).find((later) => TIER[classOf(later)] > TIER[classOf(first)]);
    if (better) {
      return {
        status: 'fail',
        summary: `prefers ${first.name} (${classOf(first)}) over ${better.name} (${classOf(better)}); ${policyId} ${rule.clause} requires good and sufficient suites before phase-out ones`,
      };
    }
  }
  return { status: 'pass', summary: 'the server enforces its own order, stronger suites first' };
}

function passSummary(verdicts: readonly { version: ProtocolVersion; verdict: VersionVerdict }[], tls13: boolean): string {
  if (verdicts.length === 0) return tls13 ? 'TLS 1.3 only: its order is informational, nothing to judge' : 'no TLS version accepted: nothing to order';
  // Versions that say the same thing are named together, newest first: "TLSv1.2, TLSv1.1: ...".
  const byNote = new Map<string, ProtocolVersion[]>();
  for (const { version, verdict } of [...verdicts].reverse()) {
    if (verdict.status !== 'pass') continue;
    byNote.set(verdict.summary, [...(byNote.get(verdict.summary) ?? []), version]);
  }
  const parts = [...byNote].map(([note, versions]) => `${versions.join(', ')}: ${note}`);
  return `${parts.join('; ')}${tls13 ? ' (TLS 1.3 order informational)' : ''}`;
}
