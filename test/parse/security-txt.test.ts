import { describe, expect, it } from 'vitest';
import { parseRfc3339, parseSecurityTxt } from '../../src/parse/security-txt.ts';

const GOOD = [
  '# Our security contact',
  'Contact: mailto:security@example.nl',
  'Contact: https://example.nl/report',
  'Expires: 2026-12-31T23:00:00.000Z',
  'Encryption: https://example.nl/pgp-key.txt',
  'Acknowledgments: https://example.nl/hall-of-fame',
  'Preferred-Languages: nl, en',
  'Canonical: https://example.nl/.well-known/security.txt',
  'Policy: https://example.nl/disclosure',
  'Hiring: https://example.nl/jobs',
  'X-Custom-Field: whatever',
  '',
].join('\r\n');

const messages = (text: string, utf8 = true) => parseSecurityTxt(text, { utf8 }).problems.map((p) => `${p.line ?? '-'} ${p.level} ${p.message}`);

describe('parseSecurityTxt (RFC 9116)', () => {
  it('reads every defined field and ignores unknown ones (§2.4)', () => {
    expect(parseSecurityTxt(GOOD)).toMatchObject({
      contact: ['mailto:security@example.nl', 'https://example.nl/report'],
      expires: '2026-12-31T23:00:00.000Z',
      encryption: ['https://example.nl/pgp-key.txt'],
      acknowledgments: ['https://example.nl/hall-of-fame'],
      preferredLanguages: ['nl', 'en'],
      canonical: ['https://example.nl/.well-known/security.txt'],
      policy: ['https://example.nl/disclosure'],
      hiring: ['https://example.nl/jobs'],
      signed: false,
      problems: [],
    });
  });

  it('keeps each field with its line number', () => {
    expect(parseSecurityTxt(GOOD).fields.at(-1)).toEqual({ name: 'X-Custom-Field', value: 'whatever', line: 11 });
  });

  it('matches field names case-insensitively (§4)', () => {
    expect(parseSecurityTxt('CONTACT: mailto:a@example.nl\nexpires: 2027-01-01T00:00:00Z\n').problems).toEqual([]);
  });

  it.each([
    ['Expires: 2027-01-01T00:00:00Z', ['- must no valid Contact field (RFC 9116 §2.5.3)']],
    ['Contact: mailto:a@example.nl', ['- must no Expires field (RFC 9116 §2.5.5)']],
    ['Contact: security@example.nl\nExpires: 2027-01-01T00:00:00Z',
      ['1 must Contact: "security@example.nl" is not a URI (e.g. mailto:security@example.nl or https://...): no scheme: a URI starts with a scheme such as "https:" or "mailto:" (RFC 3986 §3.1)', '- must no valid Contact field (RFC 9116 §2.5.3)']],
    ['Contact: http://example.nl/report\nContact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z',
      ['1 must Contact: "http://example.nl/report" is a web URI that does not use https://']],  // §2.5.3
    ['Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\nExpires: 2028-01-01T00:00:00Z',
      ['3 must Expires appears more than once']],                                              // §2.5.5
    ['Contact: mailto:a@example.nl\nExpires: 31 December 2027',
      ['2 must Expires "31 December 2027" is not an RFC 3339 date-time']],
    ['Contact: mailto:a@example.nl\nExpires: 2027-02-30T00:00:00Z',
      ['2 must Expires "2027-02-30T00:00:00Z" is not an RFC 3339 date-time']],
    ['Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\nthis line is noise',
      ['3 should neither a field nor a comment; a reader skips it']],
    ['Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\nPreferred-Languages: en\nPreferred-Languages: nl',
      ['4 must Preferred-Languages appears more than once (§2.5.8)']],
    ['Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\nPreferred-Languages: en, english language',
      ['3 should Preferred-Languages: "english language" is not a language tag']],
    ['Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\nEncryption: -----BEGIN PGP PUBLIC KEY BLOCK-----',
      ['3 must Encryption: "-----BEGIN PGP PUBLIC KEY BLOCK-----" is not a URI (e.g. mailto:security@example.nl or https://...): no scheme: a URI starts with a scheme such as "https:" or "mailto:" (RFC 3986 §3.1)']], // §2.5.4: a URI, not the key
  ])('%j', (text, expected) => {
    expect(messages(`${text}\n`)).toEqual(expected);
  });

  it('accepts tel: and https: contacts and blank lines', () => {
    expect(messages('\n\nContact: tel:+31-20-1234567\n\nContact: https://example.nl/x\nExpires: 2027-01-01t00:00:00+02:00\n')).toEqual([]);
  });

  it('names the line of the first invalid byte when the file is not UTF-8 (§4)', () => {
    expect(messages('Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\n# caf\ufffd\n', false))
      .toEqual(['3 must the file is not valid UTF-8 (RFC 9116 §4)']);
  });
});

