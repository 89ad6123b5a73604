import { createECDH, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { GROUPS, SIGNATURE_SCHEMES, SSLV2_CIPHERS, SUITES, suiteValidFor } from './registry.ts';
import type { ProtocolVersion } from './types.ts';

/**
 * ClientHello bytes from a specification (issue 9, design notes 3): which version, suites, groups, signature
 * schemes, compression methods and extensions to offer, for SSLv3 and TLS 1.0-1.3 (RFC 6101 5.6.1.2,
 * RFC 5246 7.4.1.2, RFC 8446 4.1.2) and SSLv2 (draft-hickman-netscape-ssl-00 2.5). Pure except for the client
 * random, session id and key shares, which come from `spec.random` (default: node:crypto).
 */

/** The versions with a TLS record format (SSLv2 has its own: `buildSslv2ClientHello`). */
export type HelloVersion = Exclude<ProtocolVersion, 'SSLv2'>;

/** Wire version numbers (RFC 6101 A.1, RFC 5246 A.1, RFC 8446 B.1). */
export const WIRE_VERSIONS: Readonly<Record<HelloVersion, number>> = {
  SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304,
};

/** Returns `size` random bytes; inject a fixed source for byte-exact tests. */
export type RandomSource = (size: number) => Buffer;

/** Extension type code points (IANA "TLS ExtensionType Values"). */
export const EXTENSION = {
  serverName: 0, statusRequest: 5, supportedGroups: 10, ecPointFormats: 11, signatureAlgorithms: 13, heartbeat: 15,
  alpn: 16, signedCertificateTimestamp: 18, padding: 21, extendedMasterSecret: 23, sessionTicket: 35, earlyData: 42,
  preSharedKey: 41, supportedVersions: 43, pskKeyExchangeModes: 45, keyShare: 51, renegotiationInfo: 0xff01,
} as const;

/** Which extensions to send. Absent or false means "not sent"; every list is sent in the order given. */
export type HelloExtensions = {
  /** RFC 6066 3: a DNS name (IDNs are converted to A-labels); IP literals and null send no SNI. */
  readonly serverName?: string | null;
  /** RFC 8446 4.2.1; default for a TLS 1.3 hello: [TLSv1.3]. An empty list sends no extension. */
  readonly supportedVersions?: readonly HelloVersion[];
  /**
   * RFC 8446 4.2.8: groups that get a real key share. Shares can be made for x25519 (0x001d), secp256r1 (0x0017)
   * and secp384r1 (0x0018); other groups are skipped, so a server that wants one of them answers with a
   * HelloRetryRequest naming it, which is how a group is detected without a share. Default for TLS 1.3: x25519 if
   * offered. Sent (possibly empty) in every TLS 1.3 hello.
   */
  readonly keyShares?: readonly number[];
  /** RFC 5746 3.4: an empty renegotiation_info (the alternative to TLS_EMPTY_RENEGOTIATION_INFO_SCSV). */
  readonly renegotiationInfo?: boolean;
  /** RFC 7627 5.1. */
  readonly extendedMasterSecret?: boolean;
  /** RFC 6066 8: OCSP, no responder ids, no request extensions. */
  readonly statusRequest?: boolean;
  /** RFC 6962 3.3.1: empty in the ClientHello. */
  readonly signedCertificateTimestamp?: boolean;
  /** RFC 6520 2: mode peer_allowed_to_send (1). */
  readonly heartbeat?: boolean;
  /** RFC 7301 3.1: protocol names, e.g. ['h2', 'http/1.1']. */
  readonly alpn?: readonly string[];
  /** RFC 8422 5.1.2: point formats; default [0] (uncompressed) when the hello offers EC groups below TLS 1.3. */
  readonly ecPointFormats?: readonly number[] | false;
  /** RFC 5077 3.2: an empty SessionTicket (asking for a ticket). */
  readonly sessionTicket?: boolean;
  /** RFC 7685: pad hellos of 256-511 bytes to 512, as OpenSSL does, for load balancers that hang on them. */
  readonly padding?: boolean;
  /** RFC 8446 4.2.9: default [1] (psk_dhe_ke) for TLS 1.3. */
  readonly pskKeyExchangeModes?: readonly number[];
  /** RFC 8446 4.2.10: empty early_data (for later 0-RTT work; without a PSK a server ignores it). */
  readonly earlyData?: boolean;
  /**
   * RFC 8446 4.2.8: key shares made by the caller, who keeps the private keys (zero-rtt-proof.ts completes a key
   * exchange); replaces the shares `keyShares` would make.
   */
  readonly keyShareEntries?: readonly { readonly group: number; readonly publicKey: Buffer }[];
  /**
   * RFC 8446 4.2.11: OfferedPsks, sent as the LAST extension (after padding). Binders are sent as given: the caller
   * sends placeholders of the right length, computes the real ones over the truncated hello and patches them in.
   */
  readonly preSharedKey?: {
    readonly identities: readonly { readonly identity: Buffer; readonly obfuscatedTicketAge: number }[];
    readonly binders: readonly Buffer[];
  };
  /** Any other extension, verbatim and in order, before padding (tests, GREASE, drafts). */
  readonly extra?: readonly { readonly type: number; readonly data: Buffer }[];
};

export type HelloSpec = {
  readonly version: HelloVersion;
  /** The record layer's version; default 0x0300 for SSLv3, else 0x0301 (RFC 8446 5.1, RFC 5246 E.1). */
  readonly recordVersion?: number;
  /** Cipher suite code points, in preference order (SCSVs go here too). */
  readonly suites: readonly number[];
  /** supported_groups (RFC 8422 5.1.1, RFC 8446 4.2.7); sent when the hello has extensions and the list is not empty. */
  readonly groups?: readonly number[];
  /** signature_algorithms (RFC 5246 7.4.1.4.1, RFC 8446 4.2.3); sent when extensions are on and the list is not empty. */
  readonly signatureAlgorithms?: readonly number[];
  /** RFC 5246 7.4.1.2: default [0] (null); [1, 0] offers DEFLATE (RFC 3749) to detect CRIME. */
  readonly compressionMethods?: readonly number[];
  /** Default: 32 random bytes for TLS 1.3 (RFC 8446 D.4, middlebox compatibility), else empty. */
  readonly sessionId?: Buffer;
  /** Absent: no extensions block at all (some SSLv3 servers reject any). Present: the block, possibly empty. */
  readonly extensions?: HelloExtensions;
  readonly random?: RandomSource;
};

const u8 = (n: number) => Buffer.of(n & 0xff);
const u16 = (n: number) => Buffer.of((n >> 8) & 0xff, n & 0xff);
const u16s = (list: readonly number[]) => Buffer.concat(list.map(u16));
const vec8 = (body: Buffer) => Buffer.concat([u8(body.length), body]);
const vec16 = (body: Buffer) => Buffer.concat([u16(body.length), body]);
const extension = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);
const EMPTY = Buffer.alloc(0);

