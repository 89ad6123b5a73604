import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPages, type BrowserPages } from '../../src/browser/pages.ts';
import type { BrowserVisit } from '../../src/browser/facts.ts';
import { routerFor } from '../../src/browser/route.ts';
import { parseAllowList } from '../../src/net/special-addresses.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { CHROMIUM } from '../support/browser.ts';

/**
 * The proxy's refusals in a real Chromium, below the probe session: a page that reaches for a private address and
 * for a public name, and Chromium's own background traffic. Names resolve by a table standing in for the session's
 * resolver (the resolver itself is used end to end in scan.test.ts); nothing is ever forwarded off loopback.
 */
const missing = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt install chromium)`;
const PAGE = '<!doctype html><title>leaky</title><img src="https://intranet.leaky.test/a.gif"><img src="https://tracker.example.com/b.gif">';

describe.skipIf(missing)('the visit proxy in headless Chromium', () => {
  let estate: Estate;
  let pages: BrowserPages;
  let visit: BrowserVisit;
  const asked: string[] = [];

  beforeAll(async () => {
    estate = await startEstate([{ domain: 'leaky.test', https: { routes: { '/': { status: 200, headers: { 'content-type': 'text/html' }, body: PAGE } } } }]);
    const port = Number(estate.connectTo.find((r) => r.startsWith('leaky.test:443:'))!.split(':')[3]);
    const addresses: Record<string, string> = { 'leaky.test': '127.0.0.1', 'intranet.leaky.test': '10.1.2.3' };
    const router = routerFor({
      allow: parseAllowList([]).value, scannedHosts: new Set(['leaky.test']), verify: async () => null,
      async endpoints(host, p) {
        asked.push(host);
        const address = addresses[host];
        return { hostname: host, port: p, source: 'dns', answers: [], endpoints: address ? [{ hostname: host, port: p, address, dialPort: host === 'leaky.test' ? port : p }] : [] };
      },
    });
    pages = browserPages({ enabled: true, pagesInFlight: 1, pageTimeoutMs: 8000, executablePath: CHROMIUM }, router, true);
    visit = await pages.visit('https://leaky.test/', new AbortController().signal);
  }, 30_000);
  afterAll(async () => {
    await pages?.close();
    await estate?.close();
  });

  it('forwards only the scanned site, refusing a private address and a name the resolver does not know', () => {
    expect(visit.status).toBe(200);
    expect(visit.hosts.filter((h) => h.refused === null).map((h) => `${h.host}:${h.port}`)).toEqual(['leaky.test:443']);
    expect(visit.hosts.find((h) => h.host === 'intranet.leaky.test')?.refused).toMatch(/10\.1\.2\.3.*private address/);
    expect(visit.hosts.find((h) => h.host === 'tracker.example.com')?.refused).toBe('tracker.example.com has no address');
    expect(visit.requests.map((r) => r.host)).toEqual(expect.arrayContaining(['intranet.leaky.test', 'tracker.example.com']));
  });

  it('asks the resolver only for hosts the page itself asked for, and refuses all of Chromium\'s own traffic', () => {
    const pageHosts = new Set(visit.requests.map((r) => r.host));
    expect(asked.filter((h) => !pageHosts.has(h))).toEqual([]);
    for (const h of [...pages.refusedBackground(), ...visit.hosts.filter((x) => !pageHosts.has(x.host))]) expect(h.refused, h.host).not.toBeNull();
  });
});
