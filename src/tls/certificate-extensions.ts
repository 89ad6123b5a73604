import { AsnArray, AsnConvert, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax, BasicConstraints, Certificate, ExtendedKeyUsage, Extensions, type Extension, id_ad_caIssuers, id_ad_ocsp, id_ce_basicConstraints,
  id_ce_extKeyUsage, id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';
import { boundedMemo } from '../core/bounded-memo.ts';
import { readTlv } from '../parse/der.ts';

/**
 * The X.509 extensions of a server certificate that the certificate-depth checks (and OCSP stapling) judge, read
 * with the @peculiar/asn1-x509 schemas (a maintained, pure-JS ASN.1 library, so no DER walking by hand). Pure and
 * total: a certificate or an extension that does not decode is a `problem`, never an exception.
 */

/** RFC 5280 4.2.1.12 key purposes, by the names browsers and OpenSSL print. */
export const KEY_PURPOSES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth', '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection', '1.3.6.1.5.5.7.3.8': 'timeStamping', '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};
export const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** RFC 7633 4.1: the TLS Feature extension (id-pe-tlsfeature). */
export const TLS_FEATURE_OID = '1.3.6.1.5.5.7.1.24';
/** RFC 7633 6 / RFC 6066 8: feature 5, status_request, is "must-staple". */
export const STATUS_REQUEST_FEATURE = 5;
/** RFC 6962 3.3: the embedded SignedCertificateTimestampList. */
export const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';
/** RFC 6962 3.1: the poison extension that marks a precertificate (never served by a correct server). */
export const CT_POISON_OID = '1.3.6.1.4.1.11129.2.4.3';