describe('the RFC 9116 §4 grammar', () => {
  const C = 'Contact: mailto:a@example.nl';
  const E = 'Expires: 2027-01-01T00:00:00Z';
  const NO_CONTACT = '- must no valid Contact field (RFC 9116 §2.5.3)';
  const NOT_A_URI = 'is not a URI (e.g. mailto:security@example.nl or https://...):';
  it.each([
    // §2.2 "Every line MUST end with either ... CRLF ... or just ... LF"; §4 eol = *WSP [CR] LF
    [`${C}\r\n${E}\r\n`, [], '§2.2 CRLF'],
    [`${C}\n${E}`, ['2 must the last line does not end with a line break (RFC 9116 §2.2: every line MUST end with CRLF or LF)'], '§2.2 last line'],
    [`${C} \t\n${E}\t\n`, [], '§4 eol = *WSP [CR] LF: trailing whitespace is part of the line end'],
    [`${C}\n \t\n${E}\n`, [], '§4 line = [ (field / comment) ] eol: a whitespace-only line is blank'],
    [`${C}\n${E}\r# old Mac line end\n`, ['2 must a carriage return not followed by a line feed (RFC 9116 §2.2: lines end with CRLF or LF)',
      '2 must Expires "2027-01-01T00:00:00Z\r# old Mac line end" is not an RFC 3339 date-time'], '§2.2 a bare CR ends no line'],
    // §4 at most one byte-order mark: the first is an encoding signature (RFC 3629 §6), a second is not ftext
    [`\ufeff${C}\n${E}\n`, [], 'RFC 3629 §6 one BOM'],
    [`\ufeff\ufeff${C}\n${E}\n`, [
      '1 must a second byte-order mark starts the file; only one is an encoding signature (RFC 3629 §6), so line 1 is not a field (RFC 9116 §4)',
      '1 should neither a field nor a comment; a reader skips it', NO_CONTACT], '§4 field-name = 1*ftext'],
    // §4 contact-field = "Contact" fs SP uri; fs = ":"
    [`Contact:mailto:a@example.nl\n${E}\n`,
      ['1 should Contact: no space after the colon (RFC 9116 §4: field-name ":" SP value); a strict reader skips the field', NO_CONTACT], '§4 fs SP'],
    [`Contact:\tmailto:a@example.nl\n${E}\n`,
      ['1 should Contact: no space after the colon (RFC 9116 §4: field-name ":" SP value); a strict reader skips the field', NO_CONTACT], '§4 SP, not WSP'],
    [`Contact:  mailto:a@example.nl\n${E}\n`, [`1 must Contact: " mailto:a@example.nl" ${NOT_A_URI} no scheme: a URI starts with a scheme such as "https:" or "mailto:" (RFC 3986 §3.1)`,
      NO_CONTACT], '§4 exactly one SP, then uri'],
    [`${C}\n${E}\nX-Note:\n`, ['3 should X-Note: no space after the colon (RFC 9116 §4: field-name ":" SP value); a strict reader skips the field'], '§4 ext-field = field-name fs SP unstructured'],
    [`  ${C}\n${E}\n`, ['1 should starts with whitespace, so it is neither a field nor a comment (RFC 9116 §4); a reader skips it', NO_CONTACT], '§4 line'],
    [`Contact : mailto:a@example.nl\n${C}\n${E}\n`, ['1 should neither a field nor a comment; a reader skips it'], 'RFC 5322 §3.6.8 ftext excludes SP'],
    // §2.5: URI fields follow RFC 3986 (not the WHATWG URL parser, which accepts these)
    [`Contact: https://example.nl/report a bug\n${C}\n${E}\n`,
      [`1 must Contact: "https://example.nl/report a bug" ${NOT_A_URI} a space is not allowed in the path (RFC 3986 §3.3)`], 'RFC 3986 §3.3'],
    [`${C}\n${E}\nPolicy: https://example.nl/beleid\\melden\n`,
      [`3 must Policy: "https://example.nl/beleid\\melden" ${NOT_A_URI} "\\" is not allowed in the path (RFC 3986 §3.3)`], 'RFC 3986 §3.3'],
    [`${C}\n${E}\nEncryption: https://example.nl/key%2\n`,
      [`3 must Encryption: "https://example.nl/key%2" ${NOT_A_URI} "%" not followed by two hex digits in the path (RFC 3986 §2.1)`], 'RFC 3986 §2.1'],
    [`${C}\n${E}\nHiring: https:/jobs\n`, ['3 must Hiring: "https:/jobs" is an https URI without a host (RFC 9110 §4.2.2)'], '§2.5.7 web URI'],
    [`Contact: mailto:security%40example.nl?subject=Report\n${E}\n`, [], 'RFC 6068 mailto with pct-encoding and a query'],
  ])('%j -> %j (%s)', (text, expected) => {
    expect(messages(text)).toEqual(expected);
  });

  it('does not report the missing line break when the body was cut by a read cap', () => {
    expect(parseSecurityTxt(`${C}\n${E}`, { complete: false }).problems).toEqual([]);
  });
});

