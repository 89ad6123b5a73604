import { defineCheck, fail, pass, skip, warn } from '../../src/core/check.ts';
import { parseTlsRpt, TLS_RPT_CANDIDATE } from '../../src/parse/tls-rpt.ts';

const REMEDIATION = 'Publish one TXT record at _smtp._tls.<domain>: "v=TLSRPTv1; rua=mailto:<reports address>" so sending '
  + 'servers report TLS failures (STARTTLS downgrades, MTA-STS mismatches) to you.';

/** `mail.tls-rpt`: one valid `_smtp._tls` record names where TLS failure reports go. */
export const tlsRptCheck = defineCheck({
  id: 'mail.tls-rpt',
  title: 'The domain asks senders to report mail TLS failures (TLS-RPT)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns'],
  remediation: REMEDIATION,
  references: ['RFC 8460 3'],

  async run({ target, probes }) {
    if (target.profile === 'parked') return skip('Parked domain receives no mail, so TLS-RPT does not apply', 'not-applicable');
    const name = `_smtp._tls.${target.domain}`;
    const answer = await probes.dns(name, 'TXT');
    // RFC 8460 3: senders keep records starting with v=TLSRPTv1 and need exactly one. Near misses are kept here
    // so that a mistyped record shows as invalid rather than missing.
    const records = answer.records.filter((r) => TLS_RPT_CANDIDATE.test(r));
    const evidence = { name, result: answer.result, records: answer.records };
    if (records.length === 0) return warn(`No TLS-RPT record at ${name}: TLS failures go unreported`, evidence, REMEDIATION);
    if (records.length > 1) {
      return fail(`${records.length} v=TLSRPTv1 records at ${name}: senders treat that as no TLS-RPT (RFC 8460 3)`, evidence, REMEDIATION);
    }
    const parsed = parseTlsRpt(records[0]!);
    if (!parsed.ok) return fail(`Invalid TLS-RPT record: ${parsed.problem}`, { ...evidence, problem: parsed.problem }, REMEDIATION);
    return pass(`TLS-RPT reports go to ${parsed.record.rua.join(', ')}`, { ...evidence, rua: parsed.record.rua });
  },
});
