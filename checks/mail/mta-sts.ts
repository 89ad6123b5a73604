import { defineCheck, fail, pass, skip, warn } from '../../src/core/check.ts';
import { fetchMtaStsPolicy } from '../../src/mail/mta-sts-policy.ts';
import { MTA_STS_CANDIDATE, mxMatchesPattern, parseMtaStsRecord } from '../../src/parse/mta-sts.ts';
import { parseMxRecords } from '../../src/parse/mx.ts';

/** RFC 8461 3.2 expects max_age "in the range of weeks or greater"; under a day re-opens the downgrade window daily. */
const MIN_SENSIBLE_MAX_AGE = 86_400;

const REMEDIATION = 'Publish TXT "v=STSv1; id=<change on every policy edit>" at _mta-sts.<domain> and serve '
  + 'https://mta-sts.<domain>/.well-known/mta-sts.txt (text/plain, a publicly trusted certificate) with "version: STSv1", '
  + '"mode: enforce", "max_age: 1209600" or more, and an "mx:" line matching every MX host.';

/** `mail.mta-sts`: a valid MTA-STS record and policy in enforce mode that covers every MX host. */
export const mtaStsCheck = defineCheck({
  id: 'mail.mta-sts',
  title: 'The domain requires senders to use validated TLS (MTA-STS in enforce mode)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'web'],
  remediation: REMEDIATION,
  references: ['RFC 8461 3.1-3.3, 4.1'],

  async run({ target, probes }) {
    if (target.profile === 'parked') return skip('Parked domain receives no mail, so MTA-STS does not apply', 'not-applicable');
    const txtName = `_mta-sts.${target.domain}`;
    const answer = await probes.dns(txtName, 'TXT');
    // Near misses (v=stsv1) are kept so a mistyped record shows as invalid, not as missing.
    const records = answer.records.filter((r) => MTA_STS_CANDIDATE.test(r));
    const base = { domain: target.domain, txtName, txtRecords: answer.records };
    if (records.length === 0) return warn(`No MTA-STS: no v=STSv1 TXT record at ${txtName}`, base, REMEDIATION);
    if (records.length > 1) {
      return fail(`${records.length} v=STSv1 records at ${txtName}: senders assume no policy (RFC 8461 3.1)`, base, REMEDIATION);
    }
    const record = parseMtaStsRecord(records[0]!);
    if (!record.ok) {
      return fail(`Invalid MTA-STS record: ${record.problem}; senders assume no policy (RFC 8461 3.1)`, base, REMEDIATION);
    }
    const fetched = await fetchMtaStsPolicy(probes, target.domain);
    const withPolicy = { ...base, id: record.record.id, policyFetch: fetched };
    const { policy } = fetched;
    if (!policy) return fail(`MTA-STS policy unusable: ${fetched.problem}`, withPolicy, REMEDIATION);
    const mx = parseMxRecords((await probes.dns(target.domain, 'MX')).records);
    const mxHosts = mx.records.filter((r) => r.exchange !== '.').map((r) => (
      { host: r.exchange, pattern: policy.mx.find((p) => mxMatchesPattern(r.exchange, p)) ?? null }));
    const evidence = { ...withPolicy, mode: policy.mode, maxAge: policy.maxAge, mxPatterns: policy.mx, mxHosts };
    if (policy.mode === 'none') {
      return warn('MTA-STS mode is none: the policy is withdrawn and senders enforce nothing', evidence, REMEDIATION);
    }
    const unmatched = mxHosts.filter((h) => h.pattern === null).map((h) => h.host);
    if (unmatched.length > 0) {
      const summary = `MX ${unmatched.join(', ')} not matched by any mx: pattern; senders enforcing the policy will not deliver there`;
      return fail(summary, evidence, REMEDIATION);
    }
    if (policy.mode === 'testing') {
      return warn('MTA-STS is in testing mode: senders report failures but deliver anyway', evidence, REMEDIATION);
    }
    if (policy.maxAge < MIN_SENSIBLE_MAX_AGE) {
      return warn(`MTA-STS max_age is ${policy.maxAge}s, under a day (RFC 8461 3.2 expects weeks)`, evidence, REMEDIATION);
    }
    return pass(`MTA-STS enforce, max_age ${policy.maxAge}s, ${mxHosts.length} MX host(s) matched`, evidence);
  },
});
