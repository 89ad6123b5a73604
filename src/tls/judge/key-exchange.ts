import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { GroupFact, TlsEnumeration } from '../enumerate.ts';
import { classifyDhPrime, classifyGroup, classifyKeyExchangeHash, type Classification, type Policy } from '../policy.ts';
import { describeSuite, groupByCode } from '../registry.ts';
import type { GroupInfo, ProtocolVersion } from '../types.ts';
import { GROUP_KINDS, HASHES, type HashName } from '../policy-schema.ts';
import { baseEvidence, finding, findingEvidence, listSome, noTls, reasonOf, settle, statusOf, suiteGaps, type Finding, type Gap } from './common.ts';

/**
 * Issue 9, key exchange (internet.nl "Key exchange parameters" and "Hash function for key exchange"): the groups a
 * TLS 1.3 server accepts, the curves of its ECDHE suites (TLS <= 1.2), the DHE prime (size and well-known name) and
 * the hash that signs the TLS 1.2 ServerKeyExchange, each classed by the policy.
 *
 * Vouch's own floor on top of any policy: a DHE prime of 1024 bits or fewer is insufficient (Logjam, weakdh.org;
 * RFC 7919 1.1), even under a profile that lists it (Mozilla old's dh_param_size = 1024).
 */

export const DH_FLOOR_BITS = 1024;
const LEGACY: readonly ProtocolVersion[] = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'];

function groupInfo(g: GroupFact): GroupInfo {
  const known = groupByCode(g.code);
  if (known) return known;
  const kind = (GROUP_KINDS as readonly string[]).includes(g.kind) ? (g.kind as GroupInfo['kind']) : 'ec';
  return { code: g.code, name: g.name, kind, bits: g.bits ?? 0 };
}

/** The hash a policy judges: TLS 1.0/1.1 sign RSA key exchanges with MD5 and SHA-1 together, as weak as its parts. */
function hashName(hash: string): HashName | null {
  if (hash === 'md5-sha1') return 'md5';
  return (HASHES as readonly string[]).includes(hash) ? (hash as HashName) : null;
}

