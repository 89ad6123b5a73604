import { defineCheck, type CheckContext } from '../../src/core/check.ts';
import { judgeEndpoints, type Verdict } from '../../src/core/endpoints.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { HTTPS_LISTENING, type Prerequisite } from '../../src/core/prerequisites.ts';
import type { Endpoint, ErrorReason, JsonObject } from '../../src/core/types.ts';
import { TLS_VERSIONS, type Probes, type TlsVersion } from '../../src/probes/types.ts';
import type { TlsEnumeration, VersionFacts } from '../../src/tls/enumerate.ts';
import { measurementEvidence } from '../../src/tls/judge/common.ts';
import { problemReason } from '../../src/tls/enumerate-context.ts';
import { classifyVersion, policyEvidence, verdictOf, type Policy } from '../../src/tls/policy.ts';
import { PROTOCOL_VERSIONS, type PolicyClass, type ProtocolVersion } from '../../src/tls/types.ts';

const REMEDIATION = 'Disable SSL 2.0, SSL 3.0, TLS 1.0 and TLS 1.1 and enable TLS 1.3 (keep TLS 1.2 for older clients where the '
  + 'TLS profile allows it), per the configured TLS profile (tls.profile, default the NCSC-NL TLS guidelines 2025-05).';

/** What was seen for one protocol version on one address: accepted, refused (`false`) or not established (`null`). */
export type VersionResult = {
  readonly version: ProtocolVersion;
  readonly accepted: boolean | null;
  /** What the server did, or why the version could not be tested. */
  readonly detail: string;
  /** Why a version could not be tested (only with `accepted: null`). */
  readonly reason?: ErrorReason;
  /** Protocol errors the enumeration noted for this version, even when it could tell accepted from refused. */
  readonly problems?: readonly string[];
};

/** How the versions were measured: read from the enumeration facts, or per version with the node engine. */
export type VersionSource = 'tls-enumeration' | 'smtp-tls-enumeration' | 'tls-version-node';

/*
 * Where the versions come from (issue 9). With the default `raw` engine the versions are READ FROM THE ENUMERATION
 * FACTS (`probes.tlsEnumeration`), not measured again: the enumeration already sends one hand-built hello per
 * version, SSLv2 (its own record format) and SSLv3 included, and the cipher-suite, order and key-exchange checks use
 * the same cached facts, so a full scan opens no extra connection for this check (the per-version raw probe would
 * add four, and two more for SSLv2/SSLv3). It also judges "accepted" by the same rule as the suite checks: a version
 * is accepted when the server chose one of the offered suites at that version, never by a lower ServerHello.
 *
 * With `tlsVersionProbe: node` (config) the user asked for real OpenSSL handshakes: TLS 1.0 to 1.3 keep the per-version
 * `probes.tlsVersion` (which then is node:tls), and SSLv2 and SSLv3, which OpenSSL 3 cannot offer at all, are
 * `error` (client-limitation), never a pass by omission. STARTTLS has no node engine: the mail check always reads the
 * SMTP enumeration.
 */

/** The first cause the enumeration recorded for a version it could not settle, else `protocol`. */
function reasonOf(problems: readonly string[]): ErrorReason {
  return problems.map(problemReason).find((reason) => reason !== 'protocol') ?? 'protocol';
}

function fromFacts(version: ProtocolVersion, facts: VersionFacts): VersionResult {
  const problems = facts.problems.length > 0 ? { problems: [...facts.problems] } : {};
  if (facts.accepted === true) {
    const what = version === 'SSLv2' ? 'cipher spec' : 'suite';
    const first = facts.suites[0];
    const detail = `accepted: ${facts.suites.length} ${what}${facts.suites.length === 1 ? '' : 's'}${first ? `, e.g. ${first.name}` : ''}`;
    return { version, accepted: true, detail, ...problems };
  }
  if (facts.accepted === false) return { version, accepted: false, detail: facts.refusal ?? 'refused', ...problems };
  return { version, accepted: null, detail: facts.problems.join('; ') || 'not tested', reason: reasonOf(facts.problems) };
}

/** Every version SSLv2..TLS 1.3, oldest first, read from one endpoint's enumeration facts. */
export function versionsFromEnumeration(enumeration: TlsEnumeration): VersionResult[] {
  return PROTOCOL_VERSIONS.map((version) => fromFacts(version, enumeration.versions[version]));
}

/** SSLv2 and SSLv3 under the node engine: this client cannot offer them, so they are untested, never refused. */
export function nodeEngineCannotOffer(version: 'SSLv2' | 'SSLv3'): VersionResult {
  return {
    version, accepted: null, reason: 'client-limitation',
    detail: `the node engine (tlsVersionProbe: node, OpenSSL ${process.versions.openssl}) cannot offer SSL 2.0 or 3.0; use tlsVersionProbe: raw`,
  };
}

/**
 * Probes each TLS version (1.0 to 1.3) separately with `probe` (the node engine), so a server that accepts a legacy
 * version cannot hide it behind a newer one. When every version failed with the prerequisite's finding (port 443
 * refuses: see https.available), that error is thrown so the address is skipped rather than judged.
 */
