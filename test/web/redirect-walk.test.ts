import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { ALLOW_NOTHING, parseAllowList } from '../../src/net/special-addresses.ts';
import type { HttpHop, Probes } from '../../src/probes/types.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../src/probes/types.ts';
import { walkRedirects, type RedirectPolicy } from '../../src/web/redirect-walk.ts';
import { fakeProbes, httpHop } from '../support/fake-probes.ts';

/** Names and their addresses; an IP literal is its own address, as the real probes do. Never dialled. */
const ADDRESSES: Record<string, string[]> = {
  'example.nl': ['203.0.113.10'], 'www.example.nl': ['8.8.8.8'], 'intranet.example.nl': ['192.168.0.1'],
  'other.example.nl': ['198.51.100.9'], 'gone.example.nl': [],
};

type Served = Partial<HttpHop> | ProbeError;

/** Probes serving `pages` by URL (404 otherwise), recording every request as `url @address`. */
function web(pages: Record<string, Served>) {
  const requests: string[] = [];
  const probes: Pick<Probes, 'http' | 'endpoints'> = fakeProbes({
    endpoints: async (hostname, port) => ({
      hostname, port, source: 'dns', answers: [],
      endpoints: (isIP(hostname) ? [hostname] : ADDRESSES[hostname] ?? []).map((address) => ({ hostname, port, address, dialPort: port })),
    }),
    http: async (ep, req) => {
      requests.push(`${req.url} @${ep.address}`);
      const served = pages[req.url];
      if (served instanceof ProbeError) throw served;
      return httpHop({ url: req.url, endpoint: `${ep.hostname}:${ep.port} (${ep.address})`, status: 404, ...served });
    },
  });
  return { probes, requests };
}

const to = (location: string, status = 302): Partial<HttpHop> => ({ status, headers: { location: [location] } });
const START: Endpoint = { hostname: 'example.nl', port: 443, address: '203.0.113.10', dialPort: 443 };
const POLICY: RedirectPolicy = { maxRedirects: 5, allow: parseAllowList(['198.51.100.0/24', '203.0.113.0/24']).value, scannedHosts: [] };
const walk = (pages: Record<string, Served>, policy: Partial<RedirectPolicy> = {}, url = 'https://example.nl/') => {
  const site = web(pages);
  return walkRedirects(site.probes, { start: START, url, policy: { ...POLICY, ...policy } }).then((result) => ({ ...result, requests: site.requests }));
};