describe('OpenPGP cleartext signature (RFC 9116 §2.3, RFC 4880 §7)', () => {
  const CANONICAL = 'Canonical: https://example.nl/.well-known/security.txt';
  const BODY = 'Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z';
  const signed = (body: string, tail = '') => [
    '-----BEGIN PGP SIGNED MESSAGE-----', 'Hash: SHA512', '', body,
    '-----BEGIN PGP SIGNATURE-----', '', 'iHUEARYKAB0WIQ...', '-----END PGP SIGNATURE-----', ...(tail ? [tail] : []),
  ].join('\n') + '\n';

  it('parses the fields inside the signed block and notes the signature', () => {
    const parsed = parseSecurityTxt(signed(`Contact: mailto:a@example.nl\n- Expires: 2027-01-01T00:00:00Z\n${CANONICAL}`)); // "- " dash-escape removed
    expect(parsed).toMatchObject({ signed: true, contact: ['mailto:a@example.nl'], expires: '2027-01-01T00:00:00.000Z', problems: [] });
    expect(parsed.fields.map((f) => f.line)).toEqual([4, 5, 6]);
  });

  it('ignores and names fields after the signature', () => {
    const text = signed(`Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\n${CANONICAL}`, 'Contact: mailto:evil@example.org');
    expect(parseSecurityTxt(text).contact).toEqual(['mailto:a@example.nl']);
    expect(messages(text)).toEqual(['11 should text after the signature is outside the signed block and ignored']);
  });

  it.each([
    // RFC 9116 §2.3: "it is also RECOMMENDED that organizations use the Canonical field"
    [signed(BODY), ['- should signed, but without a Canonical field the signature does not bind the file to its location (RFC 9116 §2.3, §2.5.2)']],
    // RFC 9116 §4 body = signed / unsigned; signed = sign-header unsigned sign-footer: nothing before or after
    [`\n${signed(`${BODY}\n${CANONICAL}`)}`, ['1 should blank line before -----BEGIN PGP SIGNED MESSAGE-----: a signed file starts with it (RFC 9116 §4, RFC 4880 §7)']],
    [`${signed(`${BODY}\n${CANONICAL}`)}\n`, ['11 should blank line after -----END PGP SIGNATURE-----: a signed file ends with it (RFC 9116 §4)']],
    // RFC 4880 §7: one or more "Hash" armor headers, then exactly one empty line
    [signed(`${BODY}\n${CANONICAL}`).replace('Hash: SHA512\n\n', 'Hash: SHA512\n'),
      ['3 should no empty line between the armor headers and the signed text (RFC 4880 §7)']],
    [signed(`${BODY}\n${CANONICAL}`).replace('Hash: SHA512\n', ''), ['1 should signed message without a "Hash:" armor header (RFC 4880 §7: one or more)']],
    // RFC 4880 §7.1: lines starting with "-" are dash-escaped
    [signed(`${BODY}\n${CANONICAL}\n-x: y`), ['7 should a signed line starting with "-" is not dash-escaped with "- " (RFC 4880 §7.1)']],
    [signed(`${BODY}\n${CANONICAL}`).replace('-----END PGP SIGNATURE-----\n', ''), ['9 should signature block without -----END PGP SIGNATURE-----']],
    // RFC 4880 §7: a blank line inside the signed text is part of it, and RFC 9116 §4 allows blank lines
    [signed(`${BODY}\n\n${CANONICAL}\n`), []],
  ])('%j', (text, expected) => {
    expect(messages(text)).toEqual(expected);
  });

  it('notes a signed message without its signature block', () => {
    expect(messages(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\n${CANONICAL}\n`))
      .toEqual(['1 should signed message without a signature block']);
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2026-12-31T23:59:59Z', '2026-12-31T23:59:59.000Z'],
    ['2026-12-31T23:59:59.5+01:00', '2026-12-31T22:59:59.500Z'],
    ['2026-06-30T23:59:60Z', '2026-06-30T23:59:59.000Z'], // §5.7 leap second, clamped
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2027-02-29T00:00:00Z', null],
    ['2026-13-01T00:00:00Z', null],
    ['2026-12-31 23:59:59Z', null],
    ['2026-12-31T23:59:59', null],                      // an offset is required
    ['2026-12-31T23:59:59+24:00', null],
  ])('%s -> %s', (text, iso) => {
    expect(parseRfc3339(text)?.toISOString() ?? null).toBe(iso);
  });
});

describe('hostile input', () => {
  it('parses a 1 MB file of junk quickly, with capped problems', { timeout: 2000 }, () => {
    const parsed = parseSecurityTxt('junk line\n'.repeat(110_000));
    expect(parsed.problems).toHaveLength(50);
  });
  it('handles non-UTF-8 bytes decoded with replacement characters', { timeout: 2000 }, () => {
    const latin1 = Buffer.from('Contact: mailto:caf\xe9@example.nl\nExpires: 2027-01-01T00:00:00Z\n', 'latin1');
    const parsed = parseSecurityTxt(latin1.toString('utf8'), { utf8: false });
    expect(parsed.problems[0]).toEqual({ line: 1, level: 'must', message: 'the file is not valid UTF-8 (RFC 9116 §4)' });
  });
});
