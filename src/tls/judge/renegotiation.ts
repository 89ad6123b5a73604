import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import { RENEGOTIATION_ATTEMPTS, type RenegotiationFacts } from '../../probes/tls-renegotiation.ts';

/**
 * Client-initiated renegotiation (internet.nl "Client-initiated renegotiation"): each renegotiation costs the server
 * far more than the client, a denial-of-service lever (CVE-2011-1473). NCSC-NL 2025-05 allows at most 10 on one
 * connection; the Mozilla profiles set no number, so the same bound applies under every profile.
 */
export const MAX_CLIENT_RENEGOTIATIONS = 10;
const SOURCE = 'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05: at most 10 client-initiated renegotiations';

export function judgeClientRenegotiation(f: RenegotiationFacts): Verdict {
  const evidence: JsonObject = {
    endpoint: f.endpoint, transport: f.transport, protocol: f.protocol, attempts: f.attempts, accepted: f.accepted,
    end: f.end, detail: f.detail, limit: MAX_CLIENT_RENEGOTIATIONS, source: SOURCE, observedAt: f.observedAt,
  };
  if (f.protocol === null) {
    return { status: 'pass', summary: 'accepts only TLS 1.3, which has no renegotiation (RFC 8446)', evidence };
  }
  if (f.accepted > MAX_CLIENT_RENEGOTIATIONS) {
    return { status: 'fail', summary: `accepted all ${f.accepted} client-initiated renegotiations on one ${f.protocol} connection (at most ${MAX_CLIENT_RENEGOTIATIONS} allowed)`, evidence };
  }
  if (f.end === 'deadline' || f.end === 'all-accepted') {
    // 'all-accepted' below the bound cannot happen with RENEGOTIATION_ATTEMPTS above it; both mean "not seen to the end".
    return { status: 'error', reason: 'timeout', summary: `${f.accepted} renegotiations accepted before the deadline; whether more of the ${RENEGOTIATION_ATTEMPTS} would be is unknown`, evidence };
  }
  const how = f.end === 'refused' ? `refused (${f.detail})` : f.end === 'closed' ? 'the server closed the connection' : `left unanswered (${f.detail})`;
  if (f.accepted === 0) return { status: 'pass', summary: `client-initiated renegotiation is ${f.end === 'refused' ? 'refused' : 'not completed'}: ${how}`, evidence };
  return { status: 'pass', summary: `accepted ${f.accepted} client-initiated renegotiation${f.accepted === 1 ? '' : 's'}, then ${how} (at most ${MAX_CLIENT_RENEGOTIATIONS} allowed)`, evidence };
}
