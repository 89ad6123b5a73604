import { describe, expect, it } from 'vitest';
import { isDeletion, parseCookieDate, parseSetCookie } from '../../src/parse/set-cookie.ts';
import type { SetCookie } from '../../src/parse/set-cookie.ts';

const cookie = (raw: string): SetCookie => {
  const parsed = parseSetCookie(raw);
  if (!parsed.ok) throw new Error(`expected ${raw} to parse: ${parsed.problem}`);
  return parsed.cookie;
};

describe('parseSetCookie (RFC 6265bis §5.6)', () => {
  it('reads name, value and flags', () => {
    expect(cookie('sid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax')).toMatchObject({
      name: 'sid', value: 'abc123', path: '/', secure: true, httpOnly: true, sameSite: 'lax', domain: null, prefix: null,
    });
  });

  it.each([
    ['a=b; samesite=STRICT', 'strict', 'STRICT'],      // §5.6.7: case-insensitive
    ['a=b; SameSite=None; Secure', 'none', 'None'],
    ['a=b; SameSite=Lax', 'lax', 'Lax'],
    ['a=b; SameSite=Relaxed', 'invalid', 'Relaxed'],   // unknown value: enforced as "Default"
    ['a=b; SameSite', 'invalid', ''],                  // present without a value
    ['a=b', null, null],                               // absent
    ['a=b; SameSite=Strict; SameSite=None', 'none', 'None'], // §5.7: the last attribute of a name counts
  ])('%s -> SameSite %s', (raw, sameSite, sameSiteRaw) => {
    expect(cookie(raw)).toMatchObject({ sameSite, sameSiteRaw });
  });

  it.each([
    ['  a = b  ; secure', 'a', 'b'],                   // step 4: leading and trailing WSP removed
    ['justavalue', '', 'justavalue'],                  // step 3: no "=" gives a nameless cookie
    ['=v', '', 'v'],
    ['a=b=c', 'a', 'b=c'],                             // the value runs to the ";" and may contain "="
    ['a="quoted"', 'a', '"quoted"'],                   // quotes are part of the value
  ])('%j -> name %j value %j', (raw, name, value) => {
    expect(cookie(raw)).toMatchObject({ name, value });
  });

  it.each([
    ['a=b\x01c', 'contains a control character'],      // step 1
    ['a=b\nSet-Cookie: c=d', 'contains a control character'],
    ['=', 'empty name and value'],
    [`a=${'x'.repeat(4096)}`, 'name and value exceed 4096 octets (§5.6 step 5)'],
  ])('%j is ignored entirely', (raw, problem) => {
    expect(parseSetCookie(raw)).toEqual({ ok: false, problem });
  });

  it('allows HTAB, which is not a control character for §5.6 step 1', () => {
    expect(cookie('a=b\t; Secure').secure).toBe(true);
  });

  it.each([
    ['a=b; Domain=.Example.NL', 'example.nl'],         // §5.6.3: leading "." dropped, lower-cased
    ['a=b; Domain=', null],                            // empty: the attribute is ignored
  ])('%s -> domain %s', (raw, domain) => {
    expect(cookie(raw).domain).toBe(domain);
  });

  it.each([
    ['a=b; Path=/app', '/app'],
    ['a=b; Path=app', null],                           // §5.6.4: not starting with "/" means the default path
    ['a=b; Path=', null],
  ])('%s -> path %s', (raw, path) => {
    expect(cookie(raw).path).toBe(path);
  });

  it.each([
    ['a=b; Max-Age=3600', 3600],
    ['a=b; Max-Age=-1', -1],
    ['a=b; Max-Age=+5', null],                         // §5.6.2: must start with a DIGIT or "-"
    ['a=b; Max-Age=1h', null],
    [`a=b; Max-Age=${'9'.repeat(400)}`, Number.MAX_SAFE_INTEGER], // valid but huge: kept finite for JSON
  ])('%s -> maxAge %s', (raw, maxAge) => {
    expect(cookie(raw).maxAge).toBe(maxAge);
  });

  it('reads Expires and ignores an unparseable one', () => {
    expect(cookie('a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT').expires).toBe('2015-10-21T07:28:00.000Z');
    const bad = cookie('a=b; Expires=tomorrow');
    expect([bad.expires, bad.ignored]).toEqual([null, ['Expires=tomorrow']]);
  });

  it('ignores attribute values over 1024 octets and unknown attributes', () => {
    const c = cookie(`a=b; Path=/${'p'.repeat(1100)}; Priority=High; Secure`);
    expect([c.path, c.secure, c.ignored]).toEqual([null, true, ['Path (value over 1024 octets)', 'Priority']]);
  });

  it('reads Partitioned', () => {
    expect(cookie('a=b; Secure; Partitioned').partitioned).toBe(true);
  });
});

