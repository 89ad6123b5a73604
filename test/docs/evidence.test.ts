import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_CHECK_IDS } from '../../checks/registry.ts';
import { anchorOf, documentedFields, fieldPaths, isDocumented, sectionsOf } from './evidence-doc.ts';

const DOC = readFileSync(new URL('../../docs/evidence.md', import.meta.url), 'utf8');
const SECTIONS = sectionsOf(DOC);
const BIN = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

describe('docs/evidence.md', () => {
  it('has a section for every registered check, and none for a check that does not exist', () => {
    const documented = [...DOC.matchAll(/^### `([a-z0-9.-]+)`$/gm)].map((m) => m[1]!);
    expect(documented.filter((id) => !BUILT_IN_CHECK_IDS.includes(id))).toEqual([]);
    expect(BUILT_IN_CHECK_IDS.filter((id) => !documented.includes(id))).toEqual([]);
  });

  it('links only to sections it has', () => {
    const broken = [...SECTIONS.values()].flatMap((s) => s.links.filter((l) => !SECTIONS.has(l)).map((l) => `${s.heading} -> #${l}`));
    expect(broken).toEqual([]);
  });

  it('documents fields for every check (a section that lists none documents nothing)', () => {
    const empty = BUILT_IN_CHECK_IDS.filter((id) => documentedFields(SECTIONS, anchorOf(`\`${id}\``)).size === 0);
    expect(empty).toEqual([]);
  });

  it('is pointed to by the report schema doc', () => {
    expect(readFileSync(new URL('../../docs/report-schema.md', import.meta.url), 'utf8')).toContain('(evidence.md)');
  });
});

describe('isDocumented (how a field path is matched against the doc)', () => {
  const documented = new Set(['maxAge', 'versions[].suites', 'addresses[].cause', 'mx[].host', 'headers.*']);
  it.each([
    ['addresses[].maxAge', true], ['mx[].addresses[].maxAge', true], ['pages[].maxAge', true],
    ['addresses[].versions[].suites[].name', true], ['mx[].addresses[].cause', true], ['mx[].host', true],
    ['pages[].headers.x-powered-by', true],
    ['addresses[].minAge', false], ['addresses[].versions[].accepted', false], ['mx[].addresses[].unknown', false],
    ['mx[].preference', false], ['headers', false], ['maxAge.extra', false],
  ])('%s: %s', (path, expected) => {
    expect(isDocumented(path, documented)).toBe(expected);
  });
});

/**
 * The doc against real evidence: every field of every result of the demo scan (16 simulated domains on loopback,
 * passing and failing) is documented in its check's section or a shape it links to.
 */
describe('docs/evidence.md against the evidence of a real scan', () => {
  let results: { checkId: string; evidence?: unknown }[] = [];
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [BIN, 'demo', '--format', 'json', '--log-level', 'silent'], { maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
        (err, out) => (err && typeof err.code !== 'number' ? reject(err) : resolve(out)));
    });
    const report = JSON.parse(stdout) as { domains: { results: { checkId: string; evidence?: unknown }[] }[] };
    results = report.domains.flatMap((d) => d.results);
  }, 120_000);

  it('the scan produced results for most checks (so the comparison below can fail)', () => {
    expect(new Set(results.map((r) => r.checkId)).size).toBeGreaterThan(60);
  });

  it('every evidence field the scan produced is documented', () => {
    const undocumented = new Set<string>();
    for (const result of results) {
      const documented = documentedFields(SECTIONS, anchorOf(`\`${result.checkId}\``));
      for (const path of fieldPaths(result.evidence ?? {})) {
        if (!isDocumented(path, documented)) undocumented.add(`${result.checkId}: ${path}`);
      }
    }
    expect([...undocumented].sort()).toEqual([]);
  });
});
