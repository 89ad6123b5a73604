import { createECDH, createHash, privateEncrypt, randomBytes, sign, constants, type KeyObject } from 'node:crypto';
import {
  ALERT, CONTENT, extension, fatalAlert, handshakeMessage, record, u16, u8, vec16, vec24, vec8, type ClientHello,
} from './wire.ts';

/**
 * The raw lab server's answer to a ClientHello (RFC 5246 7.3, 7.4.1.3): ServerHello, Certificate, ServerKeyExchange
 * (ECDHE-RSA suites only), ServerHelloDone; or a fatal alert; or, with `ticketbleed`, an abbreviated handshake.
 * Every deviation from the RFCs is an explicit switch in `HelloConfig`, false meaning "behaves correctly".
 */

/** SSLv3 (RFC 6101) shares TLS's record and hello layout; the flight is the same, without extensions. */
export type RawTlsVersion = 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2';
export const RAW_TLS_WIRE: Readonly<Record<RawTlsVersion, number>> = { SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 };

/** TLS_RSA_WITH_AES_128_GCM_SHA256 (RFC 5288), TLS_RSA_WITH_AES_128_CBC_SHA (RFC 5246 A.5): no ServerKeyExchange. */
export const DEFAULT_RAW_SUITES: readonly number[] = [0x009c, 0x002f];
/** TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (RFC 5289), TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (RFC 8422 6): signed ServerKeyExchange. */
export const ECDHE_RSA_SUITES: readonly number[] = [0xc02f, 0xc013];
/** Suites whose cipher exists only in TLS 1.2 (AEAD and SHA-256 PRF, RFC 5246 / 5288 / 5289). */
const TLS12_ONLY = new Set([0x009c, 0x009d, 0x003c, 0x003d, 0xc02f, 0xc030, 0xc027, 0xc028]);

/** Code points this answer reacts to (IANA TLS registries). */
export const CODE = {
  emptyRenegotiationInfoScsv: 0x00ff, fallbackScsv: 0x5600, deflate: 1, extHeartbeat: 15, extEms: 23, extSessionTicket: 35,
  extRenegotiationInfo: 0xff01, secp256r1: 23, rsaPkcs1Sha256: 0x0401,
} as const;

export type HelloConfig = {
  readonly certificateDer: Buffer;
  readonly privateKey: KeyObject;
  readonly suites: readonly number[];
  /** Wire versions, any order. */
  readonly versions: readonly number[];
  readonly renegotiationInfo: boolean;
  /** renegotiated_connection of that renegotiation_info: empty on a correct initial handshake (RFC 5746 3.6). */
  readonly renegotiatedConnection: Buffer;
  readonly extendedMasterSecret: boolean;
  readonly acceptCompression: boolean;
  readonly acceptFallback: boolean;
  readonly ticketbleed: boolean;
  /** RFC 6962 3.3.1: a TLS-encoded SignedCertificateTimestampList sent when the client asks (extension 18); null: none. */
  readonly sctList?: Buffer | null;
  /** Fake process memory that a leaking answer copies from (never real memory). */
  readonly memory: Buffer;
};

export type HelloAnswer =
  | { readonly kind: 'fatal'; readonly bytes: Buffer }
  | { readonly kind: 'full' | 'resumed'; readonly bytes: Buffer; readonly version: number; readonly heartbeatOffered: boolean };

