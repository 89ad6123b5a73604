/** Scripted web sites for the http.* check tests: pages by URL on fake endpoints, no I/O. */
import { ProbeError } from '../../../src/core/errors.ts';
import type { HttpHop, HttpRequest, Probes } from '../../../src/probes/types.ts';
import { endpointsFor, fakeProbes, httpHop, singleEndpoint } from '../../support/fake-probes.ts';

export const LANDING = 'https://example.nl/';

/** A page as served: fixed hop fields, or computed from the request (to see its headers). */
export type Served = Partial<HttpHop> | ((request: HttpRequest) => Partial<HttpHop>);

/** Serves `pages` by URL on every endpoint; any other URL answers 404. Requests are recorded in order. */
export function site(pages: Readonly<Record<string, Served>>, overrides: Partial<Probes> = {}) {
  const requests: { readonly address: string; readonly request: HttpRequest }[] = [];
  const probes = fakeProbes({
    endpoints: endpointsFor,
    http: async (endpoint, request) => {
      requests.push({ address: endpoint.address, request });
      const served = pages[request.url];
      const page = typeof served === 'function' ? served(request) : served;
      return httpHop({ url: request.url, endpoint: `${endpoint.hostname}:${endpoint.port} (${endpoint.address})`, ...(page ?? { status: 404 }) });
    },
    ...overrides,
  });
  return { probes, requests };
}

/** Probes whose landing page sends `headers` (and optionally more hop fields). */
export function landing(headers: Readonly<Record<string, readonly string[]>>, extra: Partial<HttpHop> = {}): Probes {
  return site({ [LANDING]: { headers, ...extra } }).probes;
}

/** A domain without A/AAAA records. */
export const noAddresses: Probes['endpoints'] = async (hostname, port) => ({ hostname, port, source: 'dns', endpoints: [], answers: [] });

/** A domain on two addresses, IPv4 and IPv6. */
export const twoAddresses: Probes['endpoints'] = async (hostname, port) => ({
  hostname, port, source: 'dns', answers: [],
  endpoints: [singleEndpoint(hostname, port), { hostname, port, address: '2001:db8::1', dialPort: port }],
});

/** Probes whose HTTP requests time out. */
export function unreachable(): Probes {
  return fakeProbes({ endpoints: endpointsFor, http: async () => { throw new ProbeError('timeout', 'example.nl:443 (192.0.2.1)', 'no answer within 5000 ms'); } });
}

/** `probes` with every HTTP request to `where` (an address, a host name or a URL) timing out, like a dead backend. */
export function timeoutOn(where: string, probes: Probes): Probes {
  return {
    ...probes,
    http: async (ep, req) => {
      if (![ep.address, ep.hostname, req.url].includes(where)) return probes.http(ep, req);
      throw new ProbeError('timeout', `${ep.hostname}:${ep.port} (${ep.address})`, 'no answer within 5000 ms');
    },
  };
}
