import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import { RENEGOTIATION_ATTEMPTS, type RenegotiationFacts } from '../../probes/tls-renegotiation.ts';
import type { TlsEnumeration } from '../enumerate.ts';
import { policyEvidence, type Policy } from '../policy.ts';
import type { ProtocolVersion } from '../types.ts';

/**
 * Client-initiated renegotiation (internet.nl "Client-initiated renegotiation"): each renegotiation costs the server
 * far more than the client, a denial-of-service lever (CVE-2011-1473). How many are allowed on one connection is the
 * profile's rule (`hygiene.clientRenegotiation`: NCSC-NL 2025-05 at most 10; the Mozilla profiles leave it open).
 */

/** Versions with renegotiation that node:tls can speak: the ones the probe's handshake offers. */
const RENEGOTIABLE: readonly ProtocolVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2'];

/**
 * `enumeration`: the raw TLS enumeration of the same endpoint, needed only when the probe found no version below
 * TLS 1.3 (`f.protocol === null`): that the node:tls handshake failed with a version-like error is not proof, since
 * garbage and unsupported suites give the same codes; the enumeration's own refusals are.
 */
export function judgeClientRenegotiation(f: RenegotiationFacts, policy: Policy, enumeration: TlsEnumeration | null): Verdict {
  const rule = policy.hygiene.clientRenegotiation;
  // No rule, or `optional`: nothing bounds the count. `forbidden` allows none.
  const limit = rule?.expect === 'limited' ? rule.maxPerConnection : rule?.expect === 'forbidden' ? 0 : null;
  const evidence: JsonObject = {
    endpoint: f.endpoint, transport: f.transport, protocol: f.protocol, attempts: f.attempts, accepted: f.accepted,
    end: f.end, detail: f.detail, limit, policy: policyEvidence(policy),
    rule: rule ? { expect: rule.expect, clause: rule.clause, source: rule.source } : null, observedAt: f.observedAt,
  };
  if (f.protocol === null) return judgeNoLegacyHandshake(f, enumeration, evidence);
  const clause = rule ? ` (${policy.title}: ${rule.clause})` : '';
  if (limit !== null && f.accepted > limit) {
    const all = f.accepted === f.attempts && f.end === 'all-accepted' ? `all ${f.accepted}` : `${f.accepted}`;
    return { status: 'fail', summary: `accepted ${all} client-initiated renegotiations on one ${f.protocol} connection (at most ${limit} allowed${clause})`, evidence };
  }
  const how = f.end === 'refused' ? `refused (${f.detail})` : f.end === 'closed' ? 'the server closed the connection' : `left unanswered (${f.detail})`;
  const counted = f.accepted === 0
    ? `client-initiated renegotiation is ${f.end === 'refused' ? 'refused' : 'not completed'}: ${how}`
    : `accepted ${f.accepted} client-initiated renegotiation${f.accepted === 1 ? '' : 's'}, then ${how}`;
  if (limit === null) {
    const seen = f.end === 'all-accepted' || f.end === 'deadline' ? `accepted ${f.accepted} of ${f.attempts} client-initiated renegotiations` : counted;
    return { status: 'pass', summary: `${seen}; the profile sets no limit${rule ? ` (${policy.title}: ${rule.clause})` : ` (${policy.title} has no rule on it)`}`, evidence };
  }
  if (f.end === 'deadline' || f.end === 'all-accepted') {
    // 'all-accepted' within the limit cannot happen while the schema keeps limits below RENEGOTIATION_ATTEMPTS; both mean "not seen to the end".
    return { status: 'error', reason: 'timeout', summary: `${f.accepted} renegotiations accepted before the measurement ended; whether more of the ${RENEGOTIATION_ATTEMPTS} would be is unknown`, evidence };
  }
  return { status: 'pass', summary: `${counted} (at most ${limit} allowed${clause})`, evidence };
}

/** No node:tls handshake below TLS 1.3: not applicable only when the enumeration saw TLS 1.0-1.2 all refused. */
function judgeNoLegacyHandshake(f: RenegotiationFacts, enumeration: TlsEnumeration | null, evidence: JsonObject): Verdict {
  if (!enumeration) {
    return { status: 'error', reason: 'internal', summary: `no handshake below TLS 1.3 (${f.detail}), and no TLS enumeration to tell why`, evidence };
  }
  const versions = Object.fromEntries(RENEGOTIABLE.map((v) => [v, enumeration.versions[v].accepted]));
  const withVersions = { ...evidence, handshake: f.detail, enumeratedVersions: versions };
  const accepted = RENEGOTIABLE.filter((v) => enumeration.versions[v].accepted === true);
  if (accepted.length > 0) {
    return {
      status: 'error', reason: 'client-limitation', evidence: withVersions,
      summary: `the server accepts ${accepted.join(', ')} (TLS enumeration), but node:tls could not complete a handshake there to renegotiate: ${f.detail}`,
    };
  }
  const unknown = RENEGOTIABLE.filter((v) => enumeration.versions[v].accepted !== false);
  if (unknown.length > 0) {
    const problem = enumeration.versions[unknown[0]!].problems[0] ?? 'not tested';
    return {
      status: 'error', reason: 'protocol', evidence: withVersions,
      summary: `no handshake below TLS 1.3 (${f.detail}), and whether ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} accepted could not be told: ${problem}`,
    };
  }
  if (enumeration.versions.SSLv3.accepted === true) {
    return { status: 'error', reason: 'client-limitation', summary: 'the server accepts SSLv3, which has renegotiation but which node:tls cannot speak', evidence: withVersions };
  }
  return {
    status: 'pass', evidence: withVersions,
    summary: 'not applicable: TLS 1.0, 1.1 and 1.2 are all refused (TLS enumeration), and TLS 1.3 has no renegotiation (RFC 8446)',
  };
}
