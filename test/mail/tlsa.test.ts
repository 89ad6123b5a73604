import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { evaluateTlsa, httpsAuthenticatingMatch, parseTlsa, tlsaUnusable } from '../../src/mail/tlsa.ts';

const MX = 'mx.vouch.test';
const root = createCa({ name: 'TLSA Root' });
const intermediate = createCa({ name: 'TLSA Intermediate', issuer: root });
const leaf = issueLeaf(intermediate, { hosts: [MX] });
const rsaLeaf = issueLeaf(root, { hosts: [MX], keyType: 'rsa' });
const otherLeaf = issueLeaf(root, { hosts: ['other.vouch.test'] });
const stranger = createCa({ name: 'Unrelated CA' });

const x509 = (pem: string) => new X509Certificate(pem);
const spki = (pem: string) => x509(pem).publicKey.export({ type: 'spki', format: 'der' });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('hex');
const chain = [leaf.certPem, intermediate.certPem, root.certPem];

describe('parseTlsa (RFC 6698 2.2 presentation format)', () => {
  it.each([
    { text: '3 1 1 ABCDEF', ok: true },
    { text: '3 1 1 abcd ef01', ok: true }, // 2.2: the hex may be split by whitespace
    { text: '3 1 1', ok: false },
    { text: '3 1 1 xyz', ok: false },
    { text: '3 1 1 abc', ok: false }, // odd number of hex digits
    { text: '256 1 1 ab', ok: false },
  ])('$text -> ok $ok', ({ text, ok }) => {
    expect(parseTlsa(text).ok).toBe(ok);
  });

  it('normalises the data to lower-case hex without spaces', () => {
    expect(parseTlsa('2 0 1 AB CD')).toEqual({ ok: true, record: { usage: 2, selector: 0, matchingType: 1, data: 'abcd' } });
  });
});

describe('tlsaUnusable (RFC 7672 3.1, RFC 6698 2.1)', () => {
  const record = (usage: number, selector: number, matchingType: number, bytes: number) => ({ usage, selector, matchingType, data: 'ab'.repeat(bytes) });
  it.each([
    { r: record(3, 1, 1, 32), problem: null },
    { r: record(2, 0, 2, 64), problem: null },
    { r: record(3, 0, 0, 300), problem: null },
    { r: record(0, 0, 1, 32), problem: /PKIX-TA\(0\) is not used for SMTP/ }, // RFC 7672 3.1.3
    { r: record(1, 1, 1, 32), problem: /PKIX-EE\(1\) is not used for SMTP/ },
    { r: record(4, 1, 1, 32), problem: /unknown certificate usage/ },
    { r: record(3, 2, 1, 32), problem: /unknown selector/ },
    { r: record(3, 1, 3, 32), problem: /unknown matching type/ },
    { r: record(3, 1, 1, 31), problem: /31 bytes; SHA2-256\(1\) needs 32/ },
    { r: record(3, 1, 2, 32), problem: /needs 64/ },
    { r: record(3, 1, 0, 0), problem: /empty/ },
  ])('$r.usage $r.selector $r.matchingType ($r.data.length hex) -> $problem', ({ r, problem }) => {
    const found = tlsaUnusable(r);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });
});

