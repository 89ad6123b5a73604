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

/**
 * A Map entry, the KeptFact object and the string headers, on top of the characters. V8 keeps a string at one byte a
 * character while every character is Latin-1, else at two: JSON.stringify leaves non-ASCII text as it is (an SMTP
 * banner, a certificate subject), so one such character doubles the whole string.
 */
const OVERHEAD_BYTES = 120;

const TWO_BYTE = /[^\u0000-\u00ff]/;
const charBytes = (text: string) => text.length * (TWO_BYTE.test(text) ? 2 : 1);
const bytesOf = (key: string, fact: KeptFact<unknown>) => charBytes(fact.json) + charBytes(key) + OVERHEAD_BYTES;

/**
 * The probe cache's kept tier: facts in recorded form (no live objects, no promise), bounded by bytes, least
 * recently used first. Two segments in one budget, as the cache's idle tiers: facts one domain asked so far and facts
 * more asked (`owners`). Beyond the budget a one-domain fact goes first, so a stream of facts that will never be
 * asked again (every web name's own address measured once) cannot push out the MX hosts every domain comes back to.
 */
export class KeptFacts<Extra> {
  /** Insertion order is recency: the first key is the least recently used. */
  readonly #once = new Map<string, KeptFact<Extra>>();
  readonly #shared = new Map<string, KeptFact<Extra>>();
  readonly #capacity: number;
  #bytes = 0;
  #evicted = 0;

  constructor(capacityBytes = KEPT_BYTES) {
    this.#capacity = capacityBytes;
  }

  put(key: string, fact: KeptFact<Extra>): void {
    this.take(key);
    if (bytesOf(key, fact) > this.#capacity) { this.#evicted++; return; } // would push out everything else, and then itself
    (fact.owners >= 2 ? this.#shared : this.#once).set(key, fact);
    this.#bytes += bytesOf(key, fact);
    while (this.#bytes > this.#capacity) {
      const segment = this.#once.size > 0 ? this.#once : this.#shared;
      const [oldestKey, oldest] = segment.entries().next().value as [string, KeptFact<Extra>];
      segment.delete(oldestKey);
      this.#bytes -= bytesOf(oldestKey, oldest);
      this.#evicted++;
    }
  }

  /** The fact kept for `key`, no longer kept (the cache holds it live again), or undefined. */
  take(key: string): KeptFact<Extra> | undefined {
    const fact = this.#once.get(key) ?? this.#shared.get(key);
    if (!fact) return undefined;
    this.#once.delete(key);
    this.#shared.delete(key);
    this.#bytes -= bytesOf(key, fact);
    return fact;
  }

  get size(): number {
    return this.#once.size + this.#shared.size;
  }

  /** Bytes held, and facts dropped beyond the budget (a cap that cut something). */
  get usage(): { readonly bytes: number; readonly evicted: number } {
    return { bytes: this.#bytes, evicted: this.#evicted };
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
