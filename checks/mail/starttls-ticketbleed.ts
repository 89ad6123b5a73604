import { defineCheck } from '../../src/core/check.ts';
import { judgeMailWeakness } from '../../src/tls/judge/raw-weaknesses.ts';
import { judgeMxEndpoints } from './mx-endpoints.ts';

const REMEDIATION = 'On every MX host behind an F5 BIG-IP, update it to a release fixed for CVE-2016-9244, '
  + 'or turn off session tickets in the client SSL profile until then.';

export const starttlsTicketbleedCheck = defineCheck({
  id: 'mail.starttls-ticketbleed',
  title: 'MX hosts echo a short session ID exactly when resuming a session ticket after STARTTLS (Ticketbleed, CVE-2016-9244)',
  promises: ['mail-transport-encryption', 'infrastructure-security'],
  scope: 'mail',
  needs: ['dns', 'mail'],
  remediation: REMEDIATION,
  references: [
    'CVE-2016-9244 (F5 BIG-IP); RFC 5077 3.4: a server accepting a ticket MUST echo the client\'s session ID',
    'Probe: a full TLS 1.0-1.2 handshake (node:tls) obtains the server\'s ticket; a raw hello offers it with a 1-byte '
      + 'session ID; an echoed ID longer than 1 byte that starts with ours fails (the leaked bytes are never recorded)',
    'RFC 3207; the same probe as tls.ticketbleed, each connection its own SMTP session up to STARTTLS\'s 220 (two in all)',
  ],

  run: (ctx) => judgeMxEndpoints(ctx, REMEDIATION, judgeMailWeakness(ctx, 'ticketbleed')),
});
