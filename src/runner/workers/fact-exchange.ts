import type { RecordedFact } from '../../core/domain-record.ts';
import type { ClaimAnswer } from './protocol.ts';

/**
 * Probe facts shared between worker threads, so a fact several domains need (a common MX host, an address's TLS
 * configuration) is probed once per run however the domains are spread over workers. The first worker to claim a
 * key loads it; later claimants wait for its publication and get the recorded fact. Bounded: published facts are
 * kept in an LRU of `capacity` entries; a fact that fell out is probed again if claimed again (said in the README).
 */
export class FactExchange<Holder> {
  readonly #known = new Map<string, RecordedFact>();
  readonly #loading = new Map<string, { owner: Holder; waiters: { holder: Holder; answer: (a: ClaimAnswer) => void }[] }>();
  readonly #capacity: number;
  /** Claims answered with another worker's fact: the probes the exchange saved. */
  shared = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  claim(key: string, holder: Holder, answer: (a: ClaimAnswer) => void): void {
    const fact = this.#known.get(key);
    if (fact) {
      this.#known.delete(key); // re-inserted: most recently used last
      this.#known.set(key, fact);
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

  publish(fact: RecordedFact): void {
    const loading = this.#loading.get(fact.key);
    this.#loading.delete(fact.key);
    this.#known.set(fact.key, fact);
    if (this.#known.size > this.#capacity) this.#known.delete(this.#known.keys().next().value!);
    for (const waiter of loading?.waiters ?? []) {
      this.shared++;
      waiter.answer({ fact });
    }
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
