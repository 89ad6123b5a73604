import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { TlsEnumeration } from '../enumerate.ts';
import { classifySuite, type Classification, type Policy } from '../policy.ts';
import { describeSuite } from '../registry.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../types.ts';
import { baseEvidence, finding, findingEvidence, listSome, noTls, settle, statusOf, suiteGaps, type Finding } from './common.ts';

/**
 * Issue 9, cipher suites (internet.nl "Ciphers (Algorithm selections)"): every suite the server accepted, per
 * version, classed by the policy. Insufficient fails, phase-out warns, good and sufficient pass. Each offending
 * suite is named with its version, class, the policy's clause and the rule that decided.
 */

/** SSLv2 cipher specs are not TLS suites: no policy lists them, so each takes the suites' default class. */
function sslv2Class(policy: Policy): Classification {
  const d = policy.suites.default;
  return { class: d.class, clause: `an SSLv2 cipher spec, not a TLS suite: ${d.clause}`, rule: 'suites.default', source: d.source };
}

export function judgeCipherSuites(e: TlsEnumeration, policy: Policy): Verdict {
  const all: Finding[] = [];
  const versions: JsonObject[] = [];
  for (const version of PROTOCOL_VERSIONS) {
    const v = e.versions[version];
    if (v.accepted !== true) {
      versions.push({ version, accepted: v.accepted, ...(v.refusal ? { refusal: v.refusal } : {}) });
      continue;
    }
    const classed = v.suites.map((s) => finding(s.name, version === 'SSLv2' ? sslv2Class(policy) : classifySuite(policy, describeSuite(s.code)),
      { version, code: `0x${s.code.toString(16).padStart(4, '0')}` }));
    all.push(...classed);
    versions.push({
      version, accepted: true, ...(v.splitOffer ? { splitOffer: true } : {}),
      suites: classed.map((f) => ({ name: f.what, class: f.class })),
    });
  }
  const offending = all.filter((f) => f.class === 'insufficient' || f.class === 'phase-out');
  const evidence: JsonObject = {
    ...baseEvidence(e, policy),
    versions,
    offending: offending.map(findingEvidence),
  };
  const gaps = suiteGaps(e);
  return noTls(e, gaps, evidence) ?? settle(seen(all, offending, policy), gaps, evidence);
}

function seen(all: readonly Finding[], offending: readonly Finding[], policy: Policy): { status: 'pass' | 'warn' | 'fail'; summary: string } {
  const status = statusOf(all);
  if (all.length === 0) {
    // No version accepted any suite: nothing to class. tls.protocol-versions reports a server without TLS.
    return { status: 'pass', summary: 'no cipher suite accepted in any version (see tls.protocol-versions)' };
  }
  if (status === 'pass') {
    const n = new Set(all.map((f) => f.what)).size;
    return { status, summary: `all ${n} accepted suites are good or sufficient (${policy.title})` };
  }
  const worst = status === 'fail' ? 'insufficient' : 'phase-out';
  const named = byName(offending.filter((f) => f.class === worst));
  const others = status === 'fail' ? byName(offending.filter((f) => f.class === 'phase-out')) : [];
  const tail = others.length > 0 ? `; ${others.length} phase-out` : '';
  return { status, summary: `accepts ${named.length} ${worst} suite${named.length === 1 ? '' : 's'}: ${listSome(named)}${tail}` };
}

/** Suite names with their versions, `TLS_RSA_WITH_AES_128_CBC_SHA (TLSv1.2, TLSv1.1)`, in first-seen order. */
function byName(findings: readonly Finding[]): string[] {
  const versions = new Map<string, ProtocolVersion[]>();
  for (const f of findings) {
    const list = versions.get(f.what) ?? [];
    list.push(f.facts?.['version'] as ProtocolVersion);
    versions.set(f.what, list);
  }
  return [...versions].map(([name, vs]) => `${name} (${vs.join(', ')})`);
}