export function judgeKeyExchange(e: TlsEnumeration, policy: Policy): Verdict {
  const findings: Finding[] = [];
  const gaps: Gap[] = [...suiteGaps(e)];
  const notes: string[] = [];
  const accepted = (version: ProtocolVersion) => (e.versions[version].accepted === true ? e.versions[version].suites : []);

  // TLS 1.3 groups.
  const groups = e.groups ?? [];
  for (const g of groups) findings.push(finding(g.name, classifyGroup(policy, groupInfo(g)), { what: 'group', version: 'TLSv1.3' }));
  if (accepted('TLSv1.3').length > 0 && groups.length === 0) gaps.push(gapFrom(e, 'TLSv1.3 groups', 'the TLS 1.3 groups could not be read'));

  // ECDHE curves (TLS <= 1.2).
  const ecdheAccepted = LEGACY.some((v) => accepted(v).some((s) => describeSuite(s.code).kx === 'ECDHE'));
  if (e.ecdheCurves) {
    const { version, suite, curves } = e.ecdheCurves;
    for (const c of curves) findings.push(finding(c.name, classifyGroup(policy, groupInfo(c)), { what: 'ecdhe-curve', version, suite: suite.name }));
    if (curves.length === 0) gaps.push(gapFrom(e, 'ECDHE curves', `the curves of ${suite.name} could not be read`));
  } else if (ecdheAccepted) {
    gaps.push(gapFrom(e, 'ECDHE curves', 'ECDHE suites are accepted but their curves could not be read'));
  }

  // DHE prime.
  const dheAccepted = LEGACY.some((v) => accepted(v).some((s) => describeSuite(s.code).kx === 'DHE'));
  if (e.dh) {
    const { bits, wellKnown, version, suite } = e.dh;
    const byPolicy = classifyDhPrime(policy, bits, wellKnown);
    const floored: Classification = bits <= DH_FLOOR_BITS && byPolicy.class !== 'insufficient'
      ? { class: 'insufficient', clause: `a prime of ${DH_FLOOR_BITS} bits or fewer (Logjam; RFC 7919 1.1): Vouch's floor over ${byPolicy.rule}`, rule: 'vouch.dh-floor', source: 'vouch' }
      : byPolicy;
    const label = `DHE prime of ${bits} bits${wellKnown ? ` (${wellKnown})` : ' (not a well-known group)'}`;
    findings.push(finding(label, floored, { what: 'dhe-prime', version, suite: suite.name, bits, wellKnown, rfc7919: e.dh.rfc7919, ...(e.dh.source ? { primeSource: e.dh.source } : {}) }));
  } else if (dheAccepted) {
    gaps.push(gapFrom(e, 'DHE', 'DHE suites are accepted but their prime could not be read'));
  }

  // The TLS 1.2 ServerKeyExchange signature hash.
  const sig = e.keyExchangeSignature;
  if (sig) {
    const hash = sig.hash === null ? null : hashName(sig.hash);
    const label = `key exchange signed with ${sig.scheme?.name ?? sig.hash ?? 'an unknown scheme'}`;
    if (hash === null) {
      gaps.push({ what: `${label}: its hash is unknown to Vouch`, reason: 'protocol' });
    } else {
      const c = classifyKeyExchangeHash(policy, hash);
      if (c) findings.push(finding(label, c, { what: 'signature-hash', version: sig.version, suite: sig.suite.name, hash: sig.hash }));
      else notes.push(`the key exchange signature hash (${sig.hash}) is not judged by ${policy.id}`);
    }
  }
  if (groups.length === 0 && !e.ecdheCurves && !e.dh && !ecdheAccepted && !dheAccepted && hasAnySuite(e)) {
    notes.push('no ephemeral (EC)DHE key exchange is accepted: static key exchange is judged by the cipher-suites check');
  }
  for (const p of e.problems) gaps.push({ what: p, reason: reasonOf(p) });

  const evidence: JsonObject = {
    ...baseEvidence(e, policy),
    groups: groups.map((g) => ({ name: g.name, kind: g.kind, bits: g.bits })),
    ecdheCurves: e.ecdheCurves ? { version: e.ecdheCurves.version, suite: e.ecdheCurves.suite.name, curves: e.ecdheCurves.curves.map((c) => c.name) } : null,
    dh: e.dh ? { version: e.dh.version, suite: e.dh.suite.name, bits: e.dh.bits, wellKnown: e.dh.wellKnown, rfc7919: e.dh.rfc7919 } : null,
    keyExchangeSignature: sig ? { version: sig.version, suite: sig.suite.name, scheme: sig.scheme?.name ?? null, hash: sig.hash } : null,
    classified: findings.map(findingEvidence),
    ...(notes.length > 0 ? { notes } : {}),
  };
  const all = dedupe(gaps);
  return noTls(e, all, evidence) ?? settle(seen(findings, notes), all, evidence);
}

function seen(findings: readonly Finding[], notes: readonly string[]): { status: 'pass' | 'warn' | 'fail'; summary: string } {
  const status = statusOf(findings);
  if (status === 'pass') {
    if (findings.length === 0) return { status, summary: notes[0] ?? 'no key exchange to judge' };
    const names = [...new Set(findings.map((f) => f.what))];
    return { status, summary: `key exchange good or sufficient: ${listSome(names, 4)}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}` };
  }
  const worst = status === 'fail' ? 'insufficient' : 'phase-out';
  const bad = [...new Set(findings.filter((f) => f.class === worst).map((f) => f.what))];
  return { status, summary: `${worst}: ${listSome(bad)}` };
}

function gapFrom(e: TlsEnumeration, prefix: string, fallback: string): Gap {
  const problem = e.problems.find((p) => p.includes(prefix)) ?? e.problems[0];
  return problem ? { what: problem, reason: reasonOf(problem) } : { what: fallback, reason: 'protocol' };
}

const hasAnySuite = (e: TlsEnumeration) => Object.values(e.versions).some((v) => v.accepted === true && v.suites.length > 0);

function dedupe(gaps: readonly Gap[]): Gap[] {
  const seenWhat = new Set<string>();
  return gaps.filter((g) => (seenWhat.has(g.what) ? false : (seenWhat.add(g.what), true)));
}
