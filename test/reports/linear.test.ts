import { describe, expect, it } from 'vitest';
import { loadWriter, REPORT_FORMATS } from '../../reports/index.ts';
import { syntheticStream } from './synthetic.ts';

const CHECKS = 4;

/** The fastest of a few runs: on a busy machine the minimum is the least disturbed measurement. */
async function bestMs(format: string, domains: number): Promise<{ ms: number; bytes: number }> {
  let best = Infinity;
  let bytes = 0;
  for (let run = 0; run < 3; run++) {
    bytes = 0;
    const started = performance.now();
    await (await loadWriter(format))!.write(syntheticStream(domains, CHECKS), (chunk) => { bytes += chunk.length; });
    best = Math.min(best, performance.now() - started);
  }
  return { ms: best, bytes };
}

/**
 * Every writer is linear in the number of results: four times the domains may take about four times as long, never
 * the sixteen times a writer that searches all results per domain (as the schema-1 text, HTML and JUnit writers did)
 * would need. Output size grows by four as a check that the larger run did the work.
 */
describe('writers take time linear in the size of the report', { timeout: 60_000 }, () => {
  // The bound sits between linear (4x) and quadratic (16x), at their geometric middle: garbage collection on a busy
  // machine moves a linear writer's ratio up to about 6, never to 8.
  it.each(REPORT_FORMATS.map((f) => [f] as const))('%s: 6,000 domains take less than 8x the time of 1,500', async (format) => {
    await bestMs(format, 200); // warm up the code paths before measuring
    const small = await bestMs(format, 1_500);
    const large = await bestMs(format, 6_000);
    expect(large.bytes / small.bytes).toBeGreaterThan(3.9);
    expect(large.ms / small.ms, `${format}: ${small.ms.toFixed(0)} ms -> ${large.ms.toFixed(0)} ms`).toBeLessThan(8);
  });
});
