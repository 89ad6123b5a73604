import { defineCheck, fail, inconclusive, pass } from '../../src/core/check.ts';
import { ProbeError } from '../../src/core/errors.ts';
import type { DnsAnswer, DnsType, Probes } from '../../src/probes/types.ts';

const REMEDIATION = 'Sign the zone with DNSSEC at your DNS operator and publish its DS record at the parent zone through '
  + 'your registrar, so validating resolvers can build a chain of trust from the root (RFC 4033 5, RFC 4035 2.4).';
const BOGUS_REMEDIATION = 'The zone\'s signatures do not validate (expired or missing RRSIGs, a DS at the parent that matches '
  + 'no DNSKEY, or a DS left behind after signing stopped): validating resolvers refuse to answer for it at all. Re-sign '
  + 'the zone or correct the DS record at the parent (RFC 4035 5.5, RFC 6781 4.1.4).';

/** What the domain's own answers show, or how a validating resolver refused them. */
type Observation =
  | { readonly kind: 'answer'; readonly answer: DnsAnswer }
  | { readonly kind: 'bogus'; readonly type: DnsType; readonly servfail: string; readonly unchecked: DnsAnswer };

const brief = (a: DnsAnswer) => ({
  name: a.name, type: a.type, result: a.result, authenticated: a.authenticated, rrsigs: a.rrsigs ?? null, cnames: a.cnames,
  ...(a.checkingDisabled ? { checkingDisabled: true } : {}),
});

/**
 * The domain's answer to `type`; on a DNS failure asked again with CD (RFC 4035 3.2.2). Data that comes back only
 * with checking disabled is what a validating resolver refused: DNSSEC-bogus (RFC 4035 5.5), a finding. When the
 * CD query fails too (REFUSED, a referral, an unreachable zone, a timeout), the first error is the cause: thrown.
 * A resolver whose SERVFAIL was transient and happened to succeed on the retry would look bogus too; the evidence
 * keeps both answers so a reader can tell.
 */
async function observe(probes: Probes, domain: string, type: DnsType): Promise<Observation> {
  try {
    return { kind: 'answer', answer: await probes.dns(domain, type) };
  } catch (err) {
    if (!(err instanceof ProbeError) || err.reason !== 'dns-failure') throw err;
    const unchecked = await probes.dns(domain, type, { checkingDisabled: true }).catch(() => { throw err; });
    return { kind: 'bogus', type, servfail: err.message, unchecked };
  }
}

