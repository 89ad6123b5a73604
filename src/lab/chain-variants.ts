import { createCa, issueLeaf, type LabCa, type LabCert } from './pki.ts';

/**
 * Served chains and leaves for the certificate-depth checks (issue 10): what a server sends wrongly even when every
 * certificate in it is fine on its own. Intermediates are made per call under the estate's root.
 */
export type DepthVariant =
  /** Leaf under an intermediate, served without it (browsers that do not fetch AIA fail). */
  | 'missing-intermediate'
  /** Leaf under two intermediates, served leaf, upper intermediate, lower intermediate (RFC 5246 7.4.2 violated). */
  | 'wrong-order'
  /** Leaf under an intermediate that expired yesterday. */
  | 'expired-intermediate'
  /** Leaf under an intermediate that expires in five days (below the default fail threshold of 7 days). */
  | 'expiring-intermediate'
  /** Leaf whose extended key usage is clientAuth only: not for a TLS server. */
  | 'client-auth-only'
  /** Leaf without any extended key usage: any purpose (RFC 5280 4.2.1.12). */
  | 'no-eku'
  /** Leaf with the RFC 7633 must-staple TLS feature. */
  | 'must-staple'
  /** Leaf without embedded SCTs. */
  | 'no-scts'
  /** Leaf with a single embedded SCT: fewer than the CT policy asks for. */
  | 'one-sct';

export const DEPTH_VARIANTS: readonly DepthVariant[] = [
  'missing-intermediate', 'wrong-order', 'expired-intermediate', 'expiring-intermediate', 'client-auth-only', 'no-eku',
  'must-staple', 'no-scts', 'one-sct',
];

const DAY_MS = 86_400_000;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export function depthCertificate(root: LabCa, host: string, variant: DepthVariant): LabCert {
  const now = Date.now();
  const hosts = [host];
  switch (variant) {
    case 'missing-intermediate': {
      const leaf = issueLeaf(createCa({ name: 'Vouch Lab Intermediate (not served)', issuer: root }), { hosts });
      return { ...leaf, chainPem: leaf.certPem };
    }
    case 'wrong-order': {
      const upper = createCa({ name: 'Vouch Lab Intermediate 2', issuer: root });
      const lower = createCa({ name: 'Vouch Lab Intermediate 1', issuer: upper });
      const leaf = issueLeaf(lower, { hosts });
      return { ...leaf, chainPem: leaf.certPem + upper.certPem + lower.certPem };
    }
    case 'expired-intermediate': {
      const ca = createCa({ name: 'Vouch Lab Expired Intermediate', issuer: root, notBefore: new Date(now - 400 * DAY_MS), notAfter: new Date(now - DAY_MS) });
      return issueLeaf(ca, { hosts, notBefore: new Date(now - 30 * DAY_MS) });
    }
    case 'expiring-intermediate': {
      const ca = createCa({ name: 'Vouch Lab Expiring Intermediate', issuer: root, notAfter: new Date(now + 5 * DAY_MS) });
      return issueLeaf(ca, { hosts, notAfter: new Date(now + 60 * DAY_MS) });
    }
    case 'client-auth-only': return issueLeaf(root, { hosts, extendedKeyUsage: [CLIENT_AUTH] });
    case 'no-eku': return issueLeaf(root, { hosts, extendedKeyUsage: null });
    case 'must-staple': return issueLeaf(root, { hosts, mustStaple: true });
    case 'no-scts': return issueLeaf(root, { hosts, scts: 0 });
    case 'one-sct': return issueLeaf(root, { hosts, scts: 1 });
  }
}
