import { offHeapUtf8 } from './off-heap-text.ts';

/**
 * Bytes of recorded facts the probe cache keeps for the run (issue 11). An MX host's facts (its SMTP session, the
 * STARTTLS version probes, fingerprint, enumeration, hygiene, renegotiation, resumption and weakness probes) take
 * some 12-15 KB as JSON against the lab's servers (more with a longer certificate chain), a web address's TLS
 * configuration some 7 KB: this holds every MX host of a 100,000-domain estate in which 50 domains share each (3,000
 * hosts, some 45 MB) and the configurations of a few thousand shared web addresses besides. Beyond it the least
 * recently used fact goes (one-domain facts first) and is probed again if asked again. Peak RSS is budgeted at
 * 500 MB (issue 11), so this is a fixed share of it, not a setting.
 */
export const KEPT_BYTES = 64 * 1024 * 1024;

/** One fact kept: its JSON (rebuilt with the fact codec on a hit) and what the cache needs to make it live again. */
export type KeptFact<Extra> = { readonly json: string; readonly owners: number; readonly extra: Extra };

/** A fact as held: its JSON as UTF-8 bytes outside V8's heap (off-heap-text.ts says why). */
type Held<Extra> = { readonly bytes: Buffer; readonly owners: number; readonly extra: Extra };

/** A Map entry, the Held and Buffer objects and the backing store's header, on top of the bytes. */
const OVERHEAD_BYTES = 200;

/** What one entry counts against the budget: its JSON's UTF-8 bytes, its key (two bytes a character at most), overhead. */
const entryBytes = (key: string, jsonBytes: number) => jsonBytes + key.length * 2 + OVERHEAD_BYTES;

/**
 * The probe cache's kept tier: facts in recorded form (no live objects, no promise), bounded by bytes, least
 * recently used first. Two segments in one budget, as the cache's idle tiers: facts one domain asked so far and facts
 * more asked (`owners`). Beyond the budget a one-domain fact goes first, so a stream of facts that will never be
 * asked again (every web name's own address measured once) cannot push out the MX hosts every domain comes back to.
 */
export class KeptFacts<Extra> {
  /** Insertion order is recency: the first key is the least recently used. */
  readonly #once = new Map<string, Held<Extra>>();
  readonly #shared = new Map<string, Held<Extra>>();
  readonly #capacity: number;
  #bytes = 0;
  #peakBytes = 0;
  #evicted = 0;

  constructor(capacityBytes = KEPT_BYTES) {
    this.#capacity = capacityBytes;
  }

  put(key: string, fact: KeptFact<Extra>): void {
    this.take(key);
    const jsonBytes = Buffer.byteLength(fact.json, 'utf8');
    if (entryBytes(key, jsonBytes) > this.#capacity) { this.#evicted++; return; } // would push out everything else, and then itself
    const held: Held<Extra> = { bytes: offHeapUtf8(fact.json, jsonBytes), owners: fact.owners, extra: fact.extra };
    (fact.owners >= 2 ? this.#shared : this.#once).set(key, held);
    this.#bytes += entryBytes(key, jsonBytes);
    while (this.#bytes > this.#capacity) {
      const segment = this.#once.size > 0 ? this.#once : this.#shared;
      const [oldestKey, oldest] = segment.entries().next().value as [string, Held<Extra>];
      segment.delete(oldestKey);
      this.#bytes -= entryBytes(oldestKey, oldest.bytes.length);
      this.#evicted++;
    }
    this.#peakBytes = Math.max(this.#peakBytes, this.#bytes);
  }

  /** The fact kept for `key`, no longer kept (the cache holds it live again), or undefined. */
  take(key: string): KeptFact<Extra> | undefined {
    const held = this.#once.get(key) ?? this.#shared.get(key);
    if (!held) return undefined;
    this.#once.delete(key);
    this.#shared.delete(key);
    this.#bytes -= entryBytes(key, held.bytes.length);
    return { json: held.bytes.toString('utf8'), owners: held.owners, extra: held.extra };
  }

  get size(): number {
    return this.#once.size + this.#shared.size;
  }

  /** Bytes held now and at most, and facts dropped beyond the budget (a cap that cut something). */
  get usage(): { readonly bytes: number; readonly peakBytes: number; readonly evicted: number } {
    return { bytes: this.#bytes, peakBytes: this.#peakBytes, evicted: this.#evicted };
  }
}

/**
 * Which failures of a run-lifetime fact are kept for the run, by the probe cache and the workers' fact exchange
 * alike: only "nothing could be reached" (a refused or timed-out connect, stage `connect` on a ProbeError and on its
 * recorded form), so one dead MX host costs one timeout per run. A failure in the conversation (a 421 or 4xx at the
 * banner or to EHLO, greylisting, a rate limit hit by the probes' own sessions, a stall mid-session) may be over a
 * minute later: it falls out like a domain's own answer and is asked again, instead of making every later domain on
 * a large shared MX "could not test" for the rest of the run.
 */
export function unreachableFailure(failure: unknown): boolean {
  return typeof failure === 'object' && failure !== null && (failure as { readonly stage?: unknown }).stage === 'connect';
}
