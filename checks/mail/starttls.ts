import { defineCheck } from '../../src/core/check.ts';
import type { EndpointVerdict } from '../../src/core/endpoints.ts';
import type { SmtpFacts, SmtpReply } from '../../src/probes/types.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'Offer STARTTLS on port 25 of every MX host and address (RFC 3207): advertise it in the EHLO reply, '
  + 'answer it with 220, and complete a TLS 1.2 or 1.3 handshake with a certificate for the MX host name.';

const replyText = (reply: SmtpReply) => `${reply.code} ${reply.lines.join(' / ')}`.trim();

/** The STARTTLS facts of one MX address as an auditor reads them; the transcript shows exactly what was said. */
function starttlsEvidence(smtp: SmtpFacts) {
  return {
    endpoint: smtp.endpoint, banner: replyText(smtp.banner), ehloName: smtp.ehloName,
    starttlsAdvertised: smtp.starttlsAdvertised, starttlsReply: smtp.starttlsReply ? replyText(smtp.starttlsReply) : null,
    protocol: smtp.tls?.protocol ?? null, cipher: smtp.tls?.cipher ?? null, tlsError: smtp.tlsError,
    transcript: [...smtp.transcript], observedAt: smtp.observedAt,
  };
}

/** Exported for the other mail checks: whether a TLS session was established on this MX address, and why not. */
export function judgeStarttls(smtp: SmtpFacts): EndpointVerdict {
  const evidence = starttlsEvidence(smtp);
  if (!smtp.starttlsAdvertised) return { status: 'fail', summary: 'STARTTLS is not advertised: mail arrives unencrypted', evidence };
  if (smtp.starttlsReply?.code !== 220) {
    // RFC 3207 4: 454 (or any other refusal) leaves the session in plaintext; senders deliver without TLS.
    return { status: 'fail', summary: `STARTTLS is refused: ${smtp.starttlsReply ? replyText(smtp.starttlsReply) : 'no reply'}`, evidence };
  }
  if (!smtp.tls) return { status: 'fail', summary: `TLS handshake after STARTTLS failed: ${smtp.tlsError ?? 'unknown reason'}`, evidence };
  return { status: 'pass', summary: `STARTTLS with ${smtp.tls.protocol ?? 'TLS'} (${smtp.tls.cipher ?? 'unknown cipher'})`, evidence };
}

export const starttlsCheck = defineCheck({
  id: 'mail.starttls',
  title: 'Every MX host accepts STARTTLS on port 25',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: ['RFC 3207', 'RFC 5321 4.2, 5.1', 'internet.nl: STARTTLS available on every MX',
    'A timeout or blocked port 25 is error (could not test), never "no STARTTLS"'],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, async (ep) => judgeStarttls(await ctx.probes.smtp(ep))),
});
