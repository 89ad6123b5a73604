import { describe, expect, it } from 'vitest';
import { parseDmarc, parseDmarcUri } from '../../src/parse/dmarc.ts';

describe('parseDmarc', () => {
  it('applies the RFC 7489 6.3 defaults to a minimal record', () => {
    expect(parseDmarc('v=DMARC1; p=reject')).toEqual({
      ok: true,
      notes: [],
      record: {
        policy: 'reject', subdomainPolicy: null, nonExistentPolicy: null, pct: 100, rua: [], ruf: [],
        adkim: 'r', aspf: 'r', failureOptions: ['0'], reportFormats: ['afrf'], reportInterval: 86_400,
        testing: false, psd: null, invalidTags: [], unknownTags: [],
      },
    });
  });

  it('reads every tag of a full record', () => {
    const parsed = parseDmarc('v=DMARC1; p=quarantine; sp=none; np=reject; pct=50; '
      + 'rua=mailto:agg@example.nl, mailto:dmarc@reports.example!10m; ruf=mailto:forensic@example.nl; '
      + 'adkim=s; aspf=s; fo=1:d; rf=afrf; ri=3600; t=y; psd=n');
    expect(parsed).toMatchObject({
      ok: true,
      notes: [],
      record: {
        policy: 'quarantine', subdomainPolicy: 'none', nonExistentPolicy: 'reject', pct: 50,
        rua: [{ uri: 'mailto:agg@example.nl', host: 'example.nl' }, { host: 'reports.example', maxSize: '10m' }],
        ruf: [{ address: 'forensic@example.nl' }],
        adkim: 's', aspf: 's', failureOptions: ['1', 'd'], reportInterval: 3600, testing: true, psd: 'n',
      },
    });
  });

  it.each([
    { record: 'p=reject; v=DMARC1', problem: /start with/ },         // 6.6.3: v= must come first
    { record: 'v=dmarc1; p=reject', problem: /start with/ },         // 6.4: the version value is case-sensitive (%x codes)
    { record: 'V=Dmarc1; p=reject', problem: /start with/ },
    { record: 'v=DMARC1p=reject', problem: /start with/ },
    { record: 'v=spf1 -all', problem: /start with/ },
    { record: 'v=DMARC1; p=none; p=reject', problem: /more than once/ },
  ])('rejects $record', ({ record, problem }) => {
    const parsed = parseDmarc(record);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });

  it.each([
    { record: 'v=DMARC1', tag: null, policy: null },                 // p= required; 6.6.3 step 6 decides what happens
    { record: 'v=DMARC1; p=block', tag: 'p', policy: null },
    { record: 'v=DMARC1; p=reject; sp=maybe', tag: 'sp', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; np=nope', tag: 'np', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; pct=101', tag: 'pct', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; pct=abc', tag: 'pct', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; adkim=x', tag: 'adkim', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; aspf=relaxed', tag: 'aspf', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; fo=2', tag: 'fo', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; rf=iodef', tag: 'rf', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; ri=-1', tag: 'ri', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; ri=99999999999', tag: 'ri', policy: 'reject' }, // beyond 32 bits
    { record: 'v=DMARC1; p=reject; t=maybe', tag: 't', policy: 'reject' },
    { record: 'v=DMARC1; p=reject; psd=x', tag: 'psd', policy: 'reject' },
  ])('notes an invalid value and falls back to the default: $record', ({ record, tag, policy }) => {
    const parsed = parseDmarc(record);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.record.policy).toBe(policy);
    expect(parsed.record.invalidTags).toEqual(tag === null ? [] : [tag]);
    expect(parsed.notes.length).toBeGreaterThan(0);
  });

  it.each([
    // RFC 7489 6.4 ABNF: quoted strings are case-insensitive (RFC 5234 2.3); DMARC1 is %x-coded, so case-sensitive.
    ['V=DMARC1; p=reject', 'reject'],                               // dmarc-version = "v" ...
    [' V = DMARC1 ; p=reject', 'reject'],                           // *WSP around "="
    ['v=DMARC1; P=reject', 'reject'],                               // dmarc-request = "p" *WSP "=" ...
    ['V=DMARC1; P=REJECT', 'reject'],                               // ... ( "none" / "quarantine" / "reject" )
    ['v=DMARC1; p=Quarantine', 'quarantine'],
  ])('reads %j as a DMARC record with policy %s (RFC 7489 6.4)', (record, policy) => {
    expect(parseDmarc(record)).toMatchObject({ ok: true, notes: [], record: { policy } });
  });

  it('reads every keyword value case-insensitively (RFC 7489 6.4, RFC 5234 2.3)', () => {
    expect(parseDmarc('V=DMARC1; P=Reject; SP=None; NP=Quarantine; ADKIM=S; ASPF=S; FO=D:S; RF=AFRF; T=Y; PSD=N; RUA=MAILTO:d@Example.NL')).toMatchObject({
      ok: true, notes: [], record: {
        policy: 'reject', subdomainPolicy: 'none', nonExistentPolicy: 'quarantine', adkim: 's', aspf: 's', failureOptions: ['d', 's'],
        reportFormats: ['afrf'], testing: true, psd: 'n', rua: [{ scheme: 'mailto', host: 'example.nl' }], unknownTags: [],
      },
    });
  });

  it('treats V= and v= as the same tag, so repeating it is ambiguous (RFC 7489 6.4)', () => {
    expect(parseDmarc('v=DMARC1; V=DMARC1; p=reject')).toMatchObject({ ok: false, problem: expect.stringMatching(/more than once/) });
  });

  it('reads tag names and policy values case-insensitively (ABNF literals)', () => {
    expect(parseDmarc('v=DMARC1; P=Reject; SP=Quarantine')).toMatchObject({ ok: true, record: { policy: 'reject', subdomainPolicy: 'quarantine' } });
  });

  it('ignores but lists unknown tags, and tolerates whitespace and a trailing ";"', () => {
    expect(parseDmarc(' v = DMARC1 ;p = reject ; foo=bar;')).toMatchObject({ ok: true, notes: [], record: { policy: 'reject', unknownTags: ['foo'] } });
  });

  it('discards a syntax error in the remainder and says so (6.6.3)', () => {
    expect(parseDmarc('v=DMARC1; p=reject; junk')).toMatchObject({ ok: true, record: { policy: 'reject' }, notes: [expect.stringMatching(/junk/)] });
  });

  it('notes rua/ruf entries that are not usable mailto: URIs', () => {
    const parsed = parseDmarc('v=DMARC1; p=reject; rua=dmarc@example.nl,https://reports.example/dmarc');
    expect(parsed).toMatchObject({ ok: true, record: { rua: [{ host: null }, { scheme: 'https', host: 'reports.example' }] } });
    expect(parsed.ok && parsed.notes).toHaveLength(2);
  });
});

