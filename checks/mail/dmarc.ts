import { defineCheck, fail, pass, skip, warn } from '../../src/core/check.ts';
import { discoverDmarc } from '../../src/mail/dmarc-record.ts';

const REMEDIATION = 'Publish exactly one TXT record at _dmarc.<domain>: "v=DMARC1; p=reject; rua=mailto:<reports address>" '
  + '(p=quarantine at least; p=reject for domains that send no mail), without pct below 100 or t=y.';

/** `mail.dmarc`: exactly one valid DMARC record applies to the domain and its policy is quarantine or reject. */
export const dmarcCheck = defineCheck({
  id: 'mail.dmarc',
  title: 'The domain publishes an enforcing DMARC policy',
  promises: ['mail-anti-spoofing'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 7489 3.2, 6.3, 6.6.3', 'RFC 7489 6.4 ABNF with RFC 5234 2.3: tag names and keyword values are case-insensitive '
    + '(V=DMARC1; P=Reject is valid), the version value DMARC1 is not', 'RFC 9091 (np)', 'RFC 9989 (t)',
    'Vouch fails p=none: monitoring does not keep the promise to stop mail forged in the organisation\'s name'],

  async run({ target, probes }) {
    if (!target.mail) return skip('Mail checks are disabled for this domain', 'not-applicable');
    const { parsed, ...found } = await discoverDmarc(probes, target.domain);
    const record = parsed?.ok ? parsed.record : null;
    // RFC 7489 6.6.3 step 3: a record found at the Organizational Domain governs this domain through sp=.
    const inherited = found.source === 'organizational-domain';
    const effectivePolicy = record && (inherited ? (record.subdomainPolicy ?? record.policy) : record.policy);
    const evidence = {
      ...found, record: found.records.length === 1 ? found.records[0]! : null, effectivePolicy,
      policy: record?.policy ?? null, subdomainPolicy: record?.subdomainPolicy ?? null,
      nonExistentPolicy: record?.nonExistentPolicy ?? null, pct: record?.pct ?? null, testing: record?.testing ?? null,
      rua: record?.rua.map((u) => u.uri) ?? [], ruf: record?.ruf.map((u) => u.uri) ?? [],
      unknownTags: record?.unknownTags ?? [], notes: parsed?.ok ? parsed.notes : [],
      problem: parsed && !parsed.ok ? parsed.problem : null,
    };
    if (found.records.length === 0) {
      const ignored = found.discarded.length > 0
        ? ` (ignored, not starting with exactly v=DMARC1: ${found.discarded.join(' | ')})` : '';
      return fail(`No DMARC record at ${found.queried.join(' or ')}${ignored}`, evidence, REMEDIATION);
    }
    if (found.records.length > 1) {
      const summary = `${found.records.length} DMARC records at _dmarc.${found.recordDomain}: receivers apply none (RFC 7489 6.6.3)`;
      return fail(summary, evidence, REMEDIATION);
    }
    if (!record) return fail(`DMARC record is invalid: ${evidence.problem}`, evidence, REMEDIATION);
    if (record.policy === null || record.invalidTags.includes('sp')) {
      const summary = 'DMARC record has no valid p= or sp=: receivers treat it as p=none (RFC 7489 6.6.3 step 6)';
      return fail(summary, evidence, REMEDIATION);
    }
    const via = inherited ? `, inherited from the organizational domain as ${record.subdomainPolicy ? 'sp' : 'p'}` : '';
    const where = `_dmarc.${found.recordDomain}${via}`;
    if (target.profile === 'parked' && effectivePolicy !== 'reject') {
      return fail(`Domain sends no mail but its DMARC policy is ${effectivePolicy}, not reject (${where})`, evidence, REMEDIATION);
    }
    if (effectivePolicy === 'none') {
      return fail(`DMARC policy is none: forged mail is only monitored (${where})`, evidence, REMEDIATION);
    }
    const findings: string[] = [];
    if (record.pct < 100) findings.push(`pct=${record.pct}: the policy applies to only ${record.pct}% of failing mail`);
    if (!record.rua.some((u) => u.host !== null)) findings.push('no usable rua=: the domain receives no aggregate reports');
    if (record.testing) findings.push('t=y: receivers apply the next less strict policy (RFC 9989)');
    const subdomains = record.nonExistentPolicy === 'none' ? 'np' : record.subdomainPolicy === 'none' ? 'sp' : null;
    if (!inherited && found.recordDomain === found.organizationalDomain && subdomains) {
      findings.push(`${subdomains}=none: mail forged from (non-existent) subdomains is not rejected`);
    }
    findings.push(...evidence.notes);
    if (findings.length > 0) {
      return warn(`DMARC ${effectivePolicy} (${where}), but ${findings.join('; ')}`, evidence, REMEDIATION);
    }
    return pass(`DMARC policy ${effectivePolicy} (${where})`, evidence);
  },
});
