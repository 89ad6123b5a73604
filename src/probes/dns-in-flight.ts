import { abortReason } from '../core/deadline.ts';

/**
 * At most `limit` questions of one resolver on the wire at a time; the rest wait in arrival order. Without it a window
 * of 500 domains sent ~5,000 questions at once and their answers overflowed the UDP receive buffer while the event
 * loop was busy (issue 11: tens of thousands of "no answer" errors in a 1,000-domain bench scan).
 */
export type InFlightLimit = {
  /**
   * Runs `work` once a slot is free and frees it when `work` settles. Rejects with the signal's reason as soon as it
   * aborts while waiting (the question then never reaches the wire), and with `closed`'s error after `close`.
   */
  run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T>;
  /** Rejects every waiting `run` with `error`, and every later one. Work already running finishes on its own. */
  close(error: Error): void;
  /** Questions on the wire, and waiting: for tests and logs. */
  readonly active: number;
  readonly waiting: number;
};

type Waiter = { grant(): void; fail(error: Error): void; done: boolean; readonly signal: AbortSignal; readonly queuedAt: number };

export type InFlightOptions = {
  /**
   * A question that waited longer than this is failed with `stale(waitedMs)` when its turn comes, never sent: its
   * asker has long given up (a check's own deadline), and sending it would only keep later questions waiting.
   */
  readonly maxWaitMs?: number;
  readonly stale?: (waitedMs: number) => Error;
};

/** Array.shift is linear and thousands may wait: the queue keeps a head index and drops its spent prefix now and then. */
const COMPACT_AFTER = 1024;

export function inFlightLimit(limit: number, options: InFlightOptions = {}): InFlightLimit {
  const maxWaitMs = options.maxWaitMs ?? Infinity;
  const stale = options.stale ?? ((waited: number) => new Error(`waited ${waited} ms for a free slot`));
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`inFlightLimit: ${limit} is not a positive integer`);
  const queue: (Waiter | undefined)[] = [];
  let head = 0;
  let active = 0;
  let waiting = 0;
  let closedWith: Error | undefined;

  /** A freed slot passes straight to the oldest live waiter (active stays counted), so no newcomer overtakes it. */
  const passOn = (): void => {
    while (head < queue.length) {
      const next = queue[head];
      queue[head++] = undefined;
      if (head >= COMPACT_AFTER && head * 2 >= queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      if (!next || next.done) continue;
      const waited = Date.now() - next.queuedAt;
      if (waited > maxWaitMs) next.fail(stale(waited));
      else return next.grant();
    }
    queue.length = 0;
    head = 0;
    active--;
  };

  /**
   * Waiters by the signal they wait under, with ONE abort listener per signal: every query of a run waits under the
   * run's signal, and addEventListener scans the listeners already there (src/core/deadline.ts), so a listener per
   * waiter made thousands of waiting questions quadratic.
   */
  const bySignal = new Map<AbortSignal, { readonly waiters: Set<Waiter>; readonly onAbort: () => void }>();
  const forget = (waiter: Waiter) => {
    const group = bySignal.get(waiter.signal);
    if (!group) return;
    group.waiters.delete(waiter);
    if (group.waiters.size === 0) {
      waiter.signal.removeEventListener('abort', group.onAbort);
      bySignal.delete(waiter.signal);
    }
  };

  const waitTurn = (signal: AbortSignal): Promise<void> => new Promise<void>((resolve, reject) => {
    const settle = (outcome: () => void) => {
      waiter.done = true;
      waiting--;
      forget(waiter);
      outcome();
    };
    // An aborted waiter stays in the queue, marked done, until passOn steps over it: each entry is visited once.
    const waiter: Waiter = {
      done: false, signal, queuedAt: Date.now(),
      grant: () => settle(resolve),
      fail: (error) => settle(() => reject(error)),
    };
    let group = bySignal.get(signal);
    if (!group) {
      const waiters = new Set<Waiter>();
      const onAbort = () => { for (const w of [...waiters]) w.fail(abortReason(signal)); };
      bySignal.set(signal, (group = { waiters, onAbort }));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    group.waiters.add(waiter);
    queue.push(waiter);
    waiting++;
  });

  return {
    async run(signal, work) {
      if (closedWith) throw closedWith;
      if (signal.aborted) throw abortReason(signal);
      if (active < limit) active++;
      else await waitTurn(signal);
      try {
        // The slot may come in the same turn as an abort or a close: nothing is sent for a question nobody awaits.
        if (signal.aborted) throw abortReason(signal);
        if (closedWith) throw closedWith;
        return await work();
      } finally {
        passOn();
      }
    },
    close(error) {
      closedWith = error;
      for (let i = head; i < queue.length; i++) {
        const waiter = queue[i];
        if (waiter && !waiter.done) waiter.fail(error);
      }
    },
    get active() { return active; },
    get waiting() { return waiting; },
  };
}
