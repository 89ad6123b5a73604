import type { CheckContext } from '../../src/core/check.ts';
import { defineCheck } from '../../src/core/check.ts';
import type { Verdict } from '../../src/core/endpoints.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { fetchMtaStsPolicy } from '../../src/mail/mta-sts-policy.ts';
import { MTA_STS_CANDIDATE, parseMtaStsRecord } from '../../src/parse/mta-sts.ts';
import { chainSummary, unlessChainCut } from '../tls/certificate-evidence.ts';
import { judgeExpiry } from '../tls/certificate-expiry.ts';
import { judgeKeys } from '../tls/certificate-key.ts';
import { judgeSignatures } from '../tls/certificate-signature.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';
import { judgeChainStructure, judgeIntermediateExpiry, unlessIssuerUnread } from '../../src/tls/judge/certificate-chain.ts';
import { judgeUsage } from '../../src/tls/judge/certificate-usage.ts';
import { pickWorst } from '../../src/core/endpoints.ts';

const REMEDIATION = 'Serve on every MX host a certificate from a publicly trusted CA that names the MX host, with a strong '
  + 'key and signature, renewed well before expiry. Required once the domain publishes MTA-STS in enforce mode.';


/** `unknown`: the policy that decides warn or fail could not be fetched, so a trust or name finding cannot be judged. */
type Strictness = { strict: boolean; why: string; unknown?: ProbeError };

/**
 * Senders check MX certificates only under MTA-STS enforce (RFC 8461 4.1) or DANE; otherwise SMTP TLS is
 * opportunistic (RFC 7435) and internet.nl scores trust and name as a recommendation. A policy we cannot fetch
 * leaves that open: a trust or name problem is then "could not test", never a (weaker) warn.
 */
async function strictness(ctx: CheckContext): Promise<Strictness> {
  if (ctx.settings.strictMxCertificates) return { strict: true, why: 'strictMxCertificates is configured' };
  try {
    const txt = await ctx.probes.dns(`_mta-sts.${ctx.target.domain}`, 'TXT');
    const records = txt.records.filter((r) => MTA_STS_CANDIDATE.test(r));
    // RFC 8461 3.1: senders fetch a policy only after exactly one valid v=STSv1 record.
    if (records.length !== 1 || !parseMtaStsRecord(records[0]!).ok) return { strict: false, why: 'no valid MTA-STS record: opportunistic TLS' };
    const { policy, problem } = await fetchMtaStsPolicy(ctx.probes, ctx.target.domain);
    if (policy?.mode === 'enforce') return { strict: true, why: 'MTA-STS policy is in enforce mode' };
    return { strict: false, why: policy ? `MTA-STS mode is ${policy.mode}: opportunistic TLS` : `MTA-STS policy unusable (${problem}): opportunistic TLS` };
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    return { strict: false, why: `MTA-STS policy could not be fetched (${err.message})`, unknown: err };
  }
}

