/**
 * The pieces of the certificate-depth checks without a network: the leaf-extension reader, the chain links measured
 * at the handshake (chainPath), and the chain, usage and CT judges on lab certificates.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { chainPath } from '../../src/probes/chain-path.ts';
import { certificateFacts } from '../../src/probes/tls.ts';
import type { TlsFacts } from '../../src/probes/types.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { depthCertificate, type DepthVariant } from '../../src/lab/chain-variants.ts';
import { pemToDer, readCertificateExtensions, readPemExtensions } from '../../src/tls/certificate-extensions.ts';
import { judgeChain } from '../../src/tls/judge/certificate-chain.ts';
import { judgeUsage } from '../../src/tls/judge/certificate-usage.ts';
import { judgeOcspStapling } from '../../src/tls/judge/ocsp-stapling.ts';
import { judgeTransparency, requiredScts } from '../../src/tls/judge/certificate-transparency.ts';
import { DEFAULT_THRESHOLDS } from '../../src/config/defaults.ts';
import { tlsFacts } from '../support/fake-probes.ts';
import { seededRandom } from '../support/prng.ts';

const HOST = 'depth.vouch.test';
/** The fingerprint's TLS 1.2 answer carried no signed_certificate_timestamp extension. */
const NO_TLS_SCTS = { read: true, fact: { version: 'TLSv1.2', listHex: null } } as const;
const root = createCa({ name: 'Vouch Depth Test Root' });
const CONFIGURED = [root.certPem];
const pems = (bundle: string) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];

/** TLS facts as the probe would build them for this served bundle. */
function served(bundle: string, ca: readonly string[] = CONFIGURED): TlsFacts {
  const x509 = pems(bundle).map((p) => new X509Certificate(p));
  return tlsFacts({ chain: x509.map((c) => certificateFacts(c, c.toString())), chainPath: chainPath(x509, ca) });
}
const variant = (v: DepthVariant) => served(depthCertificate(root, HOST, v).chainPem);

const EKU_OID = '0603551d25'; // 2.5.29.37
const TLS_FEATURE_OID = '06082b06010505070118'; // 1.3.6.1.5.5.7.1.24
/**
 * The certificate with one extension's value made undecodable (its SEQUENCE tag turned into an OCTET STRING tag):
 * node:crypto still reads the certificate, our extension decoder cannot read that extension.
 */
function withBrokenExtension(pem: string, oidHex: string): string {
  const der = Buffer.from(pemToDer(pem)!);
  let at = der.indexOf(Buffer.from(oidHex, 'hex')) + oidHex.length / 2;
  if (der[at] === 0x01) at += 3; // critical BOOLEAN
  expect(der[at]).toBe(0x04); // extnValue OCTET STRING, short length
  expect(der[at + 2]).toBe(0x30);
  der[at + 2] = 0x04;
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
}
const now = () => new Date();

