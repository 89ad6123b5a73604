import { describe, expect, it } from 'vitest';
import { isIpv6Address, parseUri } from '../../src/parse/uri.ts';

const problem = (text: string) => {
  const parsed = parseUri(text);
  return parsed.ok ? null : parsed.problem;
};

describe('parseUri (RFC 3986 §3, Appendix A)', () => {
  it.each([
    ['https://example.nl/.well-known/security.txt', '§3 scheme "://" authority path-abempty'],
    ['mailto:security@example.nl', '§3.3 path-rootless; "@" is a pchar'],
    ['mailto:security%40example.nl?subject=Vulnerability%20report', '§2.1 pct-encoded, §3.4 query'],
    ['tel:+31-20-1234567', '§3.3 path-rootless with sub-delims'],
    ['https://user:pw@example.nl:8443/a/b;c=d?x=1&y=/?#frag/?', '§3.2.1 userinfo, §3.2.3 port, §3.4/§3.5 "/" and "?"'],
    ['https://[2001:db8::1]/', '§3.2.2 IP-literal IPv6address'],
    ['https://[::ffff:192.0.2.1]:443/', '§3.2.2 IPv6address with ls32 as IPv4address'],
    ['https://[v1.fe80::a+en1]/', '§3.2.2 IPvFuture'],
    ['https://192.0.2.1/', '§3.2.2 IPv4address'],
    ['https://999.0.2.1/', '§3.2.2 not an IPv4address, but a valid reg-name'],
    ['file:///etc/hosts', '§3.2.2 empty reg-name'],
    ['urn:ietf:rfc:9116', '§3.3 path-rootless with ":"'],
    ['https://example.nl', '§3.3 path-abempty may be empty'],
    ['https://example.nl:/', '§3.2.3 port = *DIGIT may be empty'],
    ['x:', '§3.3 path-empty'],
    ['x:/a//b', '§3.3 path-absolute; later empty segments are allowed'],
    ['HTTPS://EXAMPLE.NL/', '§3.1 scheme is case-insensitive'],
  ])('%s is a URI (%s)', (text) => {
    expect(problem(text)).toBeNull();
  });

  it.each([
    ['https://example.nl/a b', 'a space is not allowed in the path (RFC 3986 §3.3)'],              // WHATWG URL accepts this
    ['https://exa mple.nl/', 'a space is not allowed in the host (RFC 3986 §3.2.2)'],
    ['mailto: security@example.nl', 'a space is not allowed in the path (RFC 3986 §3.3)'],
    ['https://example.nl/\\x', '"\\" is not allowed in the path (RFC 3986 §3.3)'],                   // WHATWG turns "\" into "/"
    ['https://example.nl/caf\u00e9', 'U+00E9 is not allowed in the path (RFC 3986 §3.3)'],           // §2: IRIs are not URIs
    ['https://example.nl/100%', '"%" not followed by two hex digits in the path (RFC 3986 §2.1)'],
    ['https://example.nl/?q=%zz', '"%" not followed by two hex digits in the query (RFC 3986 §2.1)'],
    ['https://example.nl/#a#b', '"#" is not allowed in the fragment (RFC 3986 §3.5)'],
    ['https://example.nl/?a=<b>', '"<" is not allowed in the query (RFC 3986 §3.4)'],
    ['https://example.nl:80a/', 'port "80a" is not digits (RFC 3986 §3.2.3)'],
    ['https://[2001:db8::1/', 'IP literal without "]" (RFC 3986 §3.2.2)'],
    ['https://[2001:db8::1::2]/', '"[2001:db8::1::2]" is not a valid IPv6 address (RFC 3986 §3.2.2)'],
    ['https://[::1]x/', '"x" after the host is not a port (RFC 3986 §3.2.3)'],
    ['https://us"er@example.nl/', '""" is not allowed in the userinfo (RFC 3986 §3.2.1)'],
    ['security@example.nl', 'no scheme: a URI starts with a scheme such as "https:" or "mailto:" (RFC 3986 §3.1)'],
    ['//example.nl/x', 'no scheme: a URI starts with a scheme such as "https:" or "mailto:" (RFC 3986 §3.1)'], // relative reference
    ['1https://example.nl/', 'no scheme: a URI starts with a scheme such as "https:" or "mailto:" (RFC 3986 §3.1)'],
    ['', 'no scheme: a URI starts with a scheme such as "https:" or "mailto:" (RFC 3986 §3.1)'],
  ])('%j is not a URI', (text, expected) => {
    expect(problem(text)).toBe(expected);
  });

  it('returns the parts as written', () => {
    expect(parseUri('https://u@[::1]:8443/p?q#f')).toEqual({ ok: true, uri: {
      scheme: 'https', authority: { userinfo: 'u', host: '[::1]', port: '8443' }, path: '/p', query: 'q', fragment: 'f',
    } });
    expect(parseUri('mailto:a@example.nl')).toEqual({ ok: true, uri: {
      scheme: 'mailto', authority: null, path: 'a@example.nl', query: null, fragment: null,
    } });
  });

  it.each([
    ['::', true], ['::1', true], ['1::', true], ['1:2:3:4:5:6:7:8', true], ['1:2:3:4:5:6:192.0.2.1', true],
    ['1:2:3:4:5:6:7', false], ['1:2:3:4:5:6:7:8:9', false], ['1::2::3', false], ['12345::', false],
    ['::192.0.2.256', false], ['1:2:3:4:5:6:7::', true], ['1:2:3:4:5:6:7:8::', false],
  ])('IPv6address %s -> %s (RFC 3986 §3.2.2)', (text, valid) => {
    expect(isIpv6Address(text)).toBe(valid);
  });

  it('is linear on a 1 MB input', { timeout: 2000 }, () => {
    expect(problem(`https://example.nl/${'a%2'.repeat(350_000)}`)).toContain('hex digits');
    expect(problem(`https://${'['.repeat(1_000_000)}`)).not.toBeNull();
  });
});