/** RFC 5246 6.2.1: a record carries at most 2^14 bytes; longer hellos are split over several records. */
const MAX_RECORD = 0x4000;

const X25519 = 0x001d;
const SECP256R1 = 0x0017;
const SECP384R1 = 0x0018;

/** RFC 6066 3: a DNS name in ASCII without the trailing dot; null for IP literals (SNI carries host names only). */
export function sniName(hostname: string | null | undefined): string | null {
  if (!hostname || net.isIP(hostname)) return null;
  return domainToASCII(hostname.replace(/\.$/, '')) || null;
}

/** The bytes of one or more handshake records holding the ClientHello of `spec`. */
export function buildClientHello(spec: HelloSpec): Buffer {
  const random = spec.random ?? randomBytes;
  const tls13 = spec.version === 'TLSv1.3';
  // RFC 8446 4.1.2: a TLS 1.3 hello says TLS 1.2 in legacy_version and the truth in supported_versions.
  const legacyVersion = tls13 ? WIRE_VERSIONS['TLSv1.2'] : WIRE_VERSIONS[spec.version];
  const clientRandom = random(32);
  const sessionId = spec.sessionId ?? (tls13 ? random(32) : EMPTY);
  const body = Buffer.concat([
    u16(legacyVersion), clientRandom, vec8(sessionId), vec16(u16s(spec.suites)), vec8(Buffer.from(spec.compressionMethods ?? [0])),
  ]);
  const shareOf = spec.random ? (group: number) => keyShare(group, random) : processKeyShare;
  const extensions = spec.extensions ? extensionsBlock(spec, spec.extensions, body.length, shareOf) : EMPTY;
  const hello = Buffer.concat([body, extensions]);
  const handshake = Buffer.concat([Buffer.of(1, hello.length >> 16, (hello.length >> 8) & 0xff, hello.length & 0xff), hello]);
  return records(22, spec.recordVersion ?? (spec.version === 'SSLv3' ? 0x0300 : 0x0301), handshake);
}

