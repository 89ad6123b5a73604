import { describe, expect, it } from 'vitest';
import { caaPolicy, parseCaa, type CaaRecord } from '../../src/parse/caa.ts';

const records = (...texts: string[]): CaaRecord[] => texts.map((t) => {
  const parsed = parseCaa(t);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.record;
});

describe('parseCaa (RFC 8659 4)', () => {
  it.each([
    // 4.2: issuer-domain-name, case-insensitive (kept lower-case)
    { text: '0 issue "letsencrypt.org"', record: { flags: 0, critical: false, kind: 'issue', tag: 'issue', issuer: 'letsencrypt.org', parameters: [] } },
    { text: '0 ISSUE "LetsEncrypt.org"', record: { flags: 0, critical: false, kind: 'issue', tag: 'issue', issuer: 'letsencrypt.org', parameters: [] } },
    { text: '0 issue letsencrypt.org', record: { flags: 0, critical: false, kind: 'issue', tag: 'issue', issuer: 'letsencrypt.org', parameters: [] } }, // 4.1.1 unquoted
    // 4.2: no issuer-domain-name = no CA
    { text: '0 issue ";"', record: { flags: 0, critical: false, kind: 'issue', tag: 'issue', issuer: null, parameters: [] } },
    { text: '0 issue ""', record: { flags: 0, critical: false, kind: 'issue', tag: 'issue', issuer: null, parameters: [] } },
    // 4.2 parameters; RFC 8657 3 accounturi / validationmethods
    { text: '0 issue "ca.example; accounturi=https://ca.example/acct/1 ; validationmethods=dns-01"', record: {
      flags: 0, critical: false, kind: 'issue', tag: 'issue', issuer: 'ca.example',
      parameters: [{ tag: 'accounturi', value: 'https://ca.example/acct/1' }, { tag: 'validationmethods', value: 'dns-01' }] } },
    { text: '0 issue "  ca.example  ;  "', record: { flags: 0, critical: false, kind: 'issue', tag: 'issue', issuer: 'ca.example', parameters: [] } },
    { text: '0 issue "x--y.example; a-b=" ', record: { flags: 0, critical: false, kind: 'issue', tag: 'issue', issuer: 'x--y.example', parameters: [{ tag: 'a-b', value: '' }] } },
    // 4.3: issuewild has the issue syntax
    { text: '0 issuewild ";"', record: { flags: 0, critical: false, kind: 'issue', tag: 'issuewild', issuer: null, parameters: [] } },
    // 4.4: iodef mailto:, http:, https:
    { text: '0 iodef "mailto:security@example.nl"', record: { flags: 0, critical: false, kind: 'iodef', tag: 'iodef', url: 'mailto:security@example.nl' } },
    { text: '0 iodef "https://iodef.example/report"', record: { flags: 0, critical: false, kind: 'iodef', tag: 'iodef', url: 'https://iodef.example/report' } },
    { text: '0 iodef "http://iodef.example/"', record: { flags: 0, critical: false, kind: 'iodef', tag: 'iodef', url: 'http://iodef.example/' } },
    // 4.1: bit 0 (128) is Issuer Critical; reserved bits are kept but mean nothing
    { text: '128 issue "ca.example"', record: { flags: 128, critical: true, kind: 'issue', tag: 'issue', issuer: 'ca.example', parameters: [] } },
    { text: '1 issue "ca.example"', record: { flags: 1, critical: false, kind: 'issue', tag: 'issue', issuer: 'ca.example', parameters: [] } },
    // 4.1: tags RFC 8659 does not define are valid records, kept as they are
    { text: '128 tbs "Unknown"', record: { flags: 128, critical: true, kind: 'other', tag: 'tbs', value: 'Unknown' } },
    { text: '0 contactemail "a b@example.nl"', record: { flags: 0, critical: false, kind: 'other', tag: 'contactemail', value: 'a b@example.nl' } },
    // RFC 1035 5.1 escapes inside the quoted string, as the DNS probe writes them
    { text: '0 tbs "a\\"b\\\\c\\059"', record: { flags: 0, critical: false, kind: 'other', tag: 'tbs', value: 'a"b\\c;' } },
  ])('accepts $text', ({ text, record }) => {
    expect(parseCaa(text)).toEqual({ ok: true, record });
  });

  it.each([
    { text: '', problem: /expected/ },
    { text: '0', problem: /expected/ },
    { text: '0 issue', problem: /value is missing/ },
    { text: '256 issue "ca.example"', problem: /flags/ },                  // 4.1: one octet
    { text: '-1 issue "ca.example"', problem: /flags/ },
    { text: 'x issue "ca.example"', problem: /flags/ },
    { text: '0 is-sue "ca.example"', problem: /only ASCII letters and digits/ }, // 4.1: tag characters
    { text: '0 issue "ca.example', problem: /not one quoted/ },
    { text: '0 issue "ca.example" extra', problem: /not one quoted/ },
    { text: '0 issue ca example', problem: /not one quoted/ },
    { text: '0 issue "ca.example\\"', problem: /not one quoted/ },
    { text: '0 issue "%%%%%"', problem: /not an issuer domain name/ },      // 4.2's own malformed example
    { text: '0 issue "letsencrypt.org."', problem: /must not end in a dot/ },
    { text: '0 issue "-ca.example"', problem: /not an issuer domain name/ },
    { text: '0 issue "ca.example other.example"', problem: /not an issuer domain name/ },
    { text: '0 issue "ca.example; accounturi"', problem: /not a tag=value/ },
    { text: '0 issue "ca.example; a=1;"', problem: /not a tag=value/ },      // 4.2: parameters end with a parameter
    { text: '0 issue "ca.example; a=1;; b=2"', problem: /not a tag=value/ },
    { text: '0 issue "ca.example; a=x y"', problem: /not a tag=value/ },     // 4.2: value excludes whitespace
    { text: '0 issuewild "*.ca.example"', problem: /not an issuer domain name/ },
    { text: '0 iodef "security@example.nl"', problem: /only mailto:, http: and https:/ }, // 4.4
    { text: '0 iodef "ftp://iodef.example/"', problem: /only mailto:, http: and https:/ },
    { text: '0 iodef "mailto:nobody"', problem: /mailto/ },
    { text: '0 iodef "https://"', problem: /http\(s\)/ },
  ])('rejects $text', ({ text, problem }) => {
    const parsed = parseCaa(text);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });
});

