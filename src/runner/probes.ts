import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { RecordedFact } from '../core/domain-record.ts';
import { ProbeError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import { ProbeCache, type Lifetime } from './cache.ts';
import { factValue, recordFact } from './fact-codec.ts';
import { createSessionServices, type ProbeContext, type ProbeStats } from './probe-kinds/context.ts';
import { PROBE_KINDS } from './probe-kinds/index.ts';
import { SharedHosts } from './shared-hosts.ts';
import { lifetimeOf, probesOver, type AnyProbeKind, type ProbeRegistry, type ProbesOf, type ProbeTracker } from './probe-kinds/kind.ts';
import { inProcessLimits, type ConnectionLimits } from './probe-kinds/limits.ts';

export { connectToMatcher } from './probe-kinds/connect-to.ts';
export { inProcessLimits, type ConnectionLimits, type LimitPool } from './probe-kinds/limits.ts';
export type { ProbeStats } from './probe-kinds/context.ts';

/**
 * Facts shared between sessions in other workers (issue 11), so that a fact many domains need (a common MX host) is
 * probed once per run, not once per worker.
 */
export type FactBroker = {
  /**
   * Asked before loading a key this process's cache does not hold: `load` = load it here (then `publish`), or the
   * fact another worker recorded (decoded here). `lifetime`: the kind's for this call, as for `publish` (a broker may
   * share only the facts of destinations many domains ask about).
   */
  claim(key: string, lifetime: Lifetime): Promise<{ readonly load: true } | { readonly fact: RecordedFact }>;
  /** `lifetime`: the kind's for this call (`run` facts are kept by the exchange for the whole run, by bytes). */
  publish(fact: RecordedFact, lifetime: Lifetime): void;
};

export type ProbeSessionOptions<R extends ProbeRegistry = typeof PROBE_KINDS> = {
  /** Default: this process's keyed limits. */
  readonly limits?: ConnectionLimits;
  /** Default: none (this process's cache only). */
  readonly broker?: FactBroker;
  /** Default: PROBE_KINDS (tests add kinds of their own). */
  readonly kinds?: R;
  /** Default: IDLE_CAPACITY (src/runner/cache.ts). */
  readonly idleCapacity?: number;
  /** Default: KEPT_BYTES (src/runner/kept-facts.ts), for the facts the cache keeps for the run. */
  readonly keptBytes?: number;
};

/** One domain's view of the session: what its checks asked is pinned in the cache until `finish`, and recorded. */
export type DomainProbeScope<R extends ProbeRegistry = typeof PROBE_KINDS> = {
  /**
   * One check's probes; `track` is told the key and the answer of every call (the check's deadline does not count
   * the wait for an answer), and every key is recorded for the domain.
   */
  probesFor(track: ProbeTracker): ProbesOf<R>;
  /**
   * The domain is done: the artifacts (values only) and facts (values and failures) of every key its checks asked,
   * sorted by key, and its pins released. Nested loads (the A records behind `endpoints`) are not recorded: a replay
   * answers the call the check made. A key still pending (its check gave up first) is recorded as a timeout.
   */
  finish(): { artifacts: Record<string, Json>; facts: RecordedFact[] };
};

/** Everything one run's probes share: the cache, the limits, the resolver and the HTTP connections. */
export type ProbeSession<R extends ProbeRegistry = typeof PROBE_KINDS> = {
  forDomain(domain: string): DomainProbeScope<R>;
  /** Probes outside any domain (tools, the TLS bench): cached, never pinned, nothing recorded. */
  probesFor(track: ProbeTracker): ProbesOf<R>;
  /** `address:port` of each resolver, in failover order. */
  readonly resolvers: readonly string[];
  /** Counters for the benchmark: connections opened by kind. */
  readonly stats: ProbeStats;
  close(): Promise<void>;
};

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Builds the run's probes from the kind registry. Each call is keyed by every parameter that changes its answer and
 * cached as a promise (cache.ts: pinned while a domain in flight asked for it, then in a bounded LRU, and a kind
 * whose `lifetime` is `run` then in recorded form for the rest of the run, bounded by bytes); connections
 * are limited per destination address (separate limits from the runner's, never nested); every operation has a
 * deadline derived from the run signal, not from any one check, because other checks may await the same promise.
 */
export function createProbeSession<R extends ProbeRegistry = typeof PROBE_KINDS>(
  config: Config, runSignal: AbortSignal, log: Logger, version: string, options: ProbeSessionOptions<R> = {},
): ProbeSession<R> {
  const registry = (options.kinds ?? PROBE_KINDS) as R;
  const cache = new ProbeCache({
    ...(options.idleCapacity === undefined ? {} : { idleCapacity: options.idleCapacity }),
    ...(options.keptBytes === undefined ? {} : { keptBytes: options.keptBytes }),
  });
  const { broker } = options;
  const services = createSessionServices({
    config, runSignal, log, version, limits: options.limits ?? inProcessLimits(), cache, broker,
    // The session's own probes, for kinds built on others; typed as the built-in ones, which every registry holds.
    probes: () => sessionProbes as unknown as ProbeContext['probes'],
  });

  // `--log-level trace`: one line per probe sent (a cache hit sends nothing), under fields only (keys hold target names).
  const send = (kind: AnyProbeKind, key: string, args: readonly unknown[]): Promise<unknown> => {
    if (!log.isLevelEnabled('trace')) return kind.load(services, ...args);
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    return kind.load(services, ...args).then(
      (value: unknown) => { log.trace({ probe: kind.name, target: key, outcome: 'ok', ms: ms() }, 'probe'); return value; },
      (error: unknown) => {
        const outcome = error instanceof ProbeError ? error.reason : 'error';
        log.trace({ probe: kind.name, target: key, outcome, error: error instanceof Error ? error.message : String(error), ms: ms() }, 'probe');
        throw error;
      });
  };
  const load = async (kind: AnyProbeKind, key: string, args: readonly unknown[], lifetime: Lifetime): Promise<unknown> => {
    if (!broker) return send(kind, key, args);
    const claim = await broker.claim(key, lifetime);
    if ('fact' in claim) {
      cache.adoptFact(key, claim.fact);
      return factValue(claim.fact);
    }
    try {
      const value: unknown = await send(kind, key, args);
      const fact = recordFact(kind.name, key, { value });
      cache.adoptFact(key, fact);
      broker.publish(fact, lifetime);
      return value;
    } catch (error) {
      const fact = recordFact(kind.name, key, { error });
      cache.adoptFact(key, fact);
      broker.publish(fact, lifetime);
      throw error;
    }
  };
  const sharedHosts = new SharedHosts();
  const fetch = (kind: AnyProbeKind, key: string, args: readonly unknown[]) => {
    const lifetime = lifetimeOf(kind, args, sharedHosts);
    const answer = cache.get(key, kind.name, () => load(kind, key, args, lifetime), kind.artifact?.bind(kind), lifetime);
    // Noted before any caller's continuation runs (this reaction is registered first), so a check that asks about an
    // MX host right after reading the MX answer finds it shared.
    if (kind.sharedHostsIn) answer.then((value) => sharedHosts.note(kind.sharedHostsIn!(value)), () => undefined);
    return answer;
  };
  const sessionProbes = probesOver(registry, (kind, args) => fetch(kind, kind.key(...args), args));

  return {
    forDomain(_domain) {
      const asked = new Map<string, string>(); // key -> kind
      let finished = false;
      return {
        probesFor: (track) => probesOver(registry, (kind, args) => {
          const key = kind.key(...args);
          const answer = fetch(kind, key, args);
          track(key, answer);
          if (!finished && !asked.has(key)) {
            asked.set(key, kind.name);
            cache.pin(key);
          }
          return answer;
        }),
        finish() {
          finished = true;
          const artifacts: Record<string, Json> = {};
          const facts: RecordedFact[] = [];
          for (const [key, kind] of [...asked].sort(([a], [b]) => byKey(a, b))) {
            const recorded = cache.record(key);
            if (recorded) {
              facts.push(recorded.fact);
              if (recorded.artifact !== undefined) artifacts[key] = recorded.artifact;
            } else {
              facts.push(recordFact(kind, key, { error: new ProbeError('timeout', key, 'not answered before its check gave up') }));
            }
            cache.release(key);
          }
          asked.clear();
          return { artifacts, facts };
        },
      };
    },
    probesFor: (track) => probesOver(registry, (kind, args) => {
      const key = kind.key(...args);
      const answer = fetch(kind, key, args);
      track(key, answer);
      return answer;
    }),
    resolvers: services.resolvers,
    stats: services.stats,
    close: () => {
      // What the kept tier held at most, and the facts it had to drop (probed again when asked again): the figure an
      // operator of a large estate needs to see whether KEPT_BYTES still holds its shared MX hosts and addresses.
      const { peakBytes, evicted } = cache.kept;
      log.info({ keptFacts: cache.idle.kept, keptPeakMb: Math.round(peakBytes / 1e5) / 10, keptEvicted: evicted }, 'facts kept for the run');
      return services.close();
    },
  };
}