/** `dns.dnssec`: the configured recursive resolver validated the domain's answers with DNSSEC (it set the AD bit). */
export const dnssecCheck = defineCheck({
  id: 'dns.dnssec',
  title: 'The domain\'s DNS answers are DNSSEC-validated',
  promises: ['infrastructure-security'],
  scope: 'domain',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 4035 3.2.2, 3.2.3, 4.9.3, 5.5', 'RFC 6840 5.7, 5.8', 'RFC 3225 3',
    'internet.nl validates DNSSEC itself; Vouch is a stub resolver and trusts the AD bit of the configured resolver on '
      + 'the domain\'s own answers (SOA and A). A resolver that evidently does not validate (it passes signatures for '
      + 'the domain and its DS yet sets AD on none, or does not echo DO) makes the check an error (client-limitation), '
      + 'not a fail. Set `resolvers:` to a validating resolver you trust, over a path you trust (RFC 4035 4.9.3)'],

  async run({ target, probes }) {
    // A stub cannot validate: it asks with DO and AD (RFC 6840 5.7) and reads the AD bit, which a validating resolver
    // sets only when every RRset in the answer and authority sections is secure (RFC 4035 3.2.3, RFC 6840 5.8); an
    // authenticated NODATA or NXDOMAIN carries it too. SOA speaks for the zone, A for the name people connect to: a
    // CNAME into an unsigned zone keeps AD off the A answer only. Nothing outside the domain (such as the root) is
    // asked: a resolver may refuse other names or validate from a trust anchor of its own.
    const observed = await Promise.all((['SOA', 'A'] as const).map((type) => observe(probes, target.domain, type)));

    // 1. A validating resolver answered SERVFAIL and returned the data once told not to check: bogus, a fail.
    const bogus = observed.filter((o): o is Extract<Observation, { kind: 'bogus' }> => o.kind === 'bogus');
    if (bogus.length > 0) {
      const evidence = {
        resolver: [...new Set(bogus.map((b) => b.unchecked.resolver))].join(', '),
        bogus: bogus.map((b) => ({ type: b.type, validated: b.servfail, checkingDisabled: brief(b.unchecked) })),
        answers: observed.flatMap((o) => (o.kind === 'answer' ? [brief(o.answer)] : [])),
      };
      return fail(`${target.domain} is DNSSEC-bogus: the resolver answers SERVFAIL for ${bogus.map((b) => b.type).join(' and ')}, `
        + 'and returns the data with checking disabled (CD), so its signatures do not validate', evidence, BOGUS_REMEDIATION);
    }

    const answers = observed.map((o) => (o as Extract<Observation, { kind: 'answer' }>).answer);
    const resolver = [...new Set(answers.map((a) => a.resolver))].join(', ');
    const evidence = {
      resolver,
      ad: Object.fromEntries(answers.map((a) => [a.type, a.authenticated])),
      answers: answers.map(brief),
    };
    const via = `according to resolver ${resolver}`;
    const missing = answers.filter((a) => !a.authenticated);
    // 2. AD on both: secure.
    if (missing.length === 0) return pass(`${target.domain} is DNSSEC-validated ${via} (AD set on SOA and A)`, evidence);
    const chains = missing.filter((a) => a.cnames.length > 0).map((a) => ` (${a.type} follows CNAME ${a.cnames.join(' -> ')})`);
    const notValidated = `${target.domain} is not DNSSEC-validated ${via}: no AD bit on ${missing.map((a) => a.type).join(' and ')}${chains.join('')}`;

    // 3. AD on one of them: the resolver validates, and the other answer is insecure (RFC 4035 4.3). A finding.
    if (answers.some((a) => a.authenticated)) return fail(notValidated, evidence, REMEDIATION);

    // 4. No AD at all, and no signatures came back.
    if (answers.every((a) => a.rrsigs !== true)) {
      // A reply without DO echoed comes from a server that is not security-aware (RFC 3225 3): it would strip the
      // signatures of a signed zone too, so their absence says nothing about the domain.
      if (answers.every((a) => a.dnssecOk === false)) {
        return inconclusive(`resolver ${resolver} is not DNSSEC-aware (its replies do not echo the DO bit, RFC 3225 3), `
          + `so the missing signatures say nothing about ${target.domain}; configure a validating resolver`, 'client-limitation', evidence);
      }
      // Unsigned (or a CNAME into an unsigned zone): insecure, a finding, with a validating resolver or without one.
      return fail(notValidated, evidence, REMEDIATION);
    }

    // 5. Signatures but no AD: an insecure delegation (a zone signed without a DS at a signed parent, or under an
    //    unsigned parent), or a resolver that passes signatures along without validating. The DS RRset, served and
    //    signed by the parent (RFC 4034 5), tells them apart:
    const ds = await probes.dns(target.domain, 'DS');
    const dsEvidence = { ...evidence, ds: brief(ds) };
    //    - AD on the DS answer (its records or its authenticated denial): the resolver validates; the zone is not
    //      reached by the chain of trust (no DS, or a DS for an algorithm it treats as insecure, RFC 4035 5.2). A fail.
    if (ds.authenticated) {
      const why = ds.result === 'records' ? 'the DS at the parent leads to no usable key' : 'the zone is signed but the parent has no DS record for it';
      return fail(`${notValidated}; ${why}`, dsEvidence, REMEDIATION);
    }
    //    - DS without AD and without signatures: the parent is unsigned, so no validator can reach the zone. A fail.
    if (ds.rrsigs !== true) return fail(`${notValidated}; the parent zone's DS answer is unsigned: no chain of trust reaches the zone`, dsEvidence, REMEDIATION);
    //    - Signed answers from both the parent and the zone, AD on none: the resolver does not validate.
    return inconclusive(`resolver ${resolver} does not validate DNSSEC: it returned signatures for ${target.domain} and for its DS `
      + 'at the parent but set the AD bit on none; configure a validating resolver', 'client-limitation', dsEvidence);
  },
});
