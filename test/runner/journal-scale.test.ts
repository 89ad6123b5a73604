import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainRecord } from '../../src/core/domain-record.ts';
import { createJournal, readJournal } from '../../src/runner/journal.ts';
import { sampleHeader } from '../fixtures/journal/records.ts';

/** 50,000 small records (about 40 MB): the reader's memory is its index (13 bytes a domain), never the records. */
const DOMAINS = 50_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Heap and off-heap (ArrayBuffer) bytes still reachable. */
function retainedBytes(): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const record = (index: number): DomainRecord => ({
  index, domain: `d${index}.example.test`, startedAt: '2026-01-02T03:04:06.000Z', finishedAt: '2026-01-02T03:04:07.000Z', complete: true,
  results: [{
    checkId: 'dns.a', title: 'A', domain: `d${index}.example.test`, promises: ['p1'], startedAt: '2026-01-02T03:04:06.000Z', durationMs: 3,
    artifacts: [`dns:d${index}`], status: 'pass', summary: 'ok', evidence: { answers: ['192.0.2.1', '192.0.2.2'], ttl: 300, note: 'x'.repeat(500) },
  }],
  artifacts: { [`dns:d${index}`]: { answers: ['192.0.2.1'] } },
  facts: [{ key: `dns:d${index}`, kind: 'dnsAnswer', value: { answers: ['192.0.2.1'] } }],
});

let dir: string;
let path: string;
const figures: Record<string, number> = {};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-journal-scale-'));
  path = join(dir, 'run.journal.ndjson');
  const started = performance.now();
  const writer = await createJournal(path, sampleHeader(DOMAINS));
  // Finished in a shuffled order (a window of domains in flight), as a scan finishes them.
  for (let i = 0; i < DOMAINS; i++) await writer.append(record((i * 7_919) % DOMAINS));
  await writer.close({ status: 'complete', finishedAt: '2026-01-02T04:00:00.000Z' });
  figures['writeMs'] = performance.now() - started;
  figures['fileBytes'] = (await stat(path)).size;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  console.log(`journal of ${DOMAINS} records: ${JSON.stringify(figures)}`);
});

describe('the journal at scale', () => {
  it('indexes 50,000 records holding only the index, and reads them back in order', async () => {
    const before = retainedBytes();
    const started = performance.now();
    const reader = await readJournal(path);
    figures['indexMs'] = performance.now() - started;
    figures['indexRetainedBytes'] = retainedBytes() - before;
    expect(reader.domainsDone).toBe(DOMAINS);
    // The index is 650 kB; the records, had they been kept, would be tens of megabytes.
    expect(figures['fileBytes']).toBeGreaterThan(30_000_000);
    expect(figures['indexRetainedBytes']).toBeLessThan(3_000_000);

    const readStarted = performance.now();
    let expected = 0;
    let peak = 0;
    let outOfOrder = 0;
    let gcMs = 0;
    for await (const each of reader.records()) {
      if (each.index !== expected++) outOfOrder++;
      if (expected % 10_000 === 0) {
        const gcStarted = performance.now();
        peak = Math.max(peak, retainedBytes() - before);
        gcMs += performance.now() - gcStarted;
      }
    }
    figures['readAllMs'] = performance.now() - readStarted - gcMs;
    expect(outOfOrder).toBe(0);
    figures['readPeakRetainedBytes'] = peak;
    expect(expected).toBe(DOMAINS);
    expect(peak).toBeLessThan(3_000_000);
    expect(await reader.record(12_345)).toEqual(record(12_345));
    await reader.close();
    // Generous bounds for a busy machine; the figures printed above are the measurement.
    expect(figures['indexMs']).toBeLessThan(5_000);
    expect(figures['writeMs']).toBeLessThan(10_000);
  });
});