export async function probeVersions(
  probe: (ep: Endpoint, v: TlsVersion) => ReturnType<Probes['tlsVersion']>, ep: Endpoint, prerequisite?: Prerequisite,
): Promise<VersionResult[]> {
  const errors: ProbeError[] = [];
  const results = await Promise.all(TLS_VERSIONS.map(async (version): Promise<VersionResult> => {
    try {
      const facts = await probe(ep, version);
      return { version, accepted: facts.accepted, detail: facts.detail };
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      errors.push(err);
      return { version, accepted: null, detail: err.message, reason: err.reason };
    }
  }));
  const [first] = errors;
  if (prerequisite && first && errors.length === results.length && errors.every((e) => prerequisite.isFinding(e))) throw first;
  return results;
}

/** "A", "A and B", "A, B and C". */
export function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}


/**
 * Shared by the web and mail checks: the verdict on one endpoint's per-version results, every version classed by the
 * configured TLS policy (`classifyVersion`). An accepted insufficient version fails, an accepted phase-out version
 * warns, good and sufficient versions pass. What "no good version" means is the policy's to say, not this code's:
 * under NCSC-NL 2025-05 TLS 1.2 is sufficient, so a TLS 1.2-only server passes (noted in the summary); under Mozilla
 * modern TLS 1.2 is not listed and fails. Nothing accepted at all fails. A fail found stands even when another
 * version could not be tested; otherwise an untested version makes the result `error` with the evidence of the
 * others (never a pass by omission).
 */
export function judgeVersions(results: readonly VersionResult[], policy: Policy, source: VersionSource): Verdict {
  const rows = results.map((r) => {
    const c = classifyVersion(policy, r.version);
    return { ...r, class: c.class, clause: c.clause, rule: c.rule };
  });
  const acceptedRows = rows.filter((r) => r.accepted === true);
  const accepted = acceptedRows.map((r) => r.version);
  const evidence = { versions: rows, accepted, policy: policyEvidence(policy), source };
  const offending = (cls: PolicyClass) => acceptedRows.filter((r) => r.class === cls).map((r) => r.version);

  const insufficient = acceptedRows.filter((r) => verdictOf(r.class) === 'fail').map((r) => r.version);
  if (insufficient.length > 0) {
    return { status: 'fail', summary: `accepts ${listed(insufficient)} (insufficient under ${policy.id})`, evidence };
  }
  const untested = rows.filter((r) => r.accepted === null);
  const first = untested[0];
  if (first) {
    // Grouped by cause, so "the node engine cannot offer SSLv2" and "cannot offer TLSv1" both stay readable.
    const byDetail = new Map<string, ProtocolVersion[]>();
    for (const u of untested) byDetail.set(u.detail, [...(byDetail.get(u.detail) ?? []), u.version]);
    const summary = `could not test ${[...byDetail].map(([detail, versions]) => `${listed(versions)}: ${detail}`).join('; ')}`;
    return { status: 'error', reason: first.reason ?? 'protocol', summary, evidence };
  }
  if (accepted.length === 0) return { status: 'fail', summary: 'no protocol version accepted', evidence };
  const phaseOut = offending('phase-out');
  if (phaseOut.length > 0) return { status: 'warn', summary: `accepts ${listed(phaseOut)} (phase-out under ${policy.id})`, evidence };
  const classes = acceptedRows.map((r) => `${r.version} (${r.class})`).join(', ');
  const good = PROTOCOL_VERSIONS.filter((v) => classifyVersion(policy, v).class === 'good');
  const noGood = offending('good').length === 0 && good.length > 0 ? `; ${listed([...good])} (good) not offered` : '';
  return { status: 'pass', summary: `accepts ${classes} under ${policy.id}${noGood}`, evidence };
}

/** The web check's per-version results on one address, by the configured engine (see the note above). */
async function webVersions(ctx: CheckContext, ep: Endpoint): Promise<{ results: VersionResult[]; source: VersionSource; measurement?: JsonObject }> {
  if (ctx.settings.tlsVersionProbe === 'node') {
    const tls = await probeVersions((e, v) => ctx.probes.tlsVersion(e, v), ep, HTTPS_LISTENING);
    return { results: [nodeEngineCannotOffer('SSLv2'), nodeEngineCannotOffer('SSLv3'), ...tls], source: 'tls-version-node' };
  }
  // A connection refused before any answer is thrown by the enumeration: https.available's finding, skipped.
  const enumeration = await ctx.probes.tlsEnumeration(ep);
  return { results: versionsFromEnumeration(enumeration), source: 'tls-enumeration', measurement: measurementEvidence(enumeration) };
}

export const tlsProtocolVersionsCheck = defineCheck({
  id: 'tls.protocol-versions',
  title: 'Only current TLS versions are accepted (by the TLS profile: not SSLv2, SSLv3, TLS 1.0 or 1.1)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['RFC 6176 (SSL 2.0 prohibited)', 'RFC 7568 (SSL 3.0 deprecated)', 'RFC 8996 (TLS 1.0 and 1.1 deprecated)',
    'the configured TLS profile (tls.profile): NCSC-NL TLS guidelines 2025-05 §3.3.1 by default (TLS 1.3 good, 1.2 sufficient, every other version insufficient)'],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, async (ep) => {
    const { results, source, measurement } = await webVersions(ctx, ep);
    const verdict = judgeVersions(results, ctx.settings.tlsPolicy, source);
    return measurement ? { ...verdict, evidence: { ...verdict.evidence, ...measurement } } : verdict;
  }, { prerequisite: HTTPS_LISTENING }),
});