/** RFC 7633 4.1: Features ::= SEQUENCE OF INTEGER. Not in @peculiar/asn1-x509, so declared with its schema helpers. */
class TlsFeatures extends AsnArray<number> {
  constructor(items?: number[]) {
    super(items);
    Object.setPrototypeOf(this, TlsFeatures.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Integer })(TlsFeatures);

export type CertificateExtensions = {
  /** Extended key usage purposes (dotted OIDs), or null when the certificate has no EKU extension at all. */
  readonly extendedKeyUsage: readonly string[] | null;
  readonly extendedKeyUsageCritical: boolean;
  /**
   * RFC 7633: the TLS Feature extension lists status_request (5); null when that extension is present but does not
   * decode (whether the certificate demands a staple is then unknown, never "no").
   */
  readonly mustStaple: boolean | null;
  /** TLS features listed (RFC 7633), or null when the extension is absent. */
  readonly tlsFeatures: readonly number[] | null;
  /** The TLS-encoded SignedCertificateTimestampList inside the SCT extension (RFC 6962 3.3), or null when absent. */
  readonly sctList: Buffer | null;
  /** The CT poison extension is present: a precertificate (RFC 6962 3.1). */
  readonly precertificate: boolean;
  /** basicConstraints cA. */
  readonly isCa: boolean;
  /** Authority Information Access (RFC 5280 4.2.2.1): where a client that fetches issuers would find this one's. */
  readonly caIssuersUrls: readonly string[];
  readonly ocspUrls: readonly string[];
  /** Extensions of interest that did not decode; the field they feed keeps its "absent" value. */
  readonly problems: readonly string[];
};

export type ExtensionsRead = ({ readonly ok: true } & CertificateExtensions) | { readonly ok: false; readonly problem: string };

const PEM_BODY = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/** The DER of the first certificate in a PEM text, or null when there is none. */
export function pemToDer(pem: string): Buffer | null {
  const body = PEM_BODY.exec(pem)?.[1];
  return body === undefined ? null : Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Reads the extensions above from a DER certificate (RFC 5280 4.1, 4.2). */
/**
 * The DER of the tbsCertificate's `extensions [3] EXPLICIT Extensions` content (RFC 5280 4.1: the only [3]-tagged
 * field of TBSCertificate), found by walking the TLVs; null when the walk does not lead there. Decoding only the
 * Extensions with the schema costs a third of decoding the whole Certificate, which is what judging a leaf spends.
 */
function extensionsDer(der: Buffer): Buffer | null {
  const certificate = readTlv(der, 0, 0x30);
  const tbs = certificate && readTlv(der, certificate.contentStart, 0x30);
  if (!tbs) return null;
  for (let offset = tbs.contentStart; offset < tbs.end;) {
    const field = readTlv(der, offset);
    if (!field || field.end > tbs.end) return null;
    if (der[offset] === 0xa3) return der.subarray(field.contentStart, field.end);
    offset = field.end;
  }
  return null;
}

function decodeExtensions(der: Buffer): readonly Extension[] {
  const found = extensionsDer(der);
  if (found) {
    try {
      return [...AsnConvert.parse(found, Extensions)];
    } catch {
      // decoded below as a whole certificate, which names the problem
    }
  }
  return AsnConvert.parse(der, Certificate).tbsCertificate.extensions ?? [];
}

export function readCertificateExtensions(der: Buffer): ExtensionsRead {
  let extensions: readonly Extension[];
  try {
    extensions = decodeExtensions(der);
  } catch (err) {
    return { ok: false, problem: `the certificate does not decode: ${message(err)}` };
  }
  const problems: string[] = [];
  const out = {
    extendedKeyUsage: null as string[] | null, extendedKeyUsageCritical: false, mustStaple: false as boolean | null, tlsFeatures: null as number[] | null,
    sctList: null as Buffer | null, precertificate: false, isCa: false, caIssuersUrls: [] as string[], ocspUrls: [] as string[],
  };
  for (const ext of extensions) {
    const value = Buffer.from(ext.extnValue.buffer);
    const decode = <T>(what: string, read: () => T): T | null => {
      try {
        return read();
      } catch (err) {
        problems.push(`${what} (${ext.extnID}) does not decode: ${message(err)}`);
        return null;
      }
    };
    switch (ext.extnID) {
      case id_ce_extKeyUsage: {
        const eku = decode('extendedKeyUsage', () => [...AsnConvert.parse(value, ExtendedKeyUsage)]);
        if (eku) { out.extendedKeyUsage = eku; out.extendedKeyUsageCritical = ext.critical; }
        break;
      }
      case TLS_FEATURE_OID: {
        const features = decode('TLS Feature', () => [...AsnConvert.parse(value, TlsFeatures)].map(Number));
        out.mustStaple = features ? features.includes(STATUS_REQUEST_FEATURE) : null;
        if (features) out.tlsFeatures = features;
        break;
      }
      case SCT_LIST_OID: {
        // RFC 6962 3.3: the extnValue OCTET STRING holds another OCTET STRING holding the TLS-encoded list.
        const inner = decode('SCT list', () => Buffer.from(AsnConvert.parse(value, OctetString).buffer));
        if (inner) out.sctList = inner;
        break;
      }
      case CT_POISON_OID: out.precertificate = true; break;
      case id_ce_basicConstraints: out.isCa = decode('basicConstraints', () => AsnConvert.parse(value, BasicConstraints).cA) ?? false; break;
      case id_pe_authorityInfoAccess: {
        const aia = decode('authorityInfoAccess', () => [...AsnConvert.parse(value, AuthorityInfoAccessSyntax)]) ?? [];
        for (const access of aia) {
          const uri = access.accessLocation.uniformResourceIdentifier;
          if (uri === undefined) continue;
          if (access.accessMethod === id_ad_caIssuers) out.caIssuersUrls.push(uri);
          if (access.accessMethod === id_ad_ocsp) out.ocspUrls.push(uri);
        }
        break;
      }
      default: break;
    }
  }
  return { ok: true, ...out, problems };
}

/** `readCertificateExtensions` on a PEM certificate. */
/**
 * The extensions of a PEM certificate. Remembered for the last 512 certificates: the usage, transparency, chain and
 * OCSP judges each read the same leaf, and the ASN.1 decoding is the costly part of judging it.
 */
export const readPemExtensions: (pem: string) => ExtensionsRead = boundedMemo(512, (pem: string): ExtensionsRead => {
  const der = pemToDer(pem);
  return der ? readCertificateExtensions(der) : { ok: false, problem: 'no PEM certificate' };
});

/** A purpose OID by its name, when it has one. */
export const purposeName = (oid: string): string => KEY_PURPOSES[oid] ?? oid;
