import { createHash, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, ExtendedKeyUsage, id_ce_extKeyUsage } from '@peculiar/asn1-x509';
import { boundedMemo } from '../core/bounded-memo.ts';
import { parseOcspResponse, serialHex, type OcspBasicResponse, type OcspSingleResponse } from './ocsp.ts';

/**
 * Judges a stapled OCSP response against the certificate it speaks for (RFC 6960 3.2, 4.2.2): the answer must be
 * about this certificate (CertID: serial, issuer name and key hashes), signed by its issuer or by a delegated
 * responder the issuer certified for id-kp-OCSPSigning (4.2.2.2), and current (thisUpdate not in the future,
 * nextUpdate not passed). Deterministic for a given `now`; node:crypto does the signature arithmetic.
 */

export type StapleOutcome = 'good' | 'revoked' | 'unknown' | 'invalid' | 'stale' | 'unverifiable';

export type StapleAssessment = {
  readonly outcome: StapleOutcome;
  /** One line for the summary: why the outcome. */
  readonly detail: string;
  readonly responseStatus: string | null;
  readonly certStatus: string | null;
  readonly producedAt: string | null;
  readonly thisUpdate: string | null;
  readonly nextUpdate: string | null;
  readonly revocationTime: string | null;
  /** `issuer` or `delegated responder <subject>`; null when no signature was verified. */
  readonly signedBy: string | null;
};

/** Clock skew allowed between the responder and us. */
const SKEW_MS = 5 * 60_000;
/** Without nextUpdate (RFC 6960 2.4: "newer information is always available"), a staple older than this is stale: the CA/B Baseline Requirements 4.9.10 bound on OCSP validity. */
const MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 10 * 86_400_000;
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** Hash OIDs a CertID may use (RFC 6960 4.1.1 names SHA-1; responders also use SHA-2). */
const CERT_ID_HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Signature algorithms node:crypto verifies directly: the digest for `crypto.verify`, null for EdDSA. */
const SIGNATURE_HASHES: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.5': 'sha1', '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, '1.3.101.113': null,
};

/** Names for algorithms a staple may use that are not checked above, so "cannot check" says which. */
const UNCHECKED_ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.10': 'RSASSA-PSS', '1.2.840.113549.1.1.4': 'md5WithRSAEncryption', '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224', '1.2.840.113549.2.5': 'MD5', '2.16.840.1.101.3.4.2.4': 'SHA-224',
  '2.16.840.1.101.3.4.2.8': 'SHA3-256', '2.16.840.1.101.3.4.2.9': 'SHA3-384', '2.16.840.1.101.3.4.2.10': 'SHA3-512',
};
const algorithmName = (oid: string) => (UNCHECKED_ALGORITHM_NAMES[oid] ? `${UNCHECKED_ALGORITHM_NAMES[oid]} (${oid})` : oid);

type Parts = { readonly subject: Buffer; readonly keyBits: Buffer; readonly x509: X509Certificate; readonly certificate: Certificate };

