import { defineCheck, skip } from '../../src/core/check.ts';
import { probeFailure, worstOf, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import { parseMxRecords } from '../../src/parse/mx.ts';
import { SMTP_PORT } from './mx-endpoints.ts';

const REMEDIATION = 'Publish a second TLSA record at _25._tcp.<mx host> before every key or certificate change, so senders '
  + 'never see a certificate that no TLSA record matches: "3 1 1" for the current key and for the next one, or a "2 1 1" '
  + 'record for the issuing CA next to the "3 1 1" (RFC 7671 8.1, 8.4; internet.nl DANE rollover scheme).';

/** TLSA usages by name (RFC 7218 2.1), for the evidence and the summary. */
const USAGE = ['PKIX-TA', 'PKIX-EE', 'DANE-TA', 'DANE-EE'] as const;

/** What a set of TLSA records (`usage selector matching data`) offers for a rollover: pure, table-tested. */
export function rolloverScheme(records: readonly string[]): { readonly count: number; readonly usages: readonly string[]; readonly scheme: string } {
  const distinct = [...new Set(records.map((r) => r.trim().toLowerCase().replace(/\s+/g, ' ')))];
  const usages = [...new Set(distinct.map((r) => USAGE[Number(r.split(' ')[0])] ?? `usage ${r.split(' ')[0]}`))].sort();
  const scheme = distinct.length <= 1 ? 'none'
    : usages.length > 1 ? `${usages.join(' next to ')}`
    : `${distinct.length} ${usages[0]} records (current and next key)`;
  return { count: distinct.length, usages, scheme };
}

type HostRow = Judged & { readonly label: string };

/**
 * `mail.dane-rollover`: every MX host with DANE publishes more than one TLSA record, so a key can change without a
 * window in which no record matches (internet.nl's rule). Whether the records are signed and match is `mail.dane`'s.
 */
export const daneRolloverCheck = defineCheck({
  id: 'mail.dane-rollover',
  title: 'MX hosts with DANE publish more than one TLSA record (a rollover scheme)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 7671 8.1, 8.4 (key rollover with TLSA)', 'RFC 7672 3.1',
    'internet.nl: a DANE rollover scheme (more than one TLSA record) is recommended: warn without one; no DANE skips'],

  async run({ target, probes }) {
    const mxAnswer = await probes.dns(target.domain, 'MX');
    const hosts = [...new Set(parseMxRecords(mxAnswer.records).records.map((r) => r.exchange).filter((e) => e !== '.'))];
    if (hosts.length === 0) return skip(`The domain has no MX host (${mxAnswer.result}): no DANE to roll over; see mail.mx`, 'not-applicable');
    const rows = await Promise.all(hosts.map(async (host): Promise<HostRow & { readonly records: number }> => {
      const tlsaName = `_${SMTP_PORT}._tcp.${host}`;
      const facts = { host, tlsaName };
      try {
        const answer = await probes.dns(tlsaName, 'TLSA');
        const { count, usages, scheme } = rolloverScheme(answer.records);
        const evidence = { records: [...answer.records], usages: [...usages], scheme };
        const verdict: Verdict = count === 0 ? { status: 'skip', reason: 'prerequisite', summary: `no TLSA records at ${tlsaName} (see mail.dane)`, evidence }
          : count === 1 ? { status: 'warn', summary: `only one TLSA record at ${tlsaName}: no rollover scheme`, evidence }
          : { status: 'pass', summary: `${count} TLSA records at ${tlsaName}: ${scheme}`, evidence };
        return { label: host, facts, verdict, records: count };
      } catch (err) {
        return { label: host, facts, verdict: probeFailure(err), records: -1 };
      }
    }));
    if (rows.every((r) => r.records === 0)) return skip(`No MX host of ${target.domain} publishes TLSA records: no DANE, nothing to roll over; see mail.dane`, 'not-applicable');
    // A host without TLSA next to hosts with it is mail.dane's finding; here it neither passes nor fails.
    const judged = rows.filter((r) => r.records !== 0);
    return worstOf(judged, {
      summary: (worst) => (judged.length === 1 ? worst.verdict.summary : `${worst.label}: ${worst.verdict.summary}`),
      evidence: (mx) => ({ domain: target.domain, mx, withoutTlsa: rows.filter((r) => r.records === 0).map((r) => r.label) }),
      remediation: REMEDIATION,
    });
  },
});
