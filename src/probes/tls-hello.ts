import { generateKeyPairSync, randomBytes } from 'node:crypto';
import net from 'node:net';
import { domainToASCII } from 'node:url';
import type { TlsVersion } from './types.ts';

/** Building ClientHellos that offer exactly one protocol version (RFC 8446 4.1.2, RFC 5246 7.4.1.2). Pure. */

/** Wire version numbers (RFC 8446 B.1; RFC 5246 A.1 for the older ones). */
export const WIRE: Readonly<Record<TlsVersion, number>> = { TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

/**
 * A broad TLS <= 1.2 offer (RFC 5246 A.5): (EC)DHE and RSA key exchange with AES-GCM, CHACHA20, AES-CBC and 3DES,
 * then RC4, CAMELLIA and DHE-DSS last, so that a server which only has legacy suites still answers with its version
 * instead of handshake_failure (which would read as "version refused").
 */
export const LEGACY_SUITES: ReadonlyMap<number, string> = new Map([
  [0xc02b, 'ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], [0xc02f, 'ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc02c, 'ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'], [0xc030, 'ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xcca9, 'ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'], [0xcca8, 'ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0x009e, 'DHE_RSA_WITH_AES_128_GCM_SHA256'], [0x009f, 'DHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xccaa, 'DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xc023, 'ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'], [0xc027, 'ECDHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc024, 'ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'], [0xc028, 'ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc009, 'ECDHE_ECDSA_WITH_AES_128_CBC_SHA'], [0xc013, 'ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'ECDHE_ECDSA_WITH_AES_256_CBC_SHA'], [0xc014, 'ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x0067, 'DHE_RSA_WITH_AES_128_CBC_SHA256'], [0x006b, 'DHE_RSA_WITH_AES_256_CBC_SHA256'],
  [0x0033, 'DHE_RSA_WITH_AES_128_CBC_SHA'], [0x0039, 'DHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x009c, 'RSA_WITH_AES_128_GCM_SHA256'], [0x009d, 'RSA_WITH_AES_256_GCM_SHA384'],
  [0x003c, 'RSA_WITH_AES_128_CBC_SHA256'], [0x003d, 'RSA_WITH_AES_256_CBC_SHA256'],
  [0x002f, 'RSA_WITH_AES_128_CBC_SHA'], [0x0035, 'RSA_WITH_AES_256_CBC_SHA'],
  [0xc008, 'ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'], [0xc012, 'ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0016, 'DHE_RSA_WITH_3DES_EDE_CBC_SHA'], [0x000a, 'RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc011, 'ECDHE_RSA_WITH_RC4_128_SHA'], [0xc007, 'ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0x0005, 'RSA_WITH_RC4_128_SHA'], [0x0004, 'RSA_WITH_RC4_128_MD5'],
  [0x0041, 'RSA_WITH_CAMELLIA_128_CBC_SHA'], [0x0084, 'RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0032, 'DHE_DSS_WITH_AES_128_CBC_SHA'], [0x0038, 'DHE_DSS_WITH_AES_256_CBC_SHA'],
  [0x0013, 'DHE_DSS_WITH_3DES_EDE_CBC_SHA'],
].map(([code, name]) => [code as number, `TLS_${name as string}`]));

/** RFC 8446 B.4. */
export const TLS13_SUITES: ReadonlyMap<number, string> = new Map([
  [0x1301, 'TLS_AES_128_GCM_SHA256'], [0x1302, 'TLS_AES_256_GCM_SHA384'], [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'], [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
]);

/**
 * x25519, secp256r1/384r1/521r1, x448 (RFC 8422 5.1.1, RFC 8446 4.2.7). FFDHE groups only in the TLS 1.3 offer:
 * in TLS 1.2 they would restrict DHE to RFC 7919 groups that legacy servers lack.
 */
const EC_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x001e];
const TLS13_GROUPS = [...EC_GROUPS, 0x0100, 0x0101];
/** RFC 8446 4.2.3: ECDSA, EdDSA, RSA-PSS, PKCS#1; SHA-1 last so legacy-only servers can still answer. */
const SIGNATURE_SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
  0x0401, 0x0501, 0x0601, 0x0203, 0x0201,
];

/** RFC 8446 4.1.3: SHA-256 of "HelloRetryRequest". */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
export const DOWNGRADE = Buffer.from('DOWNGRD', 'latin1');

const u8 = (n: number) => Buffer.of(n);
const u16 = (n: number) => Buffer.of(n >> 8, n & 0xff);
const u16s = (list: readonly number[]) => Buffer.concat(list.map(u16));
const vec8 = (body: Buffer) => Buffer.concat([u8(body.length), body]);
const vec16 = (body: Buffer) => Buffer.concat([u16(body.length), body]);
const extension = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);

let x25519Public: Buffer | undefined;
/** The key share is never used (no key exchange completes), so one process-wide key is enough. */
function x25519Share(): Buffer {
  x25519Public ??= generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  return x25519Public;
}

/** RFC 6066 3: a DNS name in ASCII without the trailing dot; no SNI for IP literals. */
export function sniName(hostname: string): string | null {
  if (net.isIP(hostname)) return null;
  return domainToASCII(hostname.replace(/\.$/, '')) || null;
}

const staticParts = new Map<TlsVersion, { readonly suites: Buffer; readonly extensions: Buffer }>();

/** Everything but the random, session id and SNI is the same for every hello of a version: built once. */
function partsFor(version: TlsVersion): { readonly suites: Buffer; readonly extensions: Buffer } {
  let parts = staticParts.get(version);
  if (parts) return parts;
  const tls13 = version === 'TLSv1.3';
  const extensions = [
    extension(10, vec16(u16s(tls13 ? TLS13_GROUPS : EC_GROUPS))),
    ...(tls13 ? [] : [extension(11, vec8(u8(0)))]), // ec_point_formats: uncompressed (RFC 8422 5.1.2)
    // RFC 5246 7.4.1.4.1: signature_algorithms exists from TLS 1.2 on.
    ...(version === 'TLSv1.2' || tls13 ? [extension(13, vec16(u16s(SIGNATURE_SCHEMES)))] : []),
    ...(tls13
      ? [
        extension(43, vec8(u16(0x0304))),
        extension(51, vec16(Buffer.concat([u16(0x001d), vec16(x25519Share())]))),
        extension(45, vec8(u8(1))), // psk_dhe_ke
      ]
      : [extension(0xff01, vec8(Buffer.alloc(0)))]), // empty renegotiation_info (RFC 5746 3.4)
  ];
  parts = { suites: vec16(u16s([...(tls13 ? TLS13_SUITES : LEGACY_SUITES).keys()])), extensions: Buffer.concat(extensions) };
  staticParts.set(version, parts);
  return parts;
}

/**
 * A ClientHello record offering exactly `version` (RFC 5246 7.4.1.2; RFC 8446 4.1.2 with supported_versions
 * [0x0304] and legacy_version 0x0303). The record layer says 0x0301, as the initial hello should (RFC 8446 5.1).
 */
export function buildClientHello(version: TlsVersion, serverName: string | null): Buffer {
  const tls13 = version === 'TLSv1.3';
  const { suites, extensions } = partsFor(version);
  // RFC 8446 D.4: a non-empty legacy_session_id keeps middleboxes treating the 1.3 handshake as a resumption.
  const random = randomBytes(tls13 ? 64 : 32);
  const head = Buffer.concat([
    u16(tls13 ? 0x0303 : WIRE[version]), random.subarray(0, 32), vec8(random.subarray(32)), suites, vec8(u8(0)),
  ]);
  const sni = serverName ? extension(0, vec16(Buffer.concat([u8(0), vec16(Buffer.from(serverName, 'ascii'))]))) : Buffer.alloc(0);
  let extensionBytes = sni.length + extensions.length;
  // RFC 7685: some load balancers hang on hellos of 256-511 bytes; pad those to 512, as OpenSSL does.
  const unpadded = 4 + head.length + 2 + extensionBytes;
  const padding = unpadded > 0xff && unpadded < 0x200 ? extension(21, Buffer.alloc(Math.max(0x200 - unpadded - 4, 0))) : Buffer.alloc(0);
  extensionBytes += padding.length;
  const length = head.length + 2 + extensionBytes;
  return Buffer.concat([
    Buffer.of(22, 3, 1, (length + 4) >> 8, (length + 4) & 0xff, 1, length >> 16, (length >> 8) & 0xff, length & 0xff),
    head, u16(extensionBytes), sni, extensions, padding,
  ]);
}
