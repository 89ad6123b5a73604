import { describe, expect, it } from 'vitest';
import { parseClientIp } from '../../src/parse/spf/ip.ts';
import { expandDomainSpec, expandMacroString, macroValues, parseMacroString, urlEscape, usesMacro } from '../../src/parse/spf/macro.ts';
import type { MacroContext, MacroValues } from '../../src/parse/spf/macro.ts';

/** RFC 7208 7.4's worked example: sender strong-bad@email.example.com from 192.0.2.3 (or 2001:db8::cb01). */
function exampleValues(ip = '192.0.2.3', overrides: Partial<MacroValues> = {}): MacroValues {
  const client = parseClientIp(ip)!;
  return {
    ...macroValues({
      sender: 'strong-bad@email.example.com', domain: 'email.example.com', ip: client, helo: 'mx.example.org',
      validatedName: 'mx.example.org', receiver: 'receiver.example.net', now: new Date('2026-06-01T00:00:00Z'),
    }),
    ...overrides,
  };
}

function expand(text: string, context: MacroContext = 'domain-spec', values = exampleValues()): string {
  const parsed = parseMacroString(text, context);
  if (!parsed.ok) throw new Error(parsed.problem);
  return expandMacroString(parsed.value, values);
}

describe('macro expansion: RFC 7208 7.4 examples', () => {
  it.each([
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'], // more parts asked than exist: all of them
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'], // the DIGIT transformer keeps right-hand parts
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'], // r reverses
    ['%{d2r}', 'example.email'], // reverse first, then keep the right-hand two
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'], // split on "-", rejoin with "."
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
  ])('%s -> %s', (text, expected) => {
    expect(expand(text)).toBe(expected);
  });

  it('expands %{ir} for IPv6 to reversed lower-case nibbles (7.4)', () => {
    expect(expand('%{ir}.%{v}._spf.%{d2}', 'domain-spec', exampleValues('2001:db8::cb01')))
      .toBe('1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com');
  });
});

describe('macro expansion: escapes, letters and transformers', () => {
  it.each([
    ['%%', '%'], // 7.1: "%%" is a literal percent
    ['%_', ' '], // "%_" a space
    ['%-', '%20'], // "%-" a URL-encoded space
    ['macro%%percent%_%_space%-url-space.example.com', 'macro%percent  space%20url-space.example.com'],
    ['%{h}', 'mx.example.org'],
    ['%{p}', 'mx.example.org'],
    ['%{v}', 'in-addr'],
    ['%{i}', '192.0.2.3'],
    ['%{l2r+-}', 'bad.strong'], // several delimiters at once (7.1 *delimiter)
    ['%{d2.}', 'example.com'],
  ])('%s -> %j', (text, expected) => {
    expect(expand(text)).toBe(expected);
  });

  it.each([
    ['%{c}', '192.0.2.3'],
    ['%{r}', 'receiver.example.net'],
    ['%{t}', '1780272000'], // seconds since the epoch
    ['Connections from %{c} not authorized.', 'Connections from 192.0.2.3 not authorized.'],
  ])('explanation text %s -> %j (c, r, t are exp-only, 7.2)', (text, expected) => {
    expect(expand(text, 'explain-string')).toBe(expected);
  });

  it('writes %{c} for IPv6 in RFC 5952 form', () => {
    expect(expand('%{c}', 'explain-string', exampleValues('2001:DB8:0:0:0:0:0:CB01'))).toBe('2001:db8::cb01');
  });

  it('splits a local-part on "-" and "+" for %{l2r+-} (7.3)', () => {
    expect(expand('%{l2r+-}.user.%{d2}', 'domain-spec', exampleValues('192.0.2.3', { l: 'foo-bar+zip+quux' }))).toBe('bar.foo.user.example.com');
  });

  it('URL-escapes upper-case macros outside RFC 3986 unreserved (7.3)', () => {
    expect(expand('%{L}', 'domain-spec', exampleValues('192.0.2.3', { l: '~jack&jill=up-a_b3.c' }))).toBe('~jack%26jill%3Dup-a_b3.c');
    expect(urlEscape("JUMPIN' JUPITER")).toBe('JUMPIN%27%20JUPITER');
  });

  it('drops labels from the left until a domain name fits 253 characters (7.3)', () => {
    const parsed = parseMacroString('%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com', 'domain-spec');
    if (!parsed.ok) throw new Error(parsed.problem);
    const name = expandDomainSpec(parsed.value, exampleValues('192.0.2.3', { o: 'somewhat.long.exp.example.com' }));
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name.endsWith('.example.com.example.com')).toBe(true);
    expect(name.startsWith('somewhat.')).toBe(true);
  });

  it('drops one trailing dot from a domain-spec (7.3)', () => {
    const parsed = parseMacroString('%{d}.d.spf.example.com.', 'domain-spec');
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(expandDomainSpec(parsed.value, exampleValues())).toBe('email.example.com.d.spf.example.com');
  });

  it('knows which letters a string uses, so %{p} is resolved only when needed', () => {
    const parsed = parseMacroString('%{p}.ok.example.com', 'domain-spec');
    expect(parsed.ok && usesMacro(parsed.value, 'p')).toBe(true);
  });
});

