import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type net from 'node:net';
import tls from 'node:tls';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import { MAX_CHAIN_CERTIFICATES, type CertificateFacts, type TlsFacts } from './types.ts';
import { stapleIssuer } from './staple-issuer.ts';
import { decodeOid, readTlv } from '../parse/der.ts';
import { chainPath } from './chain-path.ts';

/** Options of one full handshake. */
export type TlsHandshakeOptions = {
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots (`tls.rootCertificates`). */
  readonly ca?: readonly string[];
  /** ALPN protocols to offer, e.g. `['http/1.1']`. */
  readonly alpn?: readonly string[];
  /** An already connected plain socket to upgrade (STARTTLS); otherwise the probe dials `address:dialPort`. */
  readonly socket?: net.Socket;
};

/** The facts of a completed handshake and the live connection, which the caller now owns and must destroy. */
export type TlsHandshake = { readonly facts: TlsFacts; readonly socket: tls.TLSSocket };

/**
 * One full TLS handshake with node:tls, as a browser-like client would do it: the best version and cipher both sides
 * agree on, and the chain as served. Verification never aborts the handshake (`rejectUnauthorized: false`): an
 * untrusted chain or a wrong name is a fact to report, not an error. The full handshake is never used to decide which
 * protocol versions a server supports; `probeTlsVersion` does that with hand-built ClientHellos.
 *
 * SNI is `endpoint.hostname` unless that is an IP literal (RFC 6066 3 forbids IP addresses in server_name).
 *
 * The returned socket carries a no-op 'error' listener, so a peer reset before the owner listens cannot crash the process.
 * With `options.socket`, the plain socket belongs to the returned TLS socket from then on: destroy only the TLS
 * socket. On Node 20.20.2, `plain.destroy(); tlsSocket.destroy()` in one tick segfaults the process.
 *
 * @throws ProbeError (`refused`, `timeout`, `unreachable`, `tls-handshake`, `protocol`) when no handshake completed;
 *   the socket is destroyed. On abort the socket is destroyed and the promise rejects with the signal's reason.
 */