/** RFC 5246 6.2.1 TLSPlaintext: type, version, length, fragment; split at 2^14 bytes. */
function records(type: number, version: number, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  do {
    const fragment = payload.subarray(offset, offset + MAX_RECORD);
    parts.push(Buffer.of(type), u16(version), u16(fragment.length), fragment);
    offset += MAX_RECORD;
  } while (offset < payload.length);
  return Buffer.concat(parts);
}

/** The extensions<0..2^16-1> vector, padded per RFC 7685 when asked. `bodyLength`: the hello before it. */
function extensionsBlock(spec: HelloSpec, ext: HelloExtensions, bodyLength: number, shareOf: (group: number) => Buffer | null): Buffer {
  const tls13 = spec.version === 'TLSv1.3';
  const groups = spec.groups ?? [];
  const list: Buffer[] = [];
  const host = sniName(ext.serverName);
  if (host !== null) list.push(extension(EXTENSION.serverName, vec16(Buffer.concat([u8(0), vec16(Buffer.from(host, 'ascii'))]))));
  const pointFormats = ext.ecPointFormats ?? (!tls13 && groups.length > 0 ? [0] : false);
  if (pointFormats) list.push(extension(EXTENSION.ecPointFormats, vec8(Buffer.from(pointFormats))));
  if (groups.length > 0) list.push(extension(EXTENSION.supportedGroups, vec16(u16s(groups))));
  if (ext.sessionTicket) list.push(extension(EXTENSION.sessionTicket, EMPTY));
  if (ext.alpn && ext.alpn.length > 0) {
    list.push(extension(EXTENSION.alpn, vec16(Buffer.concat(ext.alpn.map((name) => vec8(Buffer.from(name, 'ascii')))))));
  }
  // status_type ocsp(1), empty responder_id_list, empty request_extensions (RFC 6066 8).
  if (ext.statusRequest) list.push(extension(EXTENSION.statusRequest, Buffer.of(1, 0, 0, 0, 0)));
  if (ext.signedCertificateTimestamp) list.push(extension(EXTENSION.signedCertificateTimestamp, EMPTY));
  if (ext.extendedMasterSecret) list.push(extension(EXTENSION.extendedMasterSecret, EMPTY));
  if (ext.renegotiationInfo) list.push(extension(EXTENSION.renegotiationInfo, vec8(EMPTY)));
  const schemes = spec.signatureAlgorithms ?? [];
  if (schemes.length > 0) list.push(extension(EXTENSION.signatureAlgorithms, vec16(u16s(schemes))));
  if (ext.heartbeat) list.push(extension(EXTENSION.heartbeat, u8(1)));
  const versions = ext.supportedVersions ?? (tls13 ? ['TLSv1.3'] : []);
  if (versions.length > 0) list.push(extension(EXTENSION.supportedVersions, vec8(u16s(versions.map((v) => WIRE_VERSIONS[v])))));
  const pskModes = ext.pskKeyExchangeModes ?? (tls13 ? [1] : []);
  if (pskModes.length > 0) list.push(extension(EXTENSION.pskKeyExchangeModes, vec8(Buffer.from(pskModes))));
  if (ext.keyShareEntries) {
    list.push(extension(EXTENSION.keyShare, vec16(Buffer.concat(ext.keyShareEntries.map((e) => Buffer.concat([u16(e.group), vec16(e.publicKey)]))))));
  } else if (tls13 || ext.keyShares) {
    const shareGroups = ext.keyShares ?? (groups.includes(X25519) ? [X25519] : []);
    const shares = shareGroups.flatMap((group) => {
      const share = shareOf(group);
      return share ? [Buffer.concat([u16(group), vec16(share)])] : [];
    });
    list.push(extension(EXTENSION.keyShare, vec16(Buffer.concat(shares))));
  }
  if (ext.earlyData) list.push(extension(EXTENSION.earlyData, EMPTY));
  for (const { type, data } of ext.extra ?? []) list.push(extension(type, data));
  if (ext.padding) {
    // RFC 7685 4 / OpenSSL: the handshake message (4-byte header, body, 2-byte extensions length, extensions)
    // of 256-511 bytes grows to 512; a 4-byte padding extension header is the least that can be added.
    const unpadded = 4 + bodyLength + 2 + list.reduce((sum, item) => sum + item.length, 0);
    if (unpadded > 0xff && unpadded < 0x200) list.push(extension(EXTENSION.padding, Buffer.alloc(Math.max(0x200 - unpadded - 4, 0))));
  }
  if (ext.preSharedKey) list.push(extension(EXTENSION.preSharedKey, offeredPsks(ext.preSharedKey)));
  return vec16(Buffer.concat(list));
}

