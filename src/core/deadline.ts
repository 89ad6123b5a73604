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
  return new LazyDeadline(parent, ms, label);
}

/**
 * The AbortController is made on the first read of `signal`, and `race` rejects through a plain callback rather
 * than an 'abort' listener: the runner gives every check a deadline but checks rarely read their signal, and an
 * AbortSignal plus an add/removeEventListener pair per check was ~3% of a bench scan's CPU. A signal made after the
 * deadline expired is made aborted, with the same reason, so readers cannot tell the difference.
 */
class LazyDeadline implements Deadline {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #onAbort: ((reason: unknown) => void) | undefined;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #siblings: Set<Abortable>;

  constructor(parent: AbortSignal, ms: number, label: string) {
    this.#timer = setTimeout(() => this.abort(new ProbeError('timeout', label, `no answer within ${ms} ms`)), ms);
    this.#timer.unref?.();
    if (parent.aborted) this.abort(parent.reason);
    this.#siblings = childrenOf(parent);
    this.#siblings.add(this);
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
