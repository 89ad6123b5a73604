import type { Endpoint } from '../core/types.ts';
import type { ChainPath } from './chain-path.ts';

/** Record types the scanner asks for. `SPF` (99) only for the RFC 7208 suite; real checks ask TXT. */
export type DnsType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'CAA' | 'TLSA' | 'CNAME' | 'NS' | 'SOA' | 'PTR' | 'DS' | 'DNSKEY' | 'SPF';

/**
 * One DNS question and what the resolver said. NXDOMAIN and NODATA are facts, not errors; a timeout, SERVFAIL or
 * REFUSED is thrown as a ProbeError instead.
 */
export type DnsAnswer = {
  readonly name: string;
  readonly type: DnsType;
  /** `address:port` of the resolver that answered. */
  readonly resolver: string;
  readonly result: 'records' | 'nxdomain' | 'nodata';
  /**
   * Presentation format: A/AAAA the address; TXT the character-strings concatenated (RFC 7208 3.3); MX `10 mx.example.`
   * without the trailing dot (`10 mx.example`); CAA `0 issue "ca.example"`; TLSA `3 1 1 <hex>`; CNAME/NS/PTR the target.
   */
  readonly records: readonly string[];
  /** For TXT: each record's character-strings as received, to show how a record was split. */
  readonly txtStrings?: readonly (readonly string[])[];
  /** The resolver set the AD bit (it validated DNSSEC); over a chain that took several queries, on every reply. */
  readonly authenticated: boolean;
  /**
   * RRSIG records came back (answer or authority section; RFC 4035 3.1.1, 3.1.3), on every reply for this question.
   * Absent: not known (fixtures); the resolver always sets it.
   */
  readonly rrsigs?: boolean;
  /** The reply echoed the DO bit (RFC 3225 3: a security-aware server must). Absent: not known. */
  readonly dnssecOk?: boolean;
  /** Asked with the CD bit (RFC 4035 3.2.2): the resolver was told not to validate, so AD says nothing. */
  readonly checkingDisabled?: boolean;
  /**
   * Names in the CNAME chain, in order, if any: what the resolver followed plus, when it returned only part of a
   * chain, what Vouch followed by asking the last name itself (at most MAX_CNAME_LINKS links in all).
   */
  readonly cnames: readonly string[];
  readonly observedAt: string;
};

/** How to ask a DNS question. */
export type DnsQueryOptions = {
  /** Set CD (RFC 4035 3.2.2): a validating resolver returns data it would answer SERVFAIL for (a bogus zone). */
  readonly checkingDisabled?: boolean;
};

/** Where to connect for `hostname:port`, resolved once per run. */
export type EndpointSet = {
  readonly hostname: string;
  readonly port: number;
  /** `dns` when addresses came from A/AAAA lookups, `connect-to` when an override named the address. */
  readonly source: 'dns' | 'connect-to';
  readonly endpoints: readonly Endpoint[];
  /** The A/AAAA answers behind it (empty for a connect-to address). */
  readonly answers: readonly DnsAnswer[];
};

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** A certificate as served, reduced to what an auditor reads. */
export type CertificateFacts = {
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAltNames: readonly string[];
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprintSha256: string;
  /** `rsa`, `ec`, `ed25519`, `ed448`, `dsa` or `unknown`. */
  readonly keyType: string;
  readonly keyBits: number | null;
  readonly curve: string | null;
  /** E.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `sha1WithRSAEncryption`; `unknown` if unreadable. */
  readonly signatureAlgorithm: string;
  readonly selfSigned: boolean;
  readonly pem: string;
};

/**
 * Certificates the TLS probe reads from one served chain. Real chains have two to four; the bound exists only so a
 * hostile server cannot make us build facts without end. It sits far above any real chain, at OpenSSL's default
 * verification depth (100). OpenSSL itself refuses a Certificate message above 100 KiB (`max_cert_list`, which Node
 * does not expose): a longer chain (about 200 small certificates) never completes a handshake, and the probe
 * reports that as `client-limitation`.
 */
export const MAX_CHAIN_CERTIFICATES = 100;

/** One full handshake (the best both sides agree on): what was negotiated and the chain as served. */
export type TlsFacts = {
  readonly endpoint: string;
  readonly hostname: string;
  readonly address: string;
  readonly protocol: string | null;
  readonly cipher: string | null;
  readonly alpn: string | null;
  /** The chain verified against the system roots plus configured CAs (hostname aside). */
  readonly chainTrusted: boolean;
  readonly hostnameMatches: boolean;
  /** OpenSSL's verification code (e.g. `CERT_HAS_EXPIRED`), or null when trusted. */
  readonly authorizationError: string | null;
  /**
   * Leaf first, exactly as the server sent it (a trust anchor from our store is not added), up to
   * `MAX_CHAIN_CERTIFICATES`.
   */
  readonly chain: readonly CertificateFacts[];
  /** The server sent more certificates than were read: `chain` is only the first part, the rest was never judged. */
  readonly chainTruncated: boolean;
  /** How the served certificates link up and which trusted root they reach (src/probes/chain-path.ts). */
  readonly chainPath: ChainPath;
  /**
   * The OCSP response the server stapled (RFC 6066 8, asked for on every handshake), or null when it sent none.
   * Absent: not asked (fixtures).
   */
  readonly ocspStaple?: OcspStapleFacts | null;
  readonly observedAt: string;
};

