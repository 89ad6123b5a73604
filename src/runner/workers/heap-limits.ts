import type { ResourceLimits } from 'node:worker_threads';

/**
 * V8 heap limits for a scan's worker threads (issue 11's memory budget; measured in docs/benchmark.md, "most of the
 * RSS is V8's room to grow").
 *
 * They are not caps on what a worker may keep: its live heap stays under ~100 MB at the default window (heap samples
 * after each major collection) and ~190 MB at 100,000 domains when the bounded stores are full. They set how much
 * room V8 leaves itself. V8 lets the old generation grow to a multiple of the live heap before it collects, and that
 * multiple depends on the heap limit: 4x at the ~4 GB default of a large machine, about 2.3x at 1 GB (V8's
 * MemoryController interpolates its growing factor between a 256 MB and a 2 GB limit). Measured at 2,000 domains in
 * one thread, a 1 GB old generation and 32 MB semi-spaces took peak RSS from 480-500 to 364-375 MB for +4% CPU; a
 * 1 GB limit alone cost +18% (more scavenges promoted to the smaller old space), hence the larger young generation.
 *
 * A worker that still reaches its limit (a window far beyond the allowance, a plugin that leaks) dies with
 * ERR_WORKER_OUT_OF_MEMORY: its domains come back incomplete with that cause and a resume scans them again
 * (src/runner/workers/pool.ts); the process and the other workers go on.
 */

/** The old generation's base: room for the bounded stores (kept facts, the fact exchange's share) at their caps. */
export const OLD_GENERATION_BASE_MB = 1024;
/**
 * Per domain this worker has in flight: a domain's facts with every HTTP body at its cap stay under ~2 MB; twice that
 * for the garbage a domain leaves between collections. A wide window (`--concurrency 2000`) gets the room it needs.
 */
export const OLD_GENERATION_PER_DOMAIN_MB = 4;
/**
 * The young generation: V8 sizes it as three semi-spaces (two for copying, one for new large objects), so 96 MB is
 * the 32 MB semi-space measured above (`--max-semi-space-size=32`) instead of V8's 16 MB.
 */
export const YOUNG_GENERATION_MB = 96;

/** The heap limits of each of `workers` worker threads sharing a window of `window` domains in flight. */
export function workerHeapLimits(window: number, workers: number): ResourceLimits {
  const perWorker = Math.ceil(Math.max(1, window) / Math.max(1, workers));
  return {
    maxOldGenerationSizeMb: OLD_GENERATION_BASE_MB + perWorker * OLD_GENERATION_PER_DOMAIN_MB,
    maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
  };
}
