import { describe, expect, it } from 'vitest';
import { judgeJar, declarationOf } from '../../checks/browser/cookies-before-consent.ts';
import { judgeMixedContent } from '../../checks/browser/mixed-content.ts';
import { judgeSri } from '../../checks/browser/sri.ts';
import { judgeThirdParties } from '../../checks/browser/third-parties.ts';
import { jarFacts, responseWrites, setterOf } from '../../src/browser/cookie-jar.ts';
import { cookieNameOf, parseCookieWrite, scriptOfStack } from '../../src/browser/cookie-writes.ts';
import { isMixedContent, mixedContentOf, partyOf, siteOf, type BrowserVisit } from '../../src/browser/facts.ts';
import { visitFailure } from '../../src/browser/pages.ts';
import { splitAuthority } from '../../src/browser/proxy.ts';
import { readBrowser, readThirdParties } from '../../src/config/browser.ts';
import { ProbeError } from '../../src/core/errors.ts';

describe('parties, mixed content and authorities', () => {
  it.each([
    ['cdn.example.nl', 'www.example.nl', 'first'], ['example.nl', 'www.example.nl', 'first'], ['a.example.co.uk', 'example.co.uk', 'first'],
    ['cdn.widgets.test', 'tracker.test', 'third'], ['b.example.co.uk', 'other.co.uk', 'third'], ['127.0.0.1', 'example.nl', 'third'], ['', 'example.nl', 'first'],
  ] as const)('%s on a page of %s is %s-party', (host, page, party) => expect(partyOf(host, page)).toBe(party));
  it('a leading dot (a cookie domain) is ignored', () => expect(siteOf('.www.example.nl')).toBe('example.nl'));
  it.each([
    ['https://a.nl/', 'http://a.nl/x.js', true], ['https://a.nl/', 'https://a.nl/x.js', false], ['http://a.nl/', 'http://a.nl/x.js', false],
    ['https://a.nl/', 'data:image/png;base64,AA', false],
  ])('page %s asking %s is mixed: %s', (page, url, mixed) => expect(isMixedContent(page, url)).toBe(mixed));
  it.each([
    ['example.nl:443', 443, { host: 'example.nl', port: 443 }], ['Example.NL', 80, { host: 'example.nl', port: 80 }],
    ['[2001:db8::1]:8443', 443, { host: '2001:db8::1', port: 8443 }], ['example.nl:0', 443, null], ['example.nl:99999', 443, null],
    ['exa mple.nl:443', 443, null], ['', 443, null], ['a/b:443', 443, null],
  ] as const)('authority %j', (authority, port, expected) => expect(splitAuthority(authority, port)).toEqual(expected));
  it.each([
    ['MixedContentBlocked', 'blocked'], ['MixedContentAutomaticallyUpgraded', 'upgraded'], ['MixedContentWarning', 'fetched'], ['Something', 'fetched'],
  ])('Chromium resolution %s is %s', (status, resolution) =>
    expect(mixedContentOf({ insecureURL: 'http://a.nl/', resolutionStatus: status })).toEqual({ url: 'http://a.nl/', resourceType: 'unknown', resolution }));
});

