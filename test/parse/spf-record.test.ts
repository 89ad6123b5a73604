import { describe, expect, it } from 'vitest';
import { isSpfRecord, parseSpfRecord } from '../../src/parse/spf/record.ts';
import type { SpfMechanism, SpfRecord } from '../../src/parse/spf/record.ts';

function parsed(text: string): SpfRecord {
  const result = parseSpfRecord(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${result.problem}`);
  return result.record;
}

function only(text: string): SpfMechanism {
  const [mechanism] = parsed(`v=spf1 ${text}`).mechanisms;
  if (!mechanism) throw new Error('no mechanism');
  return mechanism;
}

describe('isSpfRecord (RFC 7208 4.5)', () => {
  it.each([
    ['v=spf1 -all', true],
    ['v=spf1', true], // version alone: an empty policy, neutral
    ['V=SpF1 ~all', true], // ABNF literals are case-insensitive
    ['v=spf10', false], // the version must end at a space or the end
    ['v=spf1mx', false], // TXT strings glued without a space (3.3) do not make a record
    [' v=spf1 -all', false],
    ['v=spf2.0/pra -all', false], // Sender ID, not SPF
    ['google-site-verification=abc', false],
  ])('%j -> %s', (text, expected) => {
    expect(isSpfRecord(text)).toBe(expected);
  });
});

describe('parseSpfRecord: valid terms', () => {
  it('splits on one or more spaces and keeps trailing spaces harmless (4.6.1, 12: record = version terms *SP)', () => {
    expect(parsed('v=spf1  a   -all ').mechanisms.map((m) => m.text)).toEqual(['a', '-all']);
  });

  it.each([
    ['all', { kind: 'all', qualifier: '+' }],
    ['-all', { kind: 'all', qualifier: '-' }],
    ['~ALL', { kind: 'all', qualifier: '~' }], // mechanism names are case-insensitive
    ['?all', { kind: 'all', qualifier: '?' }],
    ['a', { kind: 'a', domainSpec: null, cidr4: 32, cidr6: 128 }],
    ['a/24', { kind: 'a', cidr4: 24, cidr6: 128 }],
    ['a//64', { kind: 'a', cidr4: 32, cidr6: 64 }],
    ['a/24//64', { kind: 'a', cidr4: 24, cidr6: 64 }], // 5.3 dual-cidr-length
    ['mx:mail.example.com/28', { kind: 'mx', cidr4: 28 }],
    ['ptr', { kind: 'ptr', domainSpec: null }],
    ['ip4:192.0.2.0/24', { kind: 'ip4', network: [192, 0, 2, 0], cidr4: 24 }],
    ['ip4:192.0.2.1', { kind: 'ip4', cidr4: 32 }],
    ['ip6:2001:db8::/32', { kind: 'ip6', cidr6: 32 }],
    ['ip6:::ffff:192.0.2.1', { kind: 'ip6', cidr6: 128 }], // embedded IPv4 text (RFC 4291 2.2)
    ['exists:%{ir}.%{l1r+-}._spf.%{d}', { kind: 'exists' }],
    ['include:_spf.example.com', { kind: 'include' }],
  ])('%s', (text, expected) => {
    expect(only(text)).toMatchObject(expected);
  });

  it('takes the CIDR suffix from the end, so "/" and ":" may appear inside a domain-spec (7.1)', () => {
    expect(only('a:foo:bar/baz.example.com')).toMatchObject({ cidr4: 32, domainSpec: { text: 'foo:bar/baz.example.com' } });
    expect(only('a:foo.example.com/24')).toMatchObject({ cidr4: 24, domainSpec: { text: 'foo.example.com' } });
  });

  it('reads redirect, exp and unknown modifiers (6)', () => {
    const record = parsed('v=spf1 moo.cow-far_out=man:dog/cat REDIRECT=_spf.example.com exp=explain.%{d}');
    expect(record.redirect?.value.text).toBe('_spf.example.com');
    expect(record.exp?.value.text).toBe('explain.%{d}');
    expect(record.terms.map((t) => (t.type === 'modifier' ? t.name : t.kind))).toEqual(['moo.cow-far_out', 'redirect', 'exp']);
  });

  it('accepts an IDN top-level label (7.1 toplabel may contain inner hyphens)', () => {
    expect(only('a:foo.example.xn--zckzah').kind).toBe('a');
  });
});

describe('parseSpfRecord: exact problems', () => {
  it.each([
    ['v=spf1 foo', 'unknown mechanism "foo"'],
    ['v=spf1 ip4:1.2.3.4 -all moo', 'unknown mechanism "moo"'], // 4.6: errors anywhere are detected
    ['v=spf1 redirect:example.com', 'unknown mechanism "redirect"'], // redirect is a modifier
    ['v=spf1 1up=foo', 'invalid modifier name in "1up=foo" (RFC 7208 12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ))'],
    ['v=spf1 moo.cow/far_out=man:dog/cat', 'invalid modifier name in "moo.cow/far_out=man:dog/cat" (RFC 7208 12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ))'],
    ['v=spf1 ip4:1.2.3.4/33', 'invalid ip4 cidr /33'], // 5.6: beyond the address size
    ['v=spf1 ip4:1.2.3.4/032', 'invalid ip4 cidr /032'], // 12: no leading zeros
    ['v=spf1 ip4:1.2.3.4//32', 'invalid ip4 cidr //32'], // no dual CIDR on ip4
    ['v=spf1 ip6:::1/129', 'invalid ip6 cidr /129'],
    ['v=spf1 a/33', 'invalid ip4 cidr /33'],
    ['v=spf1 mx//129', 'invalid ip6 cidr //129'],
    ['v=spf1 ip4:1.2.3', 'invalid ip4 address "1.2.3" in "ip4:1.2.3" (RFC 7208 5.6)'], // 5.6/4: no omitted octets
    ['v=spf1 ip4:1.2.3.4:8080', 'invalid ip4 address "1.2.3.4:8080" in "ip4:1.2.3.4:8080" (RFC 7208 5.6)'],
    ['v=spf1 ip6::CAFE::BABE', 'invalid ip6 address ":CAFE::BABE" in "ip6::CAFE::BABE" (RFC 7208 5.6)'],
    ['v=spf1 ip4', 'ip4 needs an address ("ip4:<address>[/<prefix>]"), got "ip4"'],
    ['v=spf1 -all.', 'unknown mechanism "all."'],
    ['v=spf1 -all:foo', '"all" takes no argument, got "-all:foo" (RFC 7208 5.1)'],
    ['v=spf1 include', '"include" needs ":<domain-spec>", got "include" (RFC 7208 5)'],
    ['v=spf1 exists', '"exists" needs ":<domain-spec>", got "exists" (RFC 7208 5)'],
    ['v=spf1 ptr/0', '"ptr" needs ":<domain-spec>", got "ptr/0" (RFC 7208 5)'],
    ['v=spf1 a:', 'empty domain-spec in "a:" (RFC 7208 5)'],
    ['v=spf1 a/24/64', 'invalid "a" term "a/24/64"'],
    ['v=spf1 a:museum', 'a: domain-spec "museum" must end in a macro or in "." and a valid top-level label (RFC 7208 7.1)'],
    ['v=spf1 a:abc.123', 'a: domain-spec "abc.123" must end in a macro or in "." and a valid top-level label (RFC 7208 7.1)'],
    ['v=spf1 include:x.example.com/24', 'include: domain-spec "x.example.com/24" must end in a macro or in "." and a valid top-level label (RFC 7208 7.1)'],
    ['v=spf1 redirect=', 'redirect= needs a domain-spec (RFC 7208 6.1)'],
    ['v=spf1 exp=', 'exp= needs a domain-spec (RFC 7208 6.2)'],
    ['v=spf1 exp=%{r}.example.com', 'exp=: macro "%{r}" is only allowed in explanation text (RFC 7208 7.2)'],
    ['v=spf1 foo=%abc', 'foo=: "%" must be followed by "{", "%", "_" or "-" in "%abc" (RFC 7208 7.1)'],
    ['v=spf1 redirect=a.example.com redirect=b.example.com', 'redirect= appears 2 times; at most once is allowed (RFC 7208 6)'], // 6.1
    ['v=spf1 exp=a.example.com -all exp=b.example.com', 'exp= appears 2 times; at most once is allowed (RFC 7208 6)'], // 6.2
    ['v=spf1 a:ctrl.example.com\rptr', 'invalid character U+000D in "a:ctrl.example.com\\rptr" (RFC 7208 12: visible ASCII only)'], // 4.6.1: only SP separates
    ['v=spf1 a:\u00ef\u00bb\u00bfgarbage.example.net', 'invalid character U+00EF in "a:ï»¿garbage.example.net" (RFC 7208 12: visible ASCII only)'],
    ['v=spf1 a:foo.example.com\u0000', 'invalid character U+0000 in "a:foo.example.com\\u0000" (RFC 7208 12: visible ASCII only)'],
    ['v=spf10 -all', 'record does not start with "v=spf1" (RFC 7208 4.5)'],
  ])('%j -> %s', (text, problem) => {
    const result = parseSpfRecord(text);
    expect(result).toMatchObject({ ok: false, problem });
  });

  it('lists every problem, not just the first', () => {
    const result = parseSpfRecord('v=spf1 foo ip4:1.2.3.4/40 bar');
    expect(result.ok ? [] : result.problems).toEqual(['unknown mechanism "foo"', 'invalid ip4 cidr /40', 'unknown mechanism "bar"']);
  });
});
