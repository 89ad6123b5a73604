import type { Endpoint, Json } from '../../core/types.ts';
import type { Lifetime } from '../cache.ts';
import type { ProbeContext } from './context.ts';

/**
 * One kind of probe answer (issue 11: adding a kind is one module and one line in `index.ts`). The session caches
 * every call by `key`, records its answer for replay and builds `Probes` from the registry, so a kind says only
 * what identifies an answer and how to get it.
 */
export type ProbeKind<N extends string, A extends readonly unknown[], V> = {
  /** The `Probes` method and the `kind` of recorded facts. */
  readonly name: N;
  /**
   * The cache key, which is also the artifact key in reports and the fact key in journals: every argument that
   * changes the answer and nothing else, prefixed with the kind (a spec version where the probe's questions may
   * change, so that an old record is never taken for a new answer). Keep it stable: reports and journals hold it.
   */
  key(...args: A): string;
  /** Gets the answer, through the session's shared services (limits, deadlines, clients, other probes). */
  load(ctx: ProbeContext, ...args: A): Promise<V>;
  /** What reports keep of a value as raw evidence (JSON, bounded); the value itself when absent. */
  artifact?(value: V): Json;
  /**
   * `run` for a fact about a destination that many domains share rather than about one domain (an MX host serves
   * every domain that points at it, thousands of domains apart in a large estate): once no domain in flight holds
   * it, the session keeps it for the rest of the run in recorded form, bounded by bytes (src/runner/cache.ts), so
   * the destination is measured once per run, and an unreachable one costs one connect timeout per run. Default
   * `domain`: kept only in the bounded idle tiers, for the domains that come soon after. A function decides per call,
   * for kinds that ask about domains and destinations alike (DNS: a domain's TXT records, an MX host's TLSA).
   */
  readonly lifetime?: Lifetime | ((...args: NoInfer<A>) => Lifetime);
  /**
   * The host name a call asks about, for kinds that ask about names (DNS, DNSSEC): a call about a host that many
   * domains share as a destination (an MX host named in the run's MX answers, src/runner/shared-hosts.ts) is kept
   * for the run whatever `lifetime` says.
   */
  host?(...args: NoInfer<A>): string;
  /** Destinations an answer names that many domains share (an MX answer's exchanges); none when absent. */
  sharedHostsIn?(value: V): readonly string[];
};

/** Told of every probe call a check makes: its key, and the answer it awaits. */
export type ProbeTracker = (key: string, answer: Promise<unknown>) => void;

/** Any kind: the registry holds kinds of every argument and value type. */
export type AnyProbeKind = ProbeKind<string, any, any>;

/**
 * A kind's lifetime for one call: `run` for a call about a shared host, else its function's answer, its constant, or
 * `domain`.
 */
export function lifetimeOf(kind: AnyProbeKind, args: readonly unknown[], sharedHosts?: { has(host: string): boolean }): Lifetime {
  if (kind.host && sharedHosts?.has(kind.host(...args))) return 'run';
  return (typeof kind.lifetime === 'function' ? kind.lifetime(...args) : kind.lifetime) ?? 'domain';
}

/** Identity, for inference: `probeKind({ name: 'dns', key: (...) => ..., load: async (ctx, ...) => ... })`. */
export function probeKind<const N extends string, A extends readonly unknown[], V>(kind: ProbeKind<N, A, V>): ProbeKind<N, A, V> {
  return kind;
}

/** Kinds by name. */
export type ProbeRegistry = { readonly [name: string]: AnyProbeKind };

/** The registry of `kinds`, each under its own name (so a name can never be filed under another). */
export function probeRegistry<const K extends readonly AnyProbeKind[]>(...kinds: K): { readonly [P in K[number] as P['name']]: P } {
  const registry: Record<string, AnyProbeKind> = {};
  for (const kind of kinds) {
    if (Object.hasOwn(registry, kind.name)) throw new Error(`probe kind ${kind.name} registered twice`);
    registry[kind.name] = kind;
  }
  return registry as { readonly [P in K[number] as P['name']]: P };
}

/**
 * What a check may ask: one method per kind, with the kind's arguments and answer. Method-typed (the `method`
 * indirection), as a hand-written interface's methods are: a test's fake may take narrower arguments (`type: 'TXT'`).
 */
export type ProbesOf<R extends ProbeRegistry> = {
  readonly [P in keyof R]: R[P] extends ProbeKind<string, infer A, infer V> ? { method(...args: A): Promise<V> }['method'] : never;
};

/** Calls a kind with its arguments: the session's cache, a replay's record. */
export type KindCall = (kind: AnyProbeKind, args: readonly unknown[]) => Promise<unknown>;

/** `Probes` over a registry: each method hands its kind and arguments to `call`. */
export function probesOver<R extends ProbeRegistry>(registry: R, call: KindCall): ProbesOf<R> {
  const probes: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(registry)) {
    const kind = registry[name]!;
    probes[name] = (...args) => call(kind, args);
  }
  return probes as ProbesOf<R>;
}

/** How keys name an endpoint: the name it is asked under and where it is dialled (they differ under connect-to). */
export const endpointKey = (ep: Endpoint): string => `${ep.hostname.toLowerCase()}:${ep.port}@${ep.address}:${ep.dialPort}`;