/** RFC 8446 4.2.11: identities<7..2^16-1> of { identity<1..2^16-1>, uint32 obfuscated_ticket_age }, binders<33..2^16-1>. */
function offeredPsks(psk: NonNullable<HelloExtensions['preSharedKey']>): Buffer {
  const identities = psk.identities.map(({ identity, obfuscatedTicketAge }) => {
    const age = Buffer.alloc(4);
    age.writeUInt32BE(obfuscatedTicketAge >>> 0);
    return Buffer.concat([vec16(identity), age]);
  });
  return Buffer.concat([vec16(Buffer.concat(identities)), vec16(Buffer.concat(psk.binders.map(vec8)))]);
}

/** RFC 8446 4.2.11.2: the bytes the binders take at the end of a ClientHello (the binders<..> vector). */
export const pskBindersLength = (binders: readonly Buffer[]): number => 2 + binders.reduce((sum, b) => sum + 1 + b.length, 0);

const processShares = new Map<number, Buffer | null>();

/**
 * One key share per group for the whole process. No key exchange ever completes, so a fresh key per hello buys
 * nothing, and making one (createPrivateKey + export) cost more client CPU than the rest of an enumeration hello.
 */
function processKeyShare(group: number): Buffer | null {
  if (!processShares.has(group)) processShares.set(group, keyShare(group, randomBytes));
  return processShares.get(group)!;
}

/** DER prefix of a PKCS#8 X25519 private key (RFC 8410 7), followed by the 32-byte scalar. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * A real public key for `group` (RFC 8446 4.2.8.2: X25519 32 bytes; P-256/P-384 uncompressed points), derived
 * from `random` so that tests are deterministic; null for groups without a share. No key exchange ever completes.
 */
function keyShare(group: number, random: RandomSource): Buffer | null {
  if (group === X25519) {
    const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, random(32)]), format: 'der', type: 'pkcs8' });
    return createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).subarray(-32);
  }
  const curve = group === SECP256R1 ? { name: 'prime256v1', size: 32 } : group === SECP384R1 ? { name: 'secp384r1', size: 48 } : null;
  if (!curve) return null;
  const ecdh = createECDH(curve.name);
  // A random scalar is a valid private key unless it is 0 or >= the group order (chance about 2^-32): retry.
  for (let attempt = 0; ; attempt++) {
    try {
      ecdh.setPrivateKey(random(curve.size));
      return ecdh.getPublicKey();
    } catch (error) {
      if (attempt >= 8) throw error;
    }
  }
}

/**
 * An SSLv2 CLIENT-HELLO (draft-hickman-netscape-ssl-00 2.5 and "SSL Record Header"): a 2-byte header with the
 * high bit set and a 15-bit length, MSG-CLIENT-HELLO (1), CLIENT-VERSION 0x0002, the lengths of cipher specs,
 * session id (0) and challenge (16), then 3-byte cipher specs and the challenge.
 */
