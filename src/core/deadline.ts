import { ProbeError } from './errors.ts';

/** A signal that aborts when `parent` does or after `ms`; `dispose()` clears the timer and the listener. */
export type Deadline = { readonly signal: AbortSignal; dispose(): void };

/**
 * An owned controller and a cleared timer rather than `AbortSignal.any([parent, AbortSignal.timeout(ms)])`:
 * the latter was seen to hang under vitest on Node 20 and leaves timers pending (architecture guide B.8).
 */
export function deadline(parent: AbortSignal, ms: number, label: string): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProbeError('timeout', label, `no answer within ${ms} ms`)), ms);
  timer.unref?.();
  if (parent.aborted) controller.abort(parent.reason);
  const children = childrenOf(parent);
  children.add(controller);
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      children.delete(controller);
    },
  };
}

/**
 * The deadlines hanging off one parent signal, aborted together by a single listener. Thousands of checks and
 * probes are in flight under the run signal at once, and EventTarget.addEventListener scans the existing listeners
 * on every call: one listener per deadline made that quadratic (a third of the CPU at 2,000 in flight).
 */
const childSets = new WeakMap<AbortSignal, Set<AbortController>>();
function childrenOf(parent: AbortSignal): Set<AbortController> {
  let set = childSets.get(parent);
  if (!set) {
    const children = new Set<AbortController>();
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
    return await untilAborted(work(d.signal), d.signal);
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
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new ProbeError('timeout', 'deadline', 'aborted');
}
