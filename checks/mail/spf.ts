import { defineCheck, fail, pass, warn } from '../../src/core/check.ts';
import { lintSpf } from '../../src/eval/spf-lint.ts';
import type { SpfLintNode, SpfLintProblem } from '../../src/eval/spf-lint.ts';

type SpfEvidence = {
  domain: string; profile: string; records: readonly string[]; lookups: number; lookupLimit: number;
  voidLookups: number; voidLookupLimit: number; tree: SpfLintNode | null; problems: readonly SpfLintProblem[];
};

/** A domain that sends no mail authorises no host: an empty policy that fails everyone (RFC 7208 5.1 `-all`). */
const PARKED_RECORD = 'v=spf1 -all';

const REMEDIATION = 'Publish exactly one TXT record at the domain starting with "v=spf1" that lists every host allowed to '
  + 'send its mail and ends in "-all" (or "~all"), with at most 10 DNS-querying terms (include, a, mx, ptr, exists, '
  + 'redirect) after expanding includes. A domain that sends no mail publishes "v=spf1 -all".';

/**
 * `mail.spf`: the domain's SPF record, linted with its include/redirect tree (src/eval/spf-lint.ts). Missing or
 * permerror-causing records fail, weak endings warn; a parked domain must publish exactly `v=spf1 -all`.
 */
export const spfCheck = defineCheck({
  id: 'mail.spf',
  title: 'The domain publishes one valid SPF policy that ends unlisted senders in fail',
  promises: ['mail-anti-spoofing'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 7208 3.4, 4.5, 4.6.4, 5, 6', 'RFC 7208 8.2 (?all), 5.5 (ptr)',
    'Parked profile: exactly "v=spf1 -all" (compared case-insensitively, spaces collapsed, as RFC 7208 4.6.1 parses it)'],

  async run({ target, probes }) {
    const lint = await lintSpf(target.domain, probes.dns); // DNS failure throws: the runner reports error, not "missing"
    const evidence: SpfEvidence = {
      domain: target.domain, profile: target.profile, records: lint.records, lookups: lint.lookups,
      lookupLimit: lint.lookupLimit, voidLookups: lint.voidLookups, voidLookupLimit: lint.voidLookupLimit,
      tree: lint.tree, problems: lint.problems,
    };
    if (lint.records.length === 0) return fail(`No SPF record at ${target.domain}`, evidence, REMEDIATION);
    if (target.profile === 'parked') {
      const record = lint.records.length === 1 ? lint.records[0]!.trim().replace(/ +/g, ' ').toLowerCase() : null;
      if (record === PARKED_RECORD) return pass(`Parked domain publishes "${PARKED_RECORD}"`, evidence);
      const found = lint.records.map((r) => `"${r}"`).join(', ');
      return fail(`Parked domain must publish exactly "${PARKED_RECORD}", found ${found}`, evidence, REMEDIATION);
    }
    const fails = lint.problems.filter((p) => p.severity === 'fail');
    if (fails.length > 0) return fail(fails.map((p) => p.message).join('; '), evidence, REMEDIATION);
    const warns = lint.problems.filter((p) => p.severity === 'warn');
    if (warns.length > 0) return warn(warns.map((p) => p.message).join('; '), evidence, REMEDIATION);
    return pass(`SPF record valid, ${lint.lookups} of ${lint.lookupLimit} DNS-querying terms: ${lint.records[0]}`, evidence);
  },
});
