import type { CheckContext } from '../../core/check.ts';
import type { Verdict } from '../../core/endpoints.ts';
import type { Endpoint, JsonObject } from '../../core/types.ts';
import type { TlsEnumeration } from '../enumerate.ts';
import { robotPlan } from '../weakness/robot.ts';
import type { RawWeakness, WeaknessFacts } from '../weakness/facts.ts';
import { settle, suiteGaps } from './common.ts';

/**
 * Verdicts of the known weaknesses probed with raw hellos (issue 10: Heartbleed, CCS injection, ROBOT, Ticketbleed), shared by
 * the web checks and their mail twins: vulnerable fails; not vulnerable and not applicable pass; an ambiguous or
 * failed probe is `error` with its reason, never a pass. The evidence names the CVEs, what was sent and what came
 * back (hex, capped) and the connections used.
 */

export const WEAKNESS_NAMES: Readonly<Record<RawWeakness, string>> = {
  heartbleed: 'Heartbleed', 'ccs-injection': 'CCS injection', robot: 'ROBOT', ticketbleed: 'Ticketbleed',
};

export function weaknessEvidence(f: WeaknessFacts): JsonObject {
  return {
    cves: [...f.cves], outcome: f.outcome, finding: f.finding, transport: f.transport,
    ...(f.version ? { version: f.version } : {}), ...(f.suite ? { suite: f.suite } : {}),
    steps: f.steps.map((s) => ({ ...s })),
    ...(f.details ? { details: JSON.parse(JSON.stringify(f.details)) as JsonObject } : {}),
    // On an MX every connection is its own SMTP session (issue 9, "Politeness").
    [f.transport === 'smtp-starttls' ? 'smtpSessions' : 'connections']: f.connections,
    observedAt: f.observedAt,
    ...(f.sharedFrom ? { sharedFrom: f.sharedFrom as unknown as JsonObject } : {}),
  };
}

/** One address's verdict from the probe's facts. */
export function judgeWeakness(f: WeaknessFacts): Verdict {
  const name = `${WEAKNESS_NAMES[f.weakness]} (${f.cves[0]})`;
  const evidence = weaknessEvidence(f);
  switch (f.outcome) {
    case 'vulnerable': return { status: 'fail', summary: `vulnerable to ${name}: ${f.finding}`, evidence };
    case 'not-vulnerable': return { status: 'pass', summary: `not vulnerable to ${name}: ${f.finding}`, evidence };
    case 'not-applicable': return { status: 'pass', summary: `${name}: ${f.finding}`, evidence };
    default: return { status: 'error', reason: f.reason ?? 'protocol', summary: `could not test ${name}: ${f.finding}`, evidence };
  }
}

/**
 * ROBOT applies only where RSA key exchange is accepted (TLS 1.2 and older). Without it the check passes as not
 * applicable, unless the enumeration could not see every such version: then whether RSA is accepted is unknown,
 * which is `error`, not a pass.
 */
export async function judgeRobot(e: TlsEnumeration, probe: () => Promise<WeaknessFacts>): Promise<Verdict> {
  if (robotPlan(e)) return judgeWeakness(await probe());
  const summary = 'ROBOT (CVE-2017-13099): not applicable: no RSA key exchange is accepted';
  const gaps = suiteGaps(e, ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2']);
  const verdict = settle({ status: 'pass', summary }, gaps, {
    cves: ['CVE-2017-13099'], outcome: gaps.length > 0 ? 'unknown' : 'not-applicable', transport: e.transport, observedAt: e.observedAt,
  });
  if (verdict.status !== 'error') return verdict;
  const [first] = gaps;
  const more = gaps.length > 1 ? ` (and ${gaps.length - 1} more)` : '';
  return { ...verdict, summary: `could not tell whether ROBOT (CVE-2017-13099) applies: ${first!.what}${more}` };
}

/** The web check's judge of one address. */
export function judgeWebWeakness(ctx: CheckContext, weakness: RawWeakness): (ep: Endpoint) => Promise<Verdict> {
  if (weakness === 'robot') return async (ep) => judgeRobot(await ctx.probes.tlsEnumeration(ep), () => ctx.probes.tlsWeakness(ep, 'robot'));
  return async (ep) => judgeWeakness(await ctx.probes.tlsWeakness(ep, weakness));
}

/**
 * The mail twin's judge of one MX address: after SMTP STARTTLS's 220 (judgeAfterStarttls's rule: without it nothing
 * can be probed, which is mail.starttls's finding, so the address is skipped).
 */
export function judgeMailWeakness(ctx: CheckContext, weakness: RawWeakness): (ep: Endpoint) => Promise<Verdict> {
  return async (ep) => {
    const smtp = await ctx.probes.smtp(ep);
    if (smtp.starttlsReply?.code !== 220) {
      const why = smtp.starttlsAdvertised ? 'STARTTLS is refused' : 'STARTTLS is not advertised';
      return {
        status: 'skip', reason: 'prerequisite', summary: `${why}, so ${WEAKNESS_NAMES[weakness]} cannot be probed; see mail.starttls`,
        evidence: { endpoint: smtp.endpoint, starttlsAdvertised: smtp.starttlsAdvertised },
      };
    }
    if (weakness === 'robot') return judgeRobot(await ctx.probes.smtpTlsEnumeration(ep), () => ctx.probes.smtpTlsWeakness(ep, 'robot'));
    return judgeWeakness(await ctx.probes.smtpTlsWeakness(ep, weakness));
  };
}
