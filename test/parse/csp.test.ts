import { describe, expect, it } from 'vitest';
import { analyzeCsp, extractMetaCsp, malformedNonceOrHash, parseCsp, parseSerializedCsp } from '../../src/parse/csp.ts';

/** Vouch's verdict from the analysis alone, as checks/http/csp.ts derives it. */
function verdict(headers: readonly string[], reportOnly: readonly string[] = [], meta: readonly string[] = []): 'pass' | 'warn' | 'fail' {
  const analysis = analyzeCsp([
    ...parseCsp(headers, 'header', 'enforce'), ...parseCsp(reportOnly, 'header', 'report'), ...parseCsp(meta, 'meta', 'enforce'),
  ]);
  if (analysis.enforced === 0 || analysis.issues.some((i) => i.severity === 'fail')) return 'fail';
  return analysis.issues.some((i) => i.severity === 'warn') ? 'warn' : 'pass';
}
const codes = (header: string) => analyzeCsp(parseCsp([header], 'header', 'enforce')).issues.map((i) => i.code);
const STRONG = "default-src 'self'; script-src 'nonce-r4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

describe('parseSerializedCsp (CSP3 §2.2.1)', () => {
  it('lower-cases directive names and keeps values as written', () => {
    const p = parseSerializedCsp("Script-SRC 'NONCE-AbC' https://A.example", 'header', 'enforce');
    expect([...p.directives]).toEqual([['script-src', ["'NONCE-AbC'", 'https://A.example']]]);
  });
  it('keeps the first of a repeated directive and records the repeat', () => {
    const p = parseSerializedCsp("script-src 'self'; script-src *", 'header', 'enforce');
    expect(p.directives.get('script-src')).toEqual(["'self'"]);
    expect(p.repeated).toEqual(['script-src']);
  });
  it('skips empty and non-ASCII tokens', () => { // §2.2.1 step 2.2
    const p = parseSerializedCsp(";; img-src 'self' ;script-src ünï; ;", 'header', 'enforce');
    expect([...p.directives.keys()]).toEqual(['img-src']);
  });
  it('reads a directive without values as an empty source list', () => {
    expect(parseSerializedCsp('default-src', 'header', 'enforce').directives.get('default-src')).toEqual([]);
  });
  it('drops frame-ancestors, report-uri and sandbox from a <meta> policy', () => { // HTML "content security policy state"
    const p = parseSerializedCsp("default-src 'self'; frame-ancestors 'none'; sandbox; report-uri /r", 'meta', 'enforce');
    expect([...p.directives.keys()]).toEqual(['default-src']);
    expect(p.ignoredInMeta).toEqual(['frame-ancestors', 'sandbox', 'report-uri']);
  });
});

describe('parseCsp (CSP3 §2.2.2)', () => {
  it('splits comma-separated policies and repeated headers into separate policies', () => {
    expect(parseCsp(["default-src 'none', script-src 'self'", "img-src 'self'"], 'header', 'enforce')).toHaveLength(3);
  });
  it('drops policies without directives', () => {
    expect(parseCsp(['', ' , ;;', "default-src 'none',"], 'header', 'enforce')).toHaveLength(1);
  });
});

describe('extractMetaCsp', () => {
  it.each([
    [`<head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head>`, ["default-src 'none'"]],
    [`<META HTTP-EQUIV='content-security-policy' CONTENT="script-src 'self'">`, ["script-src 'self'"]],
    [`<meta content="img-src &apos;self&apos; https://a.example/?a=1&amp;b=2" http-equiv=Content-Security-Policy>`, ["img-src 'self' https://a.example/?a=1&b=2"]],
    [`<meta http-equiv="content-security-policy" content="a"><meta http-equiv="content-security-policy" content="b">`, ['a', 'b']],
    [`<!-- <meta http-equiv="content-security-policy" content="x"> --><title>t</title>`, []],
    [`<head></head><body><meta http-equiv="content-security-policy" content="x">`, []], // HTML: only a child of <head> applies
    [`<meta name="referrer" content="no-referrer">`, []],
    [`<meta http-equiv="content-security-policy">`, []],
  ])('%s', (html, expected) => {
    expect(extractMetaCsp(html)).toEqual(expected);
  });
});

