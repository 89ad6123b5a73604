import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints, probeFailure, type Verdict } from '../../src/core/endpoints.ts';
import type { ProbeError } from '../../src/core/errors.ts';
import type { Endpoint, JsonObject } from '../../src/core/types.ts';
import { redirectPolicyOf, walkRedirects, type Walk } from '../../src/web/redirect-walk.ts';

const REMEDIATION = 'Answer every plain-HTTP request with a permanent redirect (301/308) to https:// on the same host, or close port 80.';

export const httpsRedirectCheck = defineCheck({
  id: 'https.redirect',
  title: 'Plain HTTP redirects to HTTPS',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['internet.nl: HTTPS redirect (first hop to https on the same host)', 'RFC 9110 15.4'],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 80, REMEDIATION, async (ep) => {
    const walk = await walkRedirects(ctx.probes, {
      start: ep, url: `http://${ep.hostname}/`, policy: redirectPolicyOf(ctx.settings), mayFollow: firstHopToHttps(ep),
    });
    return judgeWalk(walk);
  }),
});

/** internet.nl: the first redirect must go to https on the same host, or HSTS set there never covers this name. */
const firstHopToHttps = (ep: Endpoint) => (next: URL, _location: string, index: number) =>
  index === 0 && (next.protocol !== 'https:' || next.hostname.toLowerCase() !== ep.hostname.toLowerCase())
    ? `first redirect goes to ${next.origin}, not to https://${ep.hostname}`
    : null;

/**
 * Only port 80 itself refusing the connection, or not accepting it within the probe's own connect timer, shows that
 * nothing is served there. A local limit (EMFILE), an unreachable route or time spent waiting for a connection slot
 * says nothing about the server: `error` with that cause.
 */
function nothingServed(err: ProbeError): boolean {
  return err.stage === 'connect' && (err.reason === 'refused' || err.reason === 'timeout');
}

function judgeWalk(walk: Walk): Verdict {
  const { hops, stop } = walk;
  if (hops.length === 0 && walk.error && nothingServed(walk.error)) {
    return { status: 'pass', summary: 'nothing is served over plain HTTP (port 80 does not answer)', evidence: { port80: walk.error.reason } };
  }
  const chain = hops.map((h) => ({ url: h.url, status: h.status, location: h.headers['location']?.[0]?.slice(0, 1024) ?? null, endpoint: h.endpoint }));
  const evidence: JsonObject = { chain, ...(stop.kind !== 'final' && stop.reason ? { stopped: stop.reason } : {}) };
  const fail = (summary: string): Verdict => ({ status: 'fail', summary, evidence });
  const inconclusive = (summary: string, reason: Extract<Verdict, { status: 'error' }>['reason']): Verdict =>
    ({ status: 'error', reason, summary, evidence });
  const first = hops[0];
  if (walk.error) return { ...probeFailure(walk.error), evidence };
  if (!first) throw new Error('a walk without hops or error');
  switch (stop.kind) {
    case 'final': {
      if (hops.length === 1) return fail(`HTTP ${first.status} over plain HTTP, no redirect to HTTPS`);
      const final = hops.at(-1)!;
      if (new URL(final.url).protocol !== 'https:') return fail(`redirects end on plain HTTP: ${final.url}`);
      return { status: 'pass', summary: `redirects to HTTPS (${hops.length - 1} hop${hops.length > 2 ? 's' : ''})`, evidence };
    }
    case 'no-location': case 'invalid-location': case 'refused-by-caller':
      return fail(stop.reason!);
    case 'special-address':
      // A step down to plain HTTP is a finding whatever the target serves; anything else depends on the unseen hop.
      if (stop.next !== null && new URL(stop.next).protocol === 'http:') return fail(`redirects to plain HTTP: ${stop.next}`);
      return inconclusive(stop.reason!, 'client-limitation');
    case 'cut-location':
      return inconclusive(stop.reason!, 'client-limitation');
    case 'no-address':
      return inconclusive(`redirect target does not resolve: ${stop.reason!}`, 'dns-failure');
    case 'not-http': case 'too-many': case 'loop': case 'probe-error':
      return inconclusive(`${stop.reason!} after ${hops.at(-1)!.url}`, 'protocol');
  }
}
