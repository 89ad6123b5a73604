import { describe, expect, it } from 'vitest';
import { OLD_GENERATION_BASE_MB, OLD_GENERATION_PER_DOMAIN_MB, workerHeapLimits } from '../../src/runner/workers/heap-limits.ts';

describe('workerHeapLimits (issue 11: V8 room to grow sized for a worker share of the window)', () => {
  const old = (domains: number) => OLD_GENERATION_BASE_MB + domains * OLD_GENERATION_PER_DOMAIN_MB;
  it.each([
    // window, workers, domains per worker
    [32, 2, 16], // the defaults on a 2-core machine
    [32, 1, 32],
    [33, 2, 17], // a share rounds up: no worker gets less room than the domains it may hold
    [32, 64, 1],
    [2000, 2, 1000], // a wide window gets the room it needs
    [0, 0, 1], // nonsense in, the smallest limit out (never NaN, never 0, which V8 reads as "its default")
  ])('window %i, %i workers: %i domains per worker', (window, workers, domains) => {
    const limits = workerHeapLimits(window, workers);
    expect(limits.maxOldGenerationSizeMb).toBe(old(domains));
    expect(limits.maxYoungGenerationSizeMb).toBe(96);
  });
  it('stays well under V8 default on a large machine at the default window, where the growing factor is smaller', () => {
    expect(workerHeapLimits(32, 2).maxOldGenerationSizeMb).toBeLessThan(1536);
  });
});
