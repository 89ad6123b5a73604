import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jsonWriter } from '../../reports/json.ts';
import { renderReport } from '../../reports/memory.ts';
import { fixtureReport } from './fixture-report.ts';
import { toSchema1 } from './legacy-shape.ts';

const JQ = '/usr/bin/jq';
const DOC = readFileSync(new URL('../../docs/report-schema.md', import.meta.url), 'utf8');
/** The jq program the migration section publishes, taken from the document itself. */
const PROGRAM = /<!-- migration-jq[^>]*-->\n```jq\n([\s\S]*?)```/.exec(DOC)?.[1];

if (!existsSync(JQ)) console.warn(`migration.test.ts skipped: ${JQ} not found (apt-get install -y jq)`);

describe.skipIf(!existsSync(JQ))('the documented jq migration from schema 2 to the schema-1 shape', () => {
  it('turns the fixture report into exactly its schema-1 shape', async () => {
    expect(PROGRAM).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'vouch-jq-'));
    try {
      await writeFile(join(dir, 'report.json'), await renderReport(jsonWriter, fixtureReport()));
      await writeFile(join(dir, 'v2-to-v1.jq'), PROGRAM!);
      const { stdout } = await promisify(execFile)(JQ, ['-f', join(dir, 'v2-to-v1.jq'), join(dir, 'report.json')]);
      const converted = JSON.parse(stdout) as Record<string, unknown>;
      expect(converted).toEqual(JSON.parse(JSON.stringify(toSchema1(fixtureReport()))));
      expect(Object.keys(converted).slice(0, 10)).toEqual(
        ['schemaVersion', 'tool', 'runId', 'status', 'startedAt', 'finishedAt', 'durationMs', 'config', 'resolvers', 'domains']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
