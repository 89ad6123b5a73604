import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReportFile } from '../../src/compliance/verify-file.ts';
import { openBaseline } from '../../reports/baseline.ts';
import { jsonWriter } from '../../reports/json.ts';
import { leanDomain, syntheticStream, writeReportFile } from '../reports/synthetic.ts';

const DOMAINS = 20_000;
const CHECKS = 30;

/** Runs `work` while sampling the heap; returns its value and how far the heap rose above where it started. */
async function heapGrowth<T>(work: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 2);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { value, growth: peak - start };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * A report of 20,000 domains x 30 results (about 110 MB) written through the JSON writer, then verified and indexed
 * as a stream: the heap may not grow by more than a quarter of the file (garbage not yet collected included). Reading it whole, as schema 1 did, takes
 * several times the file size in heap (the text, then the parsed objects), so either fallback would fail this test.
 */
describe(`a JSON report of ${DOMAINS} domains x ${CHECKS} results`, { timeout: 60_000 }, () => {
  let dir: string;
  let path: string;
  let size: number;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vouch-large-'));
    path = join(dir, 'report.json');
    const signingKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeReportFile(path, jsonWriter, syntheticStream(DOMAINS, CHECKS, { lean: true, signingKeyPem }));
    size = (await stat(path)).size;
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('verifies, digest and signature, with the heap growing by less than a quarter of the file', async () => {
    expect(size).toBeGreaterThan(80_000_000);
    const { value: outcome, growth } = await heapGrowth(() => verifyReportFile(path, publicKey.export({ type: 'spki', format: 'pem' }).toString()));
    expect(outcome).toMatchObject({ ok: true, problems: [], signed: true });
    expect(growth, `heap grew by ${(growth / 1e6).toFixed(1)} MB for a ${(size / 1e6).toFixed(0)} MB file`).toBeLessThan(size / 4);
  });

  it('opens as a baseline holding only where each domain is, and reads any domain back', async () => {
    const { value: baseline, growth } = await heapGrowth(() => openBaseline(path));
    try {
      expect(growth, `heap grew by ${(growth / 1e6).toFixed(1)} MB`).toBeLessThan(size / 4);
      expect(baseline).toMatchObject({ schemaVersion: 2, status: 'complete', runId: '00000000-0000-4000-8000-000000000000' });
      expect(await baseline.resultsOf(`d${DOMAINS - 1}.example`)).toEqual(leanDomain(DOMAINS - 1, CHECKS).results);
      expect(await baseline.resultsOf('d7.example')).toEqual(leanDomain(7, CHECKS).results);
      expect(await baseline.resultsOf('absent.example')).toBeNull();
      expect([...baseline.domainNames()]).toHaveLength(DOMAINS);
    } finally {
      await baseline.close();
    }
  });
});
