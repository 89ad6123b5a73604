import { describe, expect, it } from 'vitest';
import { certificateExpiryCheck } from '../../../checks/tls/certificate-expiry.ts';
import { certificateHostnameCheck } from '../../../checks/tls/certificate-hostname.ts';
import { certificateKeyCheck } from '../../../checks/tls/certificate-key.ts';
import { certificateSignatureCheck } from '../../../checks/tls/certificate-signature.ts';
import { certificateTrustCheck } from '../../../checks/tls/certificate-trust.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Check } from '../../../src/core/check.ts';
import type { TlsFacts } from '../../../src/probes/types.ts';
import { classifyKey } from '../../../checks/tls/certificate-key.ts';
import { classifySignature, signatureHash } from '../../../checks/tls/certificate-signature.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/config/defaults.ts';
import { builtinPolicy, type BuiltinPolicyId } from '../../../src/tls/policy.ts';
import { contextFor, endpointsFor, fakeProbes, tlsFacts } from '../../support/fake-probes.ts';
import { cert } from '../certificates.ts';

const run = (check: Check, facts: Partial<TlsFacts>) =>
  check.run(contextFor(fakeProbes({ endpoints: endpointsFor, tls: async () => tlsFacts({ chain: [cert()], ...facts }) })));
const root = cert({ subject: 'CN=Root', selfSigned: true, signatureAlgorithm: 'sha1WithRSAEncryption', keyType: 'rsa', keyBits: 1024 });

