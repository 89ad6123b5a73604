import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { HygieneFeature, PolicyFeatureRule } from '../policy-schema.ts';
import { policyEvidence, type Policy } from '../policy.ts';
import type { HygieneHelloFacts, TlsHygiene } from '../hygiene/probe.ts';
import { reasonOf } from './common.ts';

/**
 * Issue 10, TLS hygiene: secure renegotiation (RFC 5746), compression (CRIME), Extended Master Secret (RFC 7627) and
 * TLS_FALLBACK_SCSV (RFC 7507), judged from `TlsHygiene` (src/tls/hygiene/probe.ts) and the policy's `hygiene` rules
 * where it has one. Pure. A hello that could not be read is `error` with its reason, never a pass; a server with
 * only TLS 1.3 passes the first three as not applicable (TLS 1.3 has no renegotiation, no compression, and its
 * key schedule always binds the handshake, RFC 8446 1.2 and 7.1), stated as such.
 */

type Seen = { readonly status: 'pass' | 'warn' | 'fail'; readonly summary: string };

function baseEvidence(h: TlsHygiene, policy: Policy, feature: HygieneFeature | null): JsonObject {
  const rule = feature ? policy.hygiene[feature] : undefined;
  return {
    policy: policyEvidence(policy),
    ...(rule ? { policyRule: { feature, expect: rule.expect, clause: rule.clause, source: rule.source } } : {}),
    transport: h.transport,
    legacyVersions: [...h.legacyVersions],
    tls13: h.tls13,
    [h.transport === 'smtp-starttls' ? 'smtpSessions' : 'connections']: h.connections,
    observedAt: h.observedAt,
    ...(h.sharedFrom ? { sharedFrom: h.sharedFrom } : {}),
  };
}

const helloEvidence = (hello: HygieneHelloFacts): JsonObject => ({
  offeredVersion: hello.offeredVersion, negotiatedVersion: hello.negotiatedVersion, suite: hello.suite.name,
  renegotiationInfo: hello.renegotiationInfo,
  ...(hello.renegotiatedConnectionHex ? { renegotiatedConnection: hello.renegotiatedConnectionHex } : {}),
  extendedMasterSecret: hello.extendedMasterSecret,
  compressionMethod: hello.compressionMethod, deflateOffered: hello.deflateOffered,
  ...(hello.refusedWithDeflate ? { refusedWithDeflate: hello.refusedWithDeflate } : {}),
});

/** 'an SSLv3 hello', 'a TLSv1.1 hello'. */
const anOrA = (version: string): string => (version.startsWith('SSL') ? 'an' : 'a');

const cite = (rule: PolicyFeatureRule | undefined, policy: Policy): string => (rule ? ` (${policy.title}: ${rule.clause})` : '');

/** The three ServerHello judges share the way they treat a missing hello. */
function judgeHello(h: TlsHygiene, policy: Policy, feature: HygieneFeature, what: string, seen: (hello: HygieneHelloFacts) => Seen): Verdict {
  const evidence = baseEvidence(h, policy, feature);
  if (h.hello) {
    const verdict = seen(h.hello);
    return { status: verdict.status, summary: verdict.summary, evidence: { ...evidence, hello: helloEvidence(h.hello) } };
  }
  const [problem] = h.helloProblems;
  if (problem !== undefined) {
    return { status: 'error', reason: reasonOf(problem), summary: `could not test ${what}: ${problem}`, evidence: { ...evidence, notTested: [...h.helloProblems] } };
  }
  if (h.tls13 === true) {
    return { status: 'pass', summary: `not applicable: only TLS 1.3 is accepted, and TLS 1.3 has no ${what}`, evidence: { ...evidence, notApplicable: true } };
  }
  const where = h.transport === 'smtp-starttls' ? 'mail.starttls-protocols' : 'tls.protocol-versions';
  const why = h.sslv3 === true ? 'of SSLv3 to TLS 1.2 only SSLv3 is accepted' : 'no TLS version is accepted';
  return { status: 'skip', reason: 'prerequisite', summary: `${why}, so there is no ${what} to judge; see ${where}`, evidence };
}

/**
 * RFC 5746 3.6: on an initial handshake the server's renegotiation_info carries an EMPTY renegotiated_connection; a
 * client MUST check that and abort otherwise (3.4). A non-empty one is a fail, not an error: the answer was read in
 * full and is unambiguous, and a server that sends it has no working secure renegotiation (every RFC 5746 client
 * aborts its handshakes, and the bytes it binds are not the (absent) previous Finished messages). `error` is kept for
 * answers that could not be read or judged.
 */
