import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { fakeSctList } from './fake-sct.ts';

/**
 * A throw-away PKI for tests, the demo and the benchmark, generated at run time so nothing secret is committed.
 *
 * Keys come from node:crypto (an EC P-256 key takes ~0.1 ms). node-forge only serves as a DER encoder: it cannot
 * sign with EC keys (its `cert.sign` knows RSA only) and signing in pure JavaScript is slow, so the TBSCertificate
 * (RFC 5280 4.1) is assembled here with `forge.asn1` and signed by node:crypto with any key type.
 */

export type LabKeyType = 'ec' | 'rsa';
export type LabHash = 'sha256' | 'sha1';

/** A certificate authority that can issue leaves (and intermediate CAs). */
export type LabCa = {
  readonly name: string;
  readonly keyPem: string;
  readonly certPem: string;
  /** This CA's own certificate followed by the intermediates above it, excluding the self-signed root. */
  readonly chainPem: string;
  /** @internal what issuing needs; not part of a PEM bundle. */
  readonly signer: Signer;
};

/** A server's key and certificate as a TLS server loads them. */
export type LabCert = {
  readonly keyPem: string;
  /** The leaf alone. */
  readonly certPem: string;
  /** The leaf followed by the intermediates that a server should send (never the root). */
  readonly chainPem: string;
};

export type CaOptions = {
  readonly name: string;
  /** Issue an intermediate CA under this CA instead of a self-signed root. */
  readonly issuer?: LabCa;
  readonly keyType?: LabKeyType;
  readonly rsaBits?: number;
  /** The hash the issuer signs this CA's certificate with (default sha256); `sha1` for a weak intermediate. */
  readonly signatureHash?: LabHash;
  /** Default: from an hour ago for ten years; set for an expired or soon-expiring intermediate. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
};

export type LeafOptions = {
  /** DNS names and IP literals for the subjectAltName; the first one is also the subject CN. */
  readonly hosts: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /**
   * Default `ec` (ECDSA P-256): good under every built-in TLS profile (NCSC-NL 2025-05 and Mozilla), so a lab site
   * passes tls.certificate-key unless a test asks otherwise. Use `rsa` for static-RSA suites and SSLv2/SSLv3.
   */
  readonly keyType?: LabKeyType;
  /**
   * RSA modulus size, default 2048. Note: NCSC-NL 2025-05 classes RSA 2048-3071 phase-out (tls.certificate-key warns);
   * use 3072 for an RSA certificate that passes under it, 1024 for one that fails everywhere.
   */
  readonly rsaBits?: number;
  readonly signatureHash?: LabHash;
  /** Sign the leaf with its own key (issuer = subject) instead of the CA's. */
  readonly selfSigned?: boolean;
  /** RFC 7633 TLS Feature extension with status_request (5): "must-staple". */
  readonly mustStaple?: boolean;
  /**
   * Extended key usage purposes (OIDs); default serverAuth. E.g. id-kp-OCSPSigning for a delegated OCSP responder;
   * null leaves the extension out (any purpose, RFC 5280 4.2.1.12).
   */
  readonly extendedKeyUsage?: readonly string[] | null;
  /**
   * Embedded SCTs (RFC 6962 3.3): fake but well-formed, from distinct made-up logs (nothing can verify them).
   * Default: as many as the browser CT policy asks for (2 up to 180 days of validity, else 3), so a lab site passes
   * tls.certificate-transparency; 0 for a certificate without the extension.
   */
  readonly scts?: number;
  /** Authority Information Access id-ad-ocsp URLs (RFC 5280 4.2.2.1): where a client asks about revocation. */
  readonly ocspUrls?: readonly string[];
};

type Signer = { readonly key: KeyObject; readonly subject: forge.asn1.Asn1; readonly keyId: Buffer; readonly isRoot: boolean };

const { asn1 } = forge;
const C = asn1.Class.UNIVERSAL;
const T = asn1.Type;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Creates a self-signed root CA, or an intermediate when `issuer` is given. Valid from an hour ago for ten years. */
export function createCa(options: CaOptions): LabCa {
  const key = newKey(options.keyType ?? 'ec', options.rsaBits ?? 2048, options.issuer ? 'intermediate' : 'root');
  const subject = distinguishedName(options.name);
  const keyId = subjectKeyId(key.publicKey);
  const issuer = options.issuer?.signer;
  const now = Date.now();
  const der = buildCertificate({
    subject, publicKey: key.publicKey, keyId, issuer: issuer ?? { key: key.privateKey, subject, keyId, isRoot: true },
    notBefore: options.notBefore ?? new Date(now - HOUR_MS), notAfter: options.notAfter ?? new Date(now + 3650 * DAY_MS),
    hash: options.signatureHash ?? 'sha256',
    extensions: [
      extension('2.5.29.19', true, seq([bool(true)])), // basicConstraints cA (RFC 5280 4.2.1.9)
      extension('2.5.29.15', true, keyUsage(0x86)), // keyUsage: digitalSignature, keyCertSign, cRLSign
    ],
  });
  const certPem = toPem(der);
  return {
    name: options.name,
    keyPem: pem(key.privateKey),
    certPem,
    chainPem: options.issuer && !options.issuer.signer.isRoot ? certPem + options.issuer.chainPem : certPem,
    signer: { key: key.privateKey, subject, keyId, isRoot: !options.issuer },
  };
}

