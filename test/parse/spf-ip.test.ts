import { describe, expect, it } from 'vitest';
import { checkHostDomainProblem, isTopLabel } from '../../src/parse/spf/domain.ts';
import { dottedIp, formatIp, inPrefix, parseClientIp, parseIp4, parseIp6, reverseName } from '../../src/parse/spf/ip.ts';

describe('IP text (RFC 7208 5.6, RFC 4291 2.2)', () => {
  it.each([
    ['192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['1.2.3', null], // RFC 7208 5.6/4: no omitted octets
    ['01.2.3.4', null], // qnum has no leading zeros
    ['256.1.1.1', null],
    ['1.2.3.4:25', null],
  ])('parseIp4(%j)', (text, expected) => {
    expect(parseIp4(text)).toEqual(expected);
  });

  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['::', '::'],
    ['::1.1.1.1', '::101:101'],
    ['CAFE:BABE:8000::', 'cafe:babe:8000::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // RFC 5952 4.2.3: the first of equal zero runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // RFC 5952 4.2.2: a single zero group stays
  ])('parseIp6(%j) formats as %j', (text, expected) => {
    expect(formatIp({ family: 6, bytes: parseIp6(text)! })).toBe(expected);
  });

  it.each([':CAFE::BABE', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '::1.2.3', '1.2.3.4'])(
    'parseIp6(%j) -> null', (text) => {
      expect(parseIp6(text)).toBeNull();
    },
  );

  it('treats an IPv4-mapped IPv6 client as IPv4 (RFC 7208 5)', () => {
    expect(parseClientIp('::FFFF:1.2.3.4')).toEqual({ family: 4, bytes: [1, 2, 3, 4] });
    expect(parseClientIp('::ffff:102:304')).toEqual({ family: 4, bytes: [1, 2, 3, 4] });
    expect(parseClientIp('2001:db8::1')?.family).toBe(6);
    expect(parseClientIp('not an ip')).toBeNull();
  });

  it('matches CIDR prefixes bit by bit', () => {
    expect(inPrefix([192, 0, 2, 130], [192, 0, 2, 128], 25)).toBe(true);
    expect(inPrefix([192, 0, 2, 127], [192, 0, 2, 128], 25)).toBe(false);
    expect(inPrefix([10, 0, 0, 1], [192, 0, 2, 1], 0)).toBe(true);
    expect(inPrefix([1, 2, 3, 4], parseIp6('::1')!, 0)).toBe(false); // families never meet
  });

  it('builds the reverse names and the i macro', () => {
    expect(reverseName(parseClientIp('192.0.2.3')!)).toBe('3.2.0.192.in-addr.arpa');
    expect(reverseName(parseClientIp('2001:db8::cb01')!)).toBe('1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
    expect(dottedIp(parseClientIp('192.0.2.3')!)).toBe('192.0.2.3');
  });
});

describe('domains (RFC 7208 4.3, 7.1)', () => {
  it.each([
    ['example.com', null],
    ['example.com.', null],
    ['a.example.xn--zckzah', null],
    ['A2345678', '"A2345678" is not a multi-label domain name'],
    ['[1.2.3.5]', '"[1.2.3.5]" does not end in a valid top-level label'], // a domain literal: none
    ['A...example.com', 'domain name "A...example.com" has an empty label'],
    [`${'a'.repeat(64)}.example.com`, `domain name "${'a'.repeat(64)}.example.com" has a label longer than 63 octets`],
    ['', 'empty domain name'],
  ])('checkHostDomainProblem(%j) -> %j', (domain, problem) => {
    expect(checkHostDomainProblem(domain)).toBe(problem);
  });

  it.each([['com', true], ['xn--zckzah', true], ['123', false], ['-com', false], ['com-', false], ['1-2', true]])(
    'isTopLabel(%j) -> %s', (label, expected) => {
      expect(isTopLabel(label)).toBe(expected);
    },
  );
});
