/**
 * The vocabulary of the structured TLS layer (issue 9): what a cipher suite, a group and a signature scheme ARE,
 * as data. The IANA registry table (`registry.ts`) fills these in; the hello builder, the server-flight reader,
 * the enumeration driver and the policies (`policies/*.yaml`) all speak this one vocabulary.
 */

/** Protocol versions a server may still accept, oldest first. SSLv2 has its own record format (no code point here). */
export const PROTOCOL_VERSIONS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

/** Key exchange of a TLS <= 1.2 suite (`ANY` for TLS 1.3 suites, whose key exchange is negotiated separately). */
export const KEY_EXCHANGES = [
  'ECDHE', 'DHE', 'RSA', 'ECDH', 'DH', 'PSK', 'ECDHE_PSK', 'DHE_PSK', 'RSA_PSK', 'SRP', 'KRB5', 'GOSTR341112_256',
  'NULL', 'ANY',
] as const;
export type KeyExchange = (typeof KEY_EXCHANGES)[number];

/** Who authenticates the server: `anon` is no one (anonymous suites), `ANY` for TLS 1.3 (the certificate decides). */
export const AUTHENTICATIONS = ['RSA', 'ECDSA', 'DSS', 'anon', 'PSK', 'SRP', 'KRB5', 'GOST', 'NULL', 'ANY'] as const;
export type Authentication = (typeof AUTHENTICATIONS)[number];

/** The bulk cipher. */
export const CIPHERS = [
  'AES', 'CHACHA20', 'CAMELLIA', 'ARIA', 'SEED', 'IDEA', '3DES', 'DES', 'DES40', 'RC4', 'RC2', 'SM4',
  'KUZNYECHIK', 'MAGMA', 'GOST28147', 'NULL',
] as const;
export type Cipher = (typeof CIPHERS)[number];

/** How the bulk cipher is used: AEAD modes, CBC, a stream cipher, or none. */
export const CIPHER_MODES = ['GCM', 'CCM', 'CCM_8', 'POLY1305', 'CBC', 'CTR_OMAC', 'MGM', 'STREAM', 'NULL'] as const;
export type CipherMode = (typeof CIPHER_MODES)[number];

/** The record MAC (`AEAD` when the mode authenticates) or, for AEAD suites, still the PRF hash in `prfHash`. */
export const MACS = ['AEAD', 'SHA', 'SHA256', 'SHA384', 'MD5', 'GOSTR3411', 'NULL'] as const;
export type Mac = (typeof MACS)[number];

/** One TLS cipher suite as registered by IANA (RFC 8447), decomposed so that policies can match on its parts. */
export type SuiteInfo = {
  /** Two-byte code point, e.g. 0xc02f. */
  readonly code: number;
  /** The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`. */
  readonly name: string;
  /** OpenSSL's name where it has one (what testssl.sh and sslscan print), else null. */
  readonly openssl: string | null;
  readonly kx: KeyExchange;
  readonly auth: Authentication;
  readonly cipher: Cipher;
  /** Effective key bits of the bulk cipher (3DES: 112, export: 40 or 56, NULL: 0). */
  readonly cipherBits: number;
  readonly mode: CipherMode;
  readonly mac: Mac;
  /** An export-grade suite (FREAK/LOGJAM era). */
  readonly export: boolean;
  /** A TLS 1.3 suite (RFC 8446 B.4): usable only in TLS 1.3, and TLS 1.3 uses only these. */
  readonly tls13: boolean;
};

/** An SSLv2 cipher spec (three bytes, RFC draft-hickman-netscape-ssl-00 appendix). */
export type Sslv2CipherInfo = { readonly code: number; readonly name: string; readonly cipherBits: number; readonly export: boolean };

/** A named group (RFC 8446 4.2.7, RFC 7919, RFC 8422, the hybrid post-quantum groups). */
export type GroupInfo = {
  readonly code: number;
  /** IANA name, e.g. `x25519`, `secp256r1`, `ffdhe2048`, `X25519MLKEM768`. */
  readonly name: string;
  readonly kind: 'ec' | 'ffdhe' | 'hybrid-pq' | 'pq';
  /** Security-relevant size: curve bits or FFDHE prime bits (for hybrids, the classical part's). */
  readonly bits: number;
};

/** A signature scheme (RFC 8446 4.2.3; the TLS 1.2 hash/signature pairs share the code space). */
export type SignatureSchemeInfo = {
  readonly code: number;
  /** IANA name, e.g. `ecdsa_secp256r1_sha256`, `rsa_pss_rsae_sha256`, `rsa_pkcs1_sha1`. */
  readonly name: string;
  /** The hash it signs with (`intrinsic` for EdDSA). */
  readonly hash: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'intrinsic';
  readonly signature: 'rsa_pkcs1' | 'rsa_pss' | 'ecdsa' | 'ed25519' | 'ed448' | 'dsa' | 'gost' | 'sm2' | 'anonymous';
};

/** How a policy classes a property (NCSC-NL's words; a Mozilla profile knows only `good` and `insufficient`). */
export const POLICY_CLASSES = ['good', 'sufficient', 'phase-out', 'insufficient'] as const;
export type PolicyClass = (typeof POLICY_CLASSES)[number];
