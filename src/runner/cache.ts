import type { RecordedFact } from '../core/domain-record.ts';
import type { Json } from '../core/types.ts';
import { decode, decodeError, recordFact } from './fact-codec.ts';
import { KeptFacts, unreachableFailure } from './kept-facts.ts';

/**
 * Settled entries kept per idle tier once no domain in flight holds them. 4,096 is about 60 domains' worth of
 * probe answers (a domain asks some 60 keys) and, at a few KB per answer (a DNS answer under 1 KB, a TLS handshake
 * or an enumeration 5-20 KB with its certificates, an HTTP hop up to its 64 KiB body cap), tens of MB per tier in
 * practice; a fixed number, not a setting, because what it trades (a repeated probe against memory) does not depend
 * on the estate. Everything a domain in flight asked is pinned on top of this and bounded by the window instead.
 */
export const IDLE_CAPACITY = 4096;

/**
 * How long an answer no domain in flight holds is kept. `domain`: in the idle LRU tiers, for the domains that come
 * soon after. `run`: a fact about a destination many domains share (an MX host, a shared address's TLS
 * configuration), which may be asked again thousands of domains later: it falls from the idle tiers into the kept
 * tier (in recorded form, bounded by bytes: src/runner/kept-facts.ts) instead of being dropped.
 */
export type Lifetime = 'domain' | 'run';

type Artifactor = ((value: never) => Json) | undefined;

type Entry = {
  readonly key: string;
  readonly kind: string;
  readonly promise: Promise<unknown>;
  readonly toArtifact: Artifactor;
  lifetime: Lifetime;
  state: 'pending' | 'value' | 'error';
  /** The value or the failure, once settled. */
  outcome: unknown;
  /** Domains in flight that asked for it. */
  pins: number;
  /** Domains that ever asked for it: two or more makes it a shared fact (a common MX, a shared address). */
  owners: number;
  artifact?: Json;
  fact?: RecordedFact;
  /** The fact's JSON, when rebuilt from the kept tier: not made again when it falls back there. */
  json?: string;
};

/** What a kept fact needs besides its JSON to be a live entry again. */
type KeptExtra = { readonly kind: string; readonly toArtifact: Artifactor };

/** What a domain's record keeps of one key: the fact (value or failure) and, for a value, its artifact. */
export type CachedRecord = { readonly fact: RecordedFact; readonly artifact?: Json };

/**
 * Memo of probe promises in bounded memory (issue 11). Promises, so concurrent callers share one probe in flight;
 * failures too, so one unreachable host costs one timeout rather than one per check.
 *
 * Four kinds of entry. Pending ones are never evicted (a second caller would start a duplicate probe). Entries a
 * domain in flight asked for are pinned (a count of such domains) until each has finished. The rest (settled, no
 * pins, including what a probe loads for another, e.g. the A records behind `endpoints`) wait, live, in one of two
 * LRU tiers of IDLE_CAPACITY each: facts more than one domain asked for, and the rest. A domain's own answers are
 * rarely asked again, a shared fact is likely to be, so one-domain entries never push shared ones out. What falls
 * out of those tiers is dropped, unless its lifetime is `run`: then it goes to the kept tier as its recorded fact
 * (the JSON a journal holds: no live objects, no promise), LRU within a byte budget (kept-facts.ts), and a hit
 * rebuilds the value with the fact codec, as a fact from another worker is. So an MX host shared by domains
 * thousands apart is measured once per run, and one that cannot be reached costs one timeout per run.
 */
export class ProbeCache {
  readonly #entries = new Map<string, Entry>();
  /** Insertion order is recency: the first key is the least recently used. */
  readonly #idleOnce = new Map<string, Entry>();
  readonly #idleShared = new Map<string, Entry>();
  readonly #kept: KeptFacts<KeptExtra>;
  readonly #capacity: number;

  constructor(options: { readonly idleCapacity?: number; readonly keptBytes?: number } = {}) {
    // At least one: a kept fact rebuilt on a hit waits in an idle tier for the pin that follows.
    this.#capacity = Math.max(1, options.idleCapacity ?? IDLE_CAPACITY);
    this.#kept = new KeptFacts(options.keptBytes);
  }

  /**
   * The cached promise for `key`, or `load`'s. `kind` and `toArtifact` describe the value for the domain records;
   * `lifetime` applies when it is loaded here (a kept key stays kept).
   */
  get<T>(key: string, kind: string, load: () => Promise<T>, toArtifact?: (value: T) => Json, lifetime: Lifetime = 'domain'): Promise<T> {
    const hit = this.#entries.get(key) ?? this.#rebuild(key);
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
    const entry: Entry = { key, kind, promise, toArtifact: toArtifact as Artifactor, lifetime, state: 'pending', outcome: undefined, pins: 0, owners: 0 };
    this.#entries.set(key, entry);
    // A failure is reported by whoever awaits it; these handlers also keep it from being an unhandled rejection.
    promise.then(
      (value) => this.#settle(entry, 'value', value),
      (error: unknown) => this.#settle(entry, 'error', error),
    );
    return promise;
  }

