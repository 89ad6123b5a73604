import { defineCheck } from '../../src/core/check.ts';
import { judgeChain } from '../../src/tls/judge/certificate-chain.ts';
import { judgeServedCertificates, unlessChainCut } from './certificate-evidence.ts';

const REMEDIATION = 'Serve the leaf followed by every intermediate up to (not necessarily including) the root, each '
  + 'followed by its issuer, and replace any intermediate that has expired or is about to (usually by installing the '
  + 'CA\'s current chain file, e.g. fullchain.pem from an ACME client).';

export const certificateChainCheck = defineCheck({
  id: 'tls.certificate-chain',
  title: 'The served certificate chain is complete, in order and current',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 5246 7.4.2 (each certificate MUST be followed by the one that certifies it; the root may be omitted)',
    'RFC 8446 4.4.2 (TLS 1.3: SHOULD, and clients should accept other orders)',
    'A missing intermediate fails, as in clients that do not fetch AIA caIssuers (RFC 5280 4.2.2.1); SSL Labs "Chain issues"',
    'Intermediate expiry uses the leaf thresholds (thresholds.certExpiryWarnDays / certExpiryFailDays); keys and signatures of every certificate: tls.certificate-key, tls.certificate-signature',
  ],

  run: judgeServedCertificates(REMEDIATION, (tls, _ep, ctx) => {
    const verdict = judgeChain(tls, ctx.settings.now(), ctx.settings.thresholds);
    return verdict.status === 'pass' || verdict.status === 'warn' || verdict.status === 'fail' ? unlessChainCut(tls, verdict) : verdict;
  }),
});
