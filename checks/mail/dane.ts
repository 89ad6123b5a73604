import { defineCheck, warn } from '../../src/core/check.ts';
import { tlsaNotSecure } from '../dns/dnssec-judge.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { evaluateTlsa } from '../../src/mail/tlsa.ts';
import { judgeMxHosts, SMTP_PORT } from './mx-endpoints.ts';

const REMEDIATION = 'Sign the zones of the domain and of its MX hosts with DNSSEC and publish, for every MX host, TLSA '
  + 'records at _25._tcp.<mx host> that match the certificate served after STARTTLS, preferably "3 1 1" (DANE-EE, '
  + 'SHA-256 of the public key) for the current and the next key (RFC 7672, RFC 7671 8.1).';

export const daneCheck = defineCheck({
  id: 'mail.dane',
  title: 'MX hosts publish DNSSEC-signed TLSA records that match their certificates (DANE for SMTP)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: ['RFC 7672 2.2, 2.2.1, 3.1', 'RFC 6698 2.1', 'RFC 7671',
    'internet.nl: DANE is recommended (no TLSA warns); a published but unusable or mismatched TLSA record fails'],

  run: (ctx) => judgeMxHosts(ctx, async (mx, mxAnswer) => {
    const tlsaName = `_${SMTP_PORT}._tcp.${mx.exchange}`;
    const tlsa = await ctx.probes.dns(tlsaName, 'TLSA');
    const base = { tlsaName, tlsaResult: tlsa.result, tlsaRecords: [...tlsa.records], tlsaAuthenticated: tlsa.authenticated, mxAuthenticated: mxAnswer.authenticated };
    if (tlsa.records.length === 0) return warn(`DANE not published: no TLSA records at ${tlsaName}`, base, REMEDIATION);
    // RFC 7672 2.2: TLSA records are used only when DNSSEC validates them ("secure"); otherwise senders ignore them.
    // Vouch validates them itself; the resolver's AD bit (tlsaAuthenticated) stays in the evidence as a cross-check.
    const validation = await ctx.probes.dnssec(tlsaName, 'TLSA');
    const unusable = tlsaNotSecure(tlsaName, validation, 'senders', base, REMEDIATION);
    if (unusable) return unusable;
    // Weaker links that do not stop senders from using these records, so notes rather than verdicts: RFC 7672
    // 2.2.1 lets senders apply DANE to MX hosts from an insecure MX RRset; insecure address records are shown too,
    // since some senders (Postfix) skip TLSA lookups for them.
    const set = await ctx.probes.endpoints(mx.exchange, SMTP_PORT);
    const insecure = set.answers.filter((a) => a.result === 'records' && !a.authenticated).map((a) => `${a.type} ${a.name}`);
    const notes = [
      ...(mxAnswer.authenticated ? [] : [`the MX RRset of ${ctx.target.domain} is not DNSSEC-authenticated: a forged MX could bypass DANE`]),
      ...(insecure.length > 0 ? [`address records not DNSSEC-authenticated: ${insecure.join(', ')}`] : []),
    ];
    const outcome = await judgeEndpoints(ctx, mx.exchange, SMTP_PORT, REMEDIATION, async (ep) => {
      const smtp = await ctx.probes.smtp(ep);
      if (!smtp.tls) {
        // RFC 7672 2.2: with usable TLSA records a sender must not deliver without authenticated TLS; mail waits.
        return { status: 'fail', summary: `TLSA published but no TLS session: ${smtp.tlsError ?? 'STARTTLS not available'} (see mail.starttls)`, evidence: {} };
      }
      const result = evaluateTlsa(tlsa.records, smtp.tls.chain.map((c) => c.pem), mx.exchange);
      const evidence = { records: [...result.results], leafFingerprintSha256: smtp.tls.chain[0]?.fingerprintSha256 ?? null, chainLength: smtp.tls.chain.length };
      if (result.usableCount === 0) return { status: 'fail', summary: `no usable TLSA record at ${tlsaName}: ${result.results[0]?.problem ?? 'none'}`, evidence };
      if (!result.match) return { status: 'fail', summary: `no TLSA record at ${tlsaName} matches the certificate chain served`, evidence };
      const where = result.match.matchedDepth === 0 ? 'the leaf' : `chain[${result.match.matchedDepth}]`;
      return { status: 'pass', summary: `TLSA ${result.match.parameters} matches ${where}${notes.length > 0 ? ` (note: ${notes.join('; ')})` : ''}`, evidence };
    });
    return outcome.status === 'skip' ? outcome : { ...outcome, evidence: { ...base, notes, ...outcome.evidence } };
  }),
});
