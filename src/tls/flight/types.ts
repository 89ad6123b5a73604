import type { Authentication, KeyExchange } from '../types.ts';
import type { DhPrimeInfo } from '../dh-primes.ts';

/**
 * The facts the server-flight reader reports. Code points only (suites, groups, signature schemes, extensions):
 * names come from the registry (`registry.ts`) later. Everything is readonly and JSON-serialisable; the only Buffers
 * are DER (certificates, the OCSP response), everything else that evidence may quote is hex.
 */

/** What the reader needs to know about a cipher suite to parse a ServerKeyExchange. `SuiteInfo` satisfies it. */
export type KeyExchangeHint = { readonly kx: KeyExchange; readonly auth: Authentication };

export type FlightOptions = {
  /** Total bytes the reader may need from the stream (default 64 KiB); needing more ends in `too-large`. */
  readonly maxBytes?: number;
  /** DER certificates kept from the Certificate message (default 32); all are counted, `capped` says when some were dropped. */
  readonly maxCertificates?: number;
  /** Stop at the ServerHello, or read the TLS <= 1.2 flight through ServerHelloDone (default). */
  readonly stopAfter?: 'server-hello' | 'server-hello-done';
  /**
   * The key exchange of a suite (pass the registry's `suiteByCode`). Without it, or when it returns nothing, the
   * ServerKeyExchange is parsed by the heuristic documented in `server-key-exchange.ts` and marked `kxSource: 'guessed'`.
   */
  readonly keyExchangeOf?: (suite: number) => KeyExchangeHint | null | undefined;
};

/** RFC 8446 4.2.8 (ServerHello): the server's share. */
export type KeyShareFact = { readonly group: number; readonly keyExchangeLength: number };

/** The ServerHello's extensions (RFC 5246 7.4.1.4, RFC 8446 4.2), each parsed; `null`/`false` when absent. */
export type ServerHelloExtensions = {
  /** Every extension type in the order sent. */
  readonly types: readonly number[];
  /** RFC 8446 4.2.1 supported_versions: the selected version. */
  readonly selectedVersion: number | null;
  /** RFC 8446 4.2.8 key_share (ServerHello only; the HelloRetryRequest's requested group is on the hello-retry result). */
  readonly keyShare: KeyShareFact | null;
  /** RFC 5746 3.6 renegotiation_info: present, with its renegotiated_connection (empty on an initial handshake). */
  readonly renegotiationInfo: { readonly hex: string } | null;
  /** RFC 7627 5.1 extended_master_secret. */
  readonly extendedMasterSecret: boolean;
  /** RFC 7366 2 encrypt_then_mac. */
  readonly encryptThenMac: boolean;
  /** RFC 7301 3.1: the one protocol the server selected (bytes as latin1), with its hex. */
  readonly alpn: { readonly protocol: string; readonly hex: string } | null;
  /** RFC 8422 5.2 ec_point_formats. */
  readonly ecPointFormats: readonly number[] | null;
  /** RFC 5077 3.2 session_ticket (empty in the ServerHello: the server will send a NewSessionTicket). */
  readonly sessionTicket: boolean;
  /** RFC 6066 8 status_request (empty: a CertificateStatus follows the Certificate). */
  readonly statusRequest: boolean;
  /** RFC 6066 3 server_name (empty: the server used the SNI). */
  readonly serverName: boolean;
  /** RFC 6520 2 heartbeat mode: 1 peer_allowed_to_send, 2 peer_not_allowed_to_send. */
  readonly heartbeat: number | null;
  /** RFC 6962 3.3 signed_certificate_timestamp: the SCT list. */
  readonly sct: { readonly count: number; readonly hex: string } | null;
  /** RFC 6066 4 max_fragment_length: 1 = 2^9, 2 = 2^10, 3 = 2^11, 4 = 2^12. */
  readonly maxFragmentLength: number | null;
  /** RFC 8449 4 record_size_limit. */
  readonly recordSizeLimit: number | null;
  /** RFC 8446 4.2.11 pre_shared_key: the selected identity. */
  readonly preSharedKey: number | null;
  /** Types the reader does not parse (reported, not rejected: the caller judges what it did not offer). */
  readonly unknown: readonly number[];
};

