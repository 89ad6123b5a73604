import type { CertificateFacts } from '../../src/probes/types.ts';

/** A certificate as the TLS probe reports it; override what the test is about. */
export function cert(overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    subject: 'CN=example.nl', issuer: 'CN=Example CA', subjectAltNames: ['DNS:example.nl'], serialNumber: '01',
    notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', fingerprintSha256: 'AA:BB',
    keyType: 'ec', keyBits: 256, curve: 'prime256v1', signatureAlgorithm: 'ecdsa-with-SHA256', selfSigned: false,
    pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', ...overrides,
  };
}
