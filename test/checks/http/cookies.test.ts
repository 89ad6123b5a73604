import { describe, expect, it } from 'vitest';
import { cookiesCheck, SESSION_LIKE } from '../../../checks/http/cookies.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../../src/probes/types.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { LANDING, landing, noAddresses, site, timeoutOn, twoAddresses, unreachable } from './site.ts';

const run = (cookies?: readonly string[]) => cookiesCheck.run(contextFor(landing(cookies ? { 'set-cookie': cookies } : {})));

describe('http.cookies', () => {
  it.each([
    [undefined, 'pass', 'No cookies are set by the landing page or configured URLs'],
    [['sid=1; Secure; HttpOnly; SameSite=Lax', 'lang=nl; Secure; SameSite=Strict'], 'pass', '2 cookie(s), all Secure with SameSite'],
    [['sid=1; Max-Age=0'], 'pass', 'No cookies are set (only deletions, or values browsers ignore)'],                               // a deletion is not judged
    [['lang=nl; SameSite=Lax'], 'fail', 'Cookies: "lang" lacks Secure (1 cookie(s) judged)'],
    [['PHPSESSID=1; Secure; SameSite=Lax'], 'fail', 'Cookies: "PHPSESSID" is session-like but lacks HttpOnly (1 cookie(s) judged)'],
    [['track=1; SameSite=None'], 'fail', 'Cookies: "track" lacks Secure; "track" has SameSite=None without Secure (1 cookie(s) judged)'], // RFC 6265bis §5.7
    [['XSRF-TOKEN=1; Secure; SameSite=Strict'], 'pass', '1 cookie(s), all Secure with SameSite'],           // anti-CSRF: read by scripts on purpose
    [['lang=nl; Secure'], 'warn', 'Cookies: "lang" has no SameSite'],
    [['lang=nl; Secure; SameSite=Relaxed'], 'warn', 'Cookies: "lang" has an invalid SameSite=Relaxed'],     // §5.6.7: treated as Default
    [['__Host-id=1; Secure; SameSite=Lax; Path=/; Domain=example.nl'], 'warn',
      'Cookies: "__Host-id" breaks its prefix rule (__Host- forbids Domain); browsers reject it'],           // §4.1.3.2
    [['__Secure-id=1; SameSite=Lax'], 'fail', 'Cookies: "__Secure-id" lacks Secure (1 cookie(s) judged)'],
    [['a=1', 'b=2', 'c=3', 'd=4'], 'fail', 'Cookies: "a" lacks Secure; "b" lacks Secure; "c" lacks Secure (+1 more) (4 cookie(s) judged)'],
  ] as const)('%j -> %s', async (cookies, status, summary) => {
    expect(await run(cookies)).toMatchObject({ status, summary });
  });

  it.each([
    ['PHPSESSID', true], ['connect.sid', true], ['auth_token', true], ['wp_login', true], ['JSESSIONID', true],
    ['sidebar', false], ['lang', false], ['_ga', false],
  ])('%s session-like: %s', (name, expected) => {
    expect(SESSION_LIKE.test(name)).toBe(expected);
  });

  it('judges cookies from redirect hops and configured URLs, and says where each came from', async () => {
    const { probes } = site({
      [LANDING]: { status: 302, headers: { location: ['/home'], 'set-cookie': ['first=1; Secure; SameSite=Lax'] } },
      'https://example.nl/home': { headers: { 'set-cookie': ['second=2; Secure; SameSite=Lax'] } },
      'https://example.nl/login': { headers: { 'set-cookie': ['session=3; Secure; SameSite=Lax'] } },
    });
    const outcome = await cookiesCheck.run(contextFor(probes, { urls: ['https://example.nl/login'] }));
    expect(outcome).toMatchObject({
      status: 'fail', summary: 'Cookies: "session" is session-like but lacks HttpOnly (3 cookie(s) judged)',
      evidence: {
        sessionLikeNames: 'sess, sid, auth, token, login (names with csrf/xsrf excluded)',
        cookies: [
          { url: LANDING, name: 'first', secure: true, httpOnly: false, sameSite: 'lax', findings: [] },
          { url: 'https://example.nl/home', name: 'second' },
          { url: 'https://example.nl/login', name: 'session', findings: ['fail: is session-like but lacks HttpOnly'], endpoints: ['example.nl:443 (192.0.2.1)'] },
        ],
        cookiesOmitted: 0,
      },
    });
  });

  it('notes a Set-Cookie that browsers ignore', async () => {
    expect(await run(['=', 'ok=1; Secure; SameSite=Lax'])).toMatchObject({
      status: 'pass', summary: '1 cookie(s), all Secure with SameSite',
      evidence: { cookies: [{ setCookie: '=', findings: ['note: ignored by browsers: empty name and value'] }, { name: 'ok' }] },
    });
  });

  it('reports error, not a false fail, when the probe cut a cookie before its attributes', async () => {
    expect(await run([`jwt=${'x'.repeat(MAX_HEADER_VALUE_CHARS)}`.slice(0, MAX_HEADER_VALUE_CHARS) + TRUNCATION_MARK])).toMatchObject({ status: 'error', reason: 'client-limitation' });
  });

  it('handles 10,000 Set-Cookie values, keeping 100 in evidence', { timeout: 2000 }, async () => {
    const outcome = await run(Array.from({ length: 10_000 }, (_, i) => `c${i}=v; Secure; SameSite=Lax`));
    expect(outcome).toMatchObject({ status: 'pass', evidence: { cookiesOmitted: 9_900 } });
    expect(outcome.status === 'pass' && outcome.evidence['cookies']).toHaveLength(100);
  });

  it('fails without addresses', async () => {
    expect((await cookiesCheck.run(contextFor(site({}, { endpoints: noAddresses }).probes))).status).toBe('fail');
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await cookiesCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it.each([
    ['sid=1; Secure; HttpOnly; SameSite=Lax', 'error'], // a clean result with one address untested is no pass
    ['lang=nl; SameSite=Lax', 'fail'],                 // a fail seen on one address stands
  ] as const)('ranks a timeout on one address with the cookies of the other: %s -> %s', async (cookie, status) => {
    const probes = timeoutOn('2001:db8::1', site({ [LANDING]: { headers: { 'set-cookie': [cookie] } } }, { endpoints: twoAddresses }).probes);
    expect(await cookiesCheck.run(contextFor(probes))).toMatchObject({
      status, evidence: { cookies: [{ endpoints: ['example.nl:443 (192.0.2.1)'] }], unfetched: [{ endpoint: 'example.nl:443 (2001:db8::1)', status: 'error' }] },
    });
  });

  describe('every cookie is judged, and a set the probe could not keep whole never passes', () => {
    const secure = (n: number) => Array.from({ length: n }, (_, i) => `c${i}=${i}; Secure; SameSite=Lax`);

    it('fails 5,000 cookies whose last one lacks Secure, and counts all 5,000', async () => {
      const outcome = await run([...secure(4_999), 'c4999=4999; SameSite=Lax']);
      expect(outcome).toMatchObject({ status: 'fail', summary: 'Cookies: "c4999" lacks Secure (5000 cookie(s) judged)', evidence: { cookiesJudged: 5_000 } });
    });

    it('is error (client-limitation) when the probe dropped Set-Cookie values, not a pass', async () => {
      const probes = landing({ 'set-cookie': secure(3) }, { headersTruncated: true, droppedHeaderValues: { 'set-cookie': 7 } });
      const outcome = await cookiesCheck.run(contextFor(probes));
      expect(outcome).toMatchObject({
        status: 'error', reason: 'client-limitation',
        summary: `Cookies: 7 more Set-Cookie value(s) on ${LANDING} were not read: the HTTP probe keeps 1048576 bytes of one header, so they cannot be judged`,
        evidence: { cookiesJudged: 3, notRead: [{ url: LANDING, dropped: 7 }] },
      });
    });

    it('still fails on a finding in the part that was kept, and counts what was not read', async () => {
      const probes = landing({ 'set-cookie': ['lang=nl; SameSite=Lax'] }, { headersTruncated: true, droppedHeaderValues: { 'set-cookie': 7 } });
      expect(await cookiesCheck.run(contextFor(probes))).toMatchObject({ status: 'fail', summary: 'Cookies: "lang" lacks Secure (1 cookie(s) judged, 7 more not read)' });
    });
  });
});