/** RFC 5246 7.4.1.3 / RFC 8446 4.1.3. */
export type ServerHelloFacts = {
  /** legacy_version (TLS 1.3 puts 0x0303 here). */
  readonly legacyVersion: number;
  /** The negotiated version: supported_versions' when present (RFC 8446 4.2.1), else legacy_version. */
  readonly version: number;
  readonly randomHex: string;
  readonly sessionIdHex: string;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  /** RFC 8446 4.1.3 downgrade sentinel in the random's last 8 bytes: 1 = negotiating TLS 1.2, 0 = TLS 1.1 or below. */
  readonly downgradeSentinel: 0 | 1 | null;
  readonly extensions: ServerHelloExtensions;
};

/** RFC 5246 7.4.2: the server's chain, as sent. */
export type CertificateList = {
  /** Certificates in the message. */
  readonly count: number;
  /** The first `maxCertificates` of them, DER. */
  readonly der: readonly Buffer[];
  /** True when `count` exceeds the kept `der`. */
  readonly capped: boolean;
};

/** RFC 6066 8 (status_type 1, ocsp) and RFC 6961 2.2 (status_type 2, ocsp_multi). */
export type CertificateStatusFact = {
  readonly statusType: number;
  /** DER OCSPResponse(s): one for ocsp, one per certificate for ocsp_multi (empty entries are empty Buffers). */
  readonly responses: readonly Buffer[];
};

/** RFC 5246 7.4.4 (and RFC 4346 / 2246 7.4.4 without signature algorithms). */
export type CertificateRequestFact = {
  readonly certificateTypes: readonly number[];
  /** TLS 1.2 only: SignatureAndHashAlgorithm codes. */
  readonly signatureAlgorithms: readonly number[] | null;
  /** Number of acceptable certificate authorities named. */
  readonly authorities: number;
};

/** The signature over the key exchange parameters. */
export type SkeSignature = {
  /** TLS 1.2 (RFC 5246 7.4.1.4.1): SignatureAndHashAlgorithm as one code, hash << 8 | signature (RFC 8446 4.2.3's space). */
  readonly scheme: number | null;
  /**
   * TLS 1.0/1.1 and SSLv3 have no algorithm field: RSA signs MD5+SHA-1 (RFC 2246 7.4.3, RFC 4346 7.4.3), DSS and ECDSA
   * sign SHA-1 (RFC 2246 7.4.3, RFC 4492 5.4). Null in TLS 1.2, or when the suite's authentication is not known.
   */
  readonly impliedHash: 'md5-sha1' | 'sha1' | null;
  readonly length: number;
};

/** Where the key exchange used to parse a ServerKeyExchange came from. */
export type KxSource = 'suite' | 'guessed';

/** RFC 8422 5.4 (RFC 4492 5.4 for explicit curves), RFC 5489 2 for ECDHE_PSK. */
export type EcdheParams = {
  readonly kind: 'ecdhe';
  readonly kxSource: KxSource;
  /** 1 explicit_prime, 2 explicit_char2, 3 named_curve. */
  readonly curveType: number;
  /** NamedCurve / NamedGroup code (named_curve only). */
  readonly namedCurve: number | null;
  /** Explicit curves: bits of prime_p, or m for char2. */
  readonly explicitFieldBits: number | null;
  readonly pointLength: number;
  /** First byte of the point: 4 uncompressed, 2/3 compressed (RFC 8422 5.4.1); null for an empty point. */
  readonly pointFormat: number | null;
  readonly pskIdentityHintHex: string | null;
  readonly signature: SkeSignature | null;
};

/** RFC 5246 7.4.3 ServerDHParams (RFC 4279 3 for DHE_PSK). */
export type DheParams = {
  readonly kind: 'dhe';
  readonly kxSource: KxSource;
  /** dh_p in hex, as sent (leading zero bytes included). */
  readonly pHex: string;
  readonly gHex: string;
  readonly primeBits: number;
  readonly prime: DhPrimeInfo;
  readonly ysLength: number;
  readonly pskIdentityHintHex: string | null;
  readonly signature: SkeSignature | null;
};

/** RFC 2246 7.4.3 ServerRSAParams (export suites' temporary RSA key). */
export type RsaExportParams = {
  readonly kind: 'rsa';
  readonly kxSource: KxSource;
  readonly modulusBits: number;
  readonly exponentHex: string;
  readonly signature: SkeSignature | null;
};

/** RFC 4279 2: PSK and RSA_PSK send only the identity hint. */
export type PskParams = { readonly kind: 'psk'; readonly kxSource: KxSource; readonly pskIdentityHintHex: string };

/** RFC 5054 2.8.1 ServerSRPParams. */
export type SrpParams = {
  readonly kind: 'srp';
  readonly kxSource: KxSource;
  readonly nBits: number;
  readonly gHex: string;
  readonly saltLength: number;
  readonly bLength: number;
  readonly signature: SkeSignature | null;
};

