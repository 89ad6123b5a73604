import { createHash, X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { CertID, OCSPRequest, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';

/**
 * An OCSP request for one certificate (RFC 6960 4.1.1), built with the @peculiar/asn1-ocsp schemas: unsigned, no
 * requestorName, no nonce (CAs answer from pre-signed responses and most ignore a nonce, RFC 8954 notwithstanding).
 * The CertID hashes with SHA-1, as RFC 5019 2.1.1 asks of clients of high-volume responders and as every public
 * responder accepts: the hash of the issuer's DER subject name and of its subjectPublicKey BIT STRING contents.
 */

export { OCSP_REQUEST_SPEC } from './ocsp-request-spec.ts';
const SHA1 = '1.3.14.3.2.26';

/** The DER OCSPRequest asking about `leafPem`, issued by `issuerPem`. Throws on PEM that does not decode. */
export function buildOcspRequest(leafPem: string, issuerPem: string): Buffer {
  const issuer = AsnConvert.parse(new X509Certificate(issuerPem).raw, Certificate);
  const leaf = AsnConvert.parse(new X509Certificate(leafPem).raw, Certificate);
  const sha1 = (bytes: ArrayBuffer) => new OctetString(createHash('sha1').update(Buffer.from(bytes)).digest());
  const reqCert = new CertID({
    // RFC 5280 / RFC 3279 2.2.1: SHA-1's parameters are NULL or absent; responders expect NULL, as OpenSSL sends.
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: sha1(AsnConvert.serialize(issuer.tbsCertificate.subject)),
    issuerKeyHash: sha1(issuer.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
    serialNumber: leaf.tbsCertificate.serialNumber,
  });
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert })] }) });
  return Buffer.from(AsnConvert.serialize(request));
}