export function buildSslv2ClientHello(cipherSpecs: readonly number[] = SSLV2_CIPHERS.map((spec) => spec.code), random: RandomSource = randomBytes): Buffer {
  const specs = Buffer.concat(cipherSpecs.map((code) => Buffer.of((code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff)));
  const challenge = random(16);
  const message = Buffer.concat([u8(1), u16(0x0002), u16(specs.length), u16(0), u16(challenge.length), specs, challenge]);
  if (message.length > 0x7fff) throw new RangeError(`SSLv2 CLIENT-HELLO of ${message.length} bytes exceeds a 2-byte record header`);
  return Buffer.concat([u16(0x8000 | message.length), message]);
}

/** EC groups a TLS <= 1.2 server may pick for ECDHE (RFC 8422 5.1.1): the legacy curves, brainpool, X25519/X448. */
const LEGACY_EC_GROUPS = GROUPS.filter((group) => group.kind === 'ec' && group.code <= 30).map((group) => group.code);

/**
 * TLS 1.3 groups (RFC 8446 4.2.7 and the drafts): x25519 first (it gets the share), then the other curves,
 * FFDHE and the hybrid and pure post-quantum groups; the TLS 1.2-only brainpool curves (26-28) and the
 * deprecated binary/small curves (1-22) are not defined for TLS 1.3.
 */
const TLS13_GROUPS = [
  X25519, SECP256R1, SECP384R1, 0x0019, 0x001e,
  ...GROUPS.filter((group) => group.code >= 31 && group.code <= 41).map((group) => group.code),
  ...GROUPS.filter((group) => group.kind === 'ffdhe' || group.kind === 'hybrid-pq' || group.kind === 'pq').map((group) => group.code),
];

/**
 * The broadest offer for `version`: every suite of the registry valid for it (without SCSVs), every group and
 * signature scheme, SNI for `serverName`, the usual extensions (signed_certificate_timestamp below TLS 1.3); SSLv3
 * without any extension block. TLS 1.3 offers all registered TLS 1.3 suites (RFC 8446 B.4 plus SM4, integrity-only
 * and GOST), the B.4 five first. FFDHE groups are left out below TLS 1.3: with them an RFC 7919 server may refuse
 * DHE suites whose groups it lacks.
 */
export function fullOffer(version: HelloVersion, serverName: string | null = null, random?: RandomSource): HelloSpec {
  const suites = SUITES.filter((suite) => suiteValidFor(suite, version)).map((suite) => suite.code);
  const ordered = version === 'TLSv1.3' ? [...suites.filter((code) => code >> 8 === 0x13), ...suites.filter((code) => code >> 8 !== 0x13)] : suites;
  const base = { version, suites: ordered, ...(random ? { random } : {}) };
  if (version === 'SSLv3') return base;
  const tls13 = version === 'TLSv1.3';
  return {
    ...base,
    groups: tls13 ? TLS13_GROUPS : LEGACY_EC_GROUPS,
    // RFC 5246 7.4.1.4.1: signature_algorithms exists from TLS 1.2 on; older servers may reject it.
    ...(version === 'TLSv1.2' || tls13 ? { signatureAlgorithms: SIGNATURE_SCHEMES.map((scheme) => scheme.code) } : {}),
    extensions: {
      serverName,
      renegotiationInfo: !tls13,
      extendedMasterSecret: !tls13,
      sessionTicket: !tls13,
      // RFC 6962 3.3.1: a TLS <= 1.2 server answers with its SCT list in the ServerHello (the fingerprint keeps it for
      // tls.certificate-transparency); in TLS 1.3 the list travels in the encrypted Certificate message, unread.
      signedCertificateTimestamp: !tls13,
      padding: true,
    },
  };
}

/**
 * The same hello split into offers of at most `maxSuites` suites each, order kept, for servers that reset or
 * reject hellos with many suites (older appliances and embedded stacks have fixed-size suite buffers).
 */
export function splitOffer(spec: HelloSpec, maxSuites: number): HelloSpec[] {
  if (!Number.isInteger(maxSuites) || maxSuites < 1) throw new RangeError(`maxSuites must be a positive integer, got ${maxSuites}`);
  const parts: HelloSpec[] = [];
  for (let start = 0; start < spec.suites.length; start += maxSuites) parts.push({ ...spec, suites: spec.suites.slice(start, start + maxSuites) });
  return parts.length > 0 ? parts : [spec];
}