describe('who set a cookie', () => {
  it.each([
    ['a=1; path=/', 'a'], [' b = 2 ', 'b'], ['novalue', ''], ['=x', ''], ['', ''],
  ])('document.cookie = %j names %j', (text, name) => expect(cookieNameOf(text)).toBe(name));
  it.each([
    ['Error\n    at HTMLDocument.set [as cookie] (<anonymous>:9:63)\n    at https://a.test/track.js:1:17', 'https://a.test/track.js'],
    ['Error\n    at set (<anonymous>:1:1)\n    at f (https://cdn.test/x.js?v=1:10:5)\n    at https://a.test/:3:1', 'https://cdn.test/x.js?v=1'],
    ['Error\n    at set (<anonymous>:1:1)\n    at <anonymous>:1:1', null], ['', null],
  ])('stack %# names %s', (stack, url) => expect(scriptOfStack(stack)).toBe(url));
  it('a binding report is read only in the recorder\'s shape', () => {
    expect(parseCookieWrite(JSON.stringify({ value: 'x=1', host: 'A.test', stack: 'Error\n at https://a.test/s.js:1:1' })))
      .toEqual({ name: 'x', host: 'a.test', script: 'https://a.test/s.js' });
    expect(parseCookieWrite(JSON.stringify({ value: 'x=1', host: 'a.test', stack: 'Error' }))).toMatchObject({ script: 'inline script on a.test' });
    for (const bad of ['{', 'null', '1', JSON.stringify({ value: 1, host: 'a', stack: '' })]) expect(parseCookieWrite(bad)).toBeNull();
  });
  const writes = [
    ...responseWrites('https://www.a.test/', 'www.a.test', 'sid=1; Secure\n_ga=old'),
    { name: '_ga', host: 'www.a.test', setter: { kind: 'script' as const, url: 'https://www.a.test/t.js' } },
  ];
  it.each([
    [{ name: 'sid', domain: 'www.a.test' }, { kind: 'response', url: 'https://www.a.test/' }],
    [{ name: '_ga', domain: '.a.test' }, { kind: 'script', url: 'https://www.a.test/t.js' }],
    [{ name: 'sid', domain: 'other.test' }, null], [{ name: 'nope', domain: 'www.a.test' }, null],
  ])('%j was set by %j', (cookie, setter) => expect(setterOf(cookie, writes)).toEqual(setter));
  it('the jar is sorted, classified and capped', () => {
    const cdp = (name: string, domain: string) => ({ name, domain, path: '/', expires: -1, secure: true, httpOnly: false, session: true, sameSite: 'Lax' });
    const { cookies, omitted } = jarFacts([cdp('z', 'www.a.test'), cdp('t', '.tracker.test'), ...Array.from({ length: 250 }, (_, i) => cdp(`n${i}`, 'www.a.test'))], 'www.a.test', []);
    expect(cookies[0]).toMatchObject({ name: 't', party: 'third', expires: null, sameSite: 'Lax', setBy: null });
    expect(cookies).toHaveLength(200);
    expect(omitted).toBe(52);
  });
});

const visit = (overrides: Partial<BrowserVisit>): BrowserVisit => ({
  url: 'https://a.test/', finalUrl: 'https://a.test/', status: 200, settled: true, durationMs: 1, cookies: [], cookiesOmitted: 0, storage: [],
  requests: [], requestsOmitted: 0, mixedContent: [], hosts: [], withoutIntegrity: [], screenshot: { omitted: 'test' }, ...overrides,
});
const cookie = (name: string, party: 'first' | 'third') =>
  ({ name, domain: 'a.test', path: '/', secure: true, httpOnly: false, sameSite: null, expires: null, session: true, party, setBy: null });
const request = (host: string, party: 'first' | 'third', extra: { url?: string; mixedContent?: boolean; failed?: string | null } = {}) =>
  ({ url: extra.url ?? `https://${host}/`, host, party, type: 'script', mixedContent: extra.mixedContent ?? false, failed: extra.failed ?? null });

