import type { ReportDomain, ReportStream } from '../../reports/types.ts';

/**
 * One pass over a report's domains feeding several consumers (the writers of every requested format), so a
 * 100,000-domain journal is read once, not once per format (a writer's own further passes read it again). Lock-step: each consumer's stream holds at most one
 * domain it has not taken yet, so a slow writer paces the read instead of letting domains pile up in memory.
 */
export async function fanOut(report: ReportStream, consumers: readonly ((stream: ReportStream) => Promise<void>)[]): Promise<void> {
  const channels = consumers.map(() => new Handoff<ReportDomain>());
  const runs = consumers.map((consume, i) => {
    // The first pass a consumer makes is the shared one; a writer that needs more (HTML, Prometheus: a section per
    // pass) reads the report again on its own for each further pass.
    let passes = 0;
    return consume({
      ...report,
      domains: () => (passes++ === 0 ? channels[i]!.drain() : report.domains()),
    }).finally(() => channels[i]!.abandon());
  });
  const feed = (async () => {
    try {
      for await (const domain of report.domains()) await Promise.all(channels.map((c) => c.put(domain)));
    } catch (err) {
      // A journal that cannot be read mid-way: every consumer fails too, so no writer seals what it got so far as
      // if it were the whole report.
      for (const c of channels) c.fail(err);
      throw err;
    } finally {
      for (const c of channels) c.end();
    }
  })();
  // Every consumer settles before this returns (or throws the first failure): none is left writing a file, or
  // reading the journal after its owner closed it.
  const settled = await Promise.allSettled([feed, ...runs]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

/** A one-slot hand-over between one producer and one consumer (also how the live report feeds the change summary). */
export class Handoff<T> {
  #slot: { value: T } | null = null;
  #ended = false;
  #failure: { error: unknown } | null = null;
  #abandoned = false;
  #taken: (() => void) | null = null;
  #filled: (() => void) | null = null;

  /** Resolves once the consumer has taken `value` (or has stopped reading). */
  put(value: T): Promise<void> {
    if (this.#abandoned) return Promise.resolve();
    this.#slot = { value };
    this.#filled?.();
    return new Promise<void>((resolve) => { this.#taken = resolve; });
  }

  end(): void {
    this.#ended = true;
    this.#filled?.();
  }

  /** The producer failed: the consumer's next read throws its error. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#filled?.();
  }

  /** The consumer finished (or failed) without reading everything: the producer must not wait for it. */
  abandon(): void {
    this.#abandoned = true;
    this.#taken?.();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (!this.#slot && !this.#ended && !this.#failure) await new Promise<void>((resolve) => { this.#filled = resolve; });
      this.#filled = null;
      if (this.#failure) throw this.#failure.error;
      if (this.#slot) {
        const { value } = this.#slot;
        this.#slot = null;
        const taken = this.#taken;
        this.#taken = null;
        taken?.();
        yield value;
      } else if (this.#ended) {
        return;
      }
    }
  }
}
