import { describe, expect, it } from 'vitest';
import { contentTypeOptionsCheck } from '../../../checks/http/content-type-options.ts';
import { cap, fetchEverywhere, MAX_REDIRECTS, wasCut } from '../../../checks/http/page.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../../src/probes/types.ts';
import { parseAllowList } from '../../../src/net/special-addresses.ts';
import { contextFor, endpointsFor } from '../../support/fake-probes.ts';
import { LANDING, noAddresses, site, timeoutOn, twoAddresses } from './site.ts';

const NOSNIFF = { 'x-content-type-options': ['nosniff'] };
/** Fake endpoints sit on 192.0.2.1 (TEST-NET-1), a special address: redirects to other hosts must be allowed there. */
const TEST_NET = { allow: parseAllowList(['192.0.2.0/24']).value, scannedHosts: [] };

describe('fetching pages', () => {
  it('follows redirects on the same host and to another host', async () => {
    const { probes, requests } = site({
      [LANDING]: { status: 301, headers: { location: ['/nl/'] } },
      'https://example.nl/nl/': { status: 302, headers: { location: ['https://www.example.nl/nl/'] } },
      'https://www.example.nl/nl/': { status: 200, headers: NOSNIFF },
    });
    const [page] = await fetchEverywhere(probes, LANDING, { policy: { maxRedirects: MAX_REDIRECTS, ...TEST_NET } });
    expect(page?.hops.map((h) => `${h.status} ${h.url}`)).toEqual(['301 https://example.nl/', '302 https://example.nl/nl/', '200 https://www.example.nl/nl/']);
    expect(requests.map((r) => r.request.url)).toEqual([LANDING, 'https://example.nl/nl/', 'https://www.example.nl/nl/']);
  });

  it.each([
    [{ [LANDING]: { status: 301, headers: { location: ['http://example.nl/'] } } }, 'redirect to http://example.nl/ is not an https URL'],
    [{ [LANDING]: { status: 301, headers: { location: ['/'] } } }, 'redirect loop at https://example.nl/'],
  ])('stops at %j', async (pages, stopped) => {
    const [page] = await fetchEverywhere(site(pages).probes, LANDING);
    expect(page).toMatchObject({ stopped });
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    const pages = Object.fromEntries(Array.from({ length: MAX_REDIRECTS + 5 }, (_, i) => [`https://example.nl/${i}`, { status: 302, headers: { location: [`/${i + 1}`] } }]));
    const [page] = await fetchEverywhere(site(pages).probes, 'https://example.nl/0');
    expect(page).toMatchObject({ hops: { length: MAX_REDIRECTS + 1 }, stopped: `more than ${MAX_REDIRECTS} redirects` });
  });

  it('passes request headers on every hop', async () => {
    const { probes, requests } = site({ [LANDING]: { status: 308, headers: { location: ['/a'] } } });
    await fetchEverywhere(probes, LANDING, { headers: { origin: 'https://x.invalid' } });
    expect(requests.map((r) => r.request.headers)).toEqual([{ origin: 'https://x.invalid' }, { origin: 'https://x.invalid' }]);
  });

  it('caps values for evidence and recognises values the probe cut', () => {
    expect(cap('x'.repeat(2000))).toBe(`${'x'.repeat(1024)}… [976 more characters]`);
    expect([wasCut(`${'x'.repeat(MAX_HEADER_VALUE_CHARS)}${TRUNCATION_MARK}`), wasCut('short')]).toEqual([true, false]);
  });
});

