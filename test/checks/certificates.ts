import type { CertificateFacts } from '../../src/probes/types.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';

/**
 * A real lab leaf's PEM (serverAuth EKU, no must-staple), for judges that read the certificate's extensions; the
 * other facts below describe the certificate each test is about. Made once per test file.
 */
const LEAF_PEM = issueLeaf(createCa({ name: 'Vouch Fixture CA' }), { hosts: ['example.nl'] }).certPem;

/** A certificate as the TLS probe reports it; override what the test is about. */
export function cert(overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    subject: 'CN=example.nl', issuer: 'CN=Example CA', subjectAltNames: ['DNS:example.nl'], serialNumber: '01',
    notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', fingerprintSha256: 'AA:BB',
    keyType: 'ec', keyBits: 256, curve: 'prime256v1', signatureAlgorithm: 'ecdsa-with-SHA256', selfSigned: false,
    pem: LEAF_PEM, ...overrides,
  };
}