/** A stapled OCSP response as received, and the certificate that must vouch for it. */
export type OcspStapleFacts = {
  /** The DER OCSPResponse, base64. */
  readonly der: string;
  /** The leaf's issuer (PEM): from the served chain, else from the trust store; null when neither has it. */
  readonly issuerPem: string | null;
  readonly issuerFrom: 'served-chain' | 'trust-store' | null;
};

/** Whether the server accepted a ClientHello that offered exactly one protocol version. */
export type TlsVersionFacts = {
  readonly endpoint: string;
  readonly version: TlsVersion;
  readonly accepted: boolean;
  /** What the server did: `ServerHello TLSv1.2 ...`, `alert protocol_version (70)`, `closed without reply`. */
  readonly detail: string;
  readonly observedAt: string;
};

/**
 * Bytes of values kept per header name on one hop (1 MiB, the default `limits.maxHeaderBytes`). Every value is read
 * and kept within this budget whatever their number: 5,000 cookies are 5,000 cookies. The budget is per name so a
 * flood of one header (cookies) never crowds out another (HSTS). It only cuts when `limits.maxHeaderBytes` is raised
 * above it; the values it drops are counted in `HttpHop.droppedHeaderValues`, never silently lost.
 */
export const MAX_HEADER_BYTES_PER_NAME = 1024 * 1024;
/**
 * Characters kept per header value. Large enough for any real CSP or a cookie holding a JWT, so no verdict is made
 * on a cut value; the whole header block is bounded separately (limits.maxHeaderBytes). Evidence is capped by checks.
 */
export const MAX_HEADER_VALUE_CHARS = 65_536;
/** Appended to a header value that was cut at `MAX_HEADER_VALUE_CHARS`, so truncation is never silent. */
export const TRUNCATION_MARK = '…[truncated]';

export type HttpRequest = {
  /** Absolute http(s) URL; its host and port must be the endpoint's hostname and port. */
  readonly url: string;
  readonly method?: 'GET' | 'HEAD' | 'OPTIONS' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  /** The request body (POST: an OCSP request). Not part of `probes.http`'s cache key: send bodies through the client. */
  readonly body?: Uint8Array;
  /** Keep the body's bytes as received (`HttpHop.bytes`): a binary answer, e.g. an OCSP response. */
  readonly keepBytes?: boolean;
};

/** One HTTP request and its response, without following redirects. */
export type HttpHop = {
  readonly url: string;
  readonly method: string;
  readonly endpoint: string;
  readonly status: number;
  /**
   * Lower-case names; every value kept so a header sent twice stays visible. Each value is capped at
   * `MAX_HEADER_VALUE_CHARS`, each name's values together at `MAX_HEADER_BYTES_PER_NAME`.
   */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** Some values were received but not kept (`droppedHeaderValues` says which and how many). */
  readonly headersTruncated: boolean;
  /** Per lower-case name, how many values arrived after its byte budget was spent; empty when nothing was dropped. */
  readonly droppedHeaderValues: Readonly<Record<string, number>>;
  /** The body decoded as UTF-8 (replacement characters where invalid), up to the body cap. */
  readonly body: string;
  readonly bodyBytes: number;
  readonly bodyTruncated: boolean;
  /** False when the bytes read were not valid UTF-8. */
  readonly bodyUtf8: boolean;
  /** The body's bytes up to the cap, only when the request asked for them (`keepBytes`); never in artifacts. */
  readonly bytes?: Buffer;
  readonly observedAt: string;
};

/** One SMTP reply: the code and every line's text (multi-line replies joined by the caller as needed). */
export type SmtpReply = { readonly code: number; readonly lines: readonly string[] };

/**
 * One SMTP session on port 25 up to and through STARTTLS, then QUIT. Vouch never sends a message. STARTTLS not
 * advertised, refused (454) or a failed TLS handshake after 220 are facts; no answer, 421 or a 4xx at the banner
 * are thrown as ProbeError (could not test).
 */
export type SmtpFacts = {
  readonly endpoint: string;
  readonly hostname: string;
  readonly address: string;
  readonly banner: SmtpReply;
  readonly ehloName: string;
  /** EHLO keywords as advertised, upper-cased (`STARTTLS`, `SIZE 35882577`, ...). */
  readonly extensions: readonly string[];
  readonly starttlsAdvertised: boolean;
  /** The reply to STARTTLS, or null when it was not sent (not advertised). */
  readonly starttlsReply: SmtpReply | null;
  /** Facts of the TLS handshake after `220`, or null when there was none or it failed. */
  readonly tls: TlsFacts | null;
  /** Why the handshake after `220` failed, if it did. */
  readonly tlsError: string | null;
  /** `C: ...` / `S: ...` lines, capped; no message content ever exists to be recorded. */
  readonly transcript: readonly string[];
  readonly observedAt: string;
};

/**
 * Everything a check may ask of the network. Each call is cached per run and bounded by a deadline. Derived from the
 * probe-kind registry (src/runner/probe-kinds/index.ts), where each method's arguments, key and answer are defined.
 */
export type { Probes } from '../runner/probe-kinds/index.ts';
