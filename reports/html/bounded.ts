/**
 * Bounded collections for the page's overviews: the first pass over the domains keeps only these, so the page's
 * memory does not grow with the estate while its overviews still count everything.
 */

/**
 * The `limit` smallest items by `compare` (ties: the earlier first), and how many were offered. Items are buffered
 * and cut back to `limit` whenever the buffer doubles: O(n log limit) time over n items, at most 2 x limit held.
 */
export class Smallest<T> {
  private held: { readonly item: T; readonly seq: number }[] = [];
  private offered = 0;
  private readonly limit: number;
  private readonly compare: (a: T, b: T) => number;

  constructor(limit: number, compare: (a: T, b: T) => number) {
    this.limit = limit;
    this.compare = compare;
  }

  add(item: T): void {
    this.held.push({ item, seq: this.offered++ });
    if (this.held.length >= 2 * this.limit) this.cut();
  }

  get total(): number {
    return this.offered;
  }

  /** The kept items, smallest first. */
  items(): T[] {
    this.cut();
    return this.held.map((h) => h.item);
  }

  private cut(): void {
    this.held.sort((a, b) => this.compare(a.item, b.item) || a.seq - b.seq);
    this.held.length = Math.min(this.held.length, this.limit);
  }
}

/** The first `limit` names offered, and how many there were in all. */
export class FirstNames {
  readonly names: string[] = [];
  total = 0;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  add(name: string): void {
    if (this.total++ < this.limit) this.names.push(name);
  }

  /** How many were offered but not kept. */
  get more(): number {
    return this.total - this.names.length;
  }
}

/** A count per key, starting at zero for each of `keys`. */
export function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}
