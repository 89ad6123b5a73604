import { defineCheck } from '../../src/core/check.ts';
import { tlsFallbackScsvCheck } from '../tls/fallback-scsv.ts';
import { judgeFallbackScsv } from '../../src/tls/judge/hygiene.ts';
import { judgeFactsAfterStarttls } from '../../src/tls/judge/mail.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host: update the TLS library or server to one that honours TLS_FALLBACK_SCSV (RFC 7507), or '
  + 'accept only one TLS version below 1.3.';

export const starttlsFallbackScsvCheck = defineCheck({
  id: 'mail.starttls-fallback-scsv',
  title: 'MX hosts refuse a downgraded handshake with TLS_FALLBACK_SCSV after STARTTLS (RFC 7507)',
  promises: ['mail-transport-encryption'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    // The web check's references, then what differs on an MX.
    ...(tlsFallbackScsvCheck.references ?? []),
    'RFC 3207',
    'The same verdict as tls.fallback-scsv; every hello is its own SMTP session, one at a time per MX address',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeFactsAfterStarttls(ctx, (ep) => ctx.probes.smtpTlsHygiene(ep), judgeFallbackScsv)),
});
