import type { RecordedFact } from '../core/domain-record.ts';
import type { Json } from '../core/types.ts';
import { recordFact } from './fact-codec.ts';

/**
 * Settled entries kept per idle tier once no domain in flight holds them. 4,096 is about 60 domains' worth of
 * probe answers (a domain asks some 60 keys) and, at a few KB per answer (a DNS answer under 1 KB, a TLS handshake
 * or an enumeration 5-20 KB with its certificates, an HTTP hop up to its 64 KiB body cap), tens of MB per tier in
 * practice; a fixed number, not a setting, because what it trades (a repeated probe against memory) does not depend
 * on the estate. Everything a domain in flight asked is pinned on top of this and bounded by the window instead.
 */
export const IDLE_CAPACITY = 4096;

type Entry = {
  readonly key: string;
  readonly kind: string;
  readonly promise: Promise<unknown>;
  readonly toArtifact: ((value: never) => Json) | undefined;
  state: 'pending' | 'value' | 'error';
  /** The value or the failure, once settled. */
  outcome: unknown;
  /** Domains in flight that asked for it. */
  pins: number;
  /** Domains that ever asked for it: two or more makes it a shared fact (a common MX, a shared address). */
  owners: number;
  artifact?: Json;
  fact?: RecordedFact;
};

/** What a domain's record keeps of one key: the fact (value or failure) and, for a value, its artifact. */
export type CachedRecord = { readonly fact: RecordedFact; readonly artifact?: Json };

/**
 * Memo of probe promises in bounded memory (issue 11). Promises, so concurrent callers share one probe in flight;
 * failures too, so one unreachable host costs one timeout rather than one per check.
 *
 * Three kinds of entry. Pending ones are never evicted (a second caller would start a duplicate probe). Entries a
 * domain in flight asked for are pinned (a count of such domains) until each has finished. The rest (settled, no
 * pins, including what a probe loads for another, e.g. the A records behind `endpoints`) wait in one of two LRU tiers of
 * IDLE_CAPACITY each: facts more than one domain asked for, and the rest. A domain's own answers are rarely asked
 * again, a shared fact (a common MX host, a shared address's enumeration) is likely to be, so one-domain entries
 * never push shared ones out and a shared fact is in practice probed once, even between the domains that share it.
 */
export class ProbeCache {
  readonly #entries = new Map<string, Entry>();
  /** Insertion order is recency: the first key is the least recently used. */
  readonly #idleOnce = new Map<string, Entry>();
  readonly #idleShared = new Map<string, Entry>();
  readonly #capacity: number;

  constructor(options: { readonly idleCapacity?: number } = {}) {
    this.#capacity = options.idleCapacity ?? IDLE_CAPACITY;
  }

  /** The cached promise for `key`, or `load`'s. `kind` and `toArtifact` describe the value for the domain records. */
  get<T>(key: string, kind: string, load: () => Promise<T>, toArtifact?: (value: T) => Json): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#touch(hit);
      return hit.promise as Promise<T>;
    }
    let promise: Promise<T>;
    try {
      promise = load();
    } catch (err) {
      promise = Promise.reject(err);
    }
    const entry: Entry = { key, kind, promise, toArtifact: toArtifact as Entry['toArtifact'], state: 'pending', outcome: undefined, pins: 0, owners: 0 };
    this.#entries.set(key, entry);
    // A failure is reported by whoever awaits it; these handlers also keep it from being an unhandled rejection.
    promise.then(
      (value) => this.#settle(entry, 'value', value),
      (error: unknown) => this.#settle(entry, 'error', error),
    );
    return promise;
  }

  /** A domain in flight asked for `key` (once per domain, right after `get`): it stays until `release`. */
  pin(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) throw new Error(`pin of a key not in the cache: ${key}`);
    entry.pins++;
    entry.owners++;
    this.#idleOnce.delete(key);
    this.#idleShared.delete(key);
  }

  /** That domain finished. */
  release(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry || entry.pins === 0) throw new Error(`release of a key not pinned: ${key}`);
    entry.pins--;
    if (entry.pins === 0 && entry.state !== 'pending') this.#idle(entry);
  }

  /** The key's fact and artifact (computed once, kept with the entry), or null while it is pending or unknown. */
  record(key: string): CachedRecord | null {
    const entry = this.#entries.get(key);
    if (!entry || entry.state === 'pending') return null;
    if (entry.state === 'error') {
      entry.fact ??= recordFact(entry.kind, key, { error: entry.outcome });
      return { fact: entry.fact };
    }
    entry.fact ??= recordFact(entry.kind, key, { value: entry.outcome });
    entry.artifact ??= entry.toArtifact ? entry.toArtifact(entry.outcome as never) : entry.outcome as Json;
    return { fact: entry.fact, artifact: entry.artifact };
  }

  /** The fact a value came from (another worker's, through the broker), so it is not encoded again. */
  adoptFact(key: string, fact: RecordedFact): void {
    const entry = this.#entries.get(key);
    if (entry) entry.fact = fact;
  }

  /** Entries held: pending, pinned and idle. */
  get size(): number {
    return this.#entries.size;
  }

  /** Settled entries no domain in flight holds, per tier. */
  get idle(): { readonly once: number; readonly shared: number } {
    return { once: this.#idleOnce.size, shared: this.#idleShared.size };
  }

  #settle(entry: Entry, state: 'value' | 'error', outcome: unknown): void {
    entry.state = state;
    entry.outcome = outcome;
    if (entry.pins === 0 && this.#entries.get(entry.key) === entry) this.#idle(entry);
  }

  #touch(entry: Entry): void {
    const tier = this.#tierOf(entry);
    if (tier.delete(entry.key)) tier.set(entry.key, entry);
  }

  #tierOf(entry: Entry): Map<string, Entry> {
    return entry.owners >= 2 ? this.#idleShared : this.#idleOnce;
  }

  #idle(entry: Entry): void {
    const tier = this.#tierOf(entry);
    tier.set(entry.key, entry);
    // Map iteration is insertion order, so the first key is the least recently used: O(1) per eviction.
    while (tier.size > this.#capacity) {
      const oldest = tier.keys().next().value as string;
      tier.delete(oldest);
      this.#entries.delete(oldest);
    }
  }
}
