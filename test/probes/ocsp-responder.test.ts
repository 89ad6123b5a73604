import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { OCSPRequest } from '@peculiar/asn1-ocsp';
import type { Endpoint } from '../../src/core/types.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { buildOcspResponse } from '../../src/lab/ocsp.ts';
import { ALLOW_NOTHING, parseAllowList } from '../../src/net/special-addresses.ts';
import { queryOcspResponder, type OcspResponderDeps } from '../../src/probes/ocsp-responder.ts';
import type { CertificateFacts, HttpHop } from '../../src/probes/types.ts';
import { httpHop, tlsFacts } from '../support/fake-probes.ts';

// The responder probe's decisions, with the network scripted (93.184.215.14 is never dialled): what is asked, where,
// and every outcome as a fact.

const ca = createCa({ name: 'Vouch Lab Responder CA' });
const stranger = createCa({ name: 'Vouch Lab Stranger CA' });
const URL_PUBLIC = 'http://ocsp.ca.example/';

const cert = (pem: string): CertificateFacts => {
  const x = new X509Certificate(pem);
  return { subject: x.subject, issuer: x.issuer, subjectAltNames: [], serialNumber: x.serialNumber, notBefore: x.validFrom, notAfter: x.validTo,
    fingerprintSha256: x.fingerprint256, keyType: 'ec', keyBits: 256, curve: 'prime256v1', signatureAlgorithm: 'ecdsa-with-SHA256', selfSigned: false, pem };
};
const factsFor = (leafPem: string, chain: readonly string[] = [ca.certPem]) => tlsFacts({ chain: [cert(leafPem), ...chain.map(cert)], ocspStaple: null });

type Sent = { ep: Endpoint; url: string; body: Buffer };
function deps(address: string, answer: (sent: Sent) => Promise<HttpHop>, allow = ALLOW_NOTHING): OcspResponderDeps & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent, allow, trustedCa: [],
    endpoints: async (hostname, port) => ({ hostname, port, source: 'dns', endpoints: [{ hostname, port, address, dialPort: port }], answers: [] }),
    post: (ep, url, body) => { sent.push({ ep, url, body }); return answer({ ep, url, body }); },
  };
}

const leaf = issueLeaf(ca, { hosts: ['a.test'], ocspUrls: [URL_PUBLIC] });
const okHop = (bytes: Buffer) => httpHop({ status: 200, headers: { 'content-type': ['application/ocsp-response'] }, bytes, bodyBytes: bytes.length });

describe('queryOcspResponder', () => {
  it('POSTs one OCSP request for the leaf to its AIA responder and keeps the answer\'s bytes', async () => {
    const response = buildOcspResponse(ca, leaf.certPem, 'good');
    const d = deps('93.184.215.14', async () => okHop(response));
    const facts = await queryOcspResponder(factsFor(leaf.certPem), d);
    expect(facts).toMatchObject({ outcome: 'answered', url: URL_PUBLIC, address: '93.184.215.14', httpStatus: 200, issuerPem: ca.certPem });
    expect(Buffer.from(facts.der!, 'base64').equals(response)).toBe(true);
    expect(d.sent).toHaveLength(1);
    expect(d.sent[0]!.ep).toMatchObject({ hostname: 'ocsp.ca.example', port: 80 });
    const request = AsnConvert.parse(d.sent[0]!.body, OCSPRequest);
    expect(Buffer.from(request.tbsRequest.requestList[0]!.reqCert.serialNumber).toString('hex').toUpperCase()).toContain(new X509Certificate(leaf.certPem).serialNumber);
  });

  it('refuses a responder on loopback unless allowRedirectsTo allows it, as for redirects', async () => {
    const refused = deps('127.0.0.1', async () => okHop(Buffer.alloc(1)));
    const facts = await queryOcspResponder(factsFor(leaf.certPem), refused);
    expect(facts.outcome).toBe('refused');
    expect(facts.detail).toMatch(/127\.0\.0\.1, a loopback address.*allowRedirectsTo/);
    expect(refused.sent).toHaveLength(0);
    const allowed = deps('127.0.0.1', async () => okHop(Buffer.alloc(1)), parseAllowList(['loopback']).value);
    expect((await queryOcspResponder(factsFor(leaf.certPem), allowed)).outcome).toBe('answered');
  });

  it('asks nobody when the certificate names no http:// responder', async () => {
    for (const ocspUrls of [[], ['https://ocsp.ca.example/']]) {
      const d = deps('93.184.215.14', async () => okHop(Buffer.alloc(1)));
      const facts = await queryOcspResponder(factsFor(issueLeaf(ca, { hosts: ['b.test'], ocspUrls }).certPem), d);
      expect(facts.outcome).toBe('no-responder');
      expect(d.sent).toHaveLength(0);
    }
  });

  it('asks nobody when the issuer is neither served nor trusted (no CertID can name it)', async () => {
    const orphan = issueLeaf(stranger, { hosts: ['c.test'], ocspUrls: [URL_PUBLIC] });
    const d = deps('93.184.215.14', async () => okHop(Buffer.alloc(1)));
    expect((await queryOcspResponder(factsFor(orphan.certPem, []), d)).outcome).toBe('no-issuer');
    expect(d.sent).toHaveLength(0);
  });

  it('reports no answer, another status and a body beyond the cap, each as a fact', async () => {
    const cases: [() => Promise<HttpHop>, string, RegExp][] = [
      [() => Promise.reject(new ProbeError('refused', 'ocsp.ca.example:80', 'connection refused', { stage: 'connect' })), 'unreachable', /connection refused/],
      [async () => httpHop({ status: 500 }), 'bad-answer', /HTTP 500/],
      [async () => ({ ...okHop(Buffer.alloc(1024)), bodyTruncated: true }), 'bad-answer', /body cap/],
    ];
    for (const [answer, outcome, detail] of cases) {
      const facts = await queryOcspResponder(factsFor(leaf.certPem), deps('93.184.215.14', answer));
      expect(facts.outcome).toBe(outcome);
      expect(facts.detail).toMatch(detail);
      expect(facts.der).toBeNull();
    }
  });
});