describe('walkRedirects', () => {
  it('follows redirects on the same host and to other hosts, recording every hop', async () => {
    const result = await walk({
      'https://example.nl/': to('/nl/', 301), 'https://example.nl/nl/': to('https://www.example.nl/nl/'),
      'https://www.example.nl/nl/': { status: 200 },
    });
    expect(result.hops.map((h) => `${h.status} ${h.url}`)).toEqual(['301 https://example.nl/', '302 https://example.nl/nl/', '200 https://www.example.nl/nl/']);
    expect(result.stop).toEqual({ kind: 'final', reason: null, next: null });
    expect(result.requests).toEqual(['https://example.nl/ @203.0.113.10', 'https://example.nl/nl/ @203.0.113.10', 'https://www.example.nl/nl/ @8.8.8.8']);
  });

  it.each([
    ['a private address literal', 'https://10.1.2.3/admin', 'redirect target 10.1.2.3 is a private address (RFC 1918); not followed (see allowRedirectsTo)'],
    ['a name on a private address', 'https://intranet.example.nl/', 'redirect target intranet.example.nl (192.168.0.1) is a private address (RFC 1918); not followed (see allowRedirectsTo)'],
    ['loopback', 'http://127.0.0.1:8080/', 'redirect target 127.0.0.1 is a loopback address (RFC 1122); not followed (see allowRedirectsTo)'],
    ['IPv6 loopback', 'https://[::1]/', 'redirect target ::1 is a loopback address (RFC 4291); not followed (see allowRedirectsTo)'],
    ['an IPv4-mapped private address', 'https://[::ffff:10.0.0.1]/', 'redirect target ::ffff:a00:1 is a private address (RFC 1918) in IPv4-mapped form; not followed (see allowRedirectsTo)'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/', 'redirect target 169.254.169.254 is a link-local address (RFC 3927); not followed (see allowRedirectsTo)'],
    ['unique-local', 'https://[fd00::5]/', 'redirect target fd00::5 is a unique local address (RFC 4193); not followed (see allowRedirectsTo)'],
    ['the unspecified address', 'http://0.0.0.0/', 'redirect target 0.0.0.0 is a "this network" address (RFC 791); not followed (see allowRedirectsTo)'],
  ])('never requests %s', async (_name, location, reason) => {
    const result = await walk({ 'https://example.nl/': to(location) });
    expect(result.stop).toMatchObject({ kind: 'special-address', reason, next: new URL(location).href });
    expect(result.hops).toHaveLength(1);
    expect(result.requests).toEqual(['https://example.nl/ @203.0.113.10']);
  });

  it('follows into a special network the policy allows, by name or prefix', async () => {
    const pages = { 'https://example.nl/': to('https://intranet.example.nl/'), 'https://intranet.example.nl/': { status: 200 } };
    for (const allow of [['private'], ['192.168.0.0/16']]) {
      const result = await walk(pages, { allow: parseAllowList([...allow, '203.0.113.0/24']).value });
      expect(result.stop.kind).toBe('final');
      expect(result.requests.at(-1)).toBe('https://intranet.example.nl/ @192.168.0.1');
    }
  });

  it('never refuses the scanned hosts: the start host (any port) and the configured ones', async () => {
    const pages = {
      'https://example.nl/': to('http://example.nl:8080/'), 'http://example.nl:8080/': to('https://other.example.nl/'),
      'https://other.example.nl/': { status: 200 },
    };
    const result = await walk(pages, { allow: ALLOW_NOTHING, scannedHosts: ['other.example.nl'] });
    expect(result.stop.kind).toBe('final');
    expect(result.requests).toEqual(['https://example.nl/ @203.0.113.10', 'http://example.nl:8080/ @203.0.113.10', 'https://other.example.nl/ @198.51.100.9']);
  });

  it('never follows a Location header cut by the read cap', async () => {
    const cut = `https://example.nl/${'a'.repeat(MAX_HEADER_VALUE_CHARS - 19)}${TRUNCATION_MARK}`;
    const result = await walk({ 'https://example.nl/': to(cut) });
    expect(result.stop).toMatchObject({ kind: 'cut-location' });
    expect(result.stop.reason).toContain('the Location header was cut by the read cap');
    expect(result.requests).toHaveLength(1);
  });

  it.each([
    ['no Location', { 'https://example.nl/': { status: 301 } }, 'no-location', 'HTTP 301 without a Location header'],
    ['an invalid URL', { 'https://example.nl/': to('https://exa mple.nl:99999/') }, 'invalid-location', 'redirect to an invalid URL "https://exa mple.nl:99999/"'],
    ['a non-HTTP URL', { 'https://example.nl/': to('ftp://example.nl/') }, 'not-http', 'redirect to a non-HTTP URL ftp://example.nl/'],
    ['a loop', { 'https://example.nl/': to('/a'), 'https://example.nl/a': to('/') }, 'loop', 'redirect loop at https://example.nl/'],
    ['a host without addresses', { 'https://example.nl/': to('https://gone.example.nl/') }, 'no-address', 'gone.example.nl has no A/AAAA records'],
  ] as const)('stops at %s and says why', async (_name, pages, kind, reason) => {
    expect((await walk(pages)).stop).toMatchObject({ kind, reason });
  });

  it('stops after maxRedirects redirects', async () => {
    const pages = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`https://example.nl/${i}`, to(`/${i + 1}`)]));
    const result = await walk(pages, { maxRedirects: 3 }, 'https://example.nl/0');
    expect(result.hops).toHaveLength(4);
    expect(result.stop).toMatchObject({ kind: 'too-many', reason: 'more than 3 redirects', next: 'https://example.nl/4' });
  });

  it('lets a 304 or 200 end the walk: only the Fetch redirect statuses are followed', async () => {
    expect((await walk({ 'https://example.nl/': { status: 300, headers: { location: ['/x'] } } })).stop.kind).toBe('final');
  });

  it('asks the caller before following, with the hop index', async () => {
    const site = web({ 'https://example.nl/': to('http://example.nl/') });
    const seen: number[] = [];
    const result = await walkRedirects(site.probes, {
      start: START, url: 'https://example.nl/', policy: POLICY,
      mayFollow: (next, _location, index) => { seen.push(index); return next.protocol === 'https:' ? null : 'not https'; },
    });
    expect([seen, result.stop]).toEqual([[0], { kind: 'refused-by-caller', reason: 'not https', next: 'http://example.nl/' }]);
  });

  it('keeps the hops before a ProbeError, and rethrows anything else', async () => {
    const error = new ProbeError('timeout', 'www.example.nl:443 (8.8.8.8)', 'no answer');
    const result = await walk({ 'https://example.nl/': to('https://www.example.nl/'), 'https://www.example.nl/': error });
    expect(result).toMatchObject({ hops: [{ url: 'https://example.nl/' }], stop: { kind: 'probe-error', reason: error.message }, error });
    const broken = { ...web({}).probes, http: async () => { throw new TypeError('bug'); } };
    await expect(walkRedirects(broken, { start: START, url: 'https://example.nl/', policy: POLICY })).rejects.toThrow('bug');
  });
});
