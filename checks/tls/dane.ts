import { defineCheck, skip } from '../../src/core/check.ts';
import { tlsaNotSecure } from '../dns/dnssec-judge.ts';
import { evaluateTlsa, httpsAuthenticatingMatch } from '../../src/mail/tlsa.ts';
import { judgeServedCertificates } from './certificate-evidence.ts';

const REMEDIATION = 'Either remove the TLSA records at _443._tcp.<host>, or sign the zone with DNSSEC and publish TLSA '
  + 'records that match the certificate served, preferably "3 1 1" (DANE-EE, SHA-256 of the public key) for the '
  + 'current and the next key, updated before every key change (RFC 7671 8.1).';

export const tlsDaneCheck = defineCheck({
  id: 'tls.dane',
  title: 'Published TLSA records for HTTPS are DNSSEC-signed and match the served chain (DANE)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['dns', 'web'],
  remediation: REMEDIATION,
  references: [
    'RFC 6698 2.1, 4.1 (TLSA; records that do not validate with DNSSEC are unusable)', 'RFC 7671 (DANE operations)',
    'No TLSA records is skip (not-applicable): browsers do not use DANE, so not publishing it is no finding',
    'PKIX-TA(0) and PKIX-EE(1) also need the chain to be trusted and to name the host; DANE-TA(2) needs the leaf to name the host',
    'The same matching as mail.dane (src/mail/tlsa.ts)',
  ],

  async run(ctx) {
    const tlsaName = `_443._tcp.${ctx.target.domain.replace(/\.$/, '')}`;
    const tlsa = await ctx.probes.dns(tlsaName, 'TLSA');
    if (tlsa.records.length === 0) {
      // Nothing to judge; but no HTTPS at all is https.available's finding, which every web TLS check names (the
      // handshake is the one the other certificate checks share).
      const served = await judgeServedCertificates(REMEDIATION, () => ({ status: 'pass', summary: 'served', evidence: {} }))(ctx);
      if (served.status === 'skip') return served;
      return skip(`DANE for HTTPS not published: no TLSA records at ${tlsaName} (${tlsa.result})`, 'not-applicable');
    }
    const base = { tlsaName, tlsaRecords: [...tlsa.records], tlsaAuthenticated: tlsa.authenticated, tlsaCnames: [...tlsa.cnames] };
    // RFC 6698 4.1: a client uses TLSA records only when DNSSEC validates them; unsigned ones protect nobody. Vouch
    // validates them itself; the resolver's AD bit (tlsaAuthenticated) stays in the evidence as a cross-check.
    const validation = await ctx.probes.dnssec(tlsaName, 'TLSA');
    const unusable = tlsaNotSecure(tlsaName, validation, 'clients', base, REMEDIATION);
    if (unusable) return unusable;
    const outcome = await judgeServedCertificates(REMEDIATION, (tls, ep) => {
      const result = evaluateTlsa(tlsa.records, tls.chain.map((c) => c.pem), ep.hostname, 'https');
      const evidence = { records: [...result.results], leafFingerprintSha256: tls.chain[0]?.fingerprintSha256 ?? null, chainLength: tls.chain.length };
      if (result.usableCount === 0) return { status: 'fail', summary: `no usable TLSA record at ${tlsaName}: ${result.results[0]?.problem ?? 'none'}`, evidence };
      const at = (depth: number | null) => (depth === 0 ? 'the leaf' : `chain[${depth}]`);
      // RFC 7671 5: every matching record counts; any usable one authenticates the server.
      const match = httpsAuthenticatingMatch(result, tls.chainTrusted && tls.hostnameMatches);
      if (match) return { status: 'pass', summary: `TLSA ${match.parameters} matches ${at(match.matchedDepth)} (DNSSEC-authenticated)`, evidence };
      const pkixOnly = result.match;
      if (!pkixOnly) return { status: 'fail', summary: `no TLSA record at ${tlsaName} matches the certificate chain served`, evidence };
      const why = tls.chainTrusted ? `the leaf does not name ${ep.hostname}` : `the chain is not trusted (${tls.authorizationError ?? 'unknown reason'})`;
      return { status: 'fail', summary: `TLSA ${pkixOnly.parameters} matches ${at(pkixOnly.matchedDepth)}, but PKIX validation fails: ${why}`, evidence };
    })(ctx);
    return outcome.status === 'skip' ? outcome : { ...outcome, evidence: { ...base, ...outcome.evidence } };
  },
});
