import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { buildOcspResponse, type StapleVariant } from '../../src/lab/ocsp.ts';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse } from '@peculiar/asn1-ocsp';
import { parseOcspResponse } from '../../src/tls/ocsp.ts';
import { parseSctList } from '../../src/tls/sct.ts';
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

  it('carries the SingleResponse SCT list extension out (RFC 6962 3.3): a list, none, or a problem', () => {
    const withScts = parseOcspResponse(buildOcspResponse(ca, leaf.certPem, 'with-scts', now));
    const list = withScts.ok ? withScts.basic!.responses[0]!.sctList : null;
    expect(Buffer.isBuffer(list)).toBe(true);
    const scts = parseSctList(list as Buffer);
    expect(scts.ok && scts.scts).toHaveLength(2);
    const good = parseOcspResponse(buildOcspResponse(ca, leaf.certPem, 'good', now));
    expect(good.ok && good.basic!.responses[0]!.sctList).toBeNull();
    // The extension's value made an INTEGER instead of the OCTET STRING holding the list.
    const response = AsnConvert.parse(buildOcspResponse(ca, leaf.certPem, 'with-scts', now), OCSPResponse);
    const basic = AsnConvert.parse(response.responseBytes!.response.buffer, BasicOCSPResponse);
    basic.tbsResponseData.responses[0]!.singleExtensions![0]!.extnValue = new OctetString(Buffer.from([0x02, 0x01, 0x00]));
    response.responseBytes!.response = new OctetString(AsnConvert.serialize(basic));
    const broken = parseOcspResponse(Buffer.from(AsnConvert.serialize(response)));
    expect(broken.ok && broken.basic!.responses[0]!.sctList).toMatchObject({ problem: expect.stringContaining('1.3.6.1.4.1.11129.2.4.5') });
    expect(broken.ok && broken.basic!.responses[0]!.status).toBe('good');
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
    const samples = [buildOcspResponse(ca, leaf.certPem, 'delegated', now), buildOcspResponse(ca, leaf.certPem, 'with-scts', now)];
    for (let i = 0; i < 80; i++) {
      const good = samples[i % 2]!;
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
    ['with-scts', 'good', 'signed by the issuer'],
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

  /** The response with the first occurrence of one DER-encoded OID swapped for another of the same length. */
  const withOid = (der: Buffer, from: string, to: string): Buffer => {
    const at = der.indexOf(Buffer.from(from, 'hex'));
    expect(at).toBeGreaterThan(0);
    const copy = Buffer.from(der);
    Buffer.from(to, 'hex').copy(copy, at);
    return copy;
  };

  it('cannot check, rather than refuses, a staple signed with an algorithm it does not verify (RSASSA-PSS)', () => {
    // An RSA issuer signs with sha256WithRSAEncryption (1.2.840.113549.1.1.11), the response's only algorithm OID:
    // swapped for RSASSA-PSS (1.2.840.113549.1.1.10), whose parameters Vouch does not read.
    const rsaCa = createCa({ name: 'Vouch Lab OCSP RSA CA', keyType: 'rsa' });
    const rsaLeaf = issueLeaf(rsaCa, { hosts: ['ocsp.test'] });
    const der = withOid(buildOcspResponse(rsaCa, rsaLeaf.certPem, 'good', now), '06092a864886f70d01010b', '06092a864886f70d01010a');
    const a = assessStaple(der, serialOf(rsaLeaf.certPem), rsaCa.certPem, now);
    expect(a.outcome, a.detail).toBe('unverifiable');
    expect(a.detail).toContain('RSASSA-PSS (1.2.840.113549.1.1.10)');
  });

  it('cannot check, rather than refuses, an answer whose CertID hash it cannot compute', () => {
    // CertID hashAlgorithm SHA-1 (1.3.14.3.2.26) -> 1.3.14.3.2.27, same length so the DER stays valid: same serial, unknown hash.
    const der = buildOcspResponse(ca, leaf.certPem, 'good', now);
    const a = assessStaple(withOid(der, '06052b0e03021a', '06052b0e03021b'), serialOf(leaf.certPem), ca.certPem, now);
    expect(a.outcome, a.detail).toBe('unverifiable');
    expect(a.detail).toContain('hash algorithm 1.3.14.3.2.27');
    // The same unknown hash on an answer for another serial is still no answer for this certificate.
    const otherLeaf = issueLeaf(ca, { hosts: ['other.test'] });
    const foreign = withOid(buildOcspResponse(ca, otherLeaf.certPem, 'good', now), '06052b0e03021a', '06052b0e03021b');
    expect(assessStaple(foreign, serialOf(leaf.certPem), ca.certPem, now).outcome).toBe('invalid');
  });

  it('judges freshness at the given time: a good staple read 8 days later is stale', () => {
    const later = new Date(now.getTime() + 8 * 86_400_000);
    expect(assessStaple(buildOcspResponse(ca, leaf.certPem, 'good', now), serialOf(leaf.certPem), ca.certPem, later).outcome).toBe('stale');
  });
});
