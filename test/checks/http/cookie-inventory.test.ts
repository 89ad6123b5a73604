import { describe, expect, it } from 'vitest';
import { cookieInventoryCheck } from '../../../checks/http/cookie-inventory.ts';
import type { CookieDeclaration } from '../../../src/core/types.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { LANDING, landing, noAddresses, site, unreachable } from './site.ts';

const run = (setCookies: readonly string[], declared: readonly CookieDeclaration[], allowed?: readonly string[]) =>
  cookieInventoryCheck.run(contextFor(
    landing(setCookies.length ? { 'set-cookie': setCookies } : {}),
    { cookies: declared },
    allowed ? { allowedCookieCategories: allowed } : {},
  ));

const SESSION = { name: 'PHPSESSID', category: 'technical' };
const ANALYTICS = { name: '_pk_*', category: 'analytics' };

describe('http.cookie-inventory', () => {
  it.each([
    [[], [], 'pass', 'No cookies declared and none set'],
    [[], [SESSION], 'pass', 'No cookies set; all declared purposes are allowed'],
    [['PHPSESSID=1; Secure', '_pk_id.1.abc=2; Secure'], [SESSION, ANALYTICS], 'pass', 'All 2 cookie(s) set are declared with allowed purposes'],
    [['PHPSESSID=1', 'PHPSESSID=1; Path=/x'], [SESSION], 'pass', 'All 1 cookie(s) set are declared with allowed purposes'], // one name
    [['PHPSESSID=1; Max-Age=0'], [], 'pass', 'No cookies declared and none set'],                                          // a deletion sets nothing
    [['PHPSESSID=1', '_ga=2'], [], 'warn', '2 cookie(s) set but none declared: PHPSESSID, _ga'],
    [['PHPSESSID=1', '_ga=2'], [SESSION], 'warn', '1 undeclared cookie(s): _ga'],
    [['phpsessid=1'], [SESSION], 'warn', '1 undeclared cookie(s): phpsessid'],                                            // names are case-sensitive
    [['_fbp=1'], [SESSION, { name: '_fbp', category: 'marketing' }], 'fail',
      "Declared cookie purpose outside the statement's technical/functional/analytics: _fbp (marketing)"],
    [[], [{ name: 'ad_*', category: 'Tracking' }], 'fail',
      "Declared cookie purpose outside the statement's technical/functional/analytics: ad_* (Tracking)"],                  // declared is enough
  ] as const)('%j declared %j -> %s', async (setCookies, declared, status, summary) => {
    expect(await run(setCookies, declared)).toMatchObject({ status, summary });
  });

  it('uses the configured allowed categories, case-insensitively', async () => {
    expect((await run(['_ga=1'], [{ name: '_ga', category: 'Analytics' }], ['technical', 'analytics'])).status).toBe('pass');
    expect((await run(['_ga=1'], [{ name: '_ga', category: 'analytics' }], ['technical'])).status).toBe('fail');
  });

  it('treats "*" as a glob and everything else literally', async () => {
    expect((await run(['a.b=1', 'axb=2'], [{ name: 'a.b', category: 'technical' }])).summary).toBe('1 undeclared cookie(s): axb');
    expect((await run(['x_(1)=1'], [{ name: 'x_(*)', category: 'technical' }])).status).toBe('pass');
  });

  it('shows each cookie with its declaration and where it was set', async () => {
    const { probes } = site({
      'https://example.nl/': { headers: { 'set-cookie': ['_pk_id.1=1'] } },
      'https://example.nl/shop': { headers: { 'set-cookie': ['cart=2', '_pk_id.1=1'] } },
    });
    const outcome = await cookieInventoryCheck.run(contextFor(probes, { urls: ['https://example.nl/shop'], cookies: [ANALYTICS, SESSION] }));
    expect(outcome).toMatchObject({
      status: 'warn',
      evidence: {
        allowedCategories: ['technical', 'functional', 'analytics'],
        declarations: [{ name: '_pk_*', category: 'analytics', observed: true }, { name: 'PHPSESSID', category: 'technical', observed: false }],
        cookies: [
          { name: '_pk_id.1', declaredAs: '_pk_*', category: 'analytics', urls: ['https://example.nl/', 'https://example.nl/shop'] },
          { name: 'cart', declaredAs: null, category: null, urls: ['https://example.nl/shop'] },
        ],
      },
    });
  });

  it('handles 10,000 Set-Cookie values', { timeout: 2000 }, async () => {
    const outcome = await run(Array.from({ length: 10_000 }, (_, i) => `c${i}=v`), [{ name: 'c*', category: 'functional' }]);
    expect(outcome).toMatchObject({ status: 'pass', evidence: { cookiesOmitted: 9_900 } });
  });

  it('fails without addresses', async () => {
    expect((await cookieInventoryCheck.run(contextFor(site({}, { endpoints: noAddresses }).probes))).status).toBe('fail');
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await cookieInventoryCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it('is error (client-limitation) when the probe dropped Set-Cookie values: they may be undeclared', async () => {
    const probes = landing({ 'set-cookie': ['PHPSESSID=1; Secure'] }, { headersTruncated: true, droppedHeaderValues: { 'set-cookie': 4 } });
    expect(await cookieInventoryCheck.run(contextFor(probes, { cookies: [SESSION] }))).toMatchObject({
      status: 'error', reason: 'client-limitation', summary: expect.stringContaining('1 cookie name(s) seen; 4 more Set-Cookie value(s)'),
      evidence: { notRead: [{ url: LANDING, dropped: 4 }] },
    });
  });

  it('still fails a declared purpose the statement does not allow when values were dropped', async () => {
    const probes = landing({ 'set-cookie': ['_fbp=1; Secure'] }, { headersTruncated: true, droppedHeaderValues: { 'set-cookie': 4 } });
    const outcome = await cookieInventoryCheck.run(contextFor(probes, { cookies: [{ name: '_fbp', category: 'marketing' }] }));
    expect(outcome.status).toBe('fail');
  });
});