describe('the browser checks\' verdicts', () => {
  const declarations = [{ name: 'sid', category: 'functional', party: 'first' as const }, { name: '_pk_*', category: 'analytics' }, { name: 'ad', category: 'marketing' }];
  it.each([
    [[], 'pass'], [[cookie('sid', 'first'), cookie('_pk_id.1', 'third')], 'pass'], [[cookie('sid', 'third')], 'fail'],
    [[cookie('ad', 'first')], 'fail'], [[cookie('other', 'first')], 'fail'],
  ] as const)('cookies %j: %s', (cookies, status) => expect(judgeJar([visit({ cookies })], declarations, ['functional', 'analytics']).status).toBe(status));
  it('a declaration of a party matches only that party', () => expect(declarationOf(cookie('sid', 'third'), declarations)).toBeNull());
  it.each([
    [[request('a.test', 'first')], [], 'pass'], [[request('chat.live.example', 'third')], [{ host: '*.live.example', purpose: 'chat' }], 'pass'],
    [[request('CHAT.live.example'.toLowerCase(), 'third'), request('ads.example', 'third', { failed: 'net::ERR_TUNNEL_CONNECTION_FAILED' })], [{ host: '*.live.example', purpose: 'chat' }], 'fail'],
  ] as const)('third parties %#: %s', (requests, declared, status) => expect(judgeThirdParties([visit({ requests })], declared).status).toBe(status));
  it('SRI fails on any element without integrity', () => {
    expect(judgeSri([visit({})]).status).toBe('pass');
    expect(judgeSri([visit({ withoutIntegrity: [{ url: 'https://c.test/x.js', kind: 'script', host: 'c.test' }] })]).status).toBe('fail');
  });
  it('mixed content fails whether blocked, upgraded or fetched, and counts an unreported plain-http request', () => {
    expect(judgeMixedContent([visit({ requests: [request('a.test', 'first')] })]).status).toBe('pass');
    expect(judgeMixedContent([visit({ mixedContent: [{ url: 'http://a.test/p.gif', resourceType: 'Image', resolution: 'upgraded' }] })]).status).toBe('fail');
    const unreported = judgeMixedContent([visit({ requests: [request('a.test', 'first', { url: 'http://a.test/x.js', mixedContent: true, failed: 'mixed-content' })] })]);
    expect(unreported).toMatchObject({ status: 'fail', evidence: { mixedContent: [{ url: 'http://a.test/x.js', resolution: 'blocked' }] } });
  });
});

describe('failures and configuration', () => {
  it.each([
    [Object.assign(new Error('Navigation timeout of 3000 ms exceeded'), { name: 'TimeoutError' }), true, 'timeout'],
    [new Error('net::ERR_CERT_AUTHORITY_INVALID at https://a.test/'), true, 'tls-handshake'],
    [new Error('net::ERR_CONNECTION_REFUSED'), true, 'refused'], [new Error('net::ERR_TUNNEL_CONNECTION_FAILED'), true, 'unreachable'],
    [new Error('Target closed'), false, 'client-limitation'], [new Error('Protocol error'), true, 'client-limitation'],
    [new ProbeError('client-limitation', 'browser', 'missing'), true, 'client-limitation'],
  ] as const)('%s (browser connected: %s) is %s', (err, connected, reason) => expect(visitFailure(err, 'https://a.test/', connected).reason).toBe(reason));
  it('reads browser: with its defaults, and --browser switches it on', () => {
    const problems: string[] = [];
    expect(readBrowser(undefined, '/etc/vouch', undefined, problems)).toEqual({ enabled: false, pagesInFlight: 4, pageTimeoutMs: 15000, executablePath: '/usr/bin/chromium' });
    expect(readBrowser({ executablePath: 'bin/chrome', pagesInFlight: 8 }, '/etc/vouch', true, problems)).toMatchObject({ enabled: true, pagesInFlight: 8, executablePath: '/etc/vouch/bin/chrome' });
    expect(problems).toEqual([]);
    readBrowser({ pagesInFlight: 0, extra: 1 }, '/', undefined, problems);
    expect(problems).toHaveLength(2);
  });
  it('reads thirdParties: host globs with a purpose, both required', () => {
    const problems: string[] = [];
    expect(readThirdParties([{ host: '*.Chat.example', purpose: 'chat' }], 'defaults.thirdParties', problems)).toEqual([{ host: '*.chat.example', purpose: 'chat' }]);
    readThirdParties([{ host: 'a' }, { purpose: 'b' }, 'c'], 'defaults.thirdParties', problems);
    expect(problems).toEqual(['defaults.thirdParties[0].purpose: required', 'defaults.thirdParties[1].host: required', expect.stringContaining('defaults.thirdParties[2]')]);
  });
});
