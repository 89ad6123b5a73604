import { describe, expect, it } from 'vitest';
import { KeptFacts, type KeptFact } from '../../src/runner/kept-facts.ts';

// The probe cache's kept tier (src/runner/kept-facts.ts): recorded facts within a byte budget, least recently used
// first, one-domain facts before shared ones.

const fact = (owners: number, chars = 1000): KeptFact<null> => ({ json: 'x'.repeat(chars), owners, extra: null });
const BYTES = 1000 + 2 + 200; // the JSON's UTF-8 bytes, a one-character key (two bytes) and the overhead counted per entry

describe('KeptFacts', () => {
  it('drops the least recently kept beyond the budget, counts what it cut, and gives a fact back once', () => {
    const kept = new KeptFacts<null>(3 * BYTES);
    for (const key of ['a', 'b', 'c']) kept.put(key, fact(1));
    expect(kept.usage).toEqual({ bytes: 3 * BYTES, peakBytes: 3 * BYTES, evicted: 0 });
    kept.put('a', kept.take('a')!); // a is the most recent now
    kept.put('d', fact(1));
    expect(kept.take('b')).toBeUndefined();
    expect(kept.take('a')).toEqual(fact(1));
    expect(kept.take('a')).toBeUndefined();
    expect(kept.usage).toEqual({ bytes: 2 * BYTES, peakBytes: 3 * BYTES, evicted: 1 });
    expect(kept.size).toBe(2);
  });

  it('drops one-domain facts before shared ones, however recent', () => {
    const kept = new KeptFacts<null>(3 * BYTES);
    kept.put('s', fact(2)); // the oldest, but asked by two domains: an MX host they share
    for (const key of ['a', 'b', 'c', 'd']) kept.put(key, fact(1));
    expect(kept.take('s')).toEqual(fact(2));
    expect(['a', 'b', 'c', 'd'].map((key) => kept.take(key) !== undefined)).toEqual([false, false, true, true]);
  });

  it('drops shared facts, least recently kept first, once no one-domain fact is left', () => {
    const kept = new KeptFacts<null>(2 * BYTES);
    for (const key of ['s', 't', 'u']) kept.put(key, fact(2));
    expect([kept.take('s'), kept.take('t'), kept.take('u')].map((f) => f !== undefined)).toEqual([false, true, true]);
  });

  it('counts a fact by its UTF-8 bytes, and gives back the same text', () => {
    const kept = new KeptFacts<null>(10 * BYTES);
    const banner = `${'x'.repeat(999)}\u2603\u{1F512}`; // a snowman (3 bytes) and a padlock (4 bytes, two UTF-16 units) in a banner
    kept.put('a', { json: banner, owners: 1, extra: null });
    expect(kept.usage.bytes).toBe(999 + 3 + 4 + 2 + 200);
    expect(kept.take('a')!.json).toBe(banner);
  });

  it('holds the facts outside the JavaScript heap, at about their size', () => {
    const kept = new KeptFacts<null>(1024 * BYTES);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 200; i++) kept.put(`k${i}`, fact(1, 100)); // as strings they would not count here at all
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeGreaterThanOrEqual(200 * 100);
    expect(grown).toBeLessThan(200 * 1024);
  });

  it('does not keep a fact larger than the whole budget, rather than dropping everything else for it', () => {
    const kept = new KeptFacts<null>(3 * BYTES);
    kept.put('a', fact(2));
    kept.put('huge', fact(1, 4 * BYTES));
    expect(kept.take('huge')).toBeUndefined();
    expect(kept.take('a')).toBeDefined();
    expect(kept.usage.evicted).toBe(1);
  });
});
