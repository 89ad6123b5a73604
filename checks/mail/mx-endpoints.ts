import type { CheckContext } from '../../src/core/check.ts';
import { judgeEndpoints, probeFailure, worstOf, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import type { Endpoint, Outcome } from '../../src/core/types.ts';
import { parseMxRecords, type MxRecord } from '../../src/parse/mx.ts';
import type { DnsAnswer } from '../../src/probes/types.ts';

/** SMTP between MTAs: the port every MX address is tested on (RFC 5321 5.1). */
export const SMTP_PORT = 25;

type HostRow = Judged & { readonly label: string; readonly remediation: string };

/**
 * Runs `judgeHost` for every MX host of the domain (in preference order, each host once) and combines the host
 * outcomes with `worstOf`, so one unencrypted backup MX fails the domain (mail falls back to it whenever an attacker
 * blocks the primary). A ProbeError on one host is that host's `error`.
 * No MX or a null MX is `skip: not-applicable`: `mail.mx` judges those. `judgeHost` skips a host only for a
 * prerequisite finding (no STARTTLS), which `mail.starttls` reports.
 */
export async function judgeMxHosts(
  ctx: CheckContext, judgeHost: (mx: MxRecord, mxAnswer: DnsAnswer) => Promise<Outcome>,
): Promise<Outcome> {
  const answer = await ctx.probes.dns(ctx.target.domain, 'MX');
  const { records } = parseMxRecords(answer.records);
  const hosts = records.filter((r, i) => r.exchange !== '.' && records.findIndex((o) => o.exchange === r.exchange) === i);
  if (hosts.length === 0) {
    const what = records.length > 0 ? 'a null MX (RFC 7505)' : `no MX records (${answer.result})`;
    return { status: 'skip', summary: `The domain has ${what}: nothing to test on port 25; see mail.mx`, reason: 'not-applicable' };
  }
  const rows = await Promise.all(hosts.map(async (mx): Promise<HostRow> => {
    const outcome = await judgeHost(mx, answer).catch(probeFailure);
    // A host skips only for a prerequisite (e.g. no STARTTLS: mail.starttls reports it); any other skip is a bug.
    if (outcome.status === 'skip' && outcome.reason !== 'prerequisite') {
      throw new Error(`judgeHost skipped MX host ${mx.exchange} (${outcome.reason}): every host must be judged`);
    }
    const evidence = { ...outcome.evidence, ...(outcome.status === 'error' || outcome.status === 'skip' ? { reason: outcome.reason } : {}) };
    // Checked above: a skip here is a prerequisite skip, which the Verdict type allows (TypeScript cannot see it).
    const verdict = { ...outcome, evidence } as Verdict;
    return {
      label: mx.exchange, facts: { host: mx.exchange, preference: mx.preference }, verdict,
      remediation: 'remediation' in outcome ? outcome.remediation : '',
    };
  }));
  return worstOf(rows, {
    summary: (worst) => hostsSummary(worst, rows),
    evidence: (mx) => ({ domain: ctx.target.domain, mx }),
    remediation: (worst) => worst.remediation,
  });
}

/** "host: summary" for the worst host; hosts that share its status are all named, grouped when they agree. */
function hostsSummary(worst: HostRow, rows: readonly HostRow[]): string {
  const { status, summary } = worst.verdict;
  const alike = rows.filter((r) => r.verdict.status === status);
  if (alike.length === 1) return `${worst.label}: ${summary}`;
  if (alike.some((r) => r.verdict.summary !== summary)) return alike.map((r) => `${r.label}: ${r.verdict.summary}`).join('; ');
  return alike.length === rows.length ? `${summary} (all ${rows.length} MX hosts)` : `${summary} (${alike.map((r) => r.label).join(', ')})`;
}

/**
 * `judge` on every address of every MX host on port 25 (`judgeEndpoints` per host, so every A and AAAA address is
 * tested: one bad backend behind an MX name is a real finding), combined per host and then across hosts.
 */
export function judgeMxEndpoints(
  ctx: CheckContext, remediation: string, judge: (endpoint: Endpoint) => Promise<Verdict>,
): Promise<Outcome> {
  return judgeMxHosts(ctx, (mx) => judgeEndpoints(ctx, mx.exchange, SMTP_PORT, remediation, judge));
}
