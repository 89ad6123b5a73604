import type { Redis } from 'ioredis';
import type { SlotChannels } from './run-keys.ts';

/**
 * Wakes this process's waiters for a fleet connection slot when Redis announces that one came free (issue 12).
 *
 * src/queue/fair-slots.ts publishes a destination's key on the run's channel whenever a slot of it is given back or
 * a lapsed lease is cleared while someone waits. One subscriber connection per process and run (a connection in
 * subscriber mode can do nothing else, so it is a duplicate of the fleet's, with the same password and TLS) hears it,
 * and every waiter of that key here asks again at once; only the first in the FIFO queue gets the slot.
 *
 * A wake-up can be missed (the subscriber was reconnecting, or a lease lapsed and nobody asked since): a waiter
 * still asks again after `fallbackMs` without one. A waiter arms its wake-up before it asks, so a slot freed while
 * its request is on the way wakes it too, instead of waiting for the fallback.
 *
 * The same subscriber hears the run's `wanted` channel (a request somewhere queued for a full destination) and tells
 * `onWanted`, so that this process gives back a slot of that destination it keeps idle. A missed one costs the
 * waiter its fallback pause: its next refused attempt is announced again.
 */
export type SlotWakeups = {
  /** A promise that settles when `key` is announced, or after `ms`; `cancel` forgets it (the waiter got its slot). */
  arm(key: string, ms: number): { readonly woken: Promise<void>; cancel(): void };
  /** Resolves once subscribed (or at once if subscribing failed: the waiters then fall back to polling). */
  ready(): Promise<void>;
  /** How many freed slots were announced to this process, how many woke a waiter, and how many requests queued. */
  stats(): { readonly heard: number; readonly woke: number; readonly wanted: number };
  close(): void;
};

export function slotWakeups(redis: Redis, channels: SlotChannels, onWanted: (key: string) => void = () => {}): SlotWakeups {
  const waiters = new Map<string, Set<() => void>>();
  let heard = 0, woke = 0, wanted = 0;
  let subscriber: Redis | undefined;
  let subscribed: Promise<void> | undefined;

  const subscribe = (): Promise<void> => {
    if (subscribed) return subscribed;
    subscriber = redis.duplicate();
    subscriber.on('error', () => {}); // ioredis reconnects and subscribes again (autoResubscribe); waiters poll meanwhile
    subscriber.on('message', (channel: string, key: string) => {
      if (channel === channels.wanted) { wanted++; onWanted(key); return; }
      heard++;
      const set = waiters.get(key);
      if (!set) return;
      waiters.delete(key);
      for (const wake of set) { woke++; wake(); }
    });
    subscribed = subscriber.subscribe(channels.free, channels.wanted).then(() => {}, () => {});
    return subscribed;
  };

  return {
    arm(key, ms) {
      void subscribe();
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => { wake = resolve; });
      const timer = setTimeout(wake, Math.max(0, ms));
      const set = waiters.get(key) ?? new Set();
      waiters.set(key, set);
      const entry = () => { clearTimeout(timer); wake(); };
      set.add(entry);
      const forget = () => {
        clearTimeout(timer);
        set.delete(entry);
        if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
      };
      void woken.then(forget);
      return { woken, cancel: () => { forget(); wake(); } };
    },
    ready: subscribe,
    stats: () => ({ heard, woke, wanted }),
    close: () => {
      for (const set of waiters.values()) for (const wake of set) wake();
      waiters.clear();
      const s = subscriber;
      subscriber = undefined;
      s?.disconnect(); // a subscriber has nothing to finish; QUIT would wait for a Redis that may be away
    },
  };
}