describe('parseDmarcUri (RFC 7489 6.2)', () => {
  it.each([
    { raw: 'mailto:dmarc@example.nl', host: 'example.nl', maxSize: null, problem: null },
    { raw: 'mailto:dmarc@Reports.Example.NL!10M', host: 'reports.example.nl', maxSize: '10m', problem: null },
    { raw: 'mailto:dmarc@example.nl!100', host: 'example.nl', maxSize: '100', problem: null }, // size in bytes, no unit
    { raw: 'mailto:dmarc@example.nl?subject=dmarc', host: 'example.nl', maxSize: null, problem: null },
    { raw: 'mailto:dmarc%2Breports@example.nl', host: 'example.nl', maxSize: null, problem: null }, // percent-encoded "+"
    { raw: 'mailto:nobody', host: null, maxSize: null, problem: /mailto/ },
    { raw: 'mailto:%zz@example.nl', host: null, maxSize: null, problem: /mailto/ },  // malformed escape
    { raw: 'dmarc@example.nl', host: null, maxSize: null, problem: /not a URI/ },
    { raw: 'https://reports.example/x', host: 'reports.example', maxSize: null, problem: /only support mailto/ },
  ])('$raw', ({ raw, host, maxSize, problem }) => {
    const uri = parseDmarcUri(raw);
    expect(uri).toMatchObject({ uri: raw, host, maxSize });
    if (problem === null) expect(uri.problem).toBeNull();
    else expect(uri.problem).toMatch(problem);
  });
});
