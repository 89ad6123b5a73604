import type { GroupInfo, SignatureSchemeInfo, Sslv2CipherInfo } from './types.ts';

/**
 * The smaller registry tables: signalling cipher suite values, SSLv2 cipher specs, named groups and signature
 * schemes. The cipher suites themselves are in registry-suites.ts; the lookups in registry.ts.
 */

/**
 * Code points in the cipher suite list that are signals, not suites (IANA TLS Cipher Suites registry): a server
 * never chooses them, and they must not be judged as suites.
 */
export const SIGNALLING_SUITES: readonly { readonly code: number; readonly name: string }[] = [
  { code: 0x00ff, name: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV' }, // RFC 5746 3.3
  { code: 0x5600, name: 'TLS_FALLBACK_SCSV' }, // RFC 7507 2
];

/**
 * The seven SSLv2 cipher specs (draft-hickman-netscape-ssl-00, appendix A.1 "Cipher kinds"): three bytes each.
 * `cipherBits` is the secret key size (the EXPORT40 kinds reveal all but 40 bits; DES is 56 of 64, 3DES 112).
 */
export const SSLV2_CIPHERS: readonly Sslv2CipherInfo[] = [
  { code: 0x010080, name: 'SSL_CK_RC4_128_WITH_MD5', cipherBits: 128, export: false },
  { code: 0x020080, name: 'SSL_CK_RC4_128_EXPORT40_WITH_MD5', cipherBits: 40, export: true },
  { code: 0x030080, name: 'SSL_CK_RC2_128_CBC_WITH_MD5', cipherBits: 128, export: false },
  { code: 0x040080, name: 'SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5', cipherBits: 40, export: true },
  { code: 0x050080, name: 'SSL_CK_IDEA_128_CBC_WITH_MD5', cipherBits: 128, export: false },
  { code: 0x060040, name: 'SSL_CK_DES_64_CBC_WITH_MD5', cipherBits: 56, export: false },
  { code: 0x0700c0, name: 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', cipherBits: 112, export: false },
];

const ec = (code: number, name: string, bits: number): GroupInfo => ({ code, name, kind: 'ec', bits });

/**
 * IANA "TLS Supported Groups" registry (RFC 8422 5.1.1, RFC 8446 4.2.7, RFC 7919, RFC 8734, RFC 9189, RFC 8998,
 * draft-ietf-tls-ecdhe-mlkem, draft-connolly-tls-mlkem-key-agreement, draft-tls-westerbaan-xyber768d00).
 * `bits`: the curve's field size as OpenSSL and testssl.sh report it (X25519: 253, X448: 448), the FFDHE prime
 * size, for hybrids the classical part's, for pure ML-KEM its parameter set.
 */
export const GROUPS: readonly GroupInfo[] = [
  ec(1, 'sect163k1', 163), ec(2, 'sect163r1', 163), ec(3, 'sect163r2', 163), ec(4, 'sect193r1', 193),
  ec(5, 'sect193r2', 193), ec(6, 'sect233k1', 233), ec(7, 'sect233r1', 233), ec(8, 'sect239k1', 239),
  ec(9, 'sect283k1', 283), ec(10, 'sect283r1', 283), ec(11, 'sect409k1', 409), ec(12, 'sect409r1', 409),
  ec(13, 'sect571k1', 571), ec(14, 'sect571r1', 571), ec(15, 'secp160k1', 160), ec(16, 'secp160r1', 160),
  ec(17, 'secp160r2', 160), ec(18, 'secp192k1', 192), ec(19, 'secp192r1', 192), ec(20, 'secp224k1', 224),
  ec(21, 'secp224r1', 224), ec(22, 'secp256k1', 256), ec(23, 'secp256r1', 256), ec(24, 'secp384r1', 384),
  ec(25, 'secp521r1', 521),
  ec(26, 'brainpoolP256r1', 256), ec(27, 'brainpoolP384r1', 384), ec(28, 'brainpoolP512r1', 512), // RFC 7027
  ec(29, 'x25519', 253), ec(30, 'x448', 448), // RFC 8422 5.1.1
  ec(31, 'brainpoolP256r1tls13', 256), ec(32, 'brainpoolP384r1tls13', 384), ec(33, 'brainpoolP512r1tls13', 512), // RFC 8734
  ec(34, 'GC256A', 256), ec(35, 'GC256B', 256), ec(36, 'GC256C', 256), ec(37, 'GC256D', 256), // RFC 9189
  ec(38, 'GC512A', 512), ec(39, 'GC512B', 512), ec(40, 'GC512C', 512),
  ec(41, 'curveSM2', 256), // RFC 8998
  { code: 0x0100, name: 'ffdhe2048', kind: 'ffdhe', bits: 2048 }, // RFC 7919
  { code: 0x0101, name: 'ffdhe3072', kind: 'ffdhe', bits: 3072 },
  { code: 0x0102, name: 'ffdhe4096', kind: 'ffdhe', bits: 4096 },
  { code: 0x0103, name: 'ffdhe6144', kind: 'ffdhe', bits: 6144 },
  { code: 0x0104, name: 'ffdhe8192', kind: 'ffdhe', bits: 8192 },
  { code: 0x0200, name: 'MLKEM512', kind: 'pq', bits: 512 }, // draft-connolly-tls-mlkem-key-agreement
  { code: 0x0201, name: 'MLKEM768', kind: 'pq', bits: 768 },
  { code: 0x0202, name: 'MLKEM1024', kind: 'pq', bits: 1024 },
  { code: 0x11eb, name: 'SecP256r1MLKEM768', kind: 'hybrid-pq', bits: 256 }, // draft-ietf-tls-ecdhe-mlkem
  { code: 0x11ec, name: 'X25519MLKEM768', kind: 'hybrid-pq', bits: 253 },
  { code: 0x11ed, name: 'SecP384r1MLKEM1024', kind: 'hybrid-pq', bits: 384 },
  { code: 0x6399, name: 'X25519Kyber768Draft00', kind: 'hybrid-pq', bits: 253 }, // draft-tls-westerbaan-xyber768d00
  { code: 0x639a, name: 'SecP256r1Kyber768Draft00', kind: 'hybrid-pq', bits: 256 },
];

type Hash = SignatureSchemeInfo['hash'];
type Signature = SignatureSchemeInfo['signature'];
const sig = (code: number, name: string, hash: Hash, signature: Signature): SignatureSchemeInfo => ({ code, name, hash, signature });

/**
 * IANA "TLS SignatureScheme" registry (RFC 8446 4.2.3) and the TLS 1.2 (HashAlgorithm, SignatureAlgorithm) pairs
 * that share its code space (RFC 5246 7.4.1.4.1: hash md5(1) sha1(2) sha224(3) sha256(4) sha384(5) sha512(6);
 * signature rsa(1) dsa(2) ecdsa(3)). RFC 8446 B.3.1.3 keeps the pairs TLS 1.3 dropped as *_RESERVED; they are
 * named here by what they mean in TLS 1.2 (`dsa_sha256`, `rsa_pkcs1_md5`), as OpenSSL and Wireshark print them.
 * SM2 and the GOST schemes sign with a hash the algorithm fixes (SM3, Streebog): `hash: 'intrinsic'`.
 */
export const SIGNATURE_SCHEMES: readonly SignatureSchemeInfo[] = [
  sig(0x0101, 'rsa_pkcs1_md5', 'md5', 'rsa_pkcs1'), sig(0x0102, 'dsa_md5', 'md5', 'dsa'),
  sig(0x0103, 'ecdsa_md5', 'md5', 'ecdsa'),
  sig(0x0201, 'rsa_pkcs1_sha1', 'sha1', 'rsa_pkcs1'), sig(0x0202, 'dsa_sha1', 'sha1', 'dsa'),
  sig(0x0203, 'ecdsa_sha1', 'sha1', 'ecdsa'),
  sig(0x0301, 'rsa_pkcs1_sha224', 'sha224', 'rsa_pkcs1'), sig(0x0302, 'dsa_sha224', 'sha224', 'dsa'),
  sig(0x0303, 'ecdsa_sha224', 'sha224', 'ecdsa'),
  sig(0x0401, 'rsa_pkcs1_sha256', 'sha256', 'rsa_pkcs1'), sig(0x0402, 'dsa_sha256', 'sha256', 'dsa'),
  sig(0x0403, 'ecdsa_secp256r1_sha256', 'sha256', 'ecdsa'),
  sig(0x0501, 'rsa_pkcs1_sha384', 'sha384', 'rsa_pkcs1'), sig(0x0502, 'dsa_sha384', 'sha384', 'dsa'),
  sig(0x0503, 'ecdsa_secp384r1_sha384', 'sha384', 'ecdsa'),
  sig(0x0601, 'rsa_pkcs1_sha512', 'sha512', 'rsa_pkcs1'), sig(0x0602, 'dsa_sha512', 'sha512', 'dsa'),
  sig(0x0603, 'ecdsa_secp521r1_sha512', 'sha512', 'ecdsa'),
  sig(0x0708, 'sm2sig_sm3', 'intrinsic', 'sm2'), // RFC 8998 3.2
  sig(0x0709, 'gostr34102012_256a', 'intrinsic', 'gost'), sig(0x070a, 'gostr34102012_256b', 'intrinsic', 'gost'), // RFC 9367
  sig(0x070b, 'gostr34102012_256c', 'intrinsic', 'gost'), sig(0x070c, 'gostr34102012_256d', 'intrinsic', 'gost'),
  sig(0x070d, 'gostr34102012_512a', 'intrinsic', 'gost'), sig(0x070e, 'gostr34102012_512b', 'intrinsic', 'gost'),
  sig(0x070f, 'gostr34102012_512c', 'intrinsic', 'gost'),
  sig(0x0804, 'rsa_pss_rsae_sha256', 'sha256', 'rsa_pss'), sig(0x0805, 'rsa_pss_rsae_sha384', 'sha384', 'rsa_pss'),
  sig(0x0806, 'rsa_pss_rsae_sha512', 'sha512', 'rsa_pss'),
  sig(0x0807, 'ed25519', 'intrinsic', 'ed25519'), sig(0x0808, 'ed448', 'intrinsic', 'ed448'),
  sig(0x0809, 'rsa_pss_pss_sha256', 'sha256', 'rsa_pss'), sig(0x080a, 'rsa_pss_pss_sha384', 'sha384', 'rsa_pss'),
  sig(0x080b, 'rsa_pss_pss_sha512', 'sha512', 'rsa_pss'),
  sig(0x081a, 'ecdsa_brainpoolP256r1tls13_sha256', 'sha256', 'ecdsa'), // RFC 8734
  sig(0x081b, 'ecdsa_brainpoolP384r1tls13_sha384', 'sha384', 'ecdsa'),
  sig(0x081c, 'ecdsa_brainpoolP512r1tls13_sha512', 'sha512', 'ecdsa'),
  // RFC 9189 TLS 1.2 GOST pairs: hash intrinsic(8), signature gostr34102012_256(64) / gostr34102012_512(65).
  sig(0x0840, 'gostr34102012_256', 'intrinsic', 'gost'), sig(0x0841, 'gostr34102012_512', 'intrinsic', 'gost'),
];