export function tlsHandshake(endpoint: Endpoint, options: TlsHandshakeOptions, signal: AbortSignal): Promise<TlsHandshake> {
  const label = endpointLabel(endpoint);
  if (signal.aborted) {
    options.socket?.destroy();
    return Promise.reject(abortReason(signal));
  }
  let socket: tls.TLSSocket;
  try {
    socket = tls.connect({
      ...(options.socket ? { socket: options.socket } : { host: endpoint.address, port: endpoint.dialPort }),
      ...(isIP(endpoint.hostname) ? {} : { servername: endpoint.hostname.replace(/\.$/, '') }),
      secureContext: secureContextFor(options.ca ?? []),
      rejectUnauthorized: false,
      // Node checks the name only after the chain, and would overwrite authorizationError with ERR_TLS_CERT_ALTNAME_*;
      // skipping it here keeps authorizationError OpenSSL's chain verdict. readFacts checks the name separately.
      checkServerIdentity: () => undefined,
      ...(options.alpn ? { ALPNProtocols: [...options.alpn] } : {}),
      // RFC 6066 8 status_request on every full handshake: the staple rides on this connection (issue 10). Node's
      // tls.connect passes it to the TLSSocket; @types/node lists it only among TLSSocket's options.
      ...({ requestOCSP: true } as tls.ConnectionOptions),
    });
  } catch (err) {
    options.socket?.destroy();
    return Promise.reject(err); // an unusable CA PEM or port: our bug or config, not a fact about the server
  }
  socket.setNoDelay(true);
  // `plain.destroy(); tlsSocket.destroy()` in one tick segfaults Node 20.20.2 (reproduced outside vitest). Closing the
  // TLS socket when its transport closes, as nodejs/node#49327 does on other paths, makes destroying `plain` alone safe.
  options.socket?.once('close', () => socket.destroy());
  let tcpConnected = options.socket !== undefined;
  // Node emits 'OCSPResponse' during the handshake, before 'secureConnect' (null: the server sent no staple).
  let staple: Buffer | null = null;
  socket.once('OCSPResponse', (response: Buffer | null) => { staple = response && response.length > 0 ? response : null; });
  return new Promise<TlsHandshake>((resolve, reject) => {
    const settle = (outcome: () => void) => {
      socket.off('secureConnect', onSecure).off('error', onError).off('close', onClose).off('connect', onConnect);
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const failWith = (err: Error) => settle(() => { socket.destroy(); reject(err); });
    const onConnect = () => { tcpConnected = true; };
    // Everything is read synchronously here: a server that closes right after the handshake empties it a tick later.
    const onSecure = () => {
      let facts: TlsFacts;
      try {
        facts = readFacts(socket, endpoint, label, options.ca ?? [], staple);
      } catch (err) {
        failWith(toProbeError(err, label));
        return;
      }
      // A reset while the socket waits for its next owner (e.g. parked for the HTTP client) must not become an
      // uncaught 'error'; owners still see their own 'error' and 'close' events.
      socket.on('error', () => {});
      settle(() => resolve({ facts, socket }));
    };
    const onError = (err: Error & { code?: string }) => {
      // Node reports a peer that hangs up mid-handshake as ECONNRESET ("socket disconnected before secure TLS
      // connection was established"): with TCP up, that is the server rejecting our hello, not an unreachable host.
      if (tcpConnected && err.code === 'ECONNRESET') failWith(new ProbeError('tls-handshake', label, err.message, { cause: err }));
      else if (err.code === EXCESSIVE_CHAIN) failWith(new ProbeError('client-limitation', label, EXCESSIVE_CHAIN_MESSAGE, { cause: err }));
      else failWith(toProbeError(err, label));
    };
    const onClose = () => failWith(tcpConnected
      ? new ProbeError('tls-handshake', label, 'connection closed during the TLS handshake')
      : new ProbeError('unreachable', label, 'connection closed before it was established'));
    const onAbort = () => failWith(abortReason(signal));
    socket.once('connect', onConnect).once('secureConnect', onSecure).on('error', onError).once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * OpenSSL refuses a handshake message above `max_cert_list` (100 KiB by default; Node offers no option to raise it),
 * in practice a Certificate message with a huge chain. That is our client's limit, not a fault of the server.
 */
const EXCESSIVE_CHAIN = 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE';
const EXCESSIVE_CHAIN_MESSAGE = 'the server sent a handshake message (its certificate chain) larger than the 100 KiB '
  + 'OpenSSL lets Node read (max_cert_list); the chain cannot be read, so it cannot be judged';

const contexts = new Map<string, tls.SecureContext>();

/**
 * One SecureContext per distinct CA set, reused for every connection: building one parses ~140 roots, far more than
 * a handshake costs (performance guide). Keyed by a digest of the PEMs, so equal lists from different configs share.
 */
function secureContextFor(ca: readonly string[]): tls.SecureContext {
  const key = ca.length === 0 ? '' : createHash('sha256').update(ca.join('\n')).digest('hex');
  let context = contexts.get(key);
  if (!context) {
    // `ca` replaces the default store, so the bundled roots are passed along with the extra CAs.
    context = tls.createSecureContext(ca.length === 0 ? {} : { ca: [...tls.rootCertificates, ...ca] });
    contexts.set(key, context);
  }
  return context;
}

function readFacts(socket: tls.TLSSocket, endpoint: Endpoint, label: string, ca: readonly string[], staple: Buffer | null): TlsFacts {
  // getPeerX509Certificate() and its issuerCertificate links give the chain as X509Certificate objects directly;
  // getPeerCertificate(true) would build the legacy objects and make us parse every DER again (~1 ms a handshake).
  // Never call getPeerCertificate() after it: on Node 20.20 it then returns {} (guide B.7).
  const { chain: x509Chain, truncated } = peerChain(socket.getPeerX509Certificate());
  const chain = x509Chain.map(cachedFacts);
  const leaf = x509Chain[0];
  const authError = socket.authorizationError as unknown;
  const alpn = socket.alpnProtocol;
  return {
    endpoint: label,
    hostname: endpoint.hostname,
    address: endpoint.address,
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.standardName ?? null,
    alpn: typeof alpn === 'string' ? alpn : null,
    // Typed as Error, but Node stores OpenSSL's code string (e.g. CERT_HAS_EXPIRED) here.
    chainTrusted: socket.authorized,
    hostnameMatches: leaf !== undefined && matchesHost(leaf, endpoint.hostname.replace(/\.$/, '')),
    authorizationError: socket.authorized || authError == null ? null : String(authError),
    chain,
    chainTruncated: truncated,
    chainPath: chainPath(x509Chain, ca),
    ocspStaple: staple === null ? null : { der: staple.toString('base64'), ...stapleIssuer(x509Chain, ca) },
    observedAt: new Date().toISOString(),
  };
}

/**
 * RFC 6125 6.4 as browsers apply it: DNS names and IP addresses in the subjectAltName; the subject CN only when the
 * certificate has no subjectAltName at all (OpenSSL's default, as tls.checkServerIdentity); `*` only as a whole
 * left-most label.
 */
function matchesHost(leaf: X509Certificate, hostname: string): boolean {
  if (isIP(hostname)) return leaf.checkIP(hostname) !== undefined;
  return leaf.checkHost(hostname, { subject: 'default', wildcards: true, partialWildcards: false }) !== undefined;
}

/**
 * Intermediates and roots recur across every domain behind the same CA: their facts are computed once (keyed by
 * the SHA-256 fingerprint) and kept in a small bounded map.
 */
const factsCache = new Map<string, CertificateFacts>();
const FACTS_CACHE_LIMIT = 1024;
function cachedFacts(x509: X509Certificate): CertificateFacts {
  const key = x509.fingerprint256;
  let facts = factsCache.get(key);
  if (!facts) {
    facts = certificateFacts(x509, x509.toString());
    if (factsCache.size >= FACTS_CACHE_LIMIT) factsCache.delete(factsCache.keys().next().value!);
    factsCache.set(key, facts);
  }
  return facts;
}

/**
 * Leaf first, in the order served. getPeerX509Certificate() hands over OpenSSL's peer chain (the Certificate
 * message as received, checked on Node 20.20 up to 121 certificates) as a linked list: each object's
 * `issuerCertificate` is the next certificate the server sent, not one looked up in our store. Duplicates are kept,
 * as served. `truncated`: the server sent more than `MAX_CHAIN_CERTIFICATES`.
 */
function peerChain(peer: X509Certificate | undefined): { chain: X509Certificate[]; truncated: boolean } {
  const chain: X509Certificate[] = [];
  let cert = peer;
  while (cert && chain.length < MAX_CHAIN_CERTIFICATES) {
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return { chain, truncated: cert !== undefined };
}

/** Reduces a certificate to what an auditor reads. `pem` is kept verbatim as evidence. */
export function certificateFacts(x509: X509Certificate, pem: string): CertificateFacts {
  const key = publicKeyFacts(x509);
  return {
    subject: x509.subject.split('\n').join(', '),
    issuer: x509.issuer.split('\n').join(', '),
    subjectAltNames: x509.subjectAltName ? x509.subjectAltName.split(', ') : [],
    serialNumber: x509.serialNumber,
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
    fingerprintSha256: x509.fingerprint256,
    ...key,
    signatureAlgorithm: signatureAlgorithm(x509.raw),
    // Not checkIssued(): OpenSSL also demands keyCertSign there, which a self-signed leaf usually lacks.
    selfSigned: x509.issuer === x509.subject && x509.verify(x509.publicKey),
    pem,
  };
}

/** Key sizes of named curves in bits (field size), for the "EC below 256 bits" rule. */
const CURVE_BITS: Readonly<Record<string, number>> = {
  prime192v1: 192, secp224r1: 224, prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521,
  brainpoolP256r1: 256, brainpoolP384r1: 384, brainpoolP512r1: 512,
};

function publicKeyFacts(x509: X509Certificate): Pick<CertificateFacts, 'keyType' | 'keyBits' | 'curve'> {
  try {
    const key = x509.publicKey;
    const details = key.asymmetricKeyDetails ?? {};
    switch (key.asymmetricKeyType) {
      case 'rsa': case 'rsa-pss': return { keyType: 'rsa', keyBits: details.modulusLength ?? null, curve: null };
      case 'dsa': return { keyType: 'dsa', keyBits: details.modulusLength ?? null, curve: null };
      case 'ec': {
        const curve = details.namedCurve ?? null;
        return { keyType: 'ec', keyBits: curve === null ? null : CURVE_BITS[curve] ?? null, curve };
      }
      case 'ed25519': return { keyType: 'ed25519', keyBits: 255, curve: 'ed25519' };
      case 'ed448': return { keyType: 'ed448', keyBits: 448, curve: 'ed448' };
      default: return { keyType: 'unknown', keyBits: null, curve: null };
    }
  } catch {
    return { keyType: 'unknown', keyBits: null, curve: null }; // a key type this OpenSSL cannot load
  }
}

/** Names as OpenSSL prints them (RFC 3279, 4055, 5758, 8410). */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption', '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption', '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption', '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption', '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1', '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256', '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512', '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa_with_SHA256', '1.3.101.112': 'ED25519', '1.3.101.113': 'ED448',
};

/**
 * The outer signatureAlgorithm of RFC 5280 4.1.1.2, read from the DER because Node 20's X509Certificate does not
 * expose it: Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, ... }, ... }.
 * An unnamed OID is returned in dotted form; `unknown` when the DER cannot be walked.
 */
export function signatureAlgorithm(der: Buffer): string {
  const certificate = readTlv(der, 0, 0x30);
  const tbs = certificate && readTlv(der, certificate.contentStart, 0x30);
  const algorithm = tbs && readTlv(der, tbs.end, 0x30);
  const oid = algorithm && readTlv(der, algorithm.contentStart, 0x06);
  if (!oid) return 'unknown';
  const dotted = decodeOid(der.subarray(oid.contentStart, oid.end));
  return dotted === null ? 'unknown' : SIGNATURE_ALGORITHMS[dotted] ?? dotted;
}
