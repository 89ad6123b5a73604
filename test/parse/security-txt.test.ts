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
    expect(parseSecurityTxt('CONTACT: mailto:a@example.nl\nexpires: 2027-01-01T00:00:00Z').problems).toEqual([]);
  });

  it.each([
    ['Expires: 2027-01-01T00:00:00Z', ['- must no valid Contact field (RFC 9116 §2.5.3)']],
    ['Contact: mailto:a@example.nl', ['- must no Expires field (RFC 9116 §2.5.5)']],
    ['Contact: security@example.nl\nExpires: 2027-01-01T00:00:00Z',
      ['1 must Contact: "security@example.nl" is not a URI (e.g. mailto:security@example.nl or https://...)', '- must no valid Contact field (RFC 9116 §2.5.3)']],
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
      ['3 must Encryption: "-----BEGIN PGP PUBLIC KEY BLOCK-----" is not a URI (e.g. mailto:security@example.nl or https://...)']], // §2.5.4: a URI, not the key
  ])('%j', (text, expected) => {
    expect(messages(text)).toEqual(expected);
  });

  it('accepts tel: and https: contacts and blank lines', () => {
    expect(messages('\n\nContact: tel:+31-20-1234567\n\nContact: https://example.nl/x\nExpires: 2027-01-01t00:00:00+02:00\n')).toEqual([]);
  });

  it('names the line of the first invalid byte when the file is not UTF-8 (§4)', () => {
    expect(messages('Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z\n# caf\ufffd', false))
      .toEqual(['3 must the file is not valid UTF-8 (RFC 9116 §4)']);
  });
});

describe('OpenPGP cleartext signature (RFC 9116 §2.3, RFC 4880 §7)', () => {
  const signed = (body: string, tail = '') => [
    '-----BEGIN PGP SIGNED MESSAGE-----', 'Hash: SHA512', '', body,
    '-----BEGIN PGP SIGNATURE-----', '', 'iHUEARYKAB0WIQ...', '-----END PGP SIGNATURE-----', tail,
  ].join('\n');

  it('parses the fields inside the signed block and notes the signature', () => {
    const parsed = parseSecurityTxt(signed('Contact: mailto:a@example.nl\n- Expires: 2027-01-01T00:00:00Z')); // "- " dash-escape removed
    expect(parsed).toMatchObject({ signed: true, contact: ['mailto:a@example.nl'], expires: '2027-01-01T00:00:00.000Z', problems: [] });
    expect(parsed.fields.map((f) => f.line)).toEqual([4, 5]);
  });

  it('ignores and names fields after the signature', () => {
    const parsed = parseSecurityTxt(signed('Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z', 'Contact: mailto:evil@example.org'));
    expect(parsed.contact).toEqual(['mailto:a@example.nl']);
    expect(messages(signed('Contact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z', 'Contact: mailto:evil@example.org')))
      .toEqual(['10 should text after the signature is outside the signed block and ignored']);
  });

  it('notes a signed message without its signature block', () => {
    expect(messages('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@example.nl\nExpires: 2027-01-01T00:00:00Z'))
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