export function judgeSecureRenegotiation(h: TlsHygiene, policy: Policy): Verdict {
  const rule = policy.hygiene.secureRenegotiation;
  return judgeHello(h, policy, 'secureRenegotiation', 'renegotiation', (hello) => hello.renegotiationInfo
    ? hello.renegotiatedConnectionHex
      ? {
          status: 'fail',
          summary: `renegotiation_info in the ServerHello at ${hello.negotiatedVersion} carries a non-empty renegotiated_connection `
            + `(${hello.renegotiatedConnectionHex.length / 2} bytes) on an initial handshake: RFC 5746 3.4 and 3.6 require it empty and clients to abort, `
            + `so secure renegotiation is broken${cite(rule, policy)}`,
        }
      : { status: 'pass', summary: `secure renegotiation supported: renegotiation_info in the ServerHello at ${hello.negotiatedVersion} (RFC 5746)` }
    : {
        status: rule?.expect === 'optional' ? 'warn' : 'fail',
        summary: `no renegotiation_info in the ServerHello at ${hello.negotiatedVersion}: secure renegotiation (RFC 5746) is not supported, `
          + `so renegotiation is open to prefix injection (CVE-2009-3555)${cite(rule, policy)}`,
      });
}

export function judgeCompression(h: TlsHygiene, policy: Policy): Verdict {
  const rule = policy.hygiene.compression;
  return judgeHello(h, policy, 'compression', 'compression', (hello) => {
    if (hello.compressionMethod !== 0) {
      const name = hello.compressionMethod === 1 ? 'DEFLATE (1)' : `method ${hello.compressionMethod}`;
      return {
        status: rule?.expect === 'optional' ? 'warn' : 'fail',
        summary: `TLS compression accepted: the server chose ${name} at ${hello.negotiatedVersion}, which exposes secrets to CRIME (CVE-2012-4929)${cite(rule, policy)}`,
      };
    }
    const how = hello.deflateOffered ? 'chose null compression when DEFLATE was offered' : `refused the hello offering DEFLATE (${hello.refusedWithDeflate}) and chose null compression without it`;
    return { status: 'pass', summary: `no TLS compression: the server ${how} at ${hello.negotiatedVersion}` };
  });
}

export function judgeExtendedMasterSecret(h: TlsHygiene, policy: Policy): Verdict {
  const rule = policy.hygiene.extendedMasterSecret;
  return judgeHello(h, policy, 'extendedMasterSecret', 'Extended Master Secret', (hello) => {
    if (hello.extendedMasterSecret) return { status: 'pass', summary: `Extended Master Secret supported at ${hello.negotiatedVersion} (RFC 7627)` };
    const gap = `no extended_master_secret in the ServerHello at ${hello.negotiatedVersion}: sessions are open to the triple handshake attack (RFC 7627)`;
    return rule?.expect === 'required'
      ? { status: 'fail', summary: `${gap}${cite(rule, policy)}` }
      : { status: 'warn', summary: `${gap}; recommended by RFC 7627, not required by ${policy.title}` };
  });
}

export function judgeFallbackScsv(h: TlsHygiene, policy: Policy): Verdict {
  const evidence = baseEvidence(h, policy, null);
  const f = h.fallback;
  if (!f) {
    const problem = h.fallbackProblems[0] ?? 'no fallback facts';
    return { status: 'error', reason: reasonOf(problem), summary: `could not test TLS_FALLBACK_SCSV: ${problem}`, evidence: { ...evidence, notTested: [...h.fallbackProblems] } };
  }
  if (f.kind === 'not-applicable') {
    if (h.legacyVersions.length === 0 && h.tls13 !== true) {
      const where = h.transport === 'smtp-starttls' ? 'mail.starttls-protocols' : 'tls.protocol-versions';
      return { status: 'skip', reason: 'prerequisite', summary: `${f.reason}, so there is no fallback to judge; see ${where}`, evidence };
    }
    return { status: 'pass', summary: `not applicable: ${f.reason}`, evidence: { ...evidence, notApplicable: true } };
  }
  const fallback: JsonObject = { highest: f.highest, offered: f.offered, outcome: f.outcome, answer: f.detail };
  const withFacts = { ...evidence, fallback };
  switch (f.outcome) {
    case 'refused':
      return { status: 'pass', summary: `${anOrA(f.offered)} ${f.offered} hello with TLS_FALLBACK_SCSV is refused with inappropriate_fallback (RFC 7507); the server's highest is ${f.highest}`, evidence: withFacts };
    case 'accepted':
      return {
        status: 'fail',
        summary: `${anOrA(f.offered)} ${f.offered} hello with TLS_FALLBACK_SCSV is accepted (${f.detail}) although the server supports ${f.highest}: `
          + 'an attacker can force a downgrade (RFC 7507)',
        evidence: withFacts,
      };
    case 'other':
      return {
        status: 'warn',
        summary: `${anOrA(f.offered)} ${f.offered} hello with TLS_FALLBACK_SCSV is refused, but with ${f.detail} rather than inappropriate_fallback (86, RFC 7507 3)`,
        evidence: withFacts,
      };
  }
}
