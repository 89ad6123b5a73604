/**
 * Politeness (issue 11): how many connections one destination gets at a time. `pool` says whose rule applies (web
 * servers: `concurrency.connectionsPerHost` per address and dial port; MX hosts: `mxConnectionsPerAddress` per
 * address and port; OCSP responders: one per host), `key` names the destination, `work` runs while it holds a slot.
 * Pluggable so that worker threads can share one fleet-wide limit; `work` must never ask the same key's slot again
 * (it would wait for itself).
 */
export type ConnectionLimits = <T>(pool: LimitPool, key: string, concurrency: number, work: () => Promise<T>) => Promise<T>;

export type LimitPool = 'web' | 'mx' | 'responder';

type Slots = { active: number; readonly waiting: (() => void)[]; head: number };

/**
 * This process's limits: a FIFO semaphore per pool and key, dropped as soon as it is idle, so a scan of 100,000
 * addresses holds only the destinations with work in flight or waiting.
 */
export function inProcessLimits(): ConnectionLimits {
  const slotsByKey = new Map<string, Slots>();
  return async (pool, key, concurrency, work) => {
    const id = `${pool} ${key}`;
    let slots = slotsByKey.get(id);
    if (!slots) slotsByKey.set(id, (slots = { active: 0, waiting: [], head: 0 }));
    // A freed slot passes straight to the next waiter (active stays counted), so no newcomer can overtake it.
    if (slots.active < concurrency) slots.active++;
    else await new Promise<void>((resolve) => slots.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = dequeue(slots);
      if (next) next();
      else if (--slots.active === 0) slotsByKey.delete(id);
    }
  };
}

/** Array.shift is linear; thousands may wait on one address, so the queue keeps a head index and compacts. */
function dequeue(slots: Slots): (() => void) | undefined {
  if (slots.head >= slots.waiting.length) {
    slots.waiting.length = 0;
    slots.head = 0;
    return undefined;
  }
  const next = slots.waiting[slots.head++];
  if (slots.head > 1024 && slots.head * 2 > slots.waiting.length) {
    slots.waiting.splice(0, slots.head);
    slots.head = 0;
  }
  return next;
}

/** The key of a destination: `address:port`, an IPv6 address in brackets (so its colons cannot run into the port). */
export function destinationKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
