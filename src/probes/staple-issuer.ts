import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { OcspStapleFacts } from './types.ts';

/**
 * The certificate whose key (or whose delegated responder's) must have signed a staple (RFC 6960 4.2.2.2): the leaf's
 * issuer, from the served chain, or else a trusted root (servers need not send the root, so a leaf issued by a root
 * has its issuer only in our store). Looked up only when a staple arrived.
 */
export function stapleIssuer(chain: readonly X509Certificate[], ca: readonly string[]): Pick<OcspStapleFacts, 'issuerPem' | 'issuerFrom'> {
  const [leaf, ...rest] = chain;
  if (!leaf) return { issuerPem: null, issuerFrom: null };
  const issued = (c: X509Certificate) => {
    try {
      return leaf.checkIssued(c) && leaf.verify(c.publicKey);
    } catch {
      return false;
    }
  };
  const served = rest.find(issued);
  if (served) return { issuerPem: served.toString(), issuerFrom: 'served-chain' };
  const trusted = (storeFor(ca).get(leaf.issuer) ?? []).find(issued);
  return trusted ? { issuerPem: trusted.toString(), issuerFrom: 'trust-store' } : { issuerPem: null, issuerFrom: null };
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const stores = new Map<string, Map<string, X509Certificate[]>>();

/** Node's bundled roots plus the configured CAs by subject, parsed once per CA set. */
function storeFor(ca: readonly string[]): Map<string, X509Certificate[]> {
  const key = ca.join('\n');
  let store = stores.get(key);
  if (!store) {
    store = new Map();
    for (const pem of [...ca.flatMap((bundle) => bundle.match(PEM) ?? []), ...tls.rootCertificates]) {
      try {
        const x509 = new X509Certificate(pem);
        store.set(x509.subject, [...(store.get(x509.subject) ?? []), x509]);
      } catch { /* a PEM this OpenSSL cannot read is no issuer */ }
    }
    stores.set(key, store);
  }
  return store;
}
