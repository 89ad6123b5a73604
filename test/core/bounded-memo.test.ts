import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../../src/core/bounded-memo.ts';

describe('boundedMemo', () => {
  it('computes each key once while it is among the most recently used, and drops the least recently used', () => {
    const computed: string[] = [];
    const upper = boundedMemo(2, (key: string) => { computed.push(key); return key.toUpperCase(); });
    expect([upper('a'), upper('b'), upper('a')]).toEqual(['A', 'B', 'A']);
    upper('c'); // drops b, the least recently used (a was used after it), not a, the oldest insert
    upper('a');
    upper('b');
    expect(computed).toEqual(['a', 'b', 'c', 'b']);
  });

  it('a hot key asked between many others stays (an MX certificate asked by every domain using it)', () => {
    let computations = 0;
    const memo = boundedMemo(4, (key: number) => { computations++; return key * 2; });
    for (let i = 0; i < 1000; i++) {
      memo(-1);
      memo(i);
    }
    expect(computations).toBe(1001); // -1 once, each other key once
  });

  it('keeps no failure: a compute that throws is asked again', () => {
    let calls = 0;
    const flaky = boundedMemo(8, (key: string) => { calls++; if (calls === 1) throw new Error(`bad ${key}`); return key; });
    expect(() => flaky('x')).toThrow('bad x');
    expect(flaky('x')).toBe('x');
    expect(calls).toBe(2);
  });
});
