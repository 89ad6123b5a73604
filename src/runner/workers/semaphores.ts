/**
 * Counting semaphores by key, granted in request order, with every grant owned by a holder (a worker thread) so that
 * a holder that dies gives its slots back. Keys with no holder and no waiter are forgotten: a run over 100,000
 * destinations keeps only the busy ones.
 */
export class KeyedSemaphores<Holder> {
  readonly #slots = new Map<string, { held: Holder[]; waiting: { holder: Holder; limit: number; grant: () => void }[] }>();
  /** The most slots ever held at once per key, for tests and the benchmark. */
  peak = 0;

  /** Calls `grant` once a slot of `key` is free (at most `limit` at once; the first requester's limit applies to all). */
  acquire(key: string, limit: number, holder: Holder, grant: () => void): void {
    let slot = this.#slots.get(key);
    if (!slot) this.#slots.set(key, (slot = { held: [], waiting: [] }));
    if (slot.held.length < limit && slot.waiting.length === 0) {
      slot.held.push(holder);
      this.peak = Math.max(this.peak, slot.held.length);
      grant();
    } else {
      slot.waiting.push({ holder, limit, grant });
    }
  }

  /** Gives back one slot of `key` held by `holder`; the next waiter, if any, gets it. */
  release(key: string, holder: Holder): void {
    const slot = this.#slots.get(key);
    if (!slot) return;
    const i = slot.held.indexOf(holder);
    if (i >= 0) slot.held.splice(i, 1);
    this.#wake(key);
  }

  /** Everything `holder` held or waited for is given up (its thread exited). */
  releaseAll(holder: Holder): void {
    for (const [key, slot] of this.#slots) {
      slot.held = slot.held.filter((h) => h !== holder);
      slot.waiting = slot.waiting.filter((w) => w.holder !== holder);
      this.#wake(key);
    }
  }

  get size(): number {
    return this.#slots.size;
  }

  #wake(key: string): void {
    const slot = this.#slots.get(key)!;
    while (slot.waiting.length > 0 && slot.held.length < slot.waiting[0]!.limit) {
      const next = slot.waiting.shift()!;
      slot.held.push(next.holder);
      this.peak = Math.max(this.peak, slot.held.length);
      next.grant();
    }
    if (slot.held.length === 0 && slot.waiting.length === 0) this.#slots.delete(key);
  }
}
