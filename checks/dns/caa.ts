import { defineCheck, fail, pass, warn } from '../../src/core/check.ts';
import type { DnsAnswer } from '../../src/probes/types.ts';
import { caaPolicy, parseCaa, type CaaRecord } from '../../src/parse/caa.ts';

const REMEDIATION = 'Publish CAA records at the domain (or at a parent domain, which covers its subdomains) naming only the '
  + 'certificate authorities you use, e.g. 0 issue "letsencrypt.org", 0 issuewild ";" when you need no wildcard '
  + 'certificates, and 0 iodef "mailto:security@<domain>" for reports of refused requests (RFC 8659 4).';

/** The name and its parents up to the TLD: the names a CA asks, in order (RFC 8659 3). */
const climb = (domain: string): string[] => {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  return labels.map((_, i) => labels.slice(i).join('.'));
};

/** `dns.caa`: the Relevant CAA RRset limits which certificate authorities may issue for the domain. */
export const caaCheck = defineCheck({
  id: 'dns.caa',
  title: 'CAA records limit which certificate authorities may issue certificates for the domain',
  promises: ['transport-encryption'],
  scope: 'domain',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 8659 3, 4.1, 4.2, 4.3, 4.4', 'RFC 8657 (issue parameters)',
    'Vouch climbs to the TLD as CAs do (RFC 8659 3); public suffixes are asked too, since a CA would obey their CAA'],

  async run({ target, probes }) {
    // RFC 8659 3: the first non-empty CAA RRset from the name towards the root is the only one that counts; the
    // resolver follows CNAMEs at each step. Asked one at a time because the climb stops at the first hit.
    const queried: string[] = [];
    let found: DnsAnswer | undefined;
    for (const name of climb(target.domain)) {
      queried.push(name);
      const answer = await probes.dns(name, 'CAA');
      if (answer.records.length > 0) { found = answer; break; }
    }
    if (!found) {
      return warn(`No CAA records at ${target.domain} or any parent: every CA may issue certificates for it`,
        { name: null, queried, records: [], issuers: null }, REMEDIATION);
    }
    const where = found.name;
    const base = { name: where, queried, records: found.records, cnames: found.cnames };
    const records: CaaRecord[] = [];
    const problems: string[] = [];
    for (const text of found.records) {
      const parsed = parseCaa(text);
      if (parsed.ok) records.push(parsed.record); else problems.push(`${text}: ${parsed.problem}`);
    }
    // CAs read a malformed issue value as "no CA" (RFC 8659 4.2), so it blocks renewals; any invalid record fails
    // because it does not say what its author meant.
    if (problems.length > 0) return fail(`Invalid CAA record at ${where}: ${problems.join('; ')}`, { ...base, problems }, REMEDIATION);
    const policy = caaPolicy(records);
    const evidence = { ...base, ...policy };
    const list = (issuers: readonly string[] | null) => (issuers === null ? 'any CA' : issuers.length === 0 ? 'no CA' : issuers.join(', '));
    const wildcard = records.some((r) => r.tag === 'issuewild') ? `; wildcard certificates: ${list(policy.wildcardIssuers)}` : '';
    // RFC 8659 4.1: a critical property a CA does not support forbids it to issue at all.
    if (policy.criticalUnknown.length > 0) {
      return pass(`CAA at ${where}: no CA may issue unless it supports the critical property ${policy.criticalUnknown.join(', ')} `
        + `(RFC 8659 4.1); the issue properties allow ${list(policy.issuers)}${wildcard}`, evidence);
    }
    // RFC 8659 3: an RRset with no issue property (only iodef, issuewild or unknown tags) does not restrict issuance.
    if (policy.issuers === null) {
      return warn(`CAA at ${where} has no issue property, so every CA may issue for ${target.domain}${wildcard}`, evidence, REMEDIATION);
    }
    return pass(`CAA at ${where} allows ${list(policy.issuers)} to issue${wildcard}`, evidence);
  },
});
