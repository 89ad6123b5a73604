import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints, type Verdict } from '../../src/core/endpoints.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { HTTPS_LISTENING, type Prerequisite } from '../../src/core/prerequisites.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { TLS_VERSIONS, type Probes, type TlsVersion } from '../../src/probes/types.ts';

const REMEDIATION = 'Disable TLS 1.0 and 1.1 and enable TLS 1.3 (keep TLS 1.2 for older clients), per the NCSC-NL TLS guidelines.';
const LEGACY: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1'];

type VersionResult = { version: TlsVersion; accepted: boolean | null; detail: string; reason?: ProbeError['reason'] };

/**
 * Probes each version separately so a server that accepts a legacy version cannot hide it behind a newer one. When
 * every version failed with the prerequisite's finding (port 443 refuses: see https.available), that error is thrown
 * so the address is skipped rather than judged.
 */
export async function probeVersions(
  probe: (ep: Endpoint, v: TlsVersion) => ReturnType<Probes['tlsVersion']>, ep: Endpoint, prerequisite?: Prerequisite,
): Promise<VersionResult[]> {
  const errors: ProbeError[] = [];
  const results = await Promise.all(TLS_VERSIONS.map(async (version) => {
    try {
      const facts = await probe(ep, version);
      return { version, accepted: facts.accepted, detail: facts.detail };
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      errors.push(err);
      return { version, accepted: null, detail: err.message, reason: err.reason };
    }
  }));
  const [first] = errors;
  if (prerequisite && first && errors.length === results.length && errors.every((e) => prerequisite.isFinding(e))) throw first;
  return results;
}

/** Shared by the web and mail checks: the verdict on one endpoint's per-version results. */
export function judgeVersions(results: readonly VersionResult[]): Verdict {
  const accepted = results.filter((r) => r.accepted === true).map((r) => r.version);
  const untested = results.filter((r) => r.accepted === null);
  const evidence = { versions: results.map((r) => ({ ...r })), accepted };
  const legacy = accepted.filter((v) => LEGACY.includes(v));
  if (legacy.length > 0) return { status: 'fail' as const, summary: `accepts ${legacy.join(' and ')}`, evidence };
  const first = untested[0];
  if (first) {
    // Could not establish one version (network, or a client that cannot offer it): never a pass by omission, and
    // the versions that were established stay in the evidence.
    const summary = `could not test ${untested.map((u) => u.version).join(', ')}: ${first.detail}`;
    return { status: 'error', reason: first.reason ?? 'protocol', summary, evidence };
  }
  if (accepted.includes('TLSv1.3')) return { status: 'pass' as const, summary: `accepts ${accepted.join(', ')}`, evidence };
  if (accepted.includes('TLSv1.2')) return { status: 'warn' as const, summary: 'TLS 1.2 without TLS 1.3', evidence };
  return { status: 'fail' as const, summary: 'no TLS version accepted', evidence };
}

export const tlsProtocolVersionsCheck = defineCheck({
  id: 'tls.protocol-versions',
  title: 'Only current TLS versions are accepted (1.2 and 1.3; not 1.0 or 1.1)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['RFC 8996 (TLS 1.0 and 1.1 deprecated)', 'NCSC-NL TLS guidelines: TLS 1.3 good, 1.2 sufficient, 1.0/1.1 phase out'],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, async (ep) =>
    judgeVersions(await probeVersions((e, v) => ctx.probes.tlsVersion(e, v), ep, HTTPS_LISTENING)), { prerequisite: HTTPS_LISTENING }),
});
