import { describe, expect, it } from 'vitest';
import { mxMatchesPattern, parseMtaStsPolicy, parseMtaStsRecord } from '../../src/parse/mta-sts.ts';

describe('parseMtaStsRecord (RFC 8461 3.1)', () => {
  it.each([
    { text: 'v=STSv1; id=20260601T000000;', id: '20260601T000000', extensions: [] },
    { text: 'v=STSv1;id=abc', id: 'abc', extensions: [] },
    { text: 'v=STSv1 ; id=1; ext-field.x=some_value', id: '1', extensions: ['ext-field.x=some_value'] }, // erratum 6285: WSP before ";"
  ])('accepts $text', ({ text, id, extensions }) => {
    expect(parseMtaStsRecord(text)).toEqual({ ok: true, record: { id, extensions } });
  });

  it.each([
    { text: 'v=STSv1', problem: /start with/ },                     // id is required, so ";" must follow the version
    { text: 'v=stsv1; id=1', problem: /start with/ },               // %s"v=STSv1": case-sensitive
    { text: 'id=1; v=STSv1', problem: /start with/ },
    { text: 'v=STSv1; id=', problem: /1-32 letters/ },
    { text: `v=STSv1; id=${'a'.repeat(33)}`, problem: /1-32 letters/ },
    { text: 'v=STSv1; id=2026-06-01', problem: /1-32 letters/ },   // sts-id is ALPHA / DIGIT only
    { text: 'v=STSv1; ext=1', problem: /id= is missing/ },
    { text: 'v=STSv1; id=1; id=2', problem: /more than once/ },
    { text: 'v=STSv1; id=1; bad field', problem: /not a valid field/ },
  ])('rejects $text', ({ text, problem }) => {
    const parsed = parseMtaStsRecord(text);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });
});

const POLICY = 'version: STSv1\nmode: enforce\nmx: mail.example.nl\nmx: *.backup.example\nmax_age: 1209600\n';

describe('parseMtaStsPolicy (RFC 8461 3.2)', () => {
  it.each([
    { name: 'LF lines', body: POLICY },
    { name: 'CRLF lines', body: POLICY.replaceAll('\n', '\r\n') },   // erratum 6253: either separator
    { name: 'no final newline, no space after ":"', body: 'version:STSv1\nmode:enforce\nmx:mail.example.nl\nmx:*.backup.example\nmax_age:1209600' },
    { name: 'trailing dot on an mx, upper case', body: POLICY.replace('mx: mail.example.nl', 'mx: MAIL.example.nl.') },
  ])('parses a policy with $name', ({ body }) => {
    expect(parseMtaStsPolicy(body)).toEqual({
      ok: true,
      policy: { version: 'STSv1', mode: 'enforce', maxAge: 1_209_600, mx: ['mail.example.nl', '*.backup.example'], unknownFields: [] },
    });
  });

  it('accepts max_age 0 and the one-year maximum', () => {
    expect(parseMtaStsPolicy(POLICY.replace('1209600', '0'))).toMatchObject({ ok: true, policy: { maxAge: 0 } });
    expect(parseMtaStsPolicy(POLICY.replace('1209600', '31557600'))).toMatchObject({ ok: true, policy: { maxAge: 31_557_600 } });
  });

  it('allows mode none without mx lines and lists unknown fields', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 86400\nfoo: bar\n'))
      .toEqual({ ok: true, policy: { version: 'STSv1', mode: 'none', maxAge: 86_400, mx: [], unknownFields: ['foo'] } });
  });

  it.each([
    { name: 'version missing', body: POLICY.replace('version: STSv1\n', ''), problem: /version is missing/ },
    { name: 'version STSv2', body: POLICY.replace('STSv1', 'STSv2'), problem: /not STSv1/ },
    { name: 'mode report', body: POLICY.replace('enforce', 'report'), problem: /not enforce, testing or none/ },
    { name: 'mode Enforce', body: POLICY.replace('enforce', 'Enforce'), problem: /not enforce/ }, // case-sensitive values
    { name: 'mode missing', body: POLICY.replace('mode: enforce\n', ''), problem: /mode is missing/ },
    { name: 'max_age missing', body: POLICY.replace('max_age: 1209600\n', ''), problem: /max_age is missing/ },
    { name: 'max_age over a year', body: POLICY.replace('1209600', '31557601'), problem: /0 to 31557600/ },
    { name: 'max_age negative', body: POLICY.replace('1209600', '-1'), problem: /0 to 31557600/ },
    { name: 'max_age with unit', body: POLICY.replace('1209600', '14d'), problem: /0 to 31557600/ },
    { name: 'no mx in enforce mode', body: 'version: STSv1\nmode: enforce\nmax_age: 86400\n', problem: /no mx/ },
    { name: 'wildcard not leftmost', body: POLICY.replace('*.backup.example', 'mail.*.example'), problem: /not a host name/ },
    { name: 'double wildcard', body: POLICY.replace('*.backup.example', '*.*.example'), problem: /not a host name/ },
    { name: 'bare wildcard', body: POLICY.replace('*.backup.example', '*'), problem: /not a host name/ },
    { name: 'mode twice', body: `${POLICY}mode: testing\n`, problem: /more than once/ },
    { name: 'a line without ":"', body: `${POLICY}garbage\n`, problem: /not "key: value"/ },
    { name: 'an HTML error page', body: '<html><body>Not found</body></html>', problem: /not "key: value"/ },
    { name: 'empty body', body: '', problem: /version is missing/ },
  ])('rejects a policy with $name', ({ body, problem }) => {
    const parsed = parseMtaStsPolicy(body);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });
});

describe('mxMatchesPattern (RFC 8461 3.2 mx, 4.1)', () => {
  it.each([
    { host: 'mail.example.nl', pattern: 'mail.example.nl', matches: true },
    { host: 'MAIL.Example.NL.', pattern: 'mail.example.nl', matches: true },   // case and trailing dot ignored
    { host: 'mx1.example.nl', pattern: '*.example.nl', matches: true },
    { host: 'example.nl', pattern: '*.example.nl', matches: false },           // the wildcard needs a label
    { host: 'a.b.example.nl', pattern: '*.example.nl', matches: false },       // and stands for exactly one
    { host: 'mail.example.nl', pattern: 'example.nl', matches: false },        // no implicit subdomains
    { host: 'mail.example.nl.evil', pattern: 'mail.example.nl', matches: false },
    { host: 'mxexample.nl', pattern: '*.example.nl', matches: false },
  ])('$host vs $pattern -> $matches', ({ host, pattern, matches }) => {
    expect(mxMatchesPattern(host, pattern)).toBe(matches);
  });
});
