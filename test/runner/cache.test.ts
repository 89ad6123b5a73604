import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { ProbeCache } from '../../src/runner/cache.ts';

// The probe cache in bounded memory (issue 11), with fake loads: what a domain in flight asked is pinned, idle
// entries wait in a bounded LRU (shared ones apart from one-domain ones), a pending entry is never evicted, and a
// run-lifetime entry falls from the LRU into the kept tier (recorded form, bounded by bytes) instead of away.

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
    expect(cache.idle).toEqual({ once: 1, shared: 1, kept: 0 });
    expect(() => cache.release('mx')).toThrow(/not pinned/);
  });

  it('a pinned entry that settles after its domains released it goes idle, not away', async () => {
    const cache = new ProbeCache({ idleCapacity: 4 });
    const l = loads();
    const answer = cache.get('k', 'tls', l.later('k'));
    cache.pin('k');
    cache.release('k');
    expect(cache.idle).toEqual({ once: 0, shared: 0, kept: 0 });
    l.resolve('k');
    await answer;
    await tick();
    expect(cache.idle).toEqual({ once: 1, shared: 0, kept: 0 });
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

/** One domain asking `key` and finishing: get, pin, release. */
async function askedByOneDomain(cache: ProbeCache, key: string, load: () => Promise<unknown>, lifetime: 'domain' | 'run' = 'domain') {
  const answer = cache.get(key, 'test', load, undefined, lifetime);
  cache.pin(key);
  await answer.catch(() => undefined);
  cache.release(key);
  return answer;
}

describe('ProbeCache: facts kept for the run', () => {
  it('keeps a run-lifetime key through thousands of one-domain keys, where a domain-lifetime one is loaded again', async () => {
    const cache = new ProbeCache({ idleCapacity: 8 });
    const l = loads();
    await askedByOneDomain(cache, 'smtp:mx', l.now('smtp:mx'), 'run');
    await askedByOneDomain(cache, 'dns:own', l.now('dns:own'));
    for (let i = 0; i < 5000; i++) await askedByOneDomain(cache, `http:own${i}`, l.now(`http:own${i}`));
    expect(cache.idle).toMatchObject({ once: 8, shared: 0, kept: 1 });
    await expect(askedByOneDomain(cache, 'smtp:mx', l.now('smtp:mx'), 'run')).resolves.toBe('value:smtp:mx');
    await askedByOneDomain(cache, 'dns:own', l.now('dns:own'));
    expect(l.calls('smtp:mx')).toBe(1);
    expect(l.calls('dns:own')).toBe(2);
    expect(cache.size).toBe(9); // the 8 idle ones plus the kept one, in bounded memory
  });

  it('rebuilds a kept value equal to the one loaded (bytes, undefined, NaN, dates, maps) and records the same fact', async () => {
    const cache = new ProbeCache({ idleCapacity: 1 });
    const value = { bytes: Buffer.from([0, 1, 254]), none: undefined, nan: NaN, at: new Date(1_700_000_000_000), names: new Map([['a', [1, 2]]]), big: 12n };
    const first = cache.get('smtp:mx', 'smtp', () => Promise.resolve(value), ({ bytes }) => ({ length: bytes.length }), 'run');
    cache.pin('smtp:mx');
    await first;
    const recorded = cache.record('smtp:mx');
    cache.release('smtp:mx');
    await askedByOneDomain(cache, 'other', () => Promise.resolve('x')); // pushes smtp:mx out of the idle tier
    expect(cache.idle).toMatchObject({ once: 1, kept: 1 });
    const again = cache.get('smtp:mx', 'smtp', () => Promise.reject(new Error('loaded again')), undefined, 'run');
    cache.pin('smtp:mx');
    const rebuilt = await again;
    expect(rebuilt).not.toBe(value);
    expect(rebuilt).toStrictEqual(value);
    expect(cache.record('smtp:mx')).toEqual(recorded);
    expect(cache.record('smtp:mx')?.artifact).toEqual({ length: 3 });
  });

  it('keeps an unreachable destination for the run: one dead MX costs one connect timeout, thrown again as the same error', async () => {
    const cache = new ProbeCache({ idleCapacity: 1 });
    const l = loads();
    const timeout = () => { l.now('smtp:dead')(); return Promise.reject(new ProbeError('timeout', 'mx.dead.test:25', 'connect timed out', { stage: 'connect' })); };
    await askedByOneDomain(cache, 'smtp:dead', timeout, 'run').catch(() => undefined);
    for (let i = 0; i < 20; i++) await askedByOneDomain(cache, `own${i}`, l.now(`own${i}`));
    expect(cache.idle.kept).toBe(1);
    const again = askedByOneDomain(cache, 'smtp:dead', timeout, 'run');
    await expect(again).rejects.toBeInstanceOf(ProbeError);
    await expect(again).rejects.toMatchObject({ reason: 'timeout', stage: 'connect', message: 'mx.dead.test:25: connect timed out' });
    expect(l.calls('smtp:dead')).toBe(1);
  });

  it('does not keep a failure in the conversation (a 421, greylisting): a later domain asks again', async () => {
    const cache = new ProbeCache({ idleCapacity: 1 });
    const l = loads();
    const busy = () => { l.now('smtp:busy')(); return Promise.reject(new ProbeError('refused', 'mx.busy.test:25', '421 too many connections', { stage: 'exchange' })); };
    await askedByOneDomain(cache, 'smtp:busy', busy, 'run').catch(() => undefined);
    for (let i = 0; i < 20; i++) await askedByOneDomain(cache, `own${i}`, l.now(`own${i}`));
    expect(cache.idle.kept).toBe(0);
    await askedByOneDomain(cache, 'smtp:busy', busy, 'run').catch(() => undefined);
    expect(l.calls('smtp:busy')).toBe(2);
  });

  it('bounds the kept tier by bytes: the least recently used goes first, and the cut is counted', async () => {
    const big = (key: string) => () => Promise.resolve(key.padEnd(1000, '.'));
    const cache = new ProbeCache({ idleCapacity: 1, keptBytes: 3800 }); // three 1 KB facts and their keys, not four
    const l = loads();
    const ask = (key: string) => askedByOneDomain(cache, key, () => { l.now(key)(); return big(key)(); }, 'run');
    for (const key of ['a', 'b', 'c', 'd']) await ask(key);
    expect(cache.idle).toMatchObject({ once: 1, kept: 3 }); // d idle, a b c kept
    await ask('a'); // rebuilt and asked by a second domain: the most recent (d falls into the kept tier)
    expect(cache.kept.evicted).toBe(0);
    await ask('e');
    await ask('f'); // e falls in too: four facts, and b, the least recently used, goes
    expect(cache.kept.evicted).toBe(1);
    expect(cache.kept.bytes).toBeLessThanOrEqual(3800);
    for (const key of ['c', 'a']) await ask(key);
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((key) => l.calls(key))).toEqual([1, 1, 1, 1, 1, 1]);
    await ask('b');
    expect(l.calls('b')).toBe(2);
  });

  it('never moves a pending run-lifetime entry, and keeps it once it settles after its domain finished', async () => {
    const cache = new ProbeCache({ idleCapacity: 1 });
    const l = loads();
    const pending = cache.get('smtp:slow', 'smtp', l.later('smtp:slow'), undefined, 'run');
    cache.pin('smtp:slow');
    cache.release('smtp:slow');
    for (let i = 0; i < 10; i++) await askedByOneDomain(cache, `own${i}`, l.now(`own${i}`));
    expect(cache.get('smtp:slow', 'smtp', l.later('smtp:slow'))).toBe(pending);
    expect(cache.idle.kept).toBe(0);
    l.resolve('smtp:slow');
    await pending;
    await tick();
    await askedByOneDomain(cache, 'own-last', l.now('own-last'));
    expect(cache.idle.kept).toBe(1);
    await expect(cache.get('smtp:slow', 'smtp', l.later('smtp:slow'))).resolves.toBe('value:smtp:slow');
    expect(l.calls('smtp:slow')).toBe(1);
  });

  it('keep() and recall(): an entry other keys are answered from is kept for the run, and recall counts it shared', async () => {
    const cache = new ProbeCache({ idleCapacity: 1 });
    const l = loads();
    const measuring = cache.get('tls-enumeration:a', 'tlsEnumeration', l.later('tls-enumeration:a'));
    cache.keep('tls-enumeration:a'); // while in flight, as the sharing does for the name it measures through
    cache.pin('tls-enumeration:a');
    l.resolve('tls-enumeration:a');
    await measuring;
    cache.release('tls-enumeration:a');
    for (let i = 0; i < 10; i++) await askedByOneDomain(cache, `own${i}`, l.now(`own${i}`));
    expect(cache.idle).toMatchObject({ once: 1, shared: 0, kept: 1 });
    await expect(cache.recall('tls-enumeration:a')).resolves.toBe('value:tls-enumeration:a');
    expect(cache.idle).toMatchObject({ once: 0, shared: 1, kept: 0 }); // asked by a's domain and one sharer
    expect(l.calls('tls-enumeration:a')).toBe(1);
    expect(cache.recall('never-asked')).toBeNull();
    await askedByOneDomain(cache, 'tls-enumeration:b', l.now('tls-enumeration:b'));
    for (let i = 10; i < 20; i++) await askedByOneDomain(cache, `own${i}`, l.now(`own${i}`));
    expect(cache.recall('tls-enumeration:b')).toBeNull(); // never kept: dropped with the one-domain entries
  });
});
