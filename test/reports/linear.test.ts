import { describe, expect, it } from 'vitest';
import { loadWriter, REPORT_FORMATS } from '../../reports/index.ts';
import { syntheticStream } from './synthetic.ts';

const CHECKS = 4;
const SMALL = 600;
const LARGE = 10 * SMALL;

/** This process's CPU time (user and system, all its threads) in ms: unlike wall time, other processes on a busy machine do not add to it. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * The least CPU time of `runs` writes: what is left of a run's cost after the disturbances a busy machine adds even
 * to CPU time (caches flushed by other processes, a garbage collection that happened to fall in one run).
 */
async function leastCpuMs(format: string, domains: number, runs: number): Promise<{ ms: number; bytes: number }> {
  const writer = (await loadWriter(format))!;
  let least = Infinity;
  let bytes = 0;
  for (let run = 0; run < runs; run++) {
    bytes = 0;
    const stream = syntheticStream(domains, CHECKS);
    const started = cpuMs();
    await writer.write(stream, (chunk) => { bytes += chunk.length; });
    least = Math.min(least, cpuMs() - started);
  }
  return { ms: least, bytes };
}

/**
 * Every writer is linear in the number of results: ten times the domains take about ten times the CPU time, never the
 * hundred times a writer that searches all results per domain (as the schema-1 text, HTML and JUnit writers did)
 * would need. The bound, 30x, sits near the geometric middle of linear (10x) and quadratic (100x): measured here,
 * linear writers take 8.6x to 10.3x, and a writer wrapped to search all results seen so far for each domain's own
 * took over 500x. CPU time, not wall time: on a loaded 2-core machine the wall-time ratio of a linear writer went
 * past 9x for 4x the data, since other processes took the CPU in one run and not in another. Output size grows by
 * ten as a check that the larger run did the work. Speed itself is measured by the benchmark (docs/benchmark.md).
 */
describe('writers take time linear in the size of the report', { timeout: 120_000 }, () => {
  it.each(REPORT_FORMATS.map((f) => [f] as const))(`%s: ${LARGE.toLocaleString('en')} domains take less than 30x the CPU time of ${SMALL}`, async (format) => {
    await leastCpuMs(format, 200, 1); // warm up the code paths before measuring
    const small = await leastCpuMs(format, SMALL, 5);
    const large = await leastCpuMs(format, LARGE, 3);
    expect(large.bytes / small.bytes).toBeGreaterThan(9);
    expect(large.ms / small.ms, `${format}: ${small.ms.toFixed(1)} ms -> ${large.ms.toFixed(1)} ms of CPU`).toBeLessThan(30);
  });
});
