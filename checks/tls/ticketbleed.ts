import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeWebWeakness } from '../../src/tls/judge/raw-weaknesses.ts';

const REMEDIATION = 'Update the F5 BIG-IP software to a release fixed for CVE-2016-9244, or turn off session '
  + 'tickets in the client SSL profile until then.';

export const tlsTicketbleedCheck = defineCheck({
  id: 'tls.ticketbleed',
  title: 'The server echoes a short session ID exactly when resuming a session ticket (Ticketbleed, CVE-2016-9244)',
  promises: ['transport-encryption', 'infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'CVE-2016-9244 (F5 BIG-IP); RFC 5077 3.4: a server accepting a ticket MUST echo the client\'s session ID',
    'Probe: a full TLS 1.0-1.2 handshake (node:tls) obtains the server\'s ticket; a raw hello offers it with a 1-byte '
      + 'session ID; an echoed ID longer than 1 byte that starts with ours fails (the leaked bytes are never recorded)',
    'No ticket issued, or no TLS 1.2 or older: not applicable; a ticket not resumed: error (the flaw shows only on resumption)',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, judgeWebWeakness(ctx, 'ticketbleed'), { prerequisite: HTTPS_LISTENING }),
});
