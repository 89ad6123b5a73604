import { createHash, X509Certificate } from 'node:crypto';
import tls from 'node:tls';

/**
 * How a served chain links up, measured once at the handshake from the certificates Node already parsed, so the
 * certificate-depth checks judge order and completeness without another connection. A link is what a client checks:
 * the issuer name matches (OpenSSL's X509_check_issued, which also weighs key identifiers and keyCertSign) and the
 * signature verifies with the issuer's key.
 */

/** The trust anchor the path ends at: a root from Node's bundled store or from the configured CA files. */
export type ChainAnchor = {
  readonly subject: string;
  readonly fingerprintSha256: string;
  /** `bundled`: Node's Mozilla-derived roots (publicly trusted); `configured`: trustedCaFiles / --ca. */
  readonly source: 'bundled' | 'configured';
  /** The server sent the anchor itself (allowed, but useless: RFC 8446 4.4.2 and RFC 5246 7.4.2 let it be left out). */
  readonly served: boolean;
};

export type ChainPath = {
  /**
   * Positions in `chain` of the path a client builds from the leaf, each the issuer of the one before, taken from
   * anywhere in what was served (so a wrongly ordered chain still has its full path here).
   */
  readonly path: readonly number[];
  /** For each served certificate but the last: whether the next one served issued it (the order RFC 5246 7.4.2 requires). */
  readonly issuedByNext: readonly boolean[];
  /** Where the path reaches a trusted root; null when it reaches none (a missing intermediate or an unknown root). */
  readonly anchor: ChainAnchor | null;
};

type StoreEntry = { readonly x509: X509Certificate; readonly source: ChainAnchor['source'] };
type Store = { readonly bySubject: Map<string, StoreEntry[]>; readonly byFingerprint: Map<string, StoreEntry> };

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const stores = new Map<string, Store>();

/** The store for one CA set, built once (~140 roots parsed): keyed by a digest of the configured PEMs. */
function storeFor(configured: readonly string[]): Store {
  const key = configured.length === 0 ? '' : createHash('sha256').update(configured.join('\n')).digest('hex');
  let store = stores.get(key);
  if (!store) {
    store = { bySubject: new Map(), byFingerprint: new Map() };
    const add = (pem: string, source: StoreEntry['source']) => {
      let x509: X509Certificate;
      try {
        x509 = new X509Certificate(pem);
      } catch {
        return; // a CA PEM Node cannot parse is not usable as an anchor by OpenSSL either
      }
      const entry = { x509, source };
      store!.bySubject.set(x509.subject, [...(store!.bySubject.get(x509.subject) ?? []), entry]);
      if (!store!.byFingerprint.has(x509.fingerprint256)) store!.byFingerprint.set(x509.fingerprint256, entry);
    };
    for (const pem of tls.rootCertificates) add(pem, 'bundled');
    for (const bundle of configured) for (const pem of bundle.match(PEM) ?? []) add(pem, 'configured');
    stores.set(key, store);
  }
  return store;
}

const issued = (child: X509Certificate, parent: X509Certificate): boolean => {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false; // a key type this OpenSSL cannot use cannot have signed anything a client accepts
  }
};

const isSelfIssued = (cert: X509Certificate): boolean => cert.subject === cert.issuer && issued(cert, cert);

const anchorOf = (entry: StoreEntry, served: boolean): ChainAnchor =>
  ({ subject: entry.x509.subject.split('\n').join(', '), fingerprintSha256: entry.x509.fingerprint256, source: entry.source, served });

/** The links of a served chain (leaf first, as served) against the bundled roots plus `configuredCa`. */
/** Trusted roots (bundled and configured) whose subject is `subject`: the candidates for a certificate's issuer. */
export function trustedNamed(subject: string, configured: readonly string[]): readonly X509Certificate[] {
  return (storeFor(configured).bySubject.get(subject) ?? []).map((entry) => entry.x509);
}

export function chainPath(chain: readonly X509Certificate[], configuredCa: readonly string[]): ChainPath {
  const issuedByNext = chain.slice(0, -1).map((cert, i) => issued(cert, chain[i + 1]!));
  if (chain.length === 0) return { path: [], issuedByNext, anchor: null };
  const store = storeFor(configuredCa);
  const path = [0];
  for (;;) {
    const current = chain[path[path.length - 1]!]!;
    const stored = store.byFingerprint.get(current.fingerprint256);
    // A served certificate that is itself in the store ends the path there, as in browsers (the shortest trusted path).
    if (stored && path.length > 1) return { path, issuedByNext, anchor: anchorOf(stored, true) };
    if (isSelfIssued(current)) return { path, issuedByNext, anchor: stored ? anchorOf(stored, true) : null };
    const fromStore = (store.bySubject.get(current.issuer) ?? []).find((entry) => issued(current, entry.x509));
    if (fromStore) {
      const served = chain.findIndex((c) => c.fingerprint256 === fromStore.x509.fingerprint256);
      return { path: served === -1 ? path : [...path, served], issuedByNext, anchor: anchorOf(fromStore, served !== -1) };
    }
    const next = chain.findIndex((candidate, i) => !path.includes(i) && issued(current, candidate));
    if (next === -1) return { path, issuedByNext, anchor: null };
    path.push(next);
  }
}