describe('parseMacroString: exact problems (7.1)', () => {
  it.each<[string, MacroContext, string]>([
    ['%(ir).sbl.example.com', 'domain-spec', '"%" must be followed by "{", "%", "_" or "-" in "%(ir).sbl.example.com" (RFC 7208 7.1)'],
    ['foo%.sbl.example.com', 'domain-spec', '"%" must be followed by "{", "%", "_" or "-" in "foo%.sbl.example.com" (RFC 7208 7.1)'],
    ['%{a}.example.com', 'domain-spec', 'invalid macro "%{a}" (RFC 7208 7.1: %{<letter><digits>[r]<delimiters>})'],
    ['%{x}-files', 'explain-string', 'invalid macro "%{x}" (RFC 7208 7.1: %{<letter><digits>[r]<delimiters>})'],
    ['%{d0}.example.com', 'domain-spec', 'macro "%{d0}" keeps zero parts (RFC 7208 7.3)'],
    ['%{d2!}.example.com', 'domain-spec', 'invalid macro "%{d2!}" (RFC 7208 7.1: %{<letter><digits>[r]<delimiters>})'],
    ['%{d', 'domain-spec', 'unterminated macro "%{d"'],
    ['%{c}.example.com', 'domain-spec', 'macro "%{c}" is only allowed in explanation text (RFC 7208 7.2)'],
    ['%{t}.example.com', 'domain-spec', 'macro "%{t}" is only allowed in explanation text (RFC 7208 7.2)'],
    ['foo bar.example.com', 'domain-spec', 'invalid character U+0020 in "foo bar.example.com"'], // SP only in explain-string
    ['\u00ef\u00bb\u00bfExplanation', 'explain-string', 'invalid character U+00EF in "ï»¿Explanation"'], // 7-bit ASCII only
    ['foo-bar', 'domain-spec', 'domain-spec "foo-bar" must end in a macro or in "." and a valid top-level label (RFC 7208 7.1)'],
    ['example.-com', 'domain-spec', 'domain-spec "example.-com" must end in a macro or in "." and a valid top-level label (RFC 7208 7.1)'],
    ['', 'domain-spec', 'empty domain-spec'],
  ])('%j as %s -> %s', (text, context, problem) => {
    expect(parseMacroString(text, context)).toEqual({ ok: false, problem });
  });

  it.each<[string, MacroContext]>([
    ['%{H}.bar', 'domain-spec'], // ends in "." toplabel after a macro
    ['_spf.%{d}', 'domain-spec'], // ends in a macro
    ['example.com.', 'domain-spec'], // "." toplabel "." (7.1)
    ['foo.%%', 'domain-spec'], // "%%" is a macro-expand, so it may end a domain-spec
    ['The %{i} is not allowed.', 'explain-string'],
    ['%{c}', 'macro-string'],
  ])('%j is valid as %s', (text, context) => {
    expect(parseMacroString(text, context).ok).toBe(true);
  });
});