describe('evaluateTlsa against a chain', () => {
  it.each([
    { name: 'DANE-EE SPKI SHA-256 of the leaf', record: `3 1 1 ${sha256(spki(leaf.certPem))}`, depth: 0 },
    { name: 'DANE-EE full certificate SHA-512', record: `3 0 2 ${sha512(x509(leaf.certPem).raw)}`, depth: 0 },
    { name: 'DANE-EE exact SPKI', record: `3 1 0 ${spki(leaf.certPem).toString('hex')}`, depth: 0 },
    { name: 'DANE-TA of the intermediate', record: `2 0 1 ${sha256(x509(intermediate.certPem).raw)}`, depth: 1 },
    { name: 'DANE-TA SPKI of the root', record: `2 1 1 ${sha256(spki(root.certPem))}`, depth: 2 },
    { name: 'upper-case hex', record: `3 1 1 ${sha256(spki(leaf.certPem)).toUpperCase()}`, depth: 0 },
  ])('$name matches at depth $depth', ({ record, depth }) => {
    const result = evaluateTlsa([record], chain, MX);
    expect(result.match).toMatchObject({ record, usable: true, matchedDepth: depth, problem: null });
  });

  it('matches an RSA key by SPKI (the SPKI is read from the certificate DER)', () => {
    const result = evaluateTlsa([`3 1 1 ${sha256(spki(rsaLeaf.certPem))}`], [rsaLeaf.certPem], MX);
    expect(result.match?.matchedDepth).toBe(0);
  });

  it('does not let DANE-EE match a certificate above the leaf', () => {
    const result = evaluateTlsa([`3 0 1 ${sha256(x509(intermediate.certPem).raw)}`], chain, MX);
    expect(result).toMatchObject({ match: null, usableCount: 1 });
    expect(result.results[0]?.problem).toBe('does not match the leaf');
  });

  it('requires the leaf to name the MX host under DANE-TA (RFC 7672 3.2.2), not under DANE-EE (3.1.1)', () => {
    const ta = `2 0 1 ${sha256(x509(root.certPem).raw)}`;
    const ee = `3 1 1 ${sha256(spki(otherLeaf.certPem))}`;
    const result = evaluateTlsa([ta, ee], [otherLeaf.certPem, root.certPem], MX);
    expect(result.results[0]?.problem).toMatch(/does not name mx\.vouch\.test/);
    expect(result.match?.record).toBe(ee);
  });

  it('requires the leaf to chain up to a DANE-TA certificate by signature', () => {
    const result = evaluateTlsa([`2 0 1 ${sha256(x509(stranger.certPem).raw)}`], [leaf.certPem, stranger.certPem], MX);
    expect(result.results[0]?.problem).toMatch(/does not chain up to it/);
  });

  it('counts PKIX usages as unusable and keeps them as evidence with their mnemonic', () => {
    const result = evaluateTlsa([`1 1 1 ${sha256(spki(leaf.certPem))}`], chain, MX);
    expect(result).toMatchObject({ usableCount: 0, match: null });
    expect(result.results[0]).toMatchObject({ parameters: 'PKIX-EE(1) SPKI(1) SHA2-256(1)', usable: false });
  });

  it('reports a wrong digest as usable but unmatched, and a garbled record as unusable', () => {
    const result = evaluateTlsa([`3 1 1 ${'00'.repeat(32)}`, 'garbage'], chain, MX);
    expect(result.usableCount).toBe(1);
    expect(result.results.map((r) => r.problem)).toEqual(['does not match the leaf', 'not "usage selector matching-type hex-data"']);
  });

  it.each<readonly [string, readonly string[], boolean, string | null]>([
    // RFC 7671 5: a PKIX-EE match on a chain that fails PKIX validation must not hide a DANE-EE match after it.
    ['PKIX-EE then DANE-EE, PKIX fails', [`1 1 1 ${sha256(spki(leaf.certPem))}`, `3 1 1 ${sha256(spki(leaf.certPem))}`], false, 'DANE-EE(3) SPKI(1) SHA2-256(1)'],
    ['PKIX-EE alone, PKIX fails', [`1 1 1 ${sha256(spki(leaf.certPem))}`], false, null],
    ['PKIX-EE alone, PKIX holds', [`1 1 1 ${sha256(spki(leaf.certPem))}`], true, 'PKIX-EE(1) SPKI(1) SHA2-256(1)'],
    ['PKIX-TA matching the root, PKIX fails, then DANE-TA on the intermediate', [`0 0 1 ${sha256(x509(root.certPem).raw)}`, `2 0 1 ${sha256(x509(intermediate.certPem).raw)}`], false, 'DANE-TA(2) Cert(0) SHA2-256(1)'],
    ['no record matches', [`3 1 1 ${'00'.repeat(32)}`], true, null],
  ])('HTTPS: %s', (_name, records, pkixValid, parameters) => {
    const result = evaluateTlsa(records, chain, MX, 'https');
    expect(httpsAuthenticatingMatch(result, pkixValid)?.parameters ?? null).toBe(parameters);
  });

  it('SMTP is unchanged: PKIX usages unusable, the first DANE match decides', () => {
    const result = evaluateTlsa([`1 1 1 ${sha256(spki(leaf.certPem))}`, `3 1 1 ${sha256(spki(leaf.certPem))}`], chain, MX);
    expect(result).toMatchObject({ usableCount: 1, match: { parameters: 'DANE-EE(3) SPKI(1) SHA2-256(1)' } });
  });

  it('matches nothing against an empty chain', () => {
    expect(evaluateTlsa([`3 1 1 ${sha256(spki(leaf.certPem))}`], [], MX).match).toBeNull();
  });
});
