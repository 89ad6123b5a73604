import { createHash, sign, X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  BasicOCSPResponse, CertID, CertStatus, OCSPResponse, OCSPResponseStatus, ResponderID, ResponseBytes, ResponseData,
  RevokedInfo, SingleResponse, id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';
import { AlgorithmIdentifier, Certificate, CRLReason, CRLReasons, Extension } from '@peculiar/asn1-x509';
import { encodeSctList } from '../tls/sct.ts';
import { OCSP_SCT_LIST_OID } from '../tls/ocsp.ts';
import { issueLeaf, type LabCa } from './pki.ts';

/**
 * OCSP responses (RFC 6960 4.2) for lab servers to staple, built with @peculiar/asn1-ocsp and signed by node:crypto
 * with the lab CA's key or a delegated responder's (a certificate with id-kp-OCSPSigning issued by the CA).
 *
 * - `good`: certStatus good, thisUpdate an hour ago, nextUpdate in 7 days, signed by the issuing CA.
 * - `delegated`: as `good`, signed by a delegated responder whose certificate is in the response.
 * - `revoked`: certStatus revoked (keyCompromise) a day ago.
 * - `stale`: good, but nextUpdate passed two days ago.
 * - `bad-signature`: good, with a signature that does not verify (one bit flipped).
 * - `try-later`: responseStatus tryLater, no answer at all.
 * - `garbage`: bytes that are not an OCSP response.
 * - `with-scts`: as `good`, with two fake SCTs from distinct made-up logs in the SingleResponse's SCT list
 *   extension (RFC 6962 3.3, 1.3.6.1.4.1.11129.2.4.5), for CT counted from the staple.
 */
export type StapleVariant = 'good' | 'delegated' | 'revoked' | 'stale' | 'bad-signature' | 'try-later' | 'garbage' | 'with-scts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SHA1 = '1.3.14.3.2.26';
const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const RSA_SHA256 = '1.2.840.113549.1.1.11';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** The DER of an OCSP response about `leafPem` (issued by `ca`) of the given variant. */
export function buildOcspResponse(ca: LabCa, leafPem: string, variant: StapleVariant, now = new Date()): Buffer {
  const leaf = AsnConvert.parse(new X509Certificate(leafPem).raw, Certificate);
  return buildOcspResponseForSerial(ca, leaf.tbsCertificate.serialNumber, variant, now);
}

/** As `buildOcspResponse`, for the certificate with serial number `serial` (INTEGER contents): what a responder knows from a request. */
export function buildOcspResponseForSerial(ca: LabCa, serial: ArrayBuffer, variant: StapleVariant, now = new Date()): Buffer {
  if (variant === 'garbage') return Buffer.from('not an OCSP response');
  if (variant === 'try-later') return Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: OCSPResponseStatus.tryLater })));
  const issuer = AsnConvert.parse(new X509Certificate(ca.certPem).raw, Certificate);
  const sha1 = (bytes: ArrayBuffer) => new OctetString(createHash('sha1').update(Buffer.from(bytes)).digest());
  const certID = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: sha1(AsnConvert.serialize(issuer.tbsCertificate.subject)),
    issuerKeyHash: sha1(issuer.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
    serialNumber: serial,
  });
  const t = now.getTime();
  const certStatus = variant === 'revoked'
    ? new CertStatus({ revoked: new RevokedInfo({ revocationTime: new Date(t - DAY_MS), revocationReason: new CRLReason(CRLReasons.keyCompromise) }) })
    : new CertStatus({ good: null });
  const stale = variant === 'stale';
  const single = new SingleResponse({
    certID, certStatus,
    thisUpdate: new Date(t - (stale ? 9 : 0) * DAY_MS - HOUR_MS),
    nextUpdate: new Date(t + (stale ? -2 : 7) * DAY_MS),
    ...(variant === 'with-scts' ? { singleExtensions: [sctExtension(['Vouch Lab Staple Log A', 'Vouch Lab Staple Log B'], t)] } : {}),
  });
  const signer = variant === 'delegated' ? delegatedResponder(ca) : { keyPem: ca.keyPem, cert: issuer, certDer: null };
  const data = new ResponseData({
    responderID: new ResponderID({ byName: signer.cert.tbsCertificate.subject }),
    producedAt: new Date(t - HOUR_MS), responses: [single],
  });
  const ec = new X509Certificate(Buffer.from(AsnConvert.serialize(signer.cert))).publicKey.asymmetricKeyType === 'ec';
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(data)), signer.keyPem);
  if (variant === 'bad-signature') signature[signature.length - 1]! ^= 0x01;
  const basic = new BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: new AlgorithmIdentifier(ec ? { algorithm: ECDSA_SHA256 } : { algorithm: RSA_SHA256, parameters: null }),
    signature: new Uint8Array(signature).buffer,
    ...(signer.certDer ? { certs: [signer.cert] } : {}),
  });
  return Buffer.from(AsnConvert.serialize(new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  })));
}

/** Fake SCTs (nothing verifies them) from made-up logs named by `logs`, as the SingleResponse extension carries them. */
export function fakeSctList(logs: readonly string[], timestampMs: number): Buffer {
  return encodeSctList(logs.map((name) => ({
    logId: createHash('sha256').update(name).digest(), timestampMs: timestampMs - HOUR_MS, signature: createHash('sha512').update(name).digest(),
  })));
}

/** RFC 6962 3.3: extnValue is an OCTET STRING holding the TLS-encoded list. */
function sctExtension(logs: readonly string[], t: number): Extension {
  const list = fakeSctList(logs, t);
  return new Extension({ extnID: OCSP_SCT_LIST_OID, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(list))) });
}

const responders = new WeakMap<LabCa, { keyPem: string; cert: Certificate; certDer: Buffer }>();

/** One delegated responder per CA (RFC 6960 4.2.2.2): id-kp-OCSPSigning, issued by the CA itself. */
function delegatedResponder(ca: LabCa): { keyPem: string; cert: Certificate; certDer: Buffer } {
  let responder = responders.get(ca);
  if (!responder) {
    const issued = issueLeaf(ca, { hosts: ['ocsp.lab.invalid'], extendedKeyUsage: [OCSP_SIGNING] });
    const certDer = new X509Certificate(issued.certPem).raw;
    responder = { keyPem: issued.keyPem, cert: AsnConvert.parse(certDer, Certificate), certDer };
    responders.set(ca, responder);
  }
  return responder;
}

/**
 * A staple source for a server: the response for each certificate is built once per variant and kept, as a real
 * server caches its staple between refreshes. `variantOf` names the variant for a leaf, or null for no staple.
 */
export function createStapler(ca: LabCa): (leafPem: string, variant: StapleVariant | null) => Buffer | null {
  const cache = new Map<string, Buffer>();
  return (leafPem, variant) => {
    if (variant === null) return null;
    const key = `${variant}\n${leafPem}`;
    let der = cache.get(key);
    if (!der) cache.set(key, (der = buildOcspResponse(ca, leafPem, variant)));
    return der;
  };
}
