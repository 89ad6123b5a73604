/**
 * What the browser checks share: the pages of a target visited in headless Chromium (the home page and the domain's
 * `urls:`), the skip when the browser is off, and `error` when a visit could not be made. A failure seen on the
 * pages that were visited stands even when another page could not be visited; a pass needs every page.
 */
import type { CheckContext } from '../../src/core/check.ts';
import { ProbeError } from '../../src/core/errors.ts';
import type { ErrorReason, JsonObject, Outcome } from '../../src/core/types.ts';
import type { BrowserVisit } from '../../src/browser/facts.ts';

/** A verdict over the visited pages, before the runner adds the remediation. */
export type BrowserVerdict =
  | { readonly status: 'pass'; readonly summary: string; readonly evidence: JsonObject }
  | { readonly status: 'warn' | 'fail'; readonly summary: string; readonly evidence: JsonObject };

export const BROWSER_OFF = 'The browser is off: set browser.enabled in the configuration or pass --browser (needs Chromium)';

/** The pages a browser check visits: the home page, then the domain's configured URLs. */
export const pagesOf = (ctx: CheckContext): string[] => [...new Set([`https://${ctx.target.domain}/`, ...ctx.target.urls])];

export async function judgeVisits(ctx: CheckContext, judge: (visits: readonly BrowserVisit[]) => BrowserVerdict, remediation: string): Promise<Outcome> {
  if (!ctx.settings.browserEnabled) return { status: 'skip', summary: BROWSER_OFF, reason: 'disabled' };
  const urls = pagesOf(ctx);
  const settled = await Promise.allSettled(urls.map((url) => ctx.probes.browser(url)));
  const visits = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ url: urls[i]!, error: s.reason as unknown }] : []));
  for (const { error } of failures) if (!(error instanceof ProbeError)) throw error;
  const notVisited = failures.map(({ url, error }) => ({ url, reason: (error as ProbeError).reason, message: (error as ProbeError).message }));
  const verdict = visits.length > 0 ? judge(visits) : null;
  if (verdict && verdict.status !== 'pass') {
    const evidence = { ...verdict.evidence, ...(notVisited.length > 0 ? { notVisited } : {}) };
    return { status: verdict.status, summary: verdict.summary, evidence, remediation };
  }
  if (notVisited.length > 0) {
    const first = notVisited[0]!;
    const reason: ErrorReason = first.reason;
    return { status: 'error', reason, summary: `Page not visited: ${first.message}`, evidence: { ...(verdict?.evidence ?? {}), notVisited } };
  }
  return verdict!;
}

/** Names a list in a summary: the first few, then how many more. */
export const listed = (items: readonly string[], max = 4): string =>
  `${items.slice(0, max).join(', ')}${items.length > max ? ` (+${items.length - max} more)` : ''}`;

/** A page's visit in evidence: where it ended and whether it settled, without the bulky facts (those are artifacts). */
export const visitEvidence = (v: BrowserVisit) => ({ url: v.url, finalUrl: v.finalUrl, status: v.status, settled: v.settled });
