import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { buildOcspResponse, type StapleVariant } from '../../src/lab/ocsp.ts';
import { parseOcspResponse } from '../../src/tls/ocsp.ts';
import { assessStaple, type StapleOutcome } from '../../src/tls/ocsp-staple.ts';
import { seededRandom } from '../support/prng.ts';

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

// RFC 6960 OCSP responses as servers staple them: the parser (pure, total) and the judgement of a staple.

const ca = createCa({ name: 'Vouch Lab OCSP CA' });
const other = createCa({ name: 'Vouch Lab Other CA' });
const leaf = issueLeaf(ca, { hosts: ['ocsp.test'] });
const now = new Date();

describe('parseOcspResponse', () => {
  it('reads a good response: status, CertID, times, responder', () => {
    const parsed = parseOcspResponse(buildOcspResponse(ca, leaf.certPem, 'good', now));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.responseStatus).toBe('successful');
    const single = parsed.basic!.responses[0]!;
    expect(single.status).toBe('good');
    expect(single.serialNumber).toBe(new X509Certificate(leaf.certPem).serialNumber.replace(/^(00)+/, '').toUpperCase());
    expect(single.hashAlgorithm).toBe('1.3.14.3.2.26');
    expect(Date.parse(single.nextUpdate!)).toBeGreaterThan(now.getTime());
    expect(parsed.basic!.responderName).not.toBeNull();
    expect(parsed.basic!.certs).toHaveLength(0);
  });

  it.each<[StapleVariant, string]>([['revoked', 'revoked'], ['stale', 'good'], ['delegated', 'good']])('reads the %s variant', (variant, status) => {
    const parsed = parseOcspResponse(buildOcspResponse(ca, leaf.certPem, variant, now));
    expect(parsed.ok && parsed.basic!.responses[0]!.status).toBe(status);
    if (variant === 'revoked') expect(parsed.ok && parsed.basic!.responses[0]!.revocationReason).toBe(1);
    if (variant === 'delegated') expect(parsed.ok && parsed.basic!.certs).toHaveLength(1);
  });

  it('reads a tryLater response as a status without an answer', () => {
    expect(parseOcspResponse(buildOcspResponse(ca, leaf.certPem, 'try-later'))).toEqual({ ok: true, responseStatus: 'tryLater', basic: null });
  });

  it.each([['empty', Buffer.alloc(0)], ['text', Buffer.from('not an OCSP response')], ['a bare SEQUENCE', Buffer.from([0x30, 0x00])],
    ['an INTEGER', Buffer.from([0x02, 0x01, 0x00])]])('reports %s as a problem, never a throw', (_name, der) => {
    const parsed = parseOcspResponse(der);
    expect(parsed.ok).toBe(false);
  });

  it('is total on random and truncated input (fuzz)', () => {
    const next = seededRandom(10);
    const random = { int: (n: number) => Math.floor(next() * n) };
    const good = buildOcspResponse(ca, leaf.certPem, 'delegated', now);
    for (let i = 0; i < 80; i++) {
      const cut = good.subarray(0, random.int(good.length));
      const flipped = Buffer.from(good);
      const at = random.int(flipped.length);
      flipped[at] = flipped[at]! ^ (1 << random.int(8));
      const noise = Buffer.from(Array.from({ length: random.int(64) }, () => random.int(256)));
      for (const input of [cut, flipped, noise]) {
        expect(() => parseOcspResponse(input)).not.toThrow();
        expect(() => assessStaple(input, serialOf(leaf.certPem), ca.certPem, now)).not.toThrow();
      }
    }
  });
});

describe('assessStaple', () => {
  it.each<[StapleVariant, StapleOutcome, string]>([
    ['good', 'good', 'signed by the issuer'],
    ['delegated', 'good', 'delegated responder'],
    ['revoked', 'revoked', 'revoked since'],
    ['stale', 'stale', 'nextUpdate'],
    ['bad-signature', 'invalid', 'does not verify'],
    ['try-later', 'invalid', 'tryLater'],
    ['garbage', 'invalid', 'does not decode'],
  ])('%s: %s', (variant, outcome, detail) => {
    const a = assessStaple(buildOcspResponse(ca, leaf.certPem, variant, now), serialOf(leaf.certPem), ca.certPem, now);
    expect(a.outcome, a.detail).toBe(outcome);
    expect(a.detail).toContain(detail);
  });

  it('refuses a response about another certificate', () => {
    const otherLeaf = issueLeaf(ca, { hosts: ['other.test'] });
    const a = assessStaple(buildOcspResponse(ca, otherLeaf.certPem, 'good', now), serialOf(leaf.certPem), ca.certPem, now);
    expect(a.outcome).toBe('invalid');
    expect(a.detail).toContain('CertID');
  });

  it('refuses a response signed by another CA that claims the issuer\'s name', () => {
    const impostor = { ...other, certPem: ca.certPem };
    const a = assessStaple(buildOcspResponse(impostor, leaf.certPem, 'good', now), serialOf(leaf.certPem), ca.certPem, now);
    expect(a.outcome).toBe('invalid');
  });

  it('refuses a delegated responder that is not issued by the issuer', () => {
    const foreign = buildOcspResponse({ ...other, certPem: ca.certPem, keyPem: ca.keyPem, signer: other.signer }, leaf.certPem, 'delegated', now);
    const a = assessStaple(foreign, serialOf(leaf.certPem), ca.certPem, now);
    expect(a.outcome).toBe('invalid');
  });

  it('is unverifiable without the issuer', () => {
    expect(assessStaple(buildOcspResponse(ca, leaf.certPem, 'good', now), serialOf(leaf.certPem), null, now).outcome).toBe('unverifiable');
  });

  it('judges freshness at the given time: a good staple read 8 days later is stale', () => {
    const later = new Date(now.getTime() + 8 * 86_400_000);
    expect(assessStaple(buildOcspResponse(ca, leaf.certPem, 'good', now), serialOf(leaf.certPem), ca.certPem, later).outcome).toBe('stale');
  });
});
