import type { HelloVersion } from './hello.ts';
import { describeSuite } from './registry.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from './types.ts';
import type { Exchange } from './exchange.ts';
import type { SctExtensionFact, SharedFrom } from './fingerprint.ts';
import { createAsk, named, namedGroup, type AskContext, type Named } from './enumerate-context.ts';
import { enumerateSslv2, enumerateVersion, type VersionSuites } from './enumerate-suites.ts';
import { probeOrder, type OrderFacts } from './enumerate-order.ts';
import { enumerateCurves, enumerateGroups13, probeDhe, type DhFacts, type GroupFact, type SignatureFacts } from './enumerate-groups.ts';

export type { Named } from './enumerate-context.ts';
export type { DhFacts, GroupFact, SignatureFacts } from './enumerate-groups.ts';

/**
 * The enumeration driver (issue 9, "What is measured, per endpoint"): accepted suites per version (SSLv2 to TLS 1.3),
 * the server's order, the TLS 1.3 groups, the ECDHE curves, the DHE prime and the key-exchange signature. Pure logic
 * over an injected `exchange` (one connection per call): unit-tested against a fake server model, run against real
 * servers through `exchange.ts`.
 *
 * The work is a list of explicit jobs (sslyze's one-job-per-question picture): phase 1 has one job per version;
 * phase 2, planned from phase 1's facts, one order job per version and the group, curve and DHE jobs. Jobs of a phase
 * are independent and run up to `concurrency` at a time (a job engine could distribute them); inside a job the
 * hellos are sequential, since each depends on the last answer. Facts are JSON and the same whatever the schedule.
 */

export type VersionFacts = {
  /** true: accepted (suites below); false: refused; null: could not tell (see problems). */
  readonly accepted: boolean | null;
  /** Accepted suites (SSLv2: cipher specs), in the order the server chose them. */
  readonly suites: readonly Named[];
  /** Whether the server enforces its own order; null with fewer than two suites or when it could not be told. */
  readonly serverOrder: 'server' | 'client' | null;
  /** The server's order, most preferred first, when it enforces one. */
  readonly order: readonly Named[] | null;
  /** A ChaCha20 suite heads the server's order. */
  readonly chachaFirst: boolean | null;
  /** Split offers were needed: the server did not answer one hello with every suite. */
  readonly splitOffer: boolean;
  /** How the server said no (or what made split offers necessary). */
  readonly refusal: string | null;
  /** Protocol errors and failed exchanges: evidence that this version could not be fully tested. */
  readonly problems: readonly string[];
};

export type TlsEnumeration = {
  readonly endpoint: string;
  /** `smtp-starttls`: every connection was an SMTP session up to STARTTLS's 220. */
  readonly transport: 'tls' | 'smtp-starttls';
  readonly versions: { readonly [V in ProtocolVersion]: VersionFacts };
  /** TLS 1.3 groups in the order the server picked them; null when TLS 1.3 is not accepted. */
  readonly groups: readonly GroupFact[] | null;
  /** The curves of one ECDHE suite at the highest TLS <= 1.2 version that has one; null without ECDHE. */
  readonly ecdheCurves: { readonly version: HelloVersion; readonly suite: Named; readonly curves: readonly GroupFact[] } | null;
  readonly dh: DhFacts | null;
  /** How the TLS <= 1.2 ServerKeyExchange was signed (the ECDHE job's, else the DHE job's). */
  readonly keyExchangeSignature: SignatureFacts | null;
  /** Problems of the key-exchange jobs (the per-version ones are on the versions). */
  readonly problems: readonly string[];
  /** Connections used (on SMTP: sessions). */
  readonly connections: number;
  readonly observedAt: string;
  /** Measured through another name on the same address with the same fingerprint (src/runner/shared-endpoints.ts). */
  readonly sharedFrom?: SharedFrom;
  /**
   * This name's own fingerprint (tls.measure per-address): its answers, the connections they took (not in
   * `connections`), and the SCT list its TLS <= 1.2 ServerHello carried (RFC 6962 3.3.1, for tls.certificate-transparency).
   */
  readonly fingerprint?: { readonly answers: readonly string[]; readonly connections: number; readonly sctExtension: SctExtensionFact | null };
};

/** Whether the facts are complete: every version tested without a problem, every key-exchange job clean. Only such facts may stand for other names. */
export function enumerationComplete(e: TlsEnumeration): boolean {
  return e.problems.length === 0 && PROTOCOL_VERSIONS.every((v) => e.versions[v].accepted !== null && e.versions[v].problems.length === 0);
}

export type EnumerateOptions = {
  /** The endpoint's label, for the facts. */
  readonly endpoint: string;
  /** SNI for every hello; null for none. */
  readonly serverName: string | null;
  readonly exchange: Exchange;
  readonly transport?: 'tls' | 'smtp-starttls';
  /** Versions to enumerate (default all, SSLv2 to TLS 1.3); the others are reported as not tested (accepted null). */
  readonly versions?: readonly ProtocolVersion[];
  /** Jobs in flight at once (default 1; on SMTP keep 1). */
  readonly concurrency?: number;
  /** Hard cap on exchanges for this endpoint (default 400). */
  readonly maxConnections?: number;
  /** Failed exchanges after which no more are tried (default 3). */
  readonly maxFailures?: number;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
};

/** What the enumeration asks, as a version string for cache keys and recorded facts (kept in fact-specs.ts). */
export { ENUMERATION_SPEC } from './fact-specs.ts';

/** One question for the server, as a job engine would see it. */
export type EnumerationJob = { readonly id: string; run(ctx: AskContext): Promise<void> };