describe('cookie prefixes (RFC 6265bis §4.1.3)', () => {
  it.each([
    ['__Secure-id=1; Secure', '__Secure-', []],
    ['__Secure-id=1', '__Secure-', ['__Secure- requires Secure']],
    ['__Host-id=1; Secure; Path=/', '__Host-', []],
    ['__Host-id=1; Secure; Path=/; Domain=example.nl', '__Host-', ['__Host- forbids Domain']],
    ['__Host-id=1; Secure', '__Host-', ['__Host- requires Path=/']],
    ['__Host-id=1; Path=/app', '__Host-', ['__Host- requires Secure', '__Host- requires Path=/']],
    ['__HOST-id=1; Path=/', '__Host-', ['__Host- requires Secure']], // §5.7: prefixes match case-insensitively
    ['=__Secure-x; Secure', null, ['a nameless cookie may not have a value starting with a prefix']],
  ])('%s', (raw, prefix, problems) => {
    expect(cookie(raw)).toMatchObject({ prefix, prefixProblems: problems });
  });
});

describe('parseCookieDate (RFC 6265bis §5.1.1)', () => {
  it.each([
    ['Wed, 21 Oct 2015 07:28:00 GMT', '2015-10-21T07:28:00.000Z'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37.000Z'], // RFC 850: two-digit year 70-99 -> 19xx
    ['Sun Nov  6 08:49:37 2044', '2044-11-06T08:49:37.000Z'],       // asctime order
    ['06 nov 30 08:49:37', '2030-11-06T08:49:37.000Z'],             // 0-69 -> 20xx
    ['Wed, 31 Feb 2030 07:28:00 GMT', null],                        // no such day
    ['Wed, 21 Oct 1600 07:28:00 GMT', null],                        // year before 1601
    ['Wed, 21 Oct 2030 24:00:00 GMT', null],
    ['Wed, 21 Oct 2030', null],                                     // no time
    ['', null],
  ])('%j -> %s', (text, iso) => {
    expect(parseCookieDate(text)?.toISOString() ?? null).toBe(iso);
  });
});

describe('isDeletion', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it.each([
    ['a=; Max-Age=0', true],
    ['a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT', true],
    ['a=b; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT', false], // §5.7: Max-Age wins over Expires
    ['a=b', false],
  ])('%s -> %s', (raw, deleted) => {
    expect(isDeletion(cookie(raw), now)).toBe(deleted);
  });
});

describe('hostile input', () => {
  it('parses a 1 MB Set-Cookie value quickly and rejects it', { timeout: 2000 }, () => {
    expect(parseSetCookie(`a=${'x'.repeat(1_048_576)}`).ok).toBe(false);
    const manyAttributes = cookie(`a=b${'; X'.repeat(300_000)}; HttpOnly`);
    expect([manyAttributes.httpOnly, manyAttributes.ignored.length]).toEqual([true, 8]); // every attribute read, evidence capped
  });
  it('parses 10,000 Set-Cookie values quickly', { timeout: 2000 }, () => {
    const parsed = Array.from({ length: 10_000 }, (_, i) => parseSetCookie(`c${i}=v${i}; Secure; HttpOnly; SameSite=Lax; Path=/; Expires=Wed, 21 Oct 2030 07:28:00 GMT`));
    expect(parsed.every((p) => p.ok)).toBe(true);
  });
});