describe('analyzeCsp: verdicts agree with the MDN HTTP Observatory (test/csp.test.js)', () => {
  it.each([
    // Observatory "header invalid" / "unsafe inline" / "insecure scheme" / "unsafe eval": all fail.
    ["default-src 'none'; default-src 'none'"],               // repeated directive
    ['defa'],                                                  // no script restriction at all
    ["default-src 'none'; script-src 'strict-dynamic'"],       // 'strict-dynamic' without nonce or hash
    ["default-src 'none'; script-src https://*"],
    ["default-src 'none'; script-src 'unsafe-inline'"],
    ['default-src http://mozilla.org'],                        // http: source for active content
    ["default-src 'none'; script-src ftp://mozilla.org"],
    ["script-src 'unsafe-inline'"],
    ['script-src data:'],
    ['script-src http:'],
    ["default-src 'UNSAFE-INLINE'"],                           // keywords are case-insensitive (CSP3 §2.3.1)
    ['upgrade-insecure-requests'],
    ["script-src 'none'"],                                     // object-src falls back to nothing: unrestricted
    ["default-src *; script-src *; object-src 'none'"],
    ["default-src 'none'; script-src 'none'; object-src *"],
    ["object-src https:; script-src 'none'"],
    ["default-src 'none'; script-src 'unsafe-eval'"],
  ])('%s -> fail', (header) => {
    expect(verdict([header])).toBe('fail');
  });

  it.each([
    // Observatory passes these; Vouch passes or warns (missing base-uri/form-action, passive http:).
    ["default-src 'none'; img-src http://mozilla.org"],
    ["default-src 'self'; img-src http:"],
    ["object-src 'none'; script-src 'none'; style-src 'unsafe-inline'"],
    ["default-src 'unsafe-inline'; script-src https://mozilla.org"],
    ["default-src 'none';;; ;;;style-src 'self' 'unsafe-inline'"],
    ['default-src https://mozilla.org'],
    ["object-src 'none'; script-src 'strict-dynamic' 'nonce-abc' 'unsafe-inline'; style-src 'none'"],
    ["object-src 'none'; style-src 'self';script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA='"],
    ["object-src 'none'; script-src 'unsafe-inline' 'nonce-abc123' 'unsafe-inline'; style-src 'none'"], // CSP3 #allow-all-inline: a nonce disables 'unsafe-inline'
    ['default-src'],                                                                                      // empty list = 'none'
    ["default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' https://*"],                        // §8.2: host sources ignored
    ["default-src 'none'; script-src 'self', default-src 'none'; script-src 'self'"],                     // comma-joined headers
  ])('%s -> not fail', (header) => {
    expect(verdict([header])).not.toBe('fail');
  });

  it('report-only alone is not enforcement', () => {
    expect(verdict([], ["default-src 'none'; report-to /_/csp-reports"])).toBe('fail');
  });

  it('a strong nonce-based policy passes', () => {
    expect(verdict([STRONG])).toBe('pass');
  });

  it('a capability counts only if every enforced policy grants it (CSP3 §8.1)', () => {
    expect(verdict([`${STRONG.replace("'nonce-r4nd0m' 'strict-dynamic'", "'unsafe-inline'")}`, STRONG])).toBe('pass');
    expect(verdict(["default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'", "default-src 'none'; style-src 'self'"])).toBe('warn');
  });

  it('a <meta> policy enforces just like a header', () => { // Observatory test_parse_http_equiv_headers_csp1 + header img-src 'none'
    expect(verdict(["img-src 'none'"], [], ["default-src 'none'"])).toBe('warn');
  });
});

