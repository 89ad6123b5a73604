import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotAReport, openBaseline, type Baseline } from '../../reports/baseline.ts';
import { jsonWriter } from '../../reports/json.ts';
import { renderReport } from '../../reports/memory.ts';
import type { ReportDomain } from '../../reports/types.ts';
import { fixtureReport, HOSTILE_DOMAIN } from './fixture-report.ts';
import { toSchema1 } from './legacy-shape.ts';

const report = fixtureReport();
let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-baseline-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function opened(content: string): Promise<Baseline> {
  const path = join(dir, `report-${n++}.json`);
  await writeFile(path, content);
  return openBaseline(path);
}

async function all(baseline: Baseline): Promise<ReportDomain[]> {
  const out: ReportDomain[] = [];
  for await (const d of baseline.domains()) out.push(d);
  return out;
}

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('openBaseline', () => {
  it.each([
    ['schema 2 in the writer’s layout (indexed)', async () => renderReport(jsonWriter, report)],
    ['schema 2 in another layout (read whole)', async () => JSON.stringify(JSON.parse(await renderReport(jsonWriter, report)))],
  ])('%s: header, each domain by name, and all of them in order', async (_name, text) => {
    const baseline = await opened(await text());
    try {
      expect(baseline).toMatchObject({ runId: report.runId, startedAt: report.startedAt, schemaVersion: 2, status: 'complete' });
      expect(await baseline.resultsOf(HOSTILE_DOMAIN)).toEqual(plain(report.domains[2]!.results));
      expect(await baseline.resultsOf('example.nl')).toEqual(plain(report.domains[0]!.results));
      expect(await baseline.resultsOf('EXAMPLE.NL')).toBeNull();
      expect(await all(baseline)).toEqual(plain(report.domains));
      expect([...baseline.domainNames()]).toEqual(report.domains.map((d) => d.domain));
      // Re-iterable: a second pass reads the same.
      expect(await all(baseline)).toHaveLength(3);
    } finally {
      await baseline.close();
    }
  });

  it('groups a schema-1 report per domain, each with the artifacts its results reference', async () => {
    const v1 = toSchema1(report);
    const baseline = await opened(JSON.stringify(v1, null, 2));
    try {
      expect(baseline.schemaVersion).toBe(1);
      expect(await all(baseline)).toEqual(plain(report.domains));
      expect(await baseline.resultsOf('shop.example.nl')).toEqual(plain(report.domains[1]!.results));
    } finally {
      await baseline.close();
    }
  });

  it('keeps a schema-1 domain without results, and one that only a result names', async () => {
    const v1 = { ...toSchema1(report), domains: ['quiet.example', 'example.nl'] };
    const baseline = await opened(JSON.stringify(v1));
    expect([...baseline.domainNames()]).toEqual(['quiet.example', 'example.nl', 'shop.example.nl', HOSTILE_DOMAIN]);
    expect(await baseline.resultsOf('quiet.example')).toEqual([]);
    await baseline.close();
  });

  it('refuses what is not a Vouch report, and passes file system errors on', async () => {
    await expect(opened('{"schemaVersion": 1')).rejects.toThrow(NotAReport);
    await expect(opened('[]')).rejects.toThrow('not a Vouch report: expected a JSON object');
    await expect(opened('{"schemaVersion": 1, "runId": "r", "startedAt": "s", "status": "complete"}')).rejects.toThrow('schema 1 without results');
    await expect(opened('{"schemaVersion": 3, "runId": "r", "startedAt": "s", "status": "complete", "domains": []}')).rejects.toThrow('not a Vouch report of schema 1 or 2');
    await expect(opened('{"name": "package"}')).rejects.toThrow('no runId, startedAt, schemaVersion or status');
    await expect(openBaseline(join(dir, 'absent.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('openBaseline on damaged files in the writer’s layout', () => {
  it('reads a line whose name is not where the writer puts it by parsing the line', async () => {
    const text = (await renderReport(jsonWriter, report)).replace('{"domain":"shop.example.nl","results":', '{"results":');
    const moved = text.replace(/(\{"results":.*?)(,"artifacts":\{\}\})(,?)$/m, '$1,"domain":"shop.example.nl"$2$3');
    expect(moved).not.toBe(text);
    const baseline = await opened(moved);
    expect(await baseline.resultsOf('shop.example.nl')).toEqual(plain(report.domains[1]!.results));
    await baseline.close();
  });

  it('refuses a line that is not JSON, as not a report: when it is read back, or when even its name cannot be read', async () => {
    const text = (await renderReport(jsonWriter, report)).replace('{"domain":"shop.example.nl","results":[', '{"domain":"shop.example.nl","results":[}');
    const baseline = await opened(text); // the index reads only each line's name
    await expect(baseline.resultsOf('shop.example.nl')).rejects.toThrow(/^the entry at byte \d+ is not JSON: /);
    expect(await baseline.resultsOf('example.nl')).toEqual(plain(report.domains[0]!.results));
    await baseline.close();
    const nameless = (await renderReport(jsonWriter, report)).replace('{"domain":"shop.example.nl","results":[', '{"results":[}');
    await expect(opened(nameless)).rejects.toThrow(NotAReport);
  });
});
