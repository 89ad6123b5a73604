import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInCatalogue, catalogueDir, readCatalogueTree, readPromiseList } from '../../src/compliance/catalogue-file.ts';
import { CATALOGUE_FILE } from '../../src/config/definition/compliance.ts';
import { keyPaths } from '../../src/config/definition/types.ts';

const SHIPPED = JSON.parse(readFileSync(join(catalogueDir(), 'privacy-statement-nl.json'), 'utf8')) as { promises: Record<string, unknown>[] };

describe('the shipped catalogue file', () => {
  it('is a valid catalogue, read once per process', () => {
    const problems: string[] = [];
    const catalogue = readCatalogueTree(SHIPPED, problems);
    expect(problems).toEqual([]);
    expect(catalogue.promises.length).toBeGreaterThanOrEqual(19);
    expect(builtInCatalogue()).toBe(builtInCatalogue());
    expect(builtInCatalogue()).toEqual(catalogue);
  });

  it('carries every catalogue key somewhere, so a copy shows what can be edited (note and checks are optional)', () => {
    const used = new Set(SHIPPED.promises.flatMap((p) => Object.keys(p)));
    const keys = keyPaths(CATALOGUE_FILE).filter((p) => /^promises\[\]\.[a-zA-Z]+$/.test(p)).map((p) => p.slice('promises[].'.length));
    expect(keys.filter((k) => !used.has(k))).toEqual(['checks']);
  });
});

describe('readPromiseList', () => {
  it('reads a complete entry into a promise definition', () => {
    const problems: string[] = [];
    const [p] = readPromiseList([{
      id: 'x-y', kind: 'manual', title: 'X', clause: 'Wij doen X.', clauseEn: 'We do X.', checks: ['tls.*'], standards: ['RFC 1'],
      controls: [{ framework: 'ISO/IEC 27001:2022', id: 'A.8.24', title: 'Use of cryptography' }], note: 'why',
    }], 'promises', problems);
    expect(problems).toEqual([]);
    expect(p).toEqual({
      id: 'x-y', kind: 'manual', title: 'X', clauseNl: 'Wij doen X.', clauseEn: 'We do X.', checks: ['tls.*'], standards: ['RFC 1'],
      controls: [{ framework: 'ISO/IEC 27001:2022', id: 'A.8.24', title: 'Use of cryptography' }],
    });
  });

  it('fills the defaults: title is the id, automated, no checks, standards or controls', () => {
    expect(readPromiseList([{ id: 'bare' }], 'promises', [])).toEqual([
      { id: 'bare', title: 'bare', clauseNl: '', clauseEn: '', kind: 'automated', checks: [], controls: [], standards: [] },
    ]);
  });

  it.each([
    [[{ id: 'a', kind: 'auto' }], 'promises[0].kind: expected "automated" or "manual"'],
    [[{ title: 'no id' }], 'promises[0].id: required'],
    [[{ id: 'a', clauses: 'x' }], 'promises[0].clauses: unknown key (did you mean "clause"?)'],
    [[{ id: 'a', controls: [{ framework: 'ISO', id: 'A.1' }] }], 'promises[0].controls[0].title: required'],
    [[{ id: 'a', controls: 'A.8.24' }], 'promises[0].controls: expected a list, got string "A.8.24"'],
    [[{ id: 'a', note: 3 }], 'promises[0].note: expected a non-empty string, got number 3'],
    [['a'], 'promises[0]: expected a mapping, got string "a"'],
    [{ id: 'a' }, 'promises: expected a list, got a mapping'],
  ])('%j: %s', (value, problem) => {
    const problems: string[] = [];
    readPromiseList(value, 'promises', problems);
    expect(problems).toContainEqual(expect.stringContaining(problem));
  });
});

describe('readCatalogueTree', () => {
  it.each([
    [{ promises: [] }, ['name: required']],
    [{ name: 'x' }, ['promises: required']],
    [[], ['(top level): expected a mapping, got a list', 'name: required', 'promises: required']],
    [{ name: 'x', promises: [], version: 2 }, ['version: unknown key; allowed: name, description, promises']],
  ])('%j -> %j', (tree, expected) => {
    const problems: string[] = [];
    readCatalogueTree(tree, problems);
    expect(problems).toEqual(expected);
  });
});
