import type { CheckContext } from '../../core/check.ts';
import type { Verdict } from '../../core/endpoints.ts';
import type { Endpoint } from '../../core/types.ts';
import type { TlsEnumeration } from '../enumerate.ts';
import type { Policy } from '../policy.ts';

/**
 * The mail variants of the issue-9 checks: one MX address judged from its enumeration after STARTTLS. Without a 220
 * to STARTTLS nothing can be enumerated: that is mail.starttls's finding, reported there once, so the address is
 * skipped (`prerequisite`), as mail.starttls-protocols does.
 */
export function judgeAfterStarttls(
  ctx: CheckContext, judge: (e: TlsEnumeration, policy: Policy) => Verdict,
): (ep: Endpoint) => Promise<Verdict> {
  return judgeFactsAfterStarttls(ctx, (ep) => ctx.probes.smtpTlsEnumeration(ep), judge);
}

/** The same for any facts measured after STARTTLS (e.g. `smtpTlsHygiene`). */
export function judgeFactsAfterStarttls<T>(
  ctx: CheckContext, measure: (ep: Endpoint) => Promise<T>, judge: (facts: T, policy: Policy) => Verdict,
): (ep: Endpoint) => Promise<Verdict> {
  return async (ep) => {
    const smtp = await ctx.probes.smtp(ep);
    if (smtp.starttlsReply?.code !== 220) {
      const why = smtp.starttlsAdvertised ? 'STARTTLS is refused' : 'STARTTLS is not advertised';
      return {
        status: 'skip', reason: 'prerequisite', summary: `${why}, so no cipher suite can be tested; see mail.starttls`,
        evidence: { endpoint: smtp.endpoint, starttlsAdvertised: smtp.starttlsAdvertised },
      };
    }
    return judge(await measure(ep), ctx.settings.tlsPolicy);
  };
}