/** A key exchange this reader does not decompose (KRB5, GOST, ...): its length only. */
export type OpaqueParams = { readonly kind: 'opaque'; readonly kxSource: KxSource; readonly kx: string; readonly length: number };

export type ServerKeyExchangeFact = EcdheParams | DheParams | RsaExportParams | PskParams | SrpParams | OpaqueParams;

/** RFC 8446 6 / RFC 5246 7.2. */
export type AlertFact = { readonly level: number; readonly description: number; readonly name: string | null };

/** The last complete step of the flight: nothing yet, or the name of the last handshake message read. */
export type FlightStage =
  | 'nothing' | 'ServerHello' | 'Certificate' | 'CertificateStatus' | 'ServerKeyExchange' | 'CertificateRequest';

/** The SSLv2 SERVER-HELLO (draft-hickman-netscape-ssl-00, "Server Only Protocol Messages"). */
export type Sslv2ServerHello = {
  readonly kind: 'sslv2-server-hello';
  readonly sessionIdHit: boolean;
  /** 1 = SSL_CT_X509_CERTIFICATE. */
  readonly certificateType: number;
  /** SERVER-VERSION: 0x0002 for SSL 2.0. */
  readonly version: number;
  readonly certificate: Buffer | null;
  /** Three-byte cipher kinds, e.g. 0x010080 SSL_CK_RC4_128_WITH_MD5. */
  readonly cipherSpecs: readonly number[];
  readonly connectionIdHex: string;
  readonly bytes: number;
};

export type FlightResult =
  | {
      readonly kind: 'flight';
      /** The negotiated version (see ServerHelloFacts.version). */
      readonly version: number;
      /** The record-layer version of the first record. */
      readonly recordVersion: number;
      readonly serverHello: ServerHelloFacts;
      readonly certificates: CertificateList | null;
      readonly certificateStatus: CertificateStatusFact | null;
      readonly serverKeyExchange: ServerKeyExchangeFact | null;
      readonly certificateRequest: CertificateRequestFact | null;
      readonly helloDone: boolean;
      /** What follows is encrypted: TLS 1.3 after the ServerHello, or an abbreviated (resumed) TLS <= 1.2 handshake. */
      readonly encrypted: boolean;
      /** TLS 1.2 and older: ChangeCipherSpec right after the ServerHello (RFC 5246 7.3, session resumption). */
      readonly abbreviated: boolean;
      /** TLS 1.3: whether the compatibility change_cipher_spec (RFC 8446 D.4) came next; null when not read. */
      readonly compatibilityCcs: boolean | null;
      /** Warning-level alerts (other than close_notify) read on the way, e.g. unrecognized_name (RFC 6066 3). */
      readonly warnings: readonly AlertFact[];
      /** Bytes of the stream read up to this result. */
      readonly bytes: number;
    }
  | {
      readonly kind: 'hello-retry';
      readonly legacyVersion: number;
      readonly selectedVersion: number;
      readonly cipherSuite: number;
      /** RFC 8446 4.2.8: the group the server asks a share for; null when it asks only for a cookie. */
      readonly requestedGroup: number | null;
      /** RFC 8446 4.2.2: the cookie to echo, hex. */
      readonly cookieHex: string | null;
      readonly sessionIdHex: string;
      readonly extensions: readonly number[];
      readonly bytes: number;
    }
  | ({ readonly kind: 'alert'; readonly after: FlightStage; readonly serverHello: ServerHelloFacts | null; readonly bytes: number } & AlertFact)
  | Sslv2ServerHello
  | { readonly kind: 'sslv2-error'; readonly code: number; readonly name: string | null; readonly bytes: number }
  | { readonly kind: 'malformed'; readonly problem: string; readonly offset: number }
  | { readonly kind: 'too-large'; readonly bytes: number; readonly limit: number }
  | {
      readonly kind: 'truncated';
      readonly after: FlightStage;
      readonly bytes: number;
      readonly serverHello: ServerHelloFacts | null;
      readonly warnings: readonly AlertFact[];
    };

export type FlightState = { readonly done: false } | { readonly done: true; readonly result: FlightResult };

export type FlightReader = {
  /** Feed the next bytes, any split; returns the decision once made (and the same decision on every later call). */
  push(chunk: Buffer): FlightState;
  /** The peer closed: the decision, `truncated` if the flight was incomplete. */
  end(): FlightState & { readonly done: true };
};