function partsOf(der: Buffer): Parts {
  const certificate = AsnConvert.parse(der, Certificate);
  return {
    subject: Buffer.from(AsnConvert.serialize(certificate.tbsCertificate.subject)),
    keyBits: Buffer.from(certificate.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
    x509: new X509Certificate(der), certificate,
  };
}

/** The issuer's parts, remembered per issuer: a run's staples come from few CAs. */
const issuerParts = boundedMemo(64, (pem: string) => partsOf(new X509Certificate(pem).raw));

/** `leafSerial`: the leaf's serial number as node:crypto's X509Certificate gives it (hex). */
export function assessStaple(der: Buffer, leafSerial: string, issuerPem: string | null, now: Date): StapleAssessment {
  const base = { responseStatus: null, certStatus: null, producedAt: null, thisUpdate: null, nextUpdate: null, revocationTime: null, signedBy: null };
  const parsed = parseOcspResponse(der);
  if (!parsed.ok) return { ...base, outcome: 'invalid', detail: parsed.problem };
  const withStatus = { ...base, responseStatus: parsed.responseStatus };
  if (parsed.responseStatus !== 'successful') {
    return { ...withStatus, outcome: 'invalid', detail: `the stapled response says ${parsed.responseStatus} and carries no certificate status` };
  }
  if (!parsed.basic) return { ...withStatus, outcome: 'invalid', detail: 'the stapled response is not a basic OCSP response (id-pkix-ocsp-basic)' };
  if (issuerPem === null) {
    return { ...withStatus, outcome: 'unverifiable', detail: 'the issuer of the certificate is neither in the served chain nor trusted, so the staple\'s signature cannot be checked' };
  }
  let issuer: Parts;
  try {
    issuer = issuerParts(issuerPem);
  } catch {
    return { ...withStatus, outcome: 'unverifiable', detail: 'the certificate or its issuer cannot be read, so the staple cannot be checked' };
  }
  const basic = parsed.basic;
  const single = basic.responses.find((r) => matchesCertificate(r, leafSerial, issuer));
  if (!single) {
    // An answer for this serial whose CertID hash we cannot compute may be the right one: could not check, not invalid.
    const uncheckable = basic.responses.find((r) => CERT_ID_HASHES[r.hashAlgorithm] === undefined && r.serialNumber === serialHex(Buffer.from(leafSerial, 'hex')));
    if (uncheckable) {
      return { ...withStatus, outcome: 'unverifiable', detail: `the answer for the served certificate's serial identifies its issuer with hash algorithm ${algorithmName(uncheckable.hashAlgorithm)}, which Vouch cannot compute` };
    }
    return { ...withStatus, outcome: 'invalid', detail: 'the stapled response has no answer for the served certificate (CertID does not match)' };
  }
  const times = {
    ...withStatus, certStatus: single.status, producedAt: basic.producedAt, thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate, revocationTime: single.revocationTime,
  };
  const signer = verifySigner(basic, issuer, now);
  if (!signer.ok) return { ...times, outcome: signer.uncheckable ? 'unverifiable' : 'invalid', detail: signer.problem };
  const signed = { ...times, signedBy: signer.by };
  const t = now.getTime();
  if (Date.parse(single.thisUpdate) > t + SKEW_MS) return { ...signed, outcome: 'invalid', detail: `thisUpdate ${single.thisUpdate} is in the future` };
  if (single.nextUpdate !== null && Date.parse(single.nextUpdate) < t - SKEW_MS) {
    return { ...signed, outcome: 'stale', detail: `the staple expired: nextUpdate ${single.nextUpdate} has passed` };
  }
  if (single.nextUpdate === null && Date.parse(single.thisUpdate) < t - MAX_AGE_WITHOUT_NEXT_UPDATE_MS) {
    return { ...signed, outcome: 'stale', detail: `the staple has no nextUpdate and its thisUpdate ${single.thisUpdate} is more than 10 days old` };
  }
  if (single.status === 'revoked') return { ...signed, outcome: 'revoked', detail: `the certificate is revoked since ${single.revocationTime ?? '?'}` };
  if (single.status === 'unknown') return { ...signed, outcome: 'unknown', detail: 'the responder does not know the certificate (certStatus unknown)' };
  return { ...signed, outcome: 'good', detail: `good, signed by the ${signer.by}, valid until ${single.nextUpdate ?? '(no nextUpdate)'}` };
}

/** RFC 6960 4.1.1: the serial and the hashes of the issuer's DN and public key (BIT STRING contents) must all match. */
function matchesCertificate(single: OcspSingleResponse, leafSerial: string, issuer: Parts): boolean {
  const hash = CERT_ID_HASHES[single.hashAlgorithm];
  if (hash === undefined) return false;
  const digest = (bytes: Buffer) => createHash(hash).update(bytes).digest('hex');
  return serialHex(Buffer.from(leafSerial, 'hex')) === single.serialNumber
    && digest(issuer.subject) === single.issuerNameHash && digest(issuer.keyBits) === single.issuerKeyHash;
}

/** Whether ResponderID names this certificate: by Name (DER equal) or by SHA-1 of its key (RFC 6960 4.2.2.3). */
function namesResponder(basic: OcspBasicResponse, parts: Parts): boolean {
  if (basic.responderName) return basic.responderName.equals(parts.subject);
  return basic.responderKeyHash === createHash('sha1').update(parts.keyBits).digest('hex');
}

/**
 * Verdicts by staple and key: parseOcspResponse gives the same object for the same staple, and issuerParts the same
 * key for the same issuer, so a staple served to many names (a shared host, an MX certificate used by 50 domains) is
 * verified once (its signature check was ~1.5% of a scan's CPU). Weak keys: nothing here outlives those memos.
 */
const verdicts = new WeakMap<OcspBasicResponse, WeakMap<KeyObject, boolean>>();

function signatureVerifies(basic: OcspBasicResponse, key: KeyObject): boolean {
  let byKey = verdicts.get(basic);
  if (!byKey) verdicts.set(basic, (byKey = new WeakMap()));
  let verdict = byKey.get(key);
  if (verdict === undefined) byKey.set(key, (verdict = verifySignature(basic, key)));
  return verdict;
}

function verifySignature(basic: OcspBasicResponse, key: KeyObject): boolean {
  const hash = SIGNATURE_HASHES[basic.signatureAlgorithm];
  if (hash === undefined) return false;
  try {
    return verify(hash, basic.signedData, key, basic.signature);
  } catch {
    return false; // a key that does not fit the algorithm
  }
}

/** RFC 6960 4.2.2.2: the issuing CA itself, or a responder certificate it issued with id-kp-OCSPSigning. */
function verifySigner(
  basic: OcspBasicResponse, issuer: Parts, now: Date,
): { ok: true; by: string } | { ok: false; problem: string; uncheckable?: true } {
  if (SIGNATURE_HASHES[basic.signatureAlgorithm] === undefined) {
    // Our verifier's limit, not a fault of the staple: it may be perfectly valid (e.g. RSASSA-PSS, RFC 4055).
    return { ok: false, uncheckable: true, problem: `the staple is signed with ${algorithmName(basic.signatureAlgorithm)}, which Vouch cannot verify` };
  }
  if (namesResponder(basic, issuer)) {
    return signatureVerifies(basic, issuer.x509.publicKey)
      ? { ok: true, by: 'issuer' } : { ok: false, problem: 'the staple\'s signature does not verify with the issuer\'s key' };
  }
  for (const der of basic.certs) {
    let responder: Parts;
    try {
      responder = partsOf(der);
    } catch {
      continue;
    }
    if (!namesResponder(basic, responder)) continue;
    const subject = responder.x509.subject.split('\n').join(', ');
    if (!responder.x509.verify(issuer.x509.publicKey)) return { ok: false, problem: `the responder certificate (${subject}) is not issued by the certificate's issuer` };
    if (!hasOcspSigning(responder.certificate)) return { ok: false, problem: `the responder certificate (${subject}) lacks id-kp-OCSPSigning` };
    const t = now.getTime();
    if (Date.parse(responder.x509.validTo) < t || Date.parse(responder.x509.validFrom) > t) {
      return { ok: false, problem: `the responder certificate (${subject}) is not valid now` };
    }
    return signatureVerifies(basic, responder.x509.publicKey)
      ? { ok: true, by: `delegated responder ${subject}` } : { ok: false, problem: `the staple's signature does not verify with the responder's key (${subject})` };
  }
  return { ok: false, problem: 'the staple is signed by neither the issuer nor a responder certificate it includes' };
}

function hasOcspSigning(certificate: Certificate): boolean {
  const ext = certificate.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  if (!ext) return false;
  try {
    return [...AsnConvert.parse(ext.extnValue.buffer, ExtendedKeyUsage)].includes(OCSP_SIGNING);
  } catch {
    return false;
  }
}
