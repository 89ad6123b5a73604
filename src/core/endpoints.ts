import type { CheckContext } from './check.ts';
import { ProbeError } from './errors.ts';
import type { Endpoint, ErrorReason, JsonObject, Outcome } from './types.ts';

/** One address's verdict. A thrown ProbeError becomes this address's `error`; other errors are bugs and propagate. */
export type EndpointVerdict = {
  readonly status: 'pass' | 'warn' | 'fail';
  readonly summary: string;
  readonly evidence: JsonObject;
};

const RANK = { fail: 3, error: 2, warn: 1, pass: 0 } as const;

/**
 * Judges `hostname:port` on every address it resolves to, since one bad backend behind a load balancer is a real
 * finding. The worst verdict wins, ranked fail > error > warn > pass: a fail seen on one address stands even if
 * another could not be tested, while an untested address keeps an otherwise clean result from being a pass.
 * No addresses at all is a fail (the name does not resolve, so the promise cannot be kept).
 */
export async function judgeEndpoints(
  ctx: CheckContext, hostname: string, port: number, remediation: string,
  judge: (endpoint: Endpoint) => Promise<EndpointVerdict>,
): Promise<Outcome> {
  const set = await ctx.probes.endpoints(hostname, port);
  if (set.endpoints.length === 0) {
    const answers = set.answers.map((a) => ({ type: a.type, result: a.result }));
    return { status: 'fail', summary: `${hostname} has no A or AAAA record`, evidence: { host: hostname, port, answers }, remediation };
  }
  const verdicts = await Promise.all(set.endpoints.map(async (ep) => {
    try {
      return { ep, ...(await judge(ep)) };
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      return { ep, status: 'error' as const, summary: err.message, reason: err.reason, evidence: {} };
    }
  }));
  const worst = verdicts.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
  const several = verdicts.length > 1;
  const where = (v: (typeof verdicts)[number]) => (several ? ` (${v.ep.address})` : '');
  const evidence: JsonObject = {
    host: hostname, port,
    addresses: verdicts.map((v) => ({
      address: v.ep.address, ...(v.ep.dialPort !== port ? { dialPort: v.ep.dialPort } : {}),
      status: v.status, summary: v.summary, ...v.evidence,
    })),
  };
  const agree = verdicts.every((v) => v.status === worst.status && v.summary === worst.summary);
  const summary = agree && several ? `${worst.summary} (all ${verdicts.length} addresses)` : `${worst.summary}${where(worst)}`;
  if (worst.status === 'error') {
    const reason: ErrorReason = 'reason' in worst ? worst.reason : 'internal';
    return { status: 'error', summary, reason, evidence };
  }
  if (worst.status === 'pass') return { status: 'pass', summary, evidence };
  return { status: worst.status, summary, evidence, remediation };
}