describe('judging every address', () => {
  it('fails when the domain has no A/AAAA records', async () => {
    const { probes } = site({}, { endpoints: noAddresses });
    expect(await contentTypeOptionsCheck.run(contextFor(probes))).toMatchObject({
      status: 'fail', summary: 'example.nl has no A/AAAA records, so there is no web server to check',
    });
  });

  it('judges each address, keeps evidence per address and lets the worst win', async () => {
    const { probes } = site({}, {
      endpoints: twoAddresses,
      http: async (ep, req) => ({
        url: req.url, method: 'GET', endpoint: `example.nl:443 (${ep.address})`, status: 200, body: '', bodyBytes: 0,
        bodyTruncated: false, bodyUtf8: true, observedAt: 'now', headers: ep.address === '2001:db8::1' ? {} : NOSNIFF,
        headersTruncated: false, droppedHeaderValues: {},
      }),
    });
    const outcome = await contentTypeOptionsCheck.run(contextFor(probes));
    expect(outcome).toMatchObject({
      status: 'fail',
      summary: 'X-Content-Type-Options is missing: browsers may sniff content types (https://example.nl/ via example.nl:443 (2001:db8::1))',
      evidence: { pages: [
        { endpoint: 'example.nl:443 (192.0.2.1)', status: 'pass', httpStatus: 200 },
        { endpoint: 'example.nl:443 (2001:db8::1)', status: 'fail' },
      ] },
    });
  });

  it('judges the configured extra URLs and warns about ones that cannot be fetched', async () => {
    const { probes } = site({ [LANDING]: { headers: NOSNIFF }, 'https://example.nl/login': { headers: NOSNIFF } }, {
      endpoints: async (hostname, port) => (hostname === 'gone.example.nl' ? noAddresses(hostname, port) : endpointsFor(hostname, port)),
    });
    const ctx = contextFor(probes, { urls: ['https://example.nl/login', 'https://gone.example.nl/'] });
    expect(await contentTypeOptionsCheck.run(ctx)).toMatchObject({
      status: 'warn', summary: 'configured URL https://gone.example.nl/ has no A/AAAA records or is not https',
      evidence: { pages: [{ url: LANDING }, { url: 'https://example.nl/login' }, { url: 'https://gone.example.nl/', status: 'warn' }] },
    });
  });

  describe('a ProbeError on one address is that address\'s error', () => {
    const V6 = 'example.nl:443 (2001:db8::1)';
    const run = (headers: Readonly<Record<string, readonly string[]>>) =>
      contentTypeOptionsCheck.run(contextFor(timeoutOn('2001:db8::1', site({ [LANDING]: { headers } }, { endpoints: twoAddresses }).probes)));

    it('keeps a clean result on the other address from being a pass', async () => {
      expect(await run(NOSNIFF)).toMatchObject({
        status: 'error', reason: 'timeout',
        summary: `${V6}: no answer within 5000 ms (https://example.nl/ via ${V6})`,
        evidence: { pages: [
          { endpoint: 'example.nl:443 (192.0.2.1)', status: 'pass' },
          { endpoint: V6, url: LANDING, status: 'error', summary: `${V6}: no answer within 5000 ms` },
        ] },
      });
    });

    it('never hides a fail seen on the other address', async () => {
      expect(await run({})).toMatchObject({
        status: 'fail', summary: 'X-Content-Type-Options is missing: browsers may sniff content types (https://example.nl/ via example.nl:443 (192.0.2.1))',
        evidence: { pages: [{ status: 'fail' }, { status: 'error' }] },
      });
    });

    it('keeps the redirects followed before a redirect target stopped answering', async () => {
      const { probes } = site({ [LANDING]: { status: 301, headers: { location: ['https://www.example.nl/'] } } }, { endpoints: twoAddresses });
      expect(await contentTypeOptionsCheck.run(contextFor(timeoutOn('www.example.nl', probes), {}, { redirects: TEST_NET }))).toMatchObject({
        status: 'error', reason: 'timeout', summary: 'www.example.nl:443 (192.0.2.1): no answer within 5000 ms',
        evidence: { pages: [{ redirects: ['301 https://example.nl/'], url: LANDING }, { redirects: ['301 https://example.nl/'], endpoint: V6 }] },
      });
    });
  });
});