/**
 * `count` intermediate CAs under `root`, each issued by the one above, for chains far longer than any real one.
 * Depth counts from the leaf as the served chain does: the returned CA is at depth 1 (it issues the leaf), the one
 * under the root at depth `count`. `at(depth)` adds options for one of them, e.g. `{ keyType: 'rsa', rsaBits: 1024 }`.
 *
 * @example
 * const bottom = createIntermediateChain(root, 39, (depth) => (depth === 30 ? { signatureHash: 'sha1' } : {}));
 * const leaf = issueLeaf(bottom, { hosts: ['localhost'] }); // leaf.chainPem: 40 certificates
 */
export function createIntermediateChain(root: LabCa, count: number, at: (depth: number) => Partial<CaOptions> = () => ({})): LabCa {
  let ca = root;
  for (let depth = count; depth >= 1; depth--) ca = createCa({ name: `Vouch Lab Intermediate ${depth}`, issuer: ca, ...at(depth) });
  return ca;
}

/**
 * Issues a server certificate for `hosts` (serverAuth, SANs for DNS names and IP literals).
 * Defaults: EC P-256, SHA-256, valid from an hour ago for 90 days.
 *
 * @example
 * const ca = createCa({ name: 'Vouch Lab CA' });
 * const good = issueLeaf(ca, { hosts: ['localhost', '127.0.0.1'] });
 * const expired = issueLeaf(ca, { hosts: ['localhost'], notAfter: new Date(Date.now() - 86_400_000) });
 */
export function issueLeaf(ca: LabCa, options: LeafOptions): LabCert {
  const first = options.hosts[0];
  if (first === undefined) throw new TypeError('issueLeaf needs at least one host');
  const key = newKey(options.keyType ?? 'ec', options.rsaBits ?? 2048, 'leaf');
  const subject = distinguishedName(first);
  const keyId = subjectKeyId(key.publicKey);
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - HOUR_MS);
  const self: Signer = { key: key.privateKey, subject, keyId, isRoot: true };
  // RFC 5280 4.2.1.3: keyEncipherment only matters for RSA key transport; digitalSignature for (EC)DHE.
  const usage = options.keyType === 'rsa' ? 0xa0 : 0x80;
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 90 * DAY_MS);
  const purposes = options.extendedKeyUsage === undefined ? ['1.3.6.1.5.5.7.3.1'] : options.extendedKeyUsage;
  const sctCount = options.scts ?? (notAfter.getTime() - notBefore.getTime() <= 180 * DAY_MS ? 2 : 3);
  const der = buildCertificate({
    subject, publicKey: key.publicKey, keyId, issuer: options.selfSigned ? self : ca.signer,
    notBefore, notAfter, hash: options.signatureHash ?? 'sha256',
    extensions: [
      extension('2.5.29.19', false, seq([])), // basicConstraints: not a CA
      extension('2.5.29.15', true, keyUsage(usage)),
      ...(purposes === null ? [] : [extension('2.5.29.37', false, seq(purposes.map(oid)))]), // extKeyUsage, default serverAuth
      extension('2.5.29.17', false, seq(options.hosts.map(generalName))),
      ...(options.mustStaple ? [extension('1.3.6.1.5.5.7.1.24', false, seq([integer(Buffer.from([5]))]))] : []), // RFC 7633 status_request
      ...(sctCount > 0 ? [extension('1.3.6.1.4.1.11129.2.4.2', false, octets(fakeSctList(sctCount, key.publicKey, notBefore)))] : []),
      // AIA: AccessDescription { id-ad-ocsp, uniformResourceIdentifier [6] IA5String }
      ...(options.ocspUrls?.length ? [extension('1.3.6.1.5.5.7.1.1', false,
        seq(options.ocspUrls.map((url) => seq([oid('1.3.6.1.5.5.7.48.1'), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, url)]))))] : []),
    ],
  });
  const certPem = toPem(der);
  const intermediates = options.selfSigned || ca.signer.isRoot ? '' : ca.chainPem;
  return { keyPem: pem(key.privateKey), certPem, chainPem: certPem + intermediates };
}

type CertificateInput = {
  readonly subject: forge.asn1.Asn1;
  readonly publicKey: KeyObject;
  readonly keyId: Buffer;
  readonly issuer: Signer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly hash: LabHash;
  readonly extensions: readonly forge.asn1.Asn1[];
};

/** RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }. */
function buildCertificate(input: CertificateInput): Buffer {
  const algorithm = signatureAlgorithm(input.issuer.key, input.hash);
  const extensions = [
    ...input.extensions,
    extension('2.5.29.14', false, octets(input.keyId)), // subjectKeyIdentifier
    // authorityKeyIdentifier: keyIdentifier [0] (RFC 5280 4.2.1.1) lets OpenSSL pick the right issuer
    extension('2.5.29.35', false, seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, binary(input.issuer.keyId))])),
  ];
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [integer(Buffer.from([2]))]), // v3
    integer(serialNumber()),
    algorithm,
    input.issuer.subject,
    seq([time(input.notBefore), time(input.notAfter)]),
    input.subject,
    asn1.fromDer(binary(input.publicKey.export({ type: 'spki', format: 'der' }))),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [seq(extensions)]),
  ]);
  const tbsDer = der(tbs);
  // node:crypto picks PKCS#1 v1.5 for RSA and DER-encoded ECDSA (RFC 5480 / RFC 3279 2.2.3) for EC keys.
  const signature = sign(input.hash, tbsDer, input.issuer.key);
  return der(seq([tbs, algorithm, asn1.create(C, T.BITSTRING, false, binary(Buffer.concat([Buffer.from([0]), signature])))]));
}

/** RFC 5754 3.2 (RSA: parameters NULL) and RFC 5758 3.2 (ECDSA: parameters absent). */
function signatureAlgorithm(key: KeyObject, hash: LabHash): forge.asn1.Asn1 {
  if (key.asymmetricKeyType === 'ec') return seq([oid(hash === 'sha1' ? '1.2.840.10045.4.1' : '1.2.840.10045.4.3.2')]);
  return seq([oid(hash === 'sha1' ? '1.2.840.113549.1.1.5' : '1.2.840.113549.1.1.11'), asn1.create(C, T.NULL, false, '')]);
}

const rsaKeys = new Map<string, { publicKey: KeyObject; privateKey: KeyObject }>();

/**
 * RSA keys are cached per role and size: generating a 2048-bit key costs 50-700 ms, and lab certificates need
 * distinct names and validity, not distinct keys. Roles keep a CA's key (and so its key identifier) apart from the
 * keys it certifies. EC keys are cheap (~0.1 ms) and always fresh.
 */
function newKey(type: LabKeyType, rsaBits: number, role: 'root' | 'intermediate' | 'leaf'): { publicKey: KeyObject; privateKey: KeyObject } {
  if (type === 'ec') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const slot = `${role}:${rsaBits}`;
  let pair = rsaKeys.get(slot);
  if (!pair) rsaKeys.set(slot, (pair = generateKeyPairSync('rsa', { modulusLength: rsaBits })));
  return pair;
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING (without the unused-bits octet). */
function subjectKeyId(publicKey: KeyObject): Buffer {
  const spki = asn1.fromDer(binary(publicKey.export({ type: 'spki', format: 'der' })));
  const bits = (spki.value as forge.asn1.Asn1[])[1]?.value as string;
  return createHash('sha1').update(Buffer.from(bits, 'binary').subarray(1)).digest();
}

function distinguishedName(commonName: string): forge.asn1.Asn1 {
  const rdn = (type: string, value: string) =>
    asn1.create(C, T.SET, true, [seq([oid(type), asn1.create(C, T.UTF8, false, forge.util.encodeUtf8(value))])]);
  return seq([rdn('2.5.4.10', 'Vouch Lab'), rdn('2.5.4.3', commonName)]);
}

/** RFC 5280 4.2.1.6: dNSName [2] IA5String, iPAddress [7] OCTET STRING of 4 or 16 bytes. */
function generalName(host: string): forge.asn1.Asn1 {
  const family = isIP(host);
  if (family === 0) return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, host);
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, binary(ipBytes(host, family)));
}

function ipBytes(ip: string, family: number): Buffer {
  if (family === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = ip.includes('::') ? [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)] : groups(ip);
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function keyUsage(bits: number): forge.asn1.Asn1 {
  // A named BIT STRING (X.680 22.7) drops trailing zero bits; count them for the unused-bits octet.
  let unused = 0;
  while (unused < 7 && !(bits & (1 << unused))) unused++;
  return asn1.create(C, T.BITSTRING, false, String.fromCharCode(unused, bits));
}

function extension(id: string, critical: boolean, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([oid(id), ...(critical ? [bool(true)] : []), octets(der(value))]);
}

function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and non-zero (RFC 5280 4.1.2.2)
  return bytes;
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(C, T.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(C, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

const seq = (items: forge.asn1.Asn1[]) => asn1.create(C, T.SEQUENCE, true, items);
const oid = (id: string) => asn1.create(C, T.OID, false, asn1.oidToDer(id).getBytes());
const bool = (value: boolean) => asn1.create(C, T.BOOLEAN, false, value ? '\xff' : '\x00');
const integer = (bytes: Buffer) => asn1.create(C, T.INTEGER, false, binary(bytes));
const octets = (bytes: Buffer) => asn1.create(C, T.OCTETSTRING, false, binary(bytes));
const binary = (bytes: Buffer) => bytes.toString('binary');
const der = (node: forge.asn1.Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;
const toPem = (bytes: Buffer) => `-----BEGIN CERTIFICATE-----\n${bytes.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
