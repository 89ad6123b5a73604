import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startTlsServer } from '../../src/lab/tls-server.ts';
import { signatureAlgorithm } from '../../src/probes/tls.ts';

const DAY_MS = 86_400_000;
const ca = createCa({ name: 'Vouch PKI Test CA' });
const caCert = new X509Certificate(ca.certPem);
const pemCount = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

describe('createCa', () => {
  it('makes a self-signed EC P-256 root that may sign certificates', () => {
    expect(caCert.subject).toContain('CN=Vouch PKI Test CA');
    expect(caCert.checkIssued(caCert)).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.ca).toBe(true);
    expect(caCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ca.chainPem).toBe(ca.certPem);
  });

  it('issues an intermediate whose leaves carry it in chainPem (never the root)', () => {
    const intermediate = createCa({ name: 'Vouch PKI Test Intermediate', issuer: ca });
    const leaf = issueLeaf(intermediate, { hosts: ['localhost'] });
    expect(new X509Certificate(intermediate.certPem).verify(caCert.publicKey)).toBe(true);
    expect(pemCount(leaf.chainPem)).toBe(2);
    expect(leaf.chainPem.startsWith(leaf.certPem)).toBe(true);
    expect(leaf.chainPem).toContain(intermediate.certPem);
    expect(leaf.chainPem).not.toContain(ca.certPem);
  });
});

describe('issueLeaf', () => {
  it('issues a good leaf: SANs for names and IPs, signed by the CA, valid now, ECDSA SHA-256', () => {
    const leaf = issueLeaf(ca, { hosts: ['localhost', 'www.example.test', '127.0.0.1', '::1'] });
    const x509 = new X509Certificate(leaf.certPem);
    expect(x509.subject).toContain('CN=localhost');
    expect(x509.subjectAltName).toBe('DNS:localhost, DNS:www.example.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkIssued(caCert)).toBe(true);
    expect(x509.verify(caCert.publicKey)).toBe(true);
    expect(x509.ca).toBe(false);
    expect(x509.checkHost('www.example.test')).toBe('www.example.test');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(x509.validFrom)).toBeLessThan(Date.now());
    expect(Date.parse(x509.validTo)).toBeGreaterThan(Date.now() + 80 * DAY_MS);
    expect(signatureAlgorithm(x509.raw)).toBe('ecdsa-with-SHA256');
    expect(leaf.chainPem).toBe(leaf.certPem); // issued by a root: nothing to send besides the leaf
  });

  it('issues expired and not-yet-valid leaves from explicit dates', () => {
    const expired = new X509Certificate(issueLeaf(ca, {
      hosts: ['localhost'], notBefore: new Date(Date.now() - 30 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS),
    }).certPem);
    expect(Date.parse(expired.validTo)).toBeLessThan(Date.now());
    const future = new X509Certificate(issueLeaf(ca, { hosts: ['localhost'], notBefore: new Date(Date.now() + DAY_MS) }).certPem);
    expect(Date.parse(future.validFrom)).toBeGreaterThan(Date.now());
    expect(Date.parse(future.validTo) - Date.parse(future.validFrom)).toBe(90 * DAY_MS);
  });

  it('issues a self-signed leaf', () => {
    const x509 = new X509Certificate(issueLeaf(ca, { hosts: ['localhost'], selfSigned: true }).certPem);
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkIssued(caCert)).toBe(false);
  });

  // RSA-2048 is left out on purpose: generating one costs 50-700 ms, more than this whole file should take.
  it('issues an RSA-1024 leaf, still signed by the EC CA, reusing the key for the same size', () => {
    const first = issueLeaf(ca, { hosts: ['localhost'], keyType: 'rsa', rsaBits: 1024 });
    const x509 = new X509Certificate(first.certPem);
    expect(x509.publicKey.asymmetricKeyType).toBe('rsa');
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(x509.verify(caCert.publicKey)).toBe(true);
    expect(issueLeaf(ca, { hosts: ['other.test'], keyType: 'rsa', rsaBits: 1024 }).keyPem).toBe(first.keyPem);
  });

  it.each([
    { caKey: 'ec' as const, expected: 'ecdsa-with-SHA1' },
    { caKey: 'rsa' as const, expected: 'sha1WithRSAEncryption' },
  ])('signs with SHA-1 when asked ($caKey CA -> $expected)', ({ caKey, expected }) => {
    const issuer = caKey === 'ec' ? ca : createCa({ name: 'Vouch RSA CA', keyType: 'rsa', rsaBits: 1024 });
    const x509 = new X509Certificate(issueLeaf(issuer, { hosts: ['localhost'], signatureHash: 'sha1' }).certPem);
    expect(signatureAlgorithm(x509.raw)).toBe(expected);
    expect(x509.verify(new X509Certificate(issuer.certPem).publicKey)).toBe(true);
  });

  it('rejects an empty host list', () => {
    expect(() => issueLeaf(ca, { hosts: [] })).toThrow(TypeError);
  });
});

describe('what OpenSSL 3 lets a server load', () => {
  it('refuses a CA-signed SHA-1 leaf at the default security level, loads it at level 0', async () => {
    const sha1 = issueLeaf(ca, { hosts: ['localhost'], signatureHash: 'sha1' });
    await expect(startTlsServer({ key: sha1.keyPem, cert: sha1.certPem })).rejects.toMatchObject({ code: 'ERR_SSL_CA_MD_TOO_WEAK' });
    const server = await startTlsServer({ key: sha1.keyPem, cert: sha1.certPem, ciphers: 'DEFAULT@SECLEVEL=0' });
    await server.close();
  });

  it('loads an RSA-1024 leaf at the default security level (80 bits is level 1)', async () => {
    const weak = issueLeaf(ca, { hosts: ['localhost'], keyType: 'rsa', rsaBits: 1024 });
    const server = await startTlsServer({ key: weak.keyPem, cert: weak.certPem });
    await server.close();
  });
});
