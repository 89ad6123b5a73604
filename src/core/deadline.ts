import { ProbeError } from './errors.ts';

/** A signal that aborts when `parent` does or after `ms`; `dispose()` clears the timer and the listener. */
export type Deadline = { readonly signal: AbortSignal; dispose(): void };

/**
 * An owned controller and a cleared timer rather than `AbortSignal.any([parent, AbortSignal.timeout(ms)])`:
 * the latter was seen to hang under vitest on Node 20 and leaves timers pending (architecture guide B.8).
 */
export function deadline(parent: AbortSignal, ms: number, label: string): Deadline {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  const timer = setTimeout(() => controller.abort(new ProbeError('timeout', label, `no answer within ${ms} ms`)), ms);
  timer.unref?.();
  if (parent.aborted) onParentAbort();
  else parent.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}

/** Runs `work` under a deadline and always disposes it. */
export async function withDeadline<T>(parent: AbortSignal, ms: number, label: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const d = deadline(parent, ms, label);
  try {
    return await untilAborted(work(d.signal), d.signal);
  } finally {
    d.dispose();
  }
}

/** Resolves like `work`, or rejects with the signal's reason as soon as it aborts (the work itself is not stopped). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
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