describe('analyzeCsp: findings', () => {
  it.each([
    // Vouch is stricter than the Observatory here: script-src-elem and script-src-attr override script-src (CSP3 #directive-fallback-list).
    ["script-src 'self'; script-src-elem 'self' 'unsafe-inline'; object-src 'none'", 'script-unsafe-inline'],
    ["script-src 'self'; script-src-attr 'unsafe-inline'; object-src 'none'", 'script-unsafe-inline'],
    ["default-src 'self'; style-src 'unsafe-eval'", 'unsafe-eval'],
    ["default-src 'self'", 'base-uri-missing'],
    ["default-src 'self'", 'form-action-missing'],
    ["default-src 'self'; base-uri *", 'base-uri-missing'],
    ["default-src 'self'; form-action https:", 'form-action-missing'],
    ["default-src 'self'; style-src 'unsafe-inline'", 'style-unsafe-inline'],
    ["default-src 'self'; report-uri /a; report-uri /b", 'repeated-report'],
  ])('%s has %s', (header, code) => {
    expect(codes(header)).toContain(code);
  });

  it('does not treat report-uri URLs as http: sources', () => {
    expect(codes(`${STRONG}; report-uri http://reports.example/csp`)).not.toContain('insecure-scheme');
  });

  it('lists the worst issue first', () => {
    expect(analyzeCsp(parseCsp(["default-src 'self'; script-src 'unsafe-inline'"], 'header', 'enforce')).issues[0]?.severity).toBe('fail');
  });

  it.each([
    ["default-src 'none'", null, false],                      // frame-ancestors does not fall back to default-src
    ['frame-ancestors *', ['*'], false],
    ['frame-ancestors https:', ['https:'], false],
    ["default-src *; frame-ancestors 'none'", ["'none'"], true],
    ["frame-ancestors 'self' https://partner.example", ["'self'", 'https://partner.example'], true],
  ])('frame-ancestors in %s', (header, values, restricted) => {
    const a = analyzeCsp(parseCsp([header], 'header', 'enforce'));
    expect([a.frameAncestors, a.framingRestricted]).toEqual([values, restricted]);
  });

  it('ignores frame-ancestors in report-only and <meta> policies', () => {
    const a = analyzeCsp([...parseCsp(["frame-ancestors 'none'"], 'header', 'report'), ...parseCsp(["frame-ancestors 'none'"], 'meta', 'enforce')]);
    expect(a.framingRestricted).toBe(false);
  });

  it('notes nonces, hashes and strict-dynamic', () => {
    const a = analyzeCsp(parseCsp(["script-src 'nonce-x' 'sha384-y' 'strict-dynamic'"], 'header', 'enforce'));
    expect([a.nonces, a.hashes, a.strictDynamic]).toEqual([true, true, true]);
  });
});