describe('certificate checks (clock fixed at 2026-06-01)', () => {
  it.each([
    [certificateTrustCheck, {}, 'pass'],
    [certificateTrustCheck, { chainTrusted: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'fail'],
    [certificateHostnameCheck, {}, 'pass'],
    [certificateHostnameCheck, { hostnameMatches: false }, 'fail'],
    [certificateExpiryCheck, {}, 'pass'],
    [certificateExpiryCheck, { chain: [cert({ notAfter: '2026-06-20T00:00:00Z' })] }, 'warn'],   // 19 days < 30
    [certificateExpiryCheck, { chain: [cert({ notAfter: '2026-06-05T00:00:00Z' })] }, 'fail'],   // 4 days < 7
    [certificateExpiryCheck, { chain: [cert({ notAfter: '2026-05-01T00:00:00Z' })] }, 'fail'],   // expired
    [certificateExpiryCheck, { chain: [cert({ notBefore: '2026-07-01T00:00:00Z' })] }, 'fail'],  // not yet valid
    [certificateExpiryCheck, { chain: [] }, 'fail'],
    [certificateKeyCheck, {}, 'pass'],
    [certificateKeyCheck, { chain: [cert(), root] }, 'pass'],                                    // a root's key is not judged
    [certificateKeyCheck, { chain: [cert({ keyType: 'rsa', keyBits: 1024 })] }, 'fail'],
    [certificateKeyCheck, { chain: [cert(), cert({ subject: 'CN=Intermediate', keyType: 'rsa', keyBits: 1024 })] }, 'fail'],
    [certificateKeyCheck, { chain: [cert({ keyType: 'ec', keyBits: 224 })] }, 'fail'],                 // below thresholds.minEcBits
    [certificateKeyCheck, { chain: [cert({ keyType: 'ec', keyBits: 224, curve: 'secp224r1' })] }, 'fail'],
    [certificateKeyCheck, { chain: [cert({ keyType: 'rsa', keyBits: 2048, curve: null })] }, 'warn'],  // NCSC 2025: phase-out
    [certificateKeyCheck, { chain: [cert(), cert({ subject: 'CN=Intermediate', keyType: 'rsa', keyBits: 2048, curve: null })] }, 'warn'],
    [certificateKeyCheck, { chain: [cert({ keyType: 'rsa', keyBits: 3072, curve: null })] }, 'pass'],
    [certificateKeyCheck, { chain: [cert({ keyType: 'ed25519', keyBits: 255, curve: 'ed25519' })] }, 'pass'],
    [certificateKeyCheck, { chain: [cert({ keyType: 'dsa', keyBits: 2048, curve: null })] }, 'fail'],
    [certificateKeyCheck, { chain: [cert({ keyType: 'unknown', keyBits: null, curve: null })] }, 'fail'],
    [certificateSignatureCheck, {}, 'pass'],
    [certificateSignatureCheck, { chain: [cert(), root] }, 'pass'],                              // a root's own signature is never checked
    [certificateSignatureCheck, { chain: [cert({ signatureAlgorithm: 'sha1WithRSAEncryption' })] }, 'fail'],
    [certificateSignatureCheck, { chain: [cert({ signatureAlgorithm: 'md5WithRSAEncryption' })] }, 'fail'],
    [certificateSignatureCheck, { chain: [cert(), cert({ subject: 'CN=Intermediate', signatureAlgorithm: 'ecdsa-with-SHA1' })] }, 'fail'],
    [certificateSignatureCheck, { chain: [cert({ signatureAlgorithm: 'ED25519' })] }, 'pass'],
    [certificateSignatureCheck, { chain: [cert({ signatureAlgorithm: 'md2WithRSAEncryption' })] }, 'fail'],
    [certificateSignatureCheck, { chain: [cert({ signatureAlgorithm: '1.2.3.4' })] }, 'fail'],         // not recognised: the policy's default
  ] as const)('%#: %s -> %s', async (check, facts, status) => {
    expect((await run(check, facts)).status).toBe(status);
  });

  it('shows the leaf facts and days left as evidence', async () => {
    const outcome = await run(certificateExpiryCheck, {});
    expect(outcome).toMatchObject({ status: 'pass', evidence: { host: 'example.nl', port: 443, addresses: [{
      address: '192.0.2.1', daysLeft: 214, leaf: { subject: 'CN=example.nl', notAfter: '2027-01-01T00:00:00.000Z' },
    }] } });
  });

  it('reports a probe failure as error with its reason', async () => {
    const ctx = contextFor(fakeProbes({ endpoints: endpointsFor, tls: async () => { throw new ProbeError('timeout', 'x', 'slow'); } }));
    expect(await certificateTrustCheck.run(ctx)).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it('fails when the name has no addresses', async () => {
    const ctx = contextFor(fakeProbes({ endpoints: async (hostname, port) => ({ hostname, port, source: 'dns', endpoints: [], answers: [] }) }));
    expect(await certificateTrustCheck.run(ctx)).toMatchObject({ status: 'fail', summary: 'example.nl has no A or AAAA record' });
  });

  it('judges every address: one bad backend fails the check and is named', async () => {
    const endpoints = async (hostname: string, port: number) => ({
      hostname, port, source: 'dns' as const, answers: [],
      endpoints: ['192.0.2.1', '192.0.2.2'].map((address) => ({ hostname, port, address, dialPort: port })),
    });
    const tls = async (ep: { address: string }) => tlsFacts({ chain: [cert()], hostnameMatches: ep.address === '192.0.2.1' });
    const outcome = await certificateHostnameCheck.run(contextFor(fakeProbes({ endpoints, tls })));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain('(192.0.2.2)');
  });
});

const RSA = (bits: number) => cert({ keyType: 'rsa', keyBits: bits, curve: null });
const EC = (curve: string, bits: number) => cert({ keyType: 'ec', keyBits: bits, curve });

describe('certificate key classes per policy (table)', () => {
  it.each([
    ['ncsc-2025-05', RSA(1024), 'insufficient'], ['ncsc-2025-05', RSA(2048), 'phase-out'], ['ncsc-2025-05', RSA(3071), 'phase-out'],
    ['ncsc-2025-05', RSA(3072), 'good'], ['ncsc-2025-05', RSA(4096), 'good'],
    ['ncsc-2025-05', EC('prime256v1', 256), 'good'], ['ncsc-2025-05', EC('secp384r1', 384), 'good'], ['ncsc-2025-05', EC('secp521r1', 521), 'good'],
    ['ncsc-2025-05', EC('brainpoolP256r1', 256), 'good'], ['ncsc-2025-05', EC('secp256k1', 256), 'insufficient'],
    ['ncsc-2025-05', cert({ keyType: 'ed25519', keyBits: 255, curve: 'ed25519' }), 'good'],
    ['mozilla-intermediate', RSA(1024), 'insufficient'], ['mozilla-intermediate', RSA(2048), 'good'], ['mozilla-intermediate', RSA(3072), 'good'],
    ['mozilla-intermediate', EC('prime256v1', 256), 'good'], ['mozilla-intermediate', EC('secp384r1', 384), 'good'],
    ['mozilla-intermediate', EC('secp521r1', 521), 'insufficient'], ['mozilla-intermediate', cert({ keyType: 'ed25519', keyBits: 255, curve: 'ed25519' }), 'insufficient'],
  ] as const)('%s: %o -> %s', (id, c, expected) => {
    expect(classifyKey(c, builtinPolicy(id as BuiltinPolicyId), DEFAULT_THRESHOLDS).class).toBe(expected);
  });

  it('the thresholds are an extra floor: they can make a verdict stricter, never more lenient', () => {
    const strict = { ...DEFAULT_THRESHOLDS, minRsaBits: 4096 };
    const lenient = { ...DEFAULT_THRESHOLDS, minRsaBits: 1024 };
    const mozilla = builtinPolicy('mozilla-intermediate');
    expect(classifyKey(RSA(3072), mozilla, strict)).toMatchObject({ class: 'insufficient', rule: 'thresholds.minRsaBits', source: 'config' });
    expect(classifyKey(RSA(1024), mozilla, lenient)).toMatchObject({ class: 'insufficient', rule: 'certificates.keys.default' });
    expect(classifyKey(RSA(2048), builtinPolicy('ncsc-2025-05'), lenient).class).toBe('phase-out');
  });
});

describe('certificate signature classes per policy (table)', () => {
  it.each([
    ['sha256WithRSAEncryption', 'sha256'], ['ecdsa-with-SHA384', 'sha384'], ['sha1WithRSAEncryption', 'sha1'], ['ecdsa-with-SHA1', 'sha1'],
    ['dsa-with-SHA1', 'sha1'], ['md5WithRSAEncryption', 'md5'], ['ED25519', 'intrinsic'], ['sha224WithRSAEncryption', 'sha224'],
    ['md2WithRSAEncryption', null], ['1.2.3.4', null], ['unknown', null],
  ] as const)('%s has hash %s', (signatureAlgorithm, hash) => {
    expect(signatureHash({ signatureAlgorithm, pem: '' })).toBe(hash);
  });

  it.each([
    ['ncsc-2025-05', 'sha256WithRSAEncryption', 'sufficient'], ['ncsc-2025-05', 'ecdsa-with-SHA512', 'sufficient'],
    ['ncsc-2025-05', 'ED25519', 'sufficient'], ['ncsc-2025-05', 'sha1WithRSAEncryption', 'insufficient'],
    ['ncsc-2025-05', 'md5WithRSAEncryption', 'insufficient'], ['ncsc-2025-05', 'sha224WithRSAEncryption', 'insufficient'],
    ['mozilla-intermediate', 'sha256WithRSAEncryption', 'good'], ['mozilla-intermediate', 'ecdsa-with-SHA384', 'good'],
    ['mozilla-intermediate', 'sha1WithRSAEncryption', 'insufficient'], ['mozilla-intermediate', 'ED25519', 'insufficient'],
  ] as const)('%s: %s -> %s', (id, signatureAlgorithm, expected) => {
    expect(classifySignature(cert({ signatureAlgorithm }), builtinPolicy(id)).class).toBe(expected);
  });

  it('reads the hash of an RSASSA-PSS signature from its parameters (RFC 4055 3.1: absent means SHA-1)', () => {
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }, with an empty tbs for brevity.
    const tlv = (tag: number, ...parts: Buffer[]) => { const body = Buffer.concat(parts); return Buffer.concat([Buffer.of(tag, body.length), body]); };
    const PSS = Buffer.from('06092a864886f70d01010a', 'hex'); // 1.2.840.113549.1.1.10
    const SHA256 = Buffer.from('0609608648016503040201', 'hex'); // 2.16.840.1.101.3.4.2.1
    const pemOf = (algorithm: Buffer) =>
      `-----BEGIN CERTIFICATE-----\n${tlv(0x30, tlv(0x30), algorithm, tlv(0x03, Buffer.of(0))).toString('base64')}\n-----END CERTIFICATE-----\n`;
    const withSha256 = pemOf(tlv(0x30, PSS, tlv(0x30, tlv(0xa0, tlv(0x30, SHA256)))));
    const withDefault = pemOf(tlv(0x30, PSS, tlv(0x30)));
    expect(signatureHash({ signatureAlgorithm: 'rsassaPss', pem: withSha256 })).toBe('sha256');
    expect(signatureHash({ signatureAlgorithm: 'rsassaPss', pem: withDefault })).toBe('sha1');
    expect(signatureHash({ signatureAlgorithm: 'rsassaPss', pem: 'garbage' })).toBeNull();
    expect(classifySignature(cert({ signatureAlgorithm: 'rsassaPss', pem: withSha256 }), builtinPolicy('ncsc-2025-05')).class).toBe('sufficient');
  });
});

describe('key and signature evidence', () => {
  it('names each certificate\'s class, clause and the policy; a self-signed root is not judged', async () => {
    const outcome = await run(certificateKeyCheck, { chain: [RSA(2048), root] });
    expect(outcome).toMatchObject({ status: 'warn', evidence: { addresses: [{ policy: { id: 'ncsc-2025-05', version: '2025-05' },
      keys: [{ subject: 'CN=example.nl', keyType: 'rsa', keyBits: 2048, class: 'phase-out', clause: expect.stringContaining('CERT_RSA_MIN_PHASE_OUT_KEY_SIZE'), rule: 'certificates.keys.rules[1]' }] }] } });
    expect(outcome.summary).toMatch(/^RSA 2048-bit key in "CN=example.nl" is phase-out under ncsc-2025-05/);
    const sig = await run(certificateSignatureCheck, { chain: [cert({ signatureAlgorithm: 'sha1WithRSAEncryption' }), root] });
    expect(sig).toMatchObject({ status: 'fail', summary: '"CN=example.nl" is signed with sha1WithRSAEncryption (insufficient under ncsc-2025-05)',
      evidence: { addresses: [{ signatures: [{ subject: 'CN=example.nl', hash: 'sha1', class: 'insufficient' }] }] } });
  });

  it('passes RSA-2048 under mozilla-intermediate', async () => {
    const ctx = contextFor(fakeProbes({ endpoints: endpointsFor, tls: async () => tlsFacts({ chain: [RSA(2048)] }) }), {}, { tlsPolicy: builtinPolicy('mozilla-intermediate') });
    expect(await certificateKeyCheck.run(ctx)).toMatchObject({ status: 'pass', summary: 'RSA 2048-bit key (good under mozilla-intermediate)' });
  });
});
