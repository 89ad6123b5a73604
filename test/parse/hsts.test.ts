import { describe, expect, it } from 'vitest';
import { parseHsts } from '../../src/parse/hsts.ts';

describe('parseHsts', () => {
  it.each([
    { values: ['max-age=31536000; includeSubDomains; preload'], maxAge: 31536000, sub: true, preload: true },
    { values: ['MAX-AGE=10'], maxAge: 10, sub: false, preload: false },                  // 6.1: names are case-insensitive
    { values: ['max-age="600"; includesubdomains'], maxAge: 600, sub: true, preload: false }, // 6.1.1: quoted-string allowed
    { values: ['max-age=0'], maxAge: 0, sub: false, preload: false },
    { values: ['max-age=1; unknown=x'], maxAge: 1, sub: false, preload: false },          // 6.1: unknown directives ignored
    { values: ['max-age=5', 'max-age=0'], maxAge: 5, sub: false, preload: false },        // 8.1: only the first field counts
  ])('$values -> max-age $maxAge', ({ values, maxAge, sub, preload }) => {
    const parsed = parseHsts(values);
    expect(parsed).toMatchObject({ ok: true, policy: { maxAge, includeSubDomains: sub, preload } });
  });

  it.each([
    { values: [], problem: 'no Strict-Transport-Security header' },
    { values: ['includeSubDomains'], problem: 'max-age directive missing (RFC 6797 6.1.1)' },
    { values: ['max-age=1; max-age=2'], problem: 'directive "max-age" appears twice (RFC 6797 6.1)' },
    { values: ['max-age=-1'], problem: 'max-age "-1" is not a number of seconds' },
    { values: ['max-age=1e6'], problem: 'max-age "1e6" is not a number of seconds' },
    { values: ['max-age'], problem: 'max-age "" is not a number of seconds' },
    { values: ['max age=5'], problem: '"max age" is not a valid directive name' },
  ])('$values -> $problem', ({ values, problem }) => {
    expect(parseHsts(values)).toEqual({ ok: false, problem });
  });

  it('notes several header fields', () => {
    const parsed = parseHsts(['max-age=5', 'max-age=6']);
    expect(parsed.ok && parsed.notes[0]).toContain('RFC 6797 8.1');
  });

  it('stays fast and total on a 1 MB value', () => {
    expect(parseHsts([`max-age=1;${'x'.repeat(1_000_000)}`]).ok).toBe(true);
  });
});
