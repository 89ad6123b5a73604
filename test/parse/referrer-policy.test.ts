import { describe, expect, it } from 'vitest';
import { extractMetaReferrer, parseReferrerPolicy } from '../../src/parse/referrer-policy.ts';

describe('parseReferrerPolicy (Referrer Policy §8.1, §11.1)', () => {
  it.each([
    [['no-referrer'], 'no-referrer'],
    [['STRICT-ORIGIN'], 'strict-origin'],                                    // case-insensitive, as browsers and the Observatory
    [['strict-origin-when-cross-origin '], 'strict-origin-when-cross-origin'],
    [['unsafe-url'], 'unsafe-url'],
    [['origin-when-cross-origin, no-referrer, unsafe-url'], 'unsafe-url'], // the last valid token wins
    [['no-referrer, unsafe-url'], 'unsafe-url'],
    [['no-referrer, whimsy'], 'no-referrer'],                                // §11.1: unknown tokens are skipped (fallbacks)
    [['no-referrer', 'strict-origin'], 'strict-origin'],                     // repeated headers form one list
    [['whimsy', 'no-referrer'], 'no-referrer'],                              // §8.1: an invalid field value before a valid one
    [['no-referrer', 'whimsy'], 'no-referrer'],                              // ... and after it: the valid token still wins
    [['whimsy, whimsy1, whimsy2'], null],
    [[''], null],
    [[], null],
  ])('%j -> %s', (values, policy) => {
    expect(parseReferrerPolicy(values).policy).toBe(policy);
  });

  it('counts tokens and keeps unknown ones for evidence', () => {
    expect(parseReferrerPolicy([' , whimsy,,no-referrer'])).toEqual({ policy: 'no-referrer', unknown: ['whimsy'], tokens: 2 });
  });

  it('handles a 1 MB header value quickly', { timeout: 2000 }, () => {
    const parsed = parseReferrerPolicy([`${'x,'.repeat(524_288)}no-referrer`]);
    expect([parsed.policy, parsed.unknown.length]).toEqual(['no-referrer', 16]);
  });
});

describe('extractMetaReferrer (HTML §4.2.5.1)', () => {
  it.each([
    ['<meta name="referrer" content="no-referrer">', { content: 'no-referrer', policy: 'no-referrer' }],
    ['<meta name="Referrer" content="UNSAFE-URL">', { content: 'unsafe-url', policy: 'unsafe-url' }],
    ['<meta name="referrer" content="never">', { content: 'never', policy: 'no-referrer' }],          // legacy keyword
    ['<meta name="referrer" content="always">', { content: 'always', policy: 'unsafe-url' }],
    ['<meta name="referrer" content="default">', { content: 'default', policy: 'strict-origin-when-cross-origin' }],
    ['<meta name="referrer" content="whimsy">', { content: 'whimsy', policy: null }],
    ['<meta name="referrer" content="">', { content: '', policy: null }],                              // empty: no change
    ['<meta name="referrer" content="whimsy"><meta name="referrer" content="same-origin">', { content: 'same-origin', policy: 'same-origin' }],
    ['<meta name="referrer" content="same-origin"><meta name="referrer" content="whimsy">', { content: 'same-origin', policy: 'same-origin' }],
    ['<meta name="referrer" content="same-origin"><meta name="referrer" content="origin">', { content: 'origin', policy: 'origin' }],
    ['<meta name="description" content="no-referrer">', null],
    ['<title>x</title>', null],
  ])('%s', (html, expected) => {
    expect(extractMetaReferrer(html)).toEqual(expected);
  });
});
