import { ProbeError } from './errors.ts';

/**
 * A signal that aborts when `parent` does or after `ms`; `dispose()` clears the timer and the listener.
 * `race(work)` resolves like `work` or rejects with the abort reason, as `untilAborted(work, signal)` would.
 */
export type Deadline = { readonly signal: AbortSignal; race<T>(work: Promise<T>): Promise<T>; dispose(): void };

/**
 * An owned controller and a cleared timer rather than `AbortSignal.any([parent, AbortSignal.timeout(ms)])`:
 * the latter was seen to hang under vitest on Node 20 and leaves timers pending (architecture guide B.8).
 */
export function deadline(parent: AbortSignal, ms: number, label: string): Deadline {
  return new LazyDeadline(parent, ms, label, undefined);
}

/**
 * A check's deadline: `ms` of the check's own time, not counting the time it waits for probe answers (`waitFor`),
 * and at most `capMs` in all. A probe answer has deadlines of its own, which start once its connection slot is free:
 * its wait in the line for a politeness slot (one SMTP connection at a time to an MX address that dozens of domains
 * in flight use) or for a fact another check is loading is the run's queue, not the check's slowness, and a busy
 * machine made that queue longer than a whole check's budget: tens of thousands of `error/timeout` results on a
 * loaded 2-core machine (docs/benchmark.md). The cap still ends a check whose probe never answers.
 */
export type CheckDeadline = Deadline & {
  /** Counts `answer` as a wait while it is pending (several at once count once). */
  waitFor(answer: Promise<unknown>): void;
};

export function checkDeadline(parent: AbortSignal, ms: number, capMs: number, label: string): CheckDeadline {
  return new LazyDeadline(parent, ms, label, capMs);
}

/**
 * The AbortController is made on the first read of `signal`, and `race` rejects through a plain callback rather
 * than an 'abort' listener: the runner gives every check a deadline but checks rarely read their signal, and an
 * AbortSignal plus an add/removeEventListener pair per check was ~3% of a bench scan's CPU. A signal made after the
 * deadline expired is made aborted, with the same reason, so readers cannot tell the difference.
 */
class LazyDeadline implements CheckDeadline {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #onAbort: ((reason: unknown) => void) | undefined;
  #timer: ReturnType<typeof setTimeout>;
  readonly #siblings: Set<Abortable>;
  readonly #ms: number;
  readonly #label: string;
  /** Undefined: every millisecond counts (a probe's deadline). Else the check's cap, waits included. */
  readonly #capMs: number | undefined;
  readonly #started = performance.now();
  #waiting = 0;
  #waitingSince = 0;
  #waitedMs = 0;

  constructor(parent: AbortSignal, ms: number, label: string, capMs: number | undefined) {
    this.#ms = ms;
    this.#label = label;
    this.#capMs = capMs;
    this.#timer = this.#arm(ms);
    if (parent.aborted) this.abort(parent.reason);
    this.#siblings = childrenOf(parent);
    this.#siblings.add(this);
  }

  #arm(ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => this.#expire(), ms);
    timer.unref?.();
    return timer;
  }

  /**
   * The timer fires when the budget would be spent had nothing been waited for; waits found then push it on by
   * what is left (one timer per check, re-armed only when it fires, rather than one per wait).
   */
  #expire(): void {
    if (this.#capMs === undefined) {
      this.abort(new ProbeError('timeout', this.#label, `no answer within ${this.#ms} ms`));
      return;
    }
    const now = performance.now();
    const elapsed = now - this.#started;
    const waited = this.#waitedMs + (this.#waiting > 0 ? now - this.#waitingSince : 0);
    const own = elapsed - waited;
    const waitedNote = waited >= 1000 ? ` (and ${Math.round(waited / 1000)} s waiting for probe answers, not counted)` : '';
    if (own >= this.#ms - 1) this.abort(new ProbeError('timeout', this.#label, `no answer within ${this.#ms} ms${waitedNote}`));
    else if (elapsed >= this.#capMs - 1) {
      this.abort(new ProbeError('timeout', this.#label, `no answer within ${this.#capMs} ms, ${Math.round(waited / 1000)} s of them waiting for probe answers`));
    } else this.#timer = this.#arm(Math.min(this.#ms - own, this.#capMs - elapsed));
  }

  waitFor(answer: Promise<unknown>): void {
    if (this.#capMs === undefined || this.#aborted) return;
    if (this.#waiting++ === 0) this.#waitingSince = performance.now();
    const done = () => {
      if (--this.#waiting === 0) this.#waitedMs += performance.now() - this.#waitingSince;
    };
    answer.then(done, done);
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** First reason wins, as with AbortController. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#onAbort?.(reason);
  }

  race<T>(work: Promise<T>): Promise<T> {
    if (this.#aborted) {
      work.catch(() => undefined); // nobody waits for it any more; its failure must not become an unhandled rejection
      return Promise.reject(asError(this.#reason));
    }
    return new Promise<T>((resolve, reject) => {
      const earlier = this.#onAbort; // a second race on the same deadline rejects too
      this.#onAbort = (reason) => { earlier?.(reason); reject(asError(reason)); };
      work.then(resolve, reject);
    });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#siblings.delete(this);
    this.#onAbort = undefined;
  }
}

type Abortable = { abort(reason: unknown): void };

/**
 * The deadlines hanging off one parent signal, aborted together by a single listener. Thousands of checks and
 * probes are in flight under the run signal at once, and EventTarget.addEventListener scans the existing listeners
 * on every call: one listener per deadline made that quadratic (a third of the CPU at 2,000 in flight).
 */
const childSets = new WeakMap<AbortSignal, Set<Abortable>>();
function childrenOf(parent: AbortSignal): Set<Abortable> {
  let set = childSets.get(parent);
  if (!set) {
    const children = new Set<Abortable>();
    set = children;
    childSets.set(parent, children);
    parent.addEventListener('abort', () => { for (const child of children) child.abort(parent.reason); children.clear(); }, { once: true });
  }
  return set;
}

/** Runs `work` under a deadline and always disposes it. */
export async function withDeadline<T>(parent: AbortSignal, ms: number, label: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const d = deadline(parent, ms, label);
  try {
    if (d.signal.aborted) throw abortReason(d.signal); // the run was stopped: do not start new network work
    return await d.race(work(d.signal));
  } finally {
    d.dispose();
  }
}

/** Resolves like `work`, or rejects with the signal's reason as soon as it aborts (the work itself is not stopped). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined); // nobody waits for it any more; its failure must not become an unhandled rejection
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err); },
    );
  });
}

/** The abort reason as a ProbeError when it is one, else a timeout ProbeError. */
export function abortReason(signal: AbortSignal): Error {
  return asError(signal.reason);
}

function asError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  return new ProbeError('timeout', 'deadline', 'aborted');
}
