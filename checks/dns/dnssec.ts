import { defineCheck, fail, pass } from '../../src/core/check.ts';
import { ProbeError } from '../../src/core/errors.ts';

const REMEDIATION = 'Sign the zone with DNSSEC at your DNS operator and publish its DS record at the parent zone through '
  + 'your registrar, so validating resolvers can build a chain of trust from the root (RFC 4033 5, RFC 4035 2.4).';

/** `dns.dnssec`: the configured recursive resolver validated the domain's answers with DNSSEC (it set the AD bit). */
export const dnssecCheck = defineCheck({
  id: 'dns.dnssec',
  title: 'The domain\'s DNS answers are DNSSEC-validated',
  promises: ['infrastructure-security'],
  scope: 'domain',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 4035 3.2.3, 4.9.3', 'RFC 6840 5.7, 5.8',
    'internet.nl validates DNSSEC itself; Vouch is a stub resolver and trusts the AD bit of the configured resolver, '
      + 'so it first asks for the (always signed) root SOA: a resolver that does not validate makes the check an error '
      + '(client-limitation), not a fail. Set `resolvers:` to a validating resolver you trust, over a path you trust (RFC 4035 4.9.3)'],

  async run({ target, probes }) {
    // A stub cannot validate: it asks with DO and AD (RFC 6840 5.7) and reads the AD bit, which a validating resolver
    // sets only when every RRset in the answer and authority sections is secure (RFC 4035 3.2.3, RFC 6840 5.8); an
    // authenticated NODATA or NXDOMAIN carries it too. SOA speaks for the zone, A for the name people connect to: a
    // CNAME into an unsigned zone keeps AD off the A answer only.
    // DS at the parent is not asked: its AD bit would only vouch for the parent's answer, and checking that the DS
    // matches the zone's DNSKEY up to the root is validation itself. A mismatch makes the zone bogus, which a
    // validating resolver answers with SERVFAIL: that arrives here as a ProbeError (error, could not test), since
    // a stub cannot tell bogus from broken.
    // The root zone is always signed: a resolver that does not set AD on its SOA does not validate, and then a
    // missing AD bit says nothing about the domain. That is "could not test", not a finding against the domain.
    const [root, ...answers] = await Promise.all([probes.dns('.', 'SOA'), probes.dns(target.domain, 'SOA'), probes.dns(target.domain, 'A')]);
    if (!root!.authenticated) {
      throw new ProbeError('client-limitation', root!.resolver,
        'the resolver does not validate DNSSEC (no AD bit on the signed root zone); configure a validating resolver');
    }
    const resolver = [...new Set(answers.map((a) => a.resolver))].join(', ');
    const evidence = {
      resolver,
      ad: Object.fromEntries(answers.map((a) => [a.type, a.authenticated])),
      answers: answers.map((a) => ({ name: a.name, type: a.type, result: a.result, authenticated: a.authenticated, cnames: a.cnames })),
    };
    const via = `according to resolver ${resolver}`;
    const missing = answers.filter((a) => !a.authenticated);
    if (missing.length === 0) return pass(`${target.domain} is DNSSEC-validated ${via} (AD set on SOA and A)`, evidence);
    const chains = missing.filter((a) => a.cnames.length > 0).map((a) => ` (${a.type} follows CNAME ${a.cnames.join(' -> ')})`);
    return fail(`${target.domain} is not DNSSEC-validated ${via}: no AD bit on ${missing.map((a) => a.type).join(' and ')}${chains.join('')}`,
      evidence, REMEDIATION);
  },
});