describe('readCertificateExtensions (RFC 5280 4.2, RFC 7633, RFC 6962 3.3)', () => {
  it('reads serverAuth and the embedded SCT list of a default lab leaf', () => {
    const r = readPemExtensions(issueLeaf(root, { hosts: [HOST] }).certPem);
    expect(r).toMatchObject({ ok: true, extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'], mustStaple: false, isCa: false, precertificate: false, problems: [] });
    expect(r.ok && r.sctList?.length).toBeGreaterThan(100);
  });

  it.each<readonly [string, Parameters<typeof issueLeaf>[1], object]>([
    ['no EKU at all', { hosts: [HOST], extendedKeyUsage: null }, { extendedKeyUsage: null }],
    ['clientAuth only', { hosts: [HOST], extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'] }, { extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'] }],
    ['must-staple', { hosts: [HOST], mustStaple: true }, { mustStaple: true, tlsFeatures: [5] }],
    ['no SCTs', { hosts: [HOST], scts: 0 }, { sctList: null }],
  ])('%s', (_name, options, expected) => {
    expect(readPemExtensions(issueLeaf(root, options).certPem)).toMatchObject({ ok: true, ...expected });
  });

  it('must-staple is unknown (null), not false, when the TLS Feature extension does not decode', () => {
    const r = readPemExtensions(withBrokenExtension(issueLeaf(root, { hosts: [HOST], mustStaple: true }).certPem, TLS_FEATURE_OID));
    expect(r).toMatchObject({ ok: true, mustStaple: null, tlsFeatures: null, problems: [expect.stringMatching(/^TLS Feature .* does not decode/)] });
  });

  it('reads a CA certificate as one', () => {
    expect(readPemExtensions(root.certPem)).toMatchObject({ ok: true, isCa: true, sctList: null });
  });

  it('is total: truncations and byte flips of a certificate give a result, never an exception', () => {
    const der = pemToDer(issueLeaf(root, { hosts: [HOST], mustStaple: true }).certPem)!;
    for (let n = 0; n < der.length; n += 17) expect(readCertificateExtensions(der.subarray(0, n)).ok).toBe(false);
    const random = seededRandom(5280);
    for (let i = 0; i < 200; i++) {
      const copy = Buffer.from(der);
      copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      expect(typeof readCertificateExtensions(copy).ok).toBe('boolean');
    }
    expect(readPemExtensions('not a certificate')).toEqual({ ok: false, problem: 'no PEM certificate' });
  });
});

describe('chainPath: how the served certificates link up', () => {
  it('a leaf and its intermediate, in order, up to a configured root that is not sent', () => {
    const inter = createCa({ name: 'Vouch Depth Intermediate', issuer: root });
    const facts = served(issueLeaf(inter, { hosts: [HOST] }).chainPem);
    expect(facts.chainPath).toMatchObject({ path: [0, 1], issuedByNext: [true], anchor: { source: 'configured', served: false } });
  });

  it('the root sent along is noted as served', () => {
    const facts = served(issueLeaf(root, { hosts: [HOST] }).chainPem + root.certPem);
    expect(facts.chainPath).toMatchObject({ path: [0, 1], anchor: { served: true } });
  });

  it('a missing intermediate reaches no root; so does an unknown CA', () => {
    expect(variant('missing-intermediate').chainPath).toMatchObject({ path: [0], anchor: null });
    expect(served(issueLeaf(root, { hosts: [HOST] }).chainPem, []).chainPath.anchor).toBeNull();
  });

  it('a wrongly ordered chain still has its path, out of order', () => {
    expect(variant('wrong-order').chainPath).toMatchObject({ path: [0, 2, 1], issuedByNext: [false, false], anchor: { source: 'configured' } });
  });

  it('a bundled root is told apart from a configured one', () => {
    // A bundled root served after itself: it is in the store, so the path ends at it.
    const bundledRoot = new X509Certificate(tls.rootCertificates[0]!);
    const path = chainPath([bundledRoot, bundledRoot], []);
    expect(path.anchor?.source).toBe('bundled');
  });
});

describe('judges', () => {
  it.each<readonly [DepthVariant | 'good', 'pass' | 'warn' | 'fail', RegExp]>([
    ['good', 'pass', /complete chain in order: the leaf and 0 intermediates up to a configured root/],
    ['missing-intermediate', 'fail', /incomplete chain: the issuer of .* was not sent/],
    ['wrong-order', 'fail', /out of order/],
    ['expired-intermediate', 'fail', /intermediate "O=Vouch Lab, CN=Vouch Lab Expired Intermediate" expired on/],
    ['expiring-intermediate', 'fail', /expires in [45] days/],
  ])('chain: %s is %s', (name, status, summary) => {
    const facts = name === 'good' ? served(issueLeaf(root, { hosts: [HOST] }).chainPem) : variant(name);
    const v = judgeChain(facts, now(), DEFAULT_THRESHOLDS);
    expect(v.status, v.summary).toBe(status);
    expect(v.summary).toMatch(summary);
  });

  it('chain: an intermediate within the warning window warns', () => {
    const inter = createCa({ name: 'Soon', issuer: root, notAfter: new Date(Date.now() + 20 * 86_400_000) });
    expect(judgeChain(served(issueLeaf(inter, { hosts: [HOST] }).chainPem), now(), DEFAULT_THRESHOLDS).status).toBe('warn');
  });

  it.each<readonly [DepthVariant | 'good', 'pass' | 'warn' | 'fail', RegExp]>([
    ['good', 'pass', /includes serverAuth$/],
    ['no-eku', 'pass', /no extended key usage extension/],
    ['must-staple', 'pass', /must-staple \(RFC 7633\) is set/],
    ['client-auth-only', 'fail', /\(clientAuth\) does not include serverAuth/],
  ])('usage: %s is %s', (name, status, summary) => {
    const facts = name === 'good' ? served(issueLeaf(root, { hosts: [HOST] }).chainPem) : variant(name);
    const v = judgeUsage(facts);
    expect(v.status, v.summary).toBe(status);
    expect(v.summary).toMatch(summary);
  });

  it('usage: an intermediate whose EKU excludes serverAuth fails', () => {
    const inter = createCa({ name: 'Mail Only', issuer: root });
    // The lab's CAs carry no EKU: the intermediate's PEM is swapped for a certificate with emailProtection only.
    const leafAsCa = issueLeaf(root, { hosts: ['ca.invalid'], extendedKeyUsage: ['1.3.6.1.5.5.7.3.4'] });
    const facts = served(issueLeaf(inter, { hosts: [HOST] }).chainPem);
    const patched = { ...facts, chain: [facts.chain[0]!, { ...facts.chain[1]!, pem: leafAsCa.certPem }] };
    expect(judgeUsage(patched)).toMatchObject({ status: 'fail', summary: expect.stringMatching(/may not issue server certificates \(extended key usage: emailProtection\)/) });
  });

  it.each<readonly [string, (emailOnly: string) => string]>([
    ['extensions do not decode', (pem) => withBrokenExtension(pem, EKU_OID)],
    ['certificate does not decode', () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
  ])('usage: an intermediate whose %s is error (client-limitation), not unconstrained', (_name, spoil) => {
    const inter = createCa({ name: 'Unreadable', issuer: root });
    const facts = served(issueLeaf(inter, { hosts: [HOST] }).chainPem);
    const emailOnly = issueLeaf(root, { hosts: ['ca.invalid'], extendedKeyUsage: ['1.3.6.1.5.5.7.3.4'] }).certPem;
    const patched = { ...facts, chain: [facts.chain[0]!, { ...facts.chain[1]!, pem: spoil(emailOnly) }] };
    expect(() => judgeUsage(patched)).toThrow(expect.objectContaining({ reason: 'client-limitation', message: expect.stringMatching(/intermediate "O=Vouch Lab, CN=Unreadable" could not be decoded/) }));
  });

  it.each<readonly [string, string, object]>([
    ['no must-staple', issueLeaf(root, { hosts: [HOST] }).chainPem, { status: 'warn' }],
    ['must-staple', issueLeaf(root, { hosts: [HOST], mustStaple: true }).chainPem, { status: 'fail' }],
    ['an unreadable TLS Feature', withBrokenExtension(issueLeaf(root, { hosts: [HOST], mustStaple: true }).certPem, TLS_FEATURE_OID),
      { status: 'error', reason: 'client-limitation', evidence: { mustStaple: null, problem: expect.stringMatching(/TLS Feature/) } }],
  ])('OCSP stapling: no staple with %s', (_name, bundle, expected) => {
    expect(judgeOcspStapling({ ...served(bundle), ocspStaple: null }, now())).toMatchObject(expected);
  });

  it('chain: a missing issuer in a chain cut by the cap is error (client-limitation), not incomplete', () => {
    const cut = { ...variant('missing-intermediate'), chainTruncated: true };
    expect(judgeChain(cut, now(), DEFAULT_THRESHOLDS)).toMatchObject({
      status: 'error', reason: 'client-limitation', summary: expect.stringMatching(/is not among the first 1 certificates read; the server sent more than 100/),
      evidence: { chainTruncated: true, certificatesRead: 1, missingIssuer: expect.any(String) },
    });
    // A fail seen in the part that was read stands: an out-of-order chain stays out of order.
    expect(judgeChain({ ...variant('wrong-order'), chainTruncated: true }, now(), DEFAULT_THRESHOLDS).status).toBe('fail');
  });

  it.each<readonly [string, TlsFacts, 'pass' | 'warn' | 'fail', RegExp]>([
    ['enough lab SCTs under a configured root', served(issueLeaf(root, { hosts: [HOST] }).chainPem), 'pass', /2 embedded SCTs from 2 distinct logs \(2 needed for a 90-day certificate; counted, not verified\)/],
    ['3 needed beyond 180 days', served(issueLeaf(root, { hosts: [HOST], notAfter: new Date(Date.now() + 200 * 86_400_000), scts: 2 }).chainPem), 'fail', /3 needed/],
    ['one SCT', variant('one-sct'), 'fail', /1 embedded SCT from 1 distinct log; 2 needed .*takes part in CT/],
    ['no SCTs under a configured root', variant('no-scts'), 'warn', /no embedded SCTs, none in the TLS extension or the OCSP staple; browsers require them only for publicly trusted/],
  ])('CT: %s', (_name, facts, status, summary) => {
    const v = judgeTransparency({ ...facts, ocspStaple: null }, NO_TLS_SCTS);
    expect(v.status, v.summary).toBe(status);
    expect(v.summary).toMatch(summary);
    expect(v.evidence).toMatchObject({ verified: false });
  });

  it('CT: no SCTs on a publicly trusted chain fails', () => {
    const facts = variant('no-scts');
    const publicFacts = { ...facts, chainPath: { ...facts.chainPath, anchor: { ...facts.chainPath.anchor!, source: 'bundled' as const } } };
    expect(judgeTransparency({ ...publicFacts, ocspStaple: null }, NO_TLS_SCTS)).toMatchObject({ status: 'fail', summary: expect.stringMatching(/browsers reject this publicly trusted certificate/) });
  });

  it('CT: the policy counts 2 SCTs up to 180 days, 3 beyond', () => {
    expect([requiredScts(90), requiredScts(180), requiredScts(180.1), requiredScts(398)]).toEqual([2, 2, 3, 3]);
  });
});
