import { X509Certificate } from 'node:crypto';
import type { OcspStapleFacts } from './types.ts';
import { trustedNamed } from './chain-path.ts';

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
  const trusted = trustedNamed(leaf.issuer, ca).find(issued);
  return trusted ? { issuerPem: trusted.toString(), issuerFrom: 'trust-store' } : { issuerPem: null, issuerFrom: null };
}