describe('nonce and hash sources (CSP3 §2.3.1 nonce-source, hash-source, base64-value)', () => {
  it.each([
    // nonce-source = "'nonce-" base64-value "'"; base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" )*2( "=" )
    ["'nonce-r4nd0m'", null],
    ["'nonce-Ab+/-_=='", null],                                          // every base64-value character, two "="
    ["'NONCE-abc'", null],                                               // ABNF strings are case-insensitive (RFC 5234 §2.3)
    // hash-source = "'" hash-algorithm "-" base64-value "'"; hash-algorithm = "sha256" / "sha384" / "sha512"
    ["'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA='", null],
    ["'SHA384-y'", null],
    ["'sha512-abc'", null],
    ["'self'", null], ['https://nonce-cdn.example', null], ['nonce-cdn.example', null], ["'unsafe-inline'", null], // not nonce/hash attempts
    ["'nonce-'", "'nonce-' has no value (CSP3 §2.3.1)"],                 // base64-value is 1*
    ["'sha256-'", "'sha256-' has no value (CSP3 §2.3.1)"],
    ["'sha1-abc'", "'sha1-…' is not a CSP hash algorithm (CSP3 §2.3.1: sha256, sha384 or sha512)"],
    ["'md5-abc'", "'md5-…' is not a CSP hash algorithm (CSP3 §2.3.1: sha256, sha384 or sha512)"],
    ["'sha-256-abc'", "'sha-…' is not a CSP hash algorithm (CSP3 §2.3.1: sha256, sha384 or sha512)"],
    ["'nonce-a", "'nonce-a has no closing quote: a nonce cannot contain whitespace (CSP3 §2.3.1)"], // from "'nonce-a b'"
    ["'nonce-abc!'", `'nonce-abc!' is not a base64 value (CSP3 §2.3.1: letters, digits, "+", "/", "-", "_", then at most two "=")`],
    ["'nonce-abc==='", `'nonce-abc===' is not a base64 value (CSP3 §2.3.1: letters, digits, "+", "/", "-", "_", then at most two "=")`],
    ["'nonce-=='", `'nonce-==' is not a base64 value (CSP3 §2.3.1: letters, digits, "+", "/", "-", "_", then at most two "=")`],
    ["'sha256-a=b'", `'sha256-a=b' is not a base64 value (CSP3 §2.3.1: letters, digits, "+", "/", "-", "_", then at most two "=")`], // "=" only at the end
    ['nonce-r4nd0m', 'nonce-r4nd0m is not quoted, so browsers read it as a host name, not a nonce or hash (CSP3 §2.3.1)'],
  ])('%s -> %s', (source, problem) => {
    expect(malformedNonceOrHash(source)).toBe(problem);
  });

  it.each([
    // CSP3 #allow-all-inline: only a nonce-source or hash-source that matches the grammar switches 'unsafe-inline' off.
    ["object-src 'none'; script-src 'unsafe-inline' 'nonce-'"],
    ["object-src 'none'; script-src 'unsafe-inline' 'nonce-a b'"],
    ["object-src 'none'; script-src 'unsafe-inline' 'sha256-abc!'"],
    ["object-src 'none'; script-src 'unsafe-inline' 'sha1-abc'"],
    ["object-src 'none'; script-src 'unsafe-inline' 'nonce-abc==='"],
    ["object-src 'none'; script-src 'unsafe-inline' nonce-abc"],
    ["object-src 'none'; script-src 'strict-dynamic' 'nonce-' https:"],    // §8.2 needs a valid nonce or hash to drop https:
  ])('%s -> fail', (header) => {
    expect(verdict([header])).toBe('fail');
  });

  it('names each malformed source, and why, as a warning', () => {
    const a = analyzeCsp(parseCsp(["default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-' 'sha1-x'; style-src 'nonce-a b'"], 'header', 'enforce'));
    expect(a.issues.map((i) => `${i.severity} ${i.code} ${i.message}`)).toEqual(expect.arrayContaining([
      "fail script-unsafe-inline script-src allows 'unsafe-inline' without a nonce or hash (browsers ignore the malformed 'nonce-' 'sha1-x')",
      "warn malformed-nonce-or-hash script-src: 'nonce-' has no value (CSP3 §2.3.1)",
      "warn malformed-nonce-or-hash script-src: 'sha1-…' is not a CSP hash algorithm (CSP3 §2.3.1: sha256, sha384 or sha512)",
      "warn malformed-nonce-or-hash style-src: 'nonce-a has no closing quote: a nonce cannot contain whitespace (CSP3 §2.3.1)",
    ]));
    expect([a.nonces, a.hashes]).toEqual([false, false]);
  });

  it('does not count a malformed nonce for inline styles either', () => {
    expect(codes("default-src 'self'; style-src 'unsafe-inline' 'nonce-'")).toContain('style-unsafe-inline');
    expect(codes("default-src 'self'; style-src 'unsafe-inline' 'nonce-abc'")).not.toContain('style-unsafe-inline');
  });
});

describe('hostile input', () => {
  it('handles a 1 MB header value quickly', { timeout: 2000 }, () => {
    const huge = `script-src ${"'self' ".repeat(150_000)}; ${'x;'.repeat(100_000)}`;
    expect(huge.length).toBeGreaterThan(1_000_000);
    expect(verdict([huge])).toBe('fail');
    expect(verdict([';'.repeat(1_048_576)])).toBe('fail');
  });
  it('scans 1 MB of unterminated comments and tags quickly', { timeout: 2000 }, () => {
    expect(extractMetaCsp('<!--'.repeat(262_144))).toEqual([]);
    expect(extractMetaCsp('<meta '.repeat(174_763))).toEqual([]);
    expect(extractMetaCsp(`<meta ${'a="b \''.repeat(200_000)}>`)).toEqual([]);
  });
});