export function answerHello(hello: ClientHello, config: HelloConfig): HelloAnswer {
  const highest = Math.max(...config.versions);
  const alertVersion = Math.min(Math.max(hello.clientVersion, Math.min(...config.versions, 0x0301)), 0x0303);
  const fatal = (description: number): HelloAnswer => ({ kind: 'fatal', bytes: fatalAlert(alertVersion, description) });
  // RFC 5246 E.1: the highest version the server supports that is not above the client's. supported_versions
  // (RFC 8446 4.2.1) is ignored, as a TLS 1.2 server does: a TLS 1.3 client then gets TLS 1.2.
  const version = Math.max(...config.versions.filter((v) => v <= hello.clientVersion), -1);
  if (version < 0) return fatal(ALERT.protocolVersion);
  // RFC 7507 3: a fallback hello (SCSV) below the server's highest version is refused.
  if (!config.acceptFallback && hello.suites.includes(CODE.fallbackScsv) && hello.clientVersion < highest) {
    return fatal(ALERT.inappropriateFallback);
  }
  const suite = config.suites.find((s) => hello.suites.includes(s) && (version >= 0x0303 || !TLS12_ONLY.has(s)));
  if (suite === undefined) return fatal(ALERT.handshakeFailure);
  // RFC 5246 7.4.1.2: the client lists its methods; this server takes DEFLATE (RFC 3749) only when told to.
  const compression = config.acceptCompression && hello.compressionMethods.includes(CODE.deflate) ? CODE.deflate : 0;
  const heartbeatOffered = hello.extensions.has(CODE.extHeartbeat);
  const serverRandom = randomBytes(32);

  const ticket = hello.extensions.get(CODE.extSessionTicket);
  if (config.ticketbleed && ticket && ticket.length > 0 && hello.sessionId.length > 0 && hello.sessionId.length < 32) {
    // CVE-2016-9244: "resumes" the ticket and echoes a 32-byte session id whatever the client's length, the rest
    // taken from memory. Then ChangeCipherSpec and a (fake) encrypted Finished: an abbreviated handshake (RFC 5077 3.4).
    const sessionId = Buffer.concat([hello.sessionId, config.memory.subarray(0, 32 - hello.sessionId.length)]);
    const serverHello = handshakeMessage(2, Buffer.concat([
      u16(version), serverRandom, vec8(sessionId), u16(suite), u8(compression), vec16(Buffer.alloc(0)),
    ]));
    return {
      kind: 'resumed', version, heartbeatOffered,
      bytes: Buffer.concat([record(CONTENT.handshake, version, serverHello), record(CONTENT.changeCipherSpec, version, u8(1)), record(CONTENT.handshake, version, randomBytes(40))]),
    };
  }

  const extensions: Buffer[] = [];
  // RFC 5746 3.6: a server that supports secure renegotiation answers the SCSV or an empty renegotiation_info with
  // an empty renegotiation_info of its own (`renegotiatedConnection` non-empty: the protocol violation of 3.4).
  const renegotiationOffered = hello.extensions.has(CODE.extRenegotiationInfo) || hello.suites.includes(CODE.emptyRenegotiationInfoScsv);
  if (config.renegotiationInfo && renegotiationOffered) extensions.push(extension(CODE.extRenegotiationInfo, vec8(config.renegotiatedConnection)));
  // RFC 7627 5.2: echo an empty extended_master_secret when the client offered it.
  if (config.extendedMasterSecret && hello.extensions.has(CODE.extEms)) extensions.push(extension(CODE.extEms, Buffer.alloc(0)));
  // RFC 6520 2: HeartbeatMode peer_allowed_to_send (1).
  if (heartbeatOffered) extensions.push(extension(CODE.extHeartbeat, u8(1)));
  if (config.sctList && hello.extensions.has(18)) extensions.push(extension(18, config.sctList));
  const ecdhe = ECDHE_RSA_SUITES.includes(suite);
  if (ecdhe) extensions.push(extension(11, vec8(u8(0)))); // RFC 8422 5.2: ec_point_formats, uncompressed
  const serverHello = handshakeMessage(2, Buffer.concat([
    u16(version), serverRandom, vec8(Buffer.alloc(0)), u16(suite), u8(compression),
    ...(extensions.length > 0 ? [vec16(Buffer.concat(extensions))] : []),
  ]));
  const certificate = handshakeMessage(11, vec24(vec24(config.certificateDer)));
  const keyExchange = ecdhe ? [serverKeyExchange(version, hello.random, serverRandom, config.privateKey)] : [];
  const done = handshakeMessage(14, Buffer.alloc(0));
  return {
    kind: 'full', version, heartbeatOffered,
    bytes: record(CONTENT.handshake, version, Buffer.concat([serverHello, certificate, ...keyExchange, done])),
  };
}

/**
 * RFC 8422 5.4 ServerKeyExchange for ECDHE_RSA on secp256r1 with a real signature over client_random +
 * server_random + params: TLS 1.2 signs SHA-256 with rsa_pkcs1_sha256 (RFC 5246 7.4.1.4.1); TLS 1.0/1.1 sign the
 * 36-byte MD5 || SHA-1 digest with PKCS#1 v1.5 padding and no DigestInfo (RFC 4346 7.4.3).
 */
function serverKeyExchange(version: number, clientRandom: Buffer, serverRandom: Buffer, key: KeyObject): Buffer {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const params = Buffer.concat([u8(3), u16(CODE.secp256r1), vec8(ecdh.getPublicKey())]);
  const signed = Buffer.concat([clientRandom, serverRandom, params]);
  let signature: Buffer;
  if (version >= 0x0303) {
    signature = Buffer.concat([u16(CODE.rsaPkcs1Sha256), vec16(sign('sha256', signed, key))]);
  } else {
    const digest = Buffer.concat([createHash('md5').update(signed).digest(), createHash('sha1').update(signed).digest()]);
    signature = vec16(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digest));
  }
  return handshakeMessage(12, Buffer.concat([params, signature]));
}
