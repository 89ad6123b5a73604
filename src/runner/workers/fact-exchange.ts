import type { RecordedFact } from '../../core/domain-record.ts';
import type { Lifetime } from '../cache.ts';
import { KEPT_BYTES, KeptFacts, unreachableFailure } from '../kept-facts.ts';
import type { ClaimAnswer } from './protocol.ts';

/**
 * Probe facts shared between worker threads, so a fact several domains need (a common MX host, an address's TLS
 * configuration) is probed once per run however the domains are spread over workers. The first worker to claim a
 * key loads it; later claimants wait for its publication and get the recorded fact. Bounded: published facts are
 * kept in an LRU of `capacity` entries (the facts of the domains soon after: a domain publishes some 60), and the
 * facts of `run` lifetime (an MX host's, src/runner/probe-kinds/kind.ts) also in recorded form within a byte budget,
 * as each worker's own cache keeps them, so an MX host shared by domains far apart is measured once per run, not
 * once per worker. A fact that fell out of both is probed again if claimed again.
 */
export class FactExchange<Holder> {
  readonly #known = new Map<string, RecordedFact>();
  readonly #kept: KeptFacts<null>;
  readonly #loading = new Map<string, { owner: Holder; waiters: { holder: Holder; answer: (a: ClaimAnswer) => void }[] }>();
  readonly #capacity: number;
  /** Claims answered with another worker's fact: the probes the exchange saved. */
  shared = 0;

  constructor(capacity: number, keptBytes: number = KEPT_BYTES) {
    this.#capacity = capacity;
    this.#kept = new KeptFacts(keptBytes);
  }

  claim(key: string, holder: Holder, answer: (a: ClaimAnswer) => void): void {
    const fact = this.#known.get(key) ?? this.#recall(key);
    if (fact) {
      this.#known.delete(key); // re-inserted: most recently used last
      this.#remember(key, fact);
      this.shared++;
      answer({ fact });
      return;
    }
    const loading = this.#loading.get(key);
    if (loading) loading.waiters.push({ holder, answer });
    else {
      this.#loading.set(key, { owner: holder, waiters: [] });
      answer({ load: true });
    }
  }

  publish(fact: RecordedFact, lifetime: Lifetime = 'domain'): void {
    const loading = this.#loading.get(fact.key);
    this.#loading.delete(fact.key);
    // As the cache keeps them: a value, or a destination that could not be reached at all (not a 421 or a stall).
    if (lifetime === 'run' && ('value' in fact || unreachableFailure(fact.error))) this.#runLifetime.add(fact.key);
    this.#remember(fact.key, fact);
    for (const waiter of loading?.waiters ?? []) {
      this.shared++;
      waiter.answer({ fact });
    }
  }

  /** Keys of `run` lifetime among the recent facts: they move to the kept store when they fall out. */
  readonly #runLifetime = new Set<string>();

  /** Among the recent facts, most recently used last; the least recently used beyond capacity falls out (to the kept store if of run lifetime). */
  #remember(key: string, fact: RecordedFact): void {
    this.#known.set(key, fact);
    if (this.#known.size <= this.#capacity) return;
    const oldest = this.#known.keys().next().value!;
    const dropped = this.#known.get(oldest)!;
    this.#known.delete(oldest);
    if (this.#runLifetime.delete(oldest)) this.#kept.put(oldest, { json: JSON.stringify(dropped), owners: 2, extra: null });
  }

  /** A kept fact, back among the recent ones (the claim re-inserts it). */
  #recall(key: string): RecordedFact | undefined {
    const kept = this.#kept.take(key);
    if (!kept) return undefined;
    this.#runLifetime.add(key);
    return JSON.parse(kept.json) as RecordedFact;
  }

  /** A worker exited: keys it was loading pass to their first waiter, who loads them instead. */
  holderGone(holder: Holder): void {
    for (const [key, loading] of this.#loading) {
      loading.waiters = loading.waiters.filter((w) => w.holder !== holder);
      if (loading.owner !== holder) continue;
      const next = loading.waiters.shift();
      if (!next) this.#loading.delete(key);
      else {
        loading.owner = next.holder;
        next.answer({ load: true });
      }
    }
  }
}