/** Runs jobs up to `concurrency` at a time; each job's own hellos stay sequential. */
async function runJobs(jobs: readonly EnumerationJob[], ctx: AskContext, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!.run(ctx);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
}

const NOT_TESTED: VersionFacts = {
  accepted: null, suites: [], serverOrder: null, order: null, chachaFirst: null, splitOffer: false, refusal: null, problems: ['not tested'],
};

/** Highest TLS version <= 1.2 with an accepted suite matching `want`, and the server's first such suite. */
function pickSuite(found: ReadonlyMap<ProtocolVersion, VersionSuites>, versions: readonly HelloVersion[], want: (code: number) => boolean) {
  for (const version of versions) {
    const candidates = (found.get(version)?.sequence ?? []).filter(want);
    const authenticated = candidates.find((code) => describeSuite(code).auth !== 'anon');
    const code = authenticated ?? candidates[0];
    if (code !== undefined) return { version, code };
  }
  return null;
}

export async function enumerateTls(options: EnumerateOptions): Promise<TlsEnumeration> {
  const ask = createAsk({
    exchange: options.exchange, serverName: options.serverName, maxConnections: options.maxConnections ?? 400,
    maxFailures: options.maxFailures ?? 3, ...(options.signal ? { signal: options.signal } : {}),
  });
  const concurrency = options.concurrency ?? 1;
  const wanted = new Set(options.versions ?? PROTOCOL_VERSIONS);
  const found = new Map<ProtocolVersion, VersionSuites>();
  const orders = new Map<ProtocolVersion, OrderFacts>();
  let sslv2Specs: readonly Named[] = [];

  // Phase 1: one job per version, newest first (the likeliest answers come first, and so does a fatal error).
  const phase1: EnumerationJob[] = [...PROTOCOL_VERSIONS].reverse().filter((v) => wanted.has(v)).map((version) => ({
    id: `suites:${version}`,
    run: async (ctx) => {
      if (version === 'SSLv2') {
        const result = await enumerateSslv2(ctx);
        sslv2Specs = result.specs;
        found.set(version, result);
      } else {
        found.set(version, await enumerateVersion(ctx, version));
      }
    },
  }));
  await runJobs(phase1, ask, concurrency);
  const fatal = ask.fatal();
  if (fatal) throw fatal;

  // Phase 2, planned from phase 1's facts.
  let groups: GroupFact[] | null = null;
  let ecdheCurves: TlsEnumeration['ecdheCurves'] = null;
  let dh: DhFacts | null = null;
  let curveSignature: SignatureFacts | null = null;
  let dheSignature: SignatureFacts | null = null;
  const problems: string[] = [];
  const phase2: EnumerationJob[] = [];
  for (const [version, result] of found) {
    if (version === 'SSLv2' || result.sequence.length < 2) continue;
    phase2.push({ id: `order:${version}`, run: async (ctx) => { orders.set(version, await probeOrder(ctx, version, result.sequence, result.split)); } });
  }
  const tls13 = found.get('TLSv1.3');
  if (tls13 && tls13.sequence.length > 0) {
    phase2.push({
      id: 'groups:TLSv1.3',
      run: async (ctx) => {
        const result = await enumerateGroups13(ctx, tls13.sequence);
        groups = result.groups.map(namedGroup);
        problems.push(...result.problems);
      },
    });
  }
  const legacy: HelloVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1'];
  const ecdhe = pickSuite(found, legacy, (code) => describeSuite(code).kx === 'ECDHE');
  if (ecdhe) {
    phase2.push({
      id: `curves:${ecdhe.version}`,
      run: async (ctx) => {
        const result = await enumerateCurves(ctx, ecdhe.version, ecdhe.code);
        ecdheCurves = { version: ecdhe.version, suite: named(ecdhe.code), curves: result.curves.map(namedGroup) };
        curveSignature = result.signature;
        problems.push(...result.problems);
      },
    });
  }
  const dhe = pickSuite(found, [...legacy, 'SSLv3'], (code) => describeSuite(code).kx === 'DHE');
  if (dhe) {
    phase2.push({
      id: `dhe:${dhe.version}`,
      run: async (ctx) => {
        const result = await probeDhe(ctx, dhe.version, dhe.code);
        dh = result.dh;
        dheSignature = result.signature;
        problems.push(...result.problems);
      },
    });
  }
  await runJobs(phase2, ask, concurrency);
  const late = ask.fatal();
  if (late && options.signal?.aborted) throw late;

  const versions = Object.fromEntries(PROTOCOL_VERSIONS.map((version): [ProtocolVersion, VersionFacts] => {
    const result = found.get(version);
    if (!result) return [version, NOT_TESTED];
    const order = orders.get(version);
    const names = version === 'SSLv2' ? sslv2Specs : result.sequence.map(named);
    const ordered = order?.order ? order.order.map(named) : null;
    return [version, {
      accepted: result.accepted,
      suites: names,
      serverOrder: order?.serverOrder ?? null,
      order: ordered,
      chachaFirst: ordered ? describeSuite(ordered[0]!.code).cipher === 'CHACHA20' : null,
      splitOffer: result.split,
      refusal: result.refusal,
      problems: [...result.problems, ...(order?.problems ?? [])],
    }];
  })) as unknown as TlsEnumeration['versions'];

  // Sorted so that the facts do not depend on which job finished first.
  problems.sort();
  return {
    endpoint: options.endpoint,
    transport: options.transport ?? 'tls',
    versions,
    groups,
    ecdheCurves,
    dh,
    keyExchangeSignature: curveSignature ?? dheSignature,
    problems,
    connections: ask.connections(),
    observedAt: (options.now?.() ?? new Date()).toISOString(),
  };
}
