import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPRequest, OCSPResponse } from '@peculiar/asn1-ocsp';
import { createCa, createIntermediateChain, issueLeaf } from '../../src/lab/pki.ts';
import { buildOcspResponse } from '../../src/lab/ocsp.ts';
import { buildOcspRequest } from '../../src/tls/ocsp-request.ts';

// RFC 6960 4.1.1 OCSP requests, as Vouch sends them to a certificate's responder: parsed back, compared with the
// CertID a responder answers with, and (where installed) read by OpenSSL.

const ca = createCa({ name: 'Vouch Lab OCSP Request CA' });
const leaf = issueLeaf(ca, { hosts: ['request.test'] });
const hex = (bytes: ArrayBuffer) => Buffer.from(bytes).toString('hex');

describe('buildOcspRequest', () => {
  it('asks about exactly the leaf: one Request, SHA-1 CertID, serial, unsigned, v1 left out (DEFAULT)', () => {
    const der = buildOcspRequest(leaf.certPem, ca.certPem);
    const parsed = AsnConvert.parse(der, OCSPRequest);
    expect(parsed.optionalSignature).toBeUndefined();
    expect(parsed.tbsRequest.requestorName).toBeUndefined();
    expect(parsed.tbsRequest.requestExtensions).toBeUndefined();
    expect(parsed.tbsRequest.requestList).toHaveLength(1);
    const certId = parsed.tbsRequest.requestList[0]!.reqCert;
    expect(certId.hashAlgorithm.algorithm).toBe('1.3.14.3.2.26');
    expect(hex(certId.serialNumber).replace(/^(00)+/, '')).toBe(new X509Certificate(leaf.certPem).serialNumber.toLowerCase().replace(/^(00)+/, ''));
    expect(certId.issuerNameHash.byteLength).toBe(20);
    // DER: a DEFAULT value is never encoded (X.690 11.5), so TBSRequest starts with the requestList SEQUENCE.
    const tbs = Buffer.from(AsnConvert.serialize(parsed.tbsRequest));
    expect(tbs[2]).toBe(0x30);
    expect(Buffer.from(AsnConvert.serialize(parsed)).equals(der)).toBe(true);
  });

  it('carries the CertID a responder answers with (issuer name and key hashes)', () => {
    const request = AsnConvert.parse(buildOcspRequest(leaf.certPem, ca.certPem), OCSPRequest);
    const response = AsnConvert.parse(buildOcspResponse(ca, leaf.certPem, 'good'), OCSPResponse);
    const basic = AsnConvert.parse(response.responseBytes!.response.buffer, BasicOCSPResponse);
    const answered = basic.tbsResponseData.responses[0]!.certID;
    expect(Buffer.from(AsnConvert.serialize(request.tbsRequest.requestList[0]!.reqCert)).equals(Buffer.from(AsnConvert.serialize(answered)))).toBe(true);
  });

  it('names the issuer, not the root, for a leaf under an intermediate', () => {
    const intermediate = createIntermediateChain(ca, 1);
    const deep = issueLeaf(intermediate, { hosts: ['deep.request.test'] });
    const underRoot = AsnConvert.parse(buildOcspRequest(deep.certPem, ca.certPem), OCSPRequest).tbsRequest.requestList[0]!.reqCert;
    const underIssuer = AsnConvert.parse(buildOcspRequest(deep.certPem, intermediate.certPem), OCSPRequest).tbsRequest.requestList[0]!.reqCert;
    expect(hex(underIssuer.issuerKeyHash.buffer)).not.toBe(hex(underRoot.issuerKeyHash.buffer));
  });

  it('throws on PEM that is not a certificate (the caller reports it; nothing is sent)', () => {
    expect(() => buildOcspRequest('not a certificate', ca.certPem)).toThrow();
  });

  it.skipIf(!hasOpenssl())('equals what `openssl ocsp -no_nonce` sends for the same certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-ocsp-req-'));
    writeFileSync(join(dir, 'leaf.pem'), leaf.certPem);
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    execFileSync('openssl', ['ocsp', '-issuer', join(dir, 'ca.pem'), '-cert', join(dir, 'leaf.pem'), '-no_nonce', '-reqout', join(dir, 'req.der')], { stdio: 'ignore' });
    const theirs = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', join(dir, 'req.der')]).toString();
    writeFileSync(join(dir, 'ours.der'), buildOcspRequest(leaf.certPem, ca.certPem));
    const ours = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', join(dir, 'ours.der')]).toString();
    expect(ours).toBe(theirs);
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
