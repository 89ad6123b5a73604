import type { CheckContext } from '../../src/core/check.ts';
import { judgeEndpoints, type EndpointVerdict } from '../../src/core/endpoints.ts';
import { ProbeError } from '../../src/core/errors.ts';
import type { Endpoint, JsonObject, Outcome } from '../../src/core/types.ts';
import { parseMxRecords, type MxRecord } from '../../src/parse/mx.ts';
import type { DnsAnswer } from '../../src/probes/types.ts';

/** SMTP between MTAs: the port every MX address is tested on (RFC 5321 5.1). */
export const SMTP_PORT = 25;

const RANK = { fail: 3, error: 2, warn: 1, pass: 0, skip: -1 } as const;

/**
 * Runs `judgeHost` for every MX host of the domain (in preference order, each host once) and combines the host
 * outcomes: the worst wins, ranked fail > error > warn > pass, so one unencrypted backup MX fails the domain (mail
 * falls back to it whenever an attacker blocks the primary). A ProbeError on one host is that host's `error`.
 * No MX or a null MX is `skip: not-applicable`: `mail.mx` judges those.
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
  const outcomes = await Promise.all(hosts.map(async (mx) => {
    try {
      return { mx, outcome: await judgeHost(mx, answer) };
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      const outcome: Outcome = { status: 'error', summary: err.message, reason: err.reason };
      return { mx, outcome };
    }
  }));
  const worst = outcomes.reduce((a, b) => (RANK[b.outcome.status] > RANK[a.outcome.status] ? b : a));
  const evidence: JsonObject = {
    domain: ctx.target.domain,
    mx: outcomes.map(({ mx, outcome }) => ({
      host: mx.exchange, preference: mx.preference, status: outcome.status, summary: outcome.summary,
      ...('evidence' in outcome && outcome.evidence ? outcome.evidence : {}),
      ...(outcome.status === 'error' ? { reason: outcome.reason } : {}),
    })),
  };
  const alike = outcomes.filter((o) => o.outcome.status === worst.outcome.status);
  let summary = `${worst.mx.exchange}: ${worst.outcome.summary}`;
  if (alike.length > 1 && alike.every((o) => o.outcome.summary === worst.outcome.summary)) {
    summary = alike.length === outcomes.length ? `${worst.outcome.summary} (all ${outcomes.length} MX hosts)`
      : `${worst.outcome.summary} (${alike.map((o) => o.mx.exchange).join(', ')})`;
  } else if (alike.length > 1) {
    summary = alike.map((o) => `${o.mx.exchange}: ${o.outcome.summary}`).join('; ');
  }
  const top = worst.outcome;
  if (top.status === 'error') return { status: 'error', summary, reason: top.reason, evidence };
  if (top.status === 'warn' || top.status === 'fail') return { status: top.status, summary, evidence, remediation: top.remediation };
  if (top.status === 'skip') return { status: 'skip', summary, reason: top.reason };
  return { status: 'pass', summary, evidence };
}

/**
 * `judge` on every address of every MX host on port 25 (`judgeEndpoints` per host, so every A and AAAA address is
 * tested: one bad backend behind an MX name is a real finding), combined per host and then across hosts.
 */
export function judgeMxEndpoints(
  ctx: CheckContext, remediation: string, judge: (endpoint: Endpoint) => Promise<EndpointVerdict>,
): Promise<Outcome> {
  return judgeMxHosts(ctx, (mx) => judgeEndpoints(ctx, mx.exchange, SMTP_PORT, remediation, judge));
}
