import type { CheckContext } from './check.ts';
import { ProbeError } from './errors.ts';
import type { Prerequisite } from './prerequisites.ts';
import type { Endpoint, ErrorReason, JsonObject, Outcome } from './types.ts';

/**
 * One subject's verdict (an address, a page fetched on an address, an MX host) before the worst is chosen. `skip`:
 * the subject is not there to judge because a prerequisite check's finding says so (see `Prerequisite`).
 */
export type Verdict =
  | { readonly status: 'pass' | 'warn' | 'fail'; readonly summary: string; readonly evidence: JsonObject }
  | { readonly status: 'error'; readonly reason: ErrorReason; readonly summary: string; readonly evidence: JsonObject }
  | { readonly status: 'skip'; readonly reason: 'prerequisite'; readonly summary: string; readonly evidence: JsonObject };

/** What a judge of one address returns. A ProbeError it throws becomes that address's `error`. */
export type EndpointVerdict = Extract<Verdict, { status: 'pass' | 'warn' | 'fail' }>;

/** A judged subject: `label` names it in the summary; `facts` lead its row in the evidence. */
export type Judged = { readonly label: string | null; readonly facts: JsonObject; readonly verdict: Verdict };

const RANK = { skip: -1, pass: 0, warn: 1, error: 2, fail: 3 } as const;

/**
 * The first item with the worst status, ranked fail > error > warn > pass > skip: the one rule every combinator uses.
 * A skipped subject ranks lowest, so it decides only when nothing at all could be judged.
 * Callers judge at least one subject; an empty list is a bug.
 */
export function pickWorst<T>(items: readonly T[], statusOf: (item: T) => keyof typeof RANK): T {
  const [first, ...rest] = items;
  if (first === undefined) throw new RangeError('pickWorst: nothing to choose from');
  return rest.reduce((a, b) => (RANK[statusOf(b)] > RANK[statusOf(a)] ? b : a), first);
}

/**
 * A ProbeError as the `error` verdict of the subject it happened on (`judge(x).catch(probeFailure)`), or its `skip`
 * when it is the finding of a `prerequisite` check. Any other error is a bug, not a fact about the target: rethrown.
 */
export function probeFailure(err: unknown): Extract<Verdict, { status: 'error' }>;
export function probeFailure(err: unknown, prerequisite: Prerequisite | undefined): Extract<Verdict, { status: 'error' | 'skip' }>;
export function probeFailure(err: unknown, prerequisite?: Prerequisite): Extract<Verdict, { status: 'error' | 'skip' }> {
  if (!(err instanceof ProbeError)) throw err;
  if (prerequisite?.isFinding(err)) {
    return { status: 'skip', reason: 'prerequisite', summary: `${prerequisite.describe(err)}; see ${prerequisite.checkId}`, evidence: { cause: err.message } };
  }
  return { status: 'error', reason: err.reason, summary: err.message, evidence: {} };
}

/**
 * The worst verdict wins, ranked fail > error > warn > pass (the first of equals): a fail seen on one subject stands
 * even if another could not be tested, while an untested subject keeps an otherwise clean result from being a pass.
 * `evidence` receives one row per subject: its facts, status and summary, then its verdict's evidence.
 */
export function worstOf<T extends Judged>(rows: readonly T[], how: {
  readonly summary: (worst: T) => string;
  readonly evidence: (rows: JsonObject[]) => JsonObject;
  readonly remediation: string | ((worst: T) => string);
}): Outcome {
  const worst = pickWorst(rows, (r) => r.verdict.status);
  const summary = how.summary(worst);
  const evidence = how.evidence(rows.map(({ facts, verdict: v }) => ({ ...facts, status: v.status, summary: v.summary, ...v.evidence })));
  const { verdict } = worst;
  if (verdict.status === 'skip') return { status: 'skip', summary, reason: verdict.reason, evidence };
  if (verdict.status === 'error') return { status: 'error', summary, reason: verdict.reason, evidence };
  if (verdict.status === 'pass') return { status: 'pass', summary, evidence };
  const remediation = typeof how.remediation === 'string' ? how.remediation : how.remediation(worst);
  return { status: verdict.status, summary, evidence, remediation };
}

/**
 * The worst verdict's summary, naming where it was seen unless every subject said the same; then, with `all`
 * and several subjects, says so: "... (all 2 addresses)".
 */
export function whereSummary(worst: Judged, rows: readonly Judged[], all?: string): string {
  const { status, summary } = worst.verdict;
  if (rows.every((r) => r.verdict.status === status && r.verdict.summary === summary)) {
    return all !== undefined && rows.length > 1 ? `${summary} (all ${rows.length} ${all})` : summary;
  }
  return worst.label === null ? summary : `${summary} (${worst.label})`;
}

/**
 * Judges `hostname:port` on every address it resolves to, since one bad backend behind a load balancer is a real
 * finding; the worst verdict wins (see `worstOf`). No addresses at all is a fail (the name does not resolve, so
 * the promise cannot be kept). With a `prerequisite`, an address where its finding shows is skipped, and a check
 * whose every address is skipped is `skip`/`prerequisite`.
 */
export async function judgeEndpoints(
  ctx: CheckContext, hostname: string, port: number, remediation: string,
  judge: (endpoint: Endpoint) => Promise<Verdict>, options: { readonly prerequisite?: Prerequisite } = {},
): Promise<Outcome> {
  const set = await ctx.probes.endpoints(hostname, port);
  if (set.endpoints.length === 0) {
    const answers = set.answers.map((a) => ({ type: a.type, result: a.result }));
    return { status: 'fail', summary: `${hostname} has no A or AAAA record`, evidence: { host: hostname, port, answers }, remediation };
  }
  const rows = await Promise.all(set.endpoints.map(async (ep) => ({
    label: ep.address,
    facts: { address: ep.address, ...(ep.dialPort !== port ? { dialPort: ep.dialPort } : {}) },
    verdict: await judge(ep).catch((err: unknown) => probeFailure(err, options.prerequisite)),
  })));
  return worstOf(rows, {
    summary: (worst) => whereSummary(worst, rows, 'addresses'),
    evidence: (addresses) => ({ host: hostname, port, addresses }),
    remediation,
  });
}