export const mxCertificateCheck = defineCheck({
  id: 'mail.mx-certificate',
  title: 'MX certificates are trusted, name the MX host, are current and strong, with a complete chain and serverAuth',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: ['RFC 8461 4.1 (MTA-STS certificate validation)', 'RFC 7435 (opportunistic security)', 'RFC 6125 6.4',
    'internet.nl: trust and host name on MX are warnings unless the domain enforces them; expiry thresholds as on the web',
    'Chain order and completeness (RFC 5246 7.4.2) and serverAuth (RFC 5280 4.2.1.12) as on the web (tls.certificate-chain, tls.certificate-usage), '
      + 'counted like trust; intermediates\' expiry like the leaf\'s. No CT twin: no MTA requires SCTs'],

  run(ctx) {
    let decided: Promise<Strictness> | undefined; // once per run, and only when there is an MX to judge
    return judgeMxEndpoints(ctx, REMEDIATION, async (ep): Promise<Verdict> => {
      const mode = await (decided ??= strictness(ctx));
      const smtp = await ctx.probes.smtp(ep);
      const { tls } = smtp;
      if (!tls) {
        const why = smtp.tlsError ?? (smtp.starttlsAdvertised ? 'STARTTLS is refused' : 'STARTTLS is not advertised');
        // That is mail.starttls's fail, reported there once; here there is nothing to judge.
        return { status: 'skip', reason: 'prerequisite', summary: `no certificate to judge: ${why}; see mail.starttls`, evidence: { endpoint: smtp.endpoint, strict: mode.strict, mode: mode.why } };
      }
      const name = mode.strict ? 'fail' : 'warn';
      // Keys and signatures by the configured TLS profile, as on the web (tls.certificate-key, tls.certificate-signature).
      const keys = judgeKeys(tls, ctx.settings.thresholds, ctx.settings.tlsPolicy);
      const signatures = judgeSignatures(tls, ctx.settings.tlsPolicy);
      const expiry = judgeExpiry(tls, ctx.settings.now(), ctx.settings.thresholds);
      // Order, completeness and serverAuth matter to senders that validate, as trust does: fail only when strict.
      type Finding = { status: 'pass' | 'warn' | 'fail'; summary: string };
      const validating = (v: Finding): Finding => (v.status === 'fail' ? { status: name, summary: v.summary } : v);
      const chain = judgeChainStructure(tls);
      // A missing issuer in a chain cut by the certificate cap is "could not read", not a finding.
      const chainRead = unlessIssuerUnread(tls, chain);
      if (chainRead.status === 'error') return chainRead;
      const usage = judgeUsage(tls);
      const findings: { status: 'pass' | 'warn' | 'fail'; summary: string }[] = [
        tls.chainTrusted ? { status: 'pass', summary: 'trusted chain' } : { status: name, summary: `chain not trusted: ${tls.authorizationError ?? 'unknown reason'}` },
        tls.hostnameMatches ? { status: 'pass', summary: `valid for ${ep.hostname}` } : { status: name, summary: `not valid for ${ep.hostname} (names: ${tls.chain[0]?.subjectAltNames.join(', ') || 'none'})` },
        expiry, keys, signatures, validating(chain), judgeIntermediateExpiry(tls, ctx.settings.now(), ctx.settings.thresholds), validating(usage),
      ];
      const worst = pickWorst(findings, (f) => f.status);
      const trustOrName = !tls.chainTrusted || !tls.hostnameMatches || chain.status === 'fail' || usage.status === 'fail';
      const problems = findings.filter((f) => f.status !== 'pass').map((f) => f.summary);
      const evidence = {
        endpoint: tls.endpoint, hostname: ep.hostname, strict: mode.strict, mode: mode.why, chainTrusted: tls.chainTrusted,
        hostnameMatches: tls.hostnameMatches, authorizationError: tls.authorizationError, ...chainSummary(tls),
        findings: findings.map((f) => ({ status: f.status, summary: f.summary })),
        // The leaf's expiry as tls.certificate-expiry shows it, so MX certificates reach the report's expiry table.
        daysLeft: expiry.evidence['daysLeft'] ?? null, warnDays: ctx.settings.thresholds.certExpiryWarnDays, failDays: ctx.settings.thresholds.certExpiryFailDays,
        chainPath: { pathPositions: chain.evidence['pathPositions'] ?? [], anchor: chain.evidence['anchor'] ?? null },
        extendedKeyUsage: usage.evidence['extendedKeyUsage'] ?? null, mustStaple: usage.evidence['mustStaple'] ?? null,
        // Each certificate's key and signature with its class and the clause of the profile (policy id and version).
        keys: keys.evidence['keys'] ?? [], signatures: signatures.evidence['signatures'] ?? [], policy: signatures.evidence['policy'] ?? null,
      };
      if (mode.unknown && trustOrName && worst.status !== 'fail') {
        // Whether this is a warn or a fail depends on a policy we could not fetch: inconclusive, with what was seen.
        const summary = `certificate ${!tls.chainTrusted ? 'not trusted' : 'not valid for the host'}, and whether MTA-STS enforces it is unknown: ${mode.unknown.message}`;
        return { status: 'error', reason: mode.unknown.reason, summary, evidence };
      }
      // Keys and signatures are judged on every certificate: a chain cut by the probe's cap cannot pass them.
      if (worst.status === 'pass') return unlessChainCut(tls, { status: 'pass', summary: findings.map((f) => f.summary).slice(0, 3).join('; '), evidence });
      return unlessChainCut(tls, { status: worst.status, summary: problems.join('; '), evidence });
    });
  },
});
