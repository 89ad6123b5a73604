import { describe, expect, it } from 'vitest';
import { ProbeCache } from '../../src/runner/cache.ts';

// The probe cache in bounded memory (issue 11), with fake loads: what a domain in flight asked is pinned, idle
// entries wait in a bounded LRU (shared ones apart from one-domain ones), and a pending entry is never evicted.

/** A load that counts its calls and settles when told. */
function loads() {
  const calls = new Map<string, number>();
  const settle = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  return {
    calls: (key: string) => calls.get(key) ?? 0,
    /** Settles at once with `value:<key>`. */
    now: (key: string) => () => { calls.set(key, (calls.get(key) ?? 0) + 1); return Promise.resolve(`value:${key}`); },
    /** Stays pending until `settle(key)`. */
    later: (key: string) => () => {
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return new Promise((resolve, reject) => settle.set(key, { resolve, reject }));
    },
    resolve: (key: string) => settle.get(key)!.resolve(`value:${key}`),
    reject: (key: string, error: unknown) => settle.get(key)!.reject(error),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ProbeCache', () => {
  it('shares one load between concurrent callers and keeps a failure for later callers', async () => {
    const cache = new ProbeCache();
    const l = loads();
    const a = cache.get('k', 'dns', l.later('k'));
    const b = cache.get('k', 'dns', l.later('k'));
    expect(a).toBe(b);
    l.reject('k', new Error('unreachable'));
    await expect(a).rejects.toThrow('unreachable');
    await expect(cache.get('k', 'dns', l.later('k'))).rejects.toThrow('unreachable');
    expect(l.calls('k')).toBe(1);
  });

  it('evicts the least recently used idle entry beyond its capacity, and a touched one survives', async () => {
    const cache = new ProbeCache({ idleCapacity: 2 });
    const l = loads();
    await cache.get('a', 'dns', l.now('a'));
    await cache.get('b', 'dns', l.now('b'));
    await cache.get('a', 'dns', l.now('a')); // a is now the most recent
    await cache.get('c', 'dns', l.now('c'));
    await tick();
    expect(cache.size).toBe(2);
    await cache.get('a', 'dns', l.now('a'));
    await cache.get('b', 'dns', l.now('b'));
    expect(l.calls('a')).toBe(1);
    expect(l.calls('b')).toBe(2); // evicted, loaded again
  });

  it('never evicts a pending entry, however many idle ones come after it', async () => {
    const cache = new ProbeCache({ idleCapacity: 1 });
    const l = loads();
    const pending = cache.get('slow', 'tls', l.later('slow'));
    for (const key of ['x', 'y', 'z']) await cache.get(key, 'dns', l.now(key));
    await tick();
    expect(cache.get('slow', 'tls', l.later('slow'))).toBe(pending);
    expect(l.calls('slow')).toBe(1);
    l.resolve('slow');
    await expect(pending).resolves.toBe('value:slow');
  });

  it('keeps a pinned entry until every domain that asked has released it', async () => {
    const cache = new ProbeCache({ idleCapacity: 1 });
    const l = loads();
    await cache.get('mx', 'smtp', l.now('mx'));
    cache.pin('mx'); // domain 1
    cache.pin('mx'); // domain 2
    for (const key of ['p', 'q', 'r']) await cache.get(key, 'dns', l.now(key));
    await tick();
    cache.release('mx');
    for (const key of ['s', 't']) await cache.get(key, 'dns', l.now(key));
    await tick();
    await cache.get('mx', 'smtp', l.now('mx'));
    expect(l.calls('mx')).toBe(1);
    cache.release('mx');
    expect(cache.idle).toEqual({ once: 1, shared: 1 });
    expect(() => cache.release('mx')).toThrow(/not pinned/);
  });

  it('a pinned entry that settles after its domains released it goes idle, not away', async () => {
    const cache = new ProbeCache({ idleCapacity: 4 });
    const l = loads();
    const answer = cache.get('k', 'tls', l.later('k'));
    cache.pin('k');
    cache.release('k');
    expect(cache.idle).toEqual({ once: 0, shared: 0 });
    l.resolve('k');
    await answer;
    await tick();
    expect(cache.idle).toEqual({ once: 1, shared: 0 });
    expect(cache.record('k')).toMatchObject({ fact: { key: 'k', kind: 'tls', value: 'value:k' }, artifact: 'value:k' });
  });

  it('one-domain entries never push out a fact two domains shared', async () => {
    const cache = new ProbeCache({ idleCapacity: 2 });
    const l = loads();
    await cache.get('shared', 'smtp', l.now('shared'));
    cache.pin('shared');
    cache.pin('shared');
    cache.release('shared');
    cache.release('shared');
    for (let i = 0; i < 50; i++) {
      await cache.get(`own${i}`, 'http', l.now(`own${i}`));
      cache.pin(`own${i}`);
      cache.release(`own${i}`);
    }
    await tick();
    expect(cache.size).toBe(3);
    await cache.get('shared', 'smtp', l.now('shared'));
    expect(l.calls('shared')).toBe(1);
  });

  it('records a value with its artifact and a failure without, each encoded once', async () => {
    const cache = new ProbeCache();
    await cache.get('v', 'http', () => Promise.resolve({ body: 'secret', status: 200 }), ({ status }) => ({ status }));
    await cache.get('e', 'dns', () => Promise.reject(new TypeError('bad'))).catch(() => undefined);
    await tick();
    const v = cache.record('v')!;
    expect(v).toEqual({ fact: { key: 'v', kind: 'http', value: { body: 'secret', status: 200 } }, artifact: { status: 200 } });
    expect(cache.record('v')!.fact).toBe(v.fact);
    expect(cache.record('e')).toEqual({ fact: { key: 'e', kind: 'dns', error: { name: 'TypeError', message: 'bad', reason: null } } });
    expect(cache.record('unknown')).toBeNull();
  });

  it('turns a load that throws synchronously into a cached rejection', async () => {
    const cache = new ProbeCache();
    const answer = cache.get('k', 'dns', () => { throw new Error('sync'); });
    await expect(answer).rejects.toThrow('sync');
  });
});