describe('caaPolicy (RFC 8659 3, 4.2, 4.3)', () => {
  it('adds authorisations up and lets issuewild govern wildcards only', () => {
    expect(caaPolicy(records('0 issue ";"', '0 issue "ca1.example"', '0 issue "CA1.example"', '0 issue "ca2.example"', '0 issuewild ";"'))).toEqual({
      issuers: ['ca1.example', 'ca2.example'], wildcardIssuers: [], iodef: [], criticalUnknown: [], ignoredUnknown: [],
    });
  });

  it('falls back to issue for wildcards without issuewild', () => {
    expect(caaPolicy(records('0 issue "ca.example"')).wildcardIssuers).toEqual(['ca.example']);
  });

  it('restricts nothing without an issue property (only iodef, issuewild or unknown tags)', () => {
    expect(caaPolicy(records('0 iodef "mailto:a@example.nl"', '0 issuewild "ca.example"', '0 tbs "x"'))).toEqual({
      issuers: null, wildcardIssuers: ['ca.example'], iodef: ['mailto:a@example.nl'], criticalUnknown: [], ignoredUnknown: ['tbs'],
    });
  });

  it('names critical properties of unknown tags (RFC 8659 4.1)', () => {
    expect(caaPolicy(records('0 issue "ca.example"', '128 tbs "x"', '128 issue "ca.example"')).criticalUnknown).toEqual(['tbs']);
  });
});
