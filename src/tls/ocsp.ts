import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { boundedMemo } from '../core/bounded-memo.ts';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';

/**
 * The OCSP response a server staples (RFC 6066 8, RFC 8446 4.4.2.1), read with @peculiar/asn1-ocsp: the RFC 6960
 * 4.2.1 schemas as data, so this file holds no hand-written DER walking. Pure and total: any input, however
 * malformed, gives `{ ok: false, problem }`, never a throw. Signatures and freshness are judged in ocsp-staple.ts.
 *
 * OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
 * ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }   -- id-pkix-ocsp-basic
 * BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING, certs [0] OPTIONAL }
 */

/** RFC 6960 4.2.1 CertStatus of one SingleResponse. */
export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export type OcspSingleResponse = {
  /** CertID (RFC 6960 4.1.1): the hash algorithm OID and hex digests of the issuer's name and key, the serial in hex. */
  readonly hashAlgorithm: string;
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  readonly serialNumber: string;
  readonly status: OcspCertStatus;
  readonly revocationTime: string | null;
  /** CRLReason code (RFC 5280 5.3.1), when the responder gave one. */
  readonly revocationReason: number | null;
  readonly thisUpdate: string;
  readonly nextUpdate: string | null;
  /**
   * RFC 6962 3.3: the singleExtensions entry 1.3.6.1.4.1.11129.2.4.5, whose extnValue OCTET STRING holds another
   * OCTET STRING holding the TLS-encoded SignedCertificateTimestampList (read by sct.ts). Null when absent;
   * `{ problem }` when the extension is there but its value does not decode (the rest of the answer still counts).
   */
  readonly sctList: Buffer | null | { readonly problem: string };
};

export type OcspBasicResponse = {
  /** ResponderID (RFC 6960 4.2.2.3): the DER of the responder's Name, or the SHA-1 of its public key (hex). */
  readonly responderName: Buffer | null;
  readonly responderKeyHash: string | null;
  readonly producedAt: string;
  readonly responses: readonly OcspSingleResponse[];
  /** The exact bytes the signature covers (ResponseData as received, RFC 6960 4.2.1). */
  readonly signedData: Buffer;
  readonly signatureAlgorithm: string;
  readonly signature: Buffer;
  /** Certificates the responder included (DER), e.g. a delegated responder's (RFC 6960 4.2.2.2). */
  readonly certs: readonly Buffer[];
};

/** RFC 6962 3.3: the OCSP SingleResponse extension that carries SCTs. */
export const OCSP_SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.5';

/** RFC 6960 4.2.1 OCSPResponseStatus, by name. */
export type OcspResponseStatus = keyof typeof OCSPResponseStatus;

export type OcspParse =
  | { readonly ok: true; readonly responseStatus: OcspResponseStatus | `status ${number}`; readonly basic: OcspBasicResponse | null }
  | { readonly ok: false; readonly problem: string };

/** Dates beyond what JavaScript can print are not dates an OCSP responder writes: the response is malformed. */
function iso(date: Date, field: string): string {
  if (Number.isNaN(date.getTime())) throw new RangeError(`${field} is not a valid time`);
  return date.toISOString();
}

const hex = (bytes: ArrayBuffer) => Buffer.from(new Uint8Array(bytes)).toString('hex');

/** INTEGER bytes as the unsigned hex X509Certificate.serialNumber prints (upper case, no leading zero octets). */
export function serialHex(bytes: ArrayBuffer | Buffer): string {
  const text = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(new Uint8Array(bytes))).toString('hex').replace(/^(00)+(?=.)/, '').toUpperCase();
  return text === '' ? '00' : text;
}

/**
 * Reads a DER OCSPResponse. Only id-pkix-ocsp-basic responses carry an answer (RFC 6960 4.2.1); any other type is
 * read as none. The last 256 staples read are remembered (by their bytes): OCSP stapling and Certificate
 * Transparency both read the same staple, and the ASN.1 decoding is most of what judging it costs.
 */
export function parseOcspResponse(der: Uint8Array): OcspParse {
  return parsedStaples(Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'));
}

const parsedStaples = boundedMemo(256, (base64: string) => decodeOcspResponse(Buffer.from(base64, 'base64')));

function decodeOcspResponse(der: Buffer): OcspParse {
  try {
    const response = AsnConvert.parse(Buffer.from(der), OCSPResponse);
    const name = OCSPResponseStatus[response.responseStatus] as OcspResponseStatus | undefined;
    const responseStatus = name ?? (`status ${response.responseStatus}` as const);
    if (response.responseStatus !== OCSPResponseStatus.successful) return { ok: true, responseStatus, basic: null };
    const bytes = response.responseBytes;
    if (!bytes) return { ok: false, problem: 'a successful response without responseBytes (RFC 6960 4.2.1)' };
    if (bytes.responseType !== id_pkix_ocsp_basic) return { ok: true, responseStatus, basic: null };
    return { ok: true, responseStatus, basic: readBasic(AsnConvert.parse(bytes.response.buffer, BasicOCSPResponse)) };
  } catch (err) {
    return { ok: false, problem: `the OCSP response does not decode: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function readBasic(basic: BasicOCSPResponse): OcspBasicResponse {
  const data = basic.tbsResponseData;
  if (!basic.tbsResponseDataRaw) throw new TypeError('ResponseData bytes are missing');
  const id = data.responderID;
  return {
    responderName: id.byName ? Buffer.from(AsnConvert.serialize(id.byName)) : null,
    responderKeyHash: id.byKey ? hex(id.byKey.buffer) : null,
    producedAt: iso(data.producedAt, 'producedAt'),
    responses: data.responses.map((single): OcspSingleResponse => {
      const revoked = single.certStatus.revoked;
      const status: OcspCertStatus = revoked ? 'revoked' : single.certStatus.unknown !== undefined ? 'unknown' : 'good';
      return {
        hashAlgorithm: single.certID.hashAlgorithm.algorithm,
        issuerNameHash: hex(single.certID.issuerNameHash.buffer),
        issuerKeyHash: hex(single.certID.issuerKeyHash.buffer),
        serialNumber: serialHex(single.certID.serialNumber),
        status,
        revocationTime: revoked ? iso(revoked.revocationTime, 'revocationTime') : null,
        revocationReason: revoked?.revocationReason === undefined ? null : Number(revoked.revocationReason.reason),
        thisUpdate: iso(single.thisUpdate, 'thisUpdate'),
        nextUpdate: single.nextUpdate ? iso(single.nextUpdate, 'nextUpdate') : null,
        sctList: sctListOf(single.singleExtensions?.find((e) => e.extnID === OCSP_SCT_LIST_OID)?.extnValue.buffer),
      };
    }),
    signedData: Buffer.from(basic.tbsResponseDataRaw),
    signatureAlgorithm: basic.signatureAlgorithm.algorithm,
    signature: Buffer.from(basic.signature),
    certs: (basic.certs ?? []).map((c) => Buffer.from(AsnConvert.serialize(c))),
  };
}

function sctListOf(value: ArrayBuffer | undefined): OcspSingleResponse['sctList'] {
  if (value === undefined) return null;
  try {
    return Buffer.from(AsnConvert.parse(value, OctetString).buffer);
  } catch (err) {
    return { problem: `the SCT list extension (${OCSP_SCT_LIST_OID}) does not decode: ${err instanceof Error ? err.message : String(err)}` };
  }
}
