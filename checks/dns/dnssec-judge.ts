import { fail, inconclusive, pass, warn } from '../../src/core/check.ts';
import type { ErrorReason, JsonObject, Outcome } from '../../src/core/types.ts';
import type { DnssecFacts } from '../../src/runner/probe-kinds/dnssec.ts';

/**
 * How Vouch's own validations (src/dnssec, probe kind `dnssec`) become verdicts, for dns.dnssec, mail.dnssec-mx and
 * DANE: secure passes; bogus fails with its reason; insecure (a proven unsigned delegation) fails as "not signed";
 * indeterminate is "could not test". A finding seen on one question stands even when another could not be
 * fetched; a chain that rests on an algorithm RFC 8624 no longer recommends warns.
 */

/**
 * DANE counts only TLSA records that validate `secure` (RFC 6698 4.1, RFC 7672 2.2): undefined when they do; else
 * the verdict: insecure or bogus TLSA records are ignored by `users` (a fail), an unfinished validation an error.
 */
export function tlsaNotSecure(tlsaName: string, v: DnssecFacts, users: string, base: JsonObject, remediation: string): Outcome | undefined {
  if (v.state === 'secure') return undefined;
  const evidence = { ...base, tlsaValidation: validationEvidence(v) };
  if (v.state === 'indeterminate') {
    return inconclusive(`could not validate the TLSA records at ${tlsaName} (${v.reason}): ${v.detail}`, indeterminateReason(v), evidence);
  }
  const why = v.state === 'insecure' ? `not DNSSEC-signed (${v.reason}: ${v.detail})` : `DNSSEC-bogus (${v.reason}: ${v.detail}${failedStepText(v)})`;
  return fail(`TLSA records at ${tlsaName} are ${why}, so ${users} ignore them`, evidence, remediation);
}

/** One validation as evidence: the verdict, the chain of steps, which step failed, the resolver's AD bit as a cross-check. */
export function validationEvidence(v: DnssecFacts): JsonObject {
  const failedStep = v.steps.findIndex((s) => s.outcome !== 'ok');
  return {
    question: `${v.name} ${v.type}`, state: v.state, ...(v.reason ? { reason: v.reason } : {}), detail: v.detail,
    ...(v.answer ? { answer: v.answer } : {}), trustAnchors: v.anchors,
    // The resolver's AD bit decides nothing (Vouch validates); it is shown so a reader can compare.
    resolverAuthenticated: v.resolverAuthenticated ?? null,
    ...(v.weak.length > 0 ? { weak: [...v.weak] } : {}),
    failedStep: failedStep < 0 ? null : failedStep,
    steps: v.steps.map((s) => ({ ...s })) as unknown as JsonObject[],
  };
}

/** The step that decided a validation that did not end secure, in words: `at secure.test. (dnskey, secure.test. DNSKEY)`. */
export function failedStepText(v: DnssecFacts): string {
  const step = v.steps.find((s) => s.outcome !== 'ok');
  return step ? ` (at ${step.zone}, ${step.check}${step.question ? `: ${step.question}` : ''})` : '';
}

/** Why a validation could not be made, as an error reason. */
export function indeterminateReason(v: DnssecFacts): ErrorReason {
  return v.reason === 'fetch-failed' ? 'dns-failure' : 'client-limitation';
}

const WEAK_REMEDIATION = 'Roll the zone\'s keys to a recommended algorithm (13, ECDSAP256SHA256, or 8, RSASHA256) and publish '
  + 'a SHA-256 DS record (digest type 2) at the parent (RFC 8624 3.1, 3.3; RFC 6781 4.1.4 on algorithm rollovers).';

export type Remediations = { readonly unsigned: string; readonly bogus: string };

/**
 * The verdict on `subject` (a domain, an MX host) from its validations: the worst state wins, bogus before
 * insecure before indeterminate. `what` names the subject in summaries: `example.nl`, `MX host mx.example.nl`.
 */
export function judgeValidations(what: string, validations: readonly DnssecFacts[], remediation: Remediations): Outcome {
  const evidence = { validatedBy: 'vouch', validations: validations.map(validationEvidence) };
  const questions = (list: readonly DnssecFacts[]) => list.map((v) => v.type).join(' and ');
  const bogus = validations.filter((v) => v.state === 'bogus');
  if (bogus.length > 0) {
    const first = bogus[0]!;
    return fail(`${what} is DNSSEC-bogus (${first.reason}): ${first.detail}${failedStepText(first)}; validating resolvers refuse to answer for ${questions(bogus)}`,
      evidence, remediation.bogus);
  }
  const insecure = validations.filter((v) => v.state === 'insecure');
  if (insecure.length > 0) {
    const first = insecure[0]!;
    return fail(`${what} is not DNSSEC-signed (${first.reason}): ${first.detail}`, evidence, remediation.unsigned);
  }
  const unknown = validations.filter((v) => v.state === 'indeterminate');
  if (unknown.length > 0) {
    const first = unknown[0]!;
    return inconclusive(`could not validate DNSSEC for ${what} (${first.reason}): ${first.detail}`, indeterminateReason(first), evidence);
  }
  const weak = [...new Set(validations.flatMap((v) => v.weak))];
  const anchors = validations[0]?.anchors ?? 'the trust anchors';
  if (weak.length > 0) {
    return warn(`${what} is DNSSEC-signed and validates, but the chain rests on ${weak.join(', ')}, which RFC 8624 no longer recommends`,
      evidence, WEAK_REMEDIATION);
  }
  return pass(`${what} is DNSSEC-signed and validates: Vouch followed the chain from ${anchors} to ${questions(validations)}`, evidence);
}
