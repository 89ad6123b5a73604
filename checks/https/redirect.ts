import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints, type EndpointVerdict } from '../../src/core/endpoints.ts';
import { ProbeError } from '../../src/core/errors.ts';
import type { Endpoint } from '../../src/core/types.ts';
import type { HttpHop, Probes } from '../../src/probes/types.ts';

const REMEDIATION = 'Answer every plain-HTTP request with a permanent redirect (301/308) to https:// on the same host, or close port 80.';

type Hop = { url: string; status: number; location: string | null; endpoint: string };

export const httpsRedirectCheck = defineCheck({
  id: 'https.redirect',
  title: 'Plain HTTP redirects to HTTPS',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['internet.nl: HTTPS redirect (first hop to https on the same host)', 'RFC 9110 15.4'],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 80, REMEDIATION, async (ep) => {
    let first: HttpHop;
    try {
      first = await ctx.probes.http(ep, { url: `http://${ep.hostname}/` });
    } catch (err) {
      // Nothing listening (refused, or no connection at all) serves nothing insecurely.
      if (err instanceof ProbeError && err.stage === 'connect') {
        return { status: 'pass', summary: 'nothing is served over plain HTTP (port 80 does not answer)', evidence: { port80: err.reason } };
      }
      throw err;
    }
    return judgeChain(first, ep, ctx.probes, ctx.settings.maxRedirects);
  }),
});

const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304;

async function judgeChain(first: HttpHop, ep: Endpoint, probes: Probes, maxHops: number): Promise<EndpointVerdict> {
  const chain: Hop[] = [];
  let hop = first;
  const seen = new Set<string>();
  for (;;) {
    const location = hop.headers['location']?.[0] ?? null;
    chain.push({ url: hop.url, status: hop.status, location, endpoint: hop.endpoint });
    const evidence = { chain };
    if (!isRedirect(hop.status)) {
      if (chain.length === 1) return { status: 'fail', summary: `HTTP ${hop.status} over plain HTTP, no redirect to HTTPS`, evidence };
      const final = new URL(hop.url);
      if (final.protocol !== 'https:') return { status: 'fail', summary: `redirects end on plain HTTP: ${hop.url}`, evidence };
      return { status: 'pass', summary: `redirects to HTTPS (${chain.length - 1} hop${chain.length > 2 ? 's' : ''})`, evidence };
    }
    if (!location) return { status: 'fail', summary: `HTTP ${hop.status} without a Location header`, evidence };
    let next: URL;
    try {
      next = new URL(location, hop.url);
    } catch {
      return { status: 'fail', summary: `redirect to an invalid URL "${location.slice(0, 200)}"`, evidence };
    }
    if (chain.length === 1 && (next.protocol !== 'https:' || next.hostname !== ep.hostname)) {
      return { status: 'fail', summary: `first redirect goes to ${next.origin}, not to https://${ep.hostname}`, evidence };
    }
    if (seen.has(next.href) || chain.length > maxHops) {
      throw new ProbeError('protocol', hop.endpoint, `redirect loop or more than ${maxHops} redirects after ${hop.url}`);
    }
    seen.add(hop.url);
    hop = await follow(next, ep, probes);
  }
}

/** The next hop: same endpoint when it is the same host and port, otherwise that host's first address. */
async function follow(url: URL, from: Endpoint, probes: Probes): Promise<HttpHop> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProbeError('protocol', url.href, 'redirect to a non-HTTP URL');
  const sameHost = url.hostname === from.hostname;
  const set = await probes.endpoints(url.hostname, port);
  const target = (sameHost && set.endpoints.find((e) => e.address === from.address)) || set.endpoints[0];
  if (!target) throw new ProbeError('dns-failure', url.hostname, 'redirect target does not resolve');
  return probes.http(target, { url: url.href });
}