  /** Keeps `key`'s answer, if held, for the run from now on: other keys may come to be answered from it. */
  keep(key: string): void {
    const entry = this.#entries.get(key);
    if (entry) entry.lifetime = 'run'; // a kept one is already
  }

  /**
   * `key`'s answer (pending, live or kept) for another key answered from it, or null when the cache no longer holds
   * it: kept for the run, and counted as asked once more (it is shared). For an address's TLS configuration, measured
   * through one of its names (src/runner/shared-endpoints.ts).
   */
  recall(key: string): Promise<unknown> | null {
    const entry = this.#entries.get(key) ?? this.#rebuild(key);
    if (!entry) return null;
    entry.lifetime = 'run';
    entry.owners++;
    if (entry.pins === 0 && entry.state !== 'pending') {
      // Its tier may change with the count: out of both, into the right one, as the most recently used.
      this.#idleOnce.delete(key);
      this.#idleShared.delete(key);
      this.#idle(entry);
    }
    return entry.promise;
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
    const fact = this.#factOf(entry);
    if (entry.state === 'error') return { fact };
    entry.artifact ??= entry.toArtifact ? entry.toArtifact(entry.outcome as never) : entry.outcome as Json;
    return { fact, artifact: entry.artifact };
  }

  /** The fact a value came from (another worker's, through the broker), so it is not encoded again. */
  adoptFact(key: string, fact: RecordedFact): void {
    const entry = this.#entries.get(key);
    if (entry) entry.fact = fact;
  }

  /** Entries held: pending, pinned, idle and kept. */
  get size(): number {
    return this.#entries.size + this.#kept.size;
  }

  /** Settled entries no domain in flight holds, per tier. */
  get idle(): { readonly once: number; readonly shared: number; readonly kept: number } {
    return { once: this.#idleOnce.size, shared: this.#idleShared.size, kept: this.#kept.size };
  }

  /** The kept tier's bytes (now, at most), and how many run-lifetime facts it has had to drop (a cap that cut something). */
  get kept(): { readonly bytes: number; readonly peakBytes: number; readonly evicted: number } {
    return this.#kept.usage;
  }

  #settle(entry: Entry, state: 'value' | 'error', outcome: unknown): void {
    entry.state = state;
    entry.outcome = outcome;
    if (entry.pins === 0 && this.#entries.get(entry.key) === entry) this.#idle(entry);
  }

  #factOf(entry: Entry): RecordedFact {
    entry.fact ??= recordFact(entry.kind, entry.key, entry.state === 'error' ? { error: entry.outcome } : { value: entry.outcome });
    return entry.fact;
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
      const oldest = tier.values().next().value as Entry;
      tier.delete(oldest.key);
      this.#entries.delete(oldest.key);
      if (oldest.lifetime === 'run' && (oldest.state === 'value' || unreachableFailure(oldest.outcome))) this.#keepRecorded(oldest);
    }
  }

  /** `entry` (settled, idle) into the kept tier as its recorded fact. */
  #keepRecorded(entry: Entry): void {
    let json: string;
    try {
      json = entry.json ?? JSON.stringify(this.#factOf(entry));
    } catch {
      return; // not recordable (no probe kind's value: its codec test says so): dropped, as a `domain` entry is
    }
    this.#kept.put(entry.key, { json, owners: entry.owners, extra: { kind: entry.kind, toArtifact: entry.toArtifact } });
  }

  /** A kept fact as a live, settled, idle entry again (its value rebuilt by the codec), or undefined if none. */
  #rebuild(key: string): Entry | undefined {
    const kept = this.#kept.take(key);
    if (!kept) return undefined;
    let fact: RecordedFact;
    let outcome: unknown;
    try {
      fact = JSON.parse(kept.json) as RecordedFact;
      outcome = 'error' in fact ? decodeError(fact.error) : decode(fact.value);
    } catch {
      return undefined; // made by this class, so never; were it unreadable, the key is simply loaded again
    }
    const failed = 'error' in fact;
    const promise = failed ? Promise.reject(outcome) : Promise.resolve(outcome);
    promise.catch(() => undefined); // reported by whoever awaits it, as a fresh failure is
    const entry: Entry = {
      key, kind: kept.extra.kind, promise, toArtifact: kept.extra.toArtifact, lifetime: 'run', state: failed ? 'error' : 'value',
      outcome, pins: 0, owners: kept.owners, fact, json: kept.json,
    };
    this.#entries.set(key, entry);
    this.#idle(entry);
    return entry;
  }
}
