import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_CATALOGUE } from '../../src/compliance/catalogue.ts';
import { catalogueDir } from '../../src/compliance/catalogue-file.ts';
import { buildConfig } from '../../src/config/load.ts';

let dir: string;
const build = (promises: unknown) => buildConfig({ domains: ['a.example'], promises }, { source: null, baseDir: dir });
const ids = async (promises: unknown) => {
  const result = await build(promises);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return { name: result.config.compliance.catalogue.name, ids: result.config.compliance.catalogue.promises.map((p) => p.id) };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-promises-file-'));
  await copyFile(join(catalogueDir(), 'privacy-statement-nl.json'), join(dir, 'copy.json'));
  await writeFile(join(dir, 'ours.yaml'), [
    'name: ours',
    'promises:',
    '  - { id: transport-encryption, title: Our own TLS promise, clause: Alles gaat via TLS. }',
    '  - { id: key-rotation, kind: manual, title: Keys are rotated, clause: Sleutels worden vervangen. }',
  ].join('\n'));
  await writeFile(join(dir, 'bad.yaml'), 'name: bad\npromises:\n  - { title: no id, kind: sometimes }\nextra: 1\n');
});

describe('promises.file: a catalogue of your own', () => {
  it('an unedited copy of the shipped catalogue, replacing it, gives the shipped promises', async () => {
    const copy = await ids({ file: 'copy.json', mode: 'replace' });
    expect(copy).toEqual({ name: 'privacy-statement-nl', ids: BUILT_IN_CATALOGUE.promises.map((p) => p.id) });
  });

  it('extend: a promise of the file replaces the shipped one with its id in place, new ones follow, then the list', async () => {
    const result = await build({ file: 'ours.yaml', list: [{ id: 'listed', clause: 'Listed.' }] });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const { promises, name } = result.config.compliance.catalogue;
    expect(name).toBe('privacy-statement-nl+ours');
    expect(promises[0]).toMatchObject({ id: 'transport-encryption', title: 'Our own TLS promise', clauseNl: 'Alles gaat via TLS.' });
    expect(promises.slice(-2).map((p) => [p.id, p.kind])).toEqual([['key-rotation', 'manual'], ['listed', 'automated']]);
    expect(promises).toHaveLength(BUILT_IN_CATALOGUE.promises.length + 2);
  });

  it('replace with a name: only the file\'s promises, under that name', async () => {
    expect(await ids({ file: 'ours.yaml', mode: 'replace', name: 'statement-2027' })).toEqual({ name: 'statement-2027', ids: ['transport-encryption', 'key-rotation'] });
  });

  it('names the file and the path of every problem in it, with the configuration\'s other problems', async () => {
    const result = await build({ file: 'bad.yaml', mode: 'sometimes' });
    expect(result.ok ? [] : result.problems).toEqual([
      'promises.mode: expected "extend" or "replace", got "sometimes"',
      'promises.file: bad.yaml: extra: unknown key; allowed: name, description, promises',
      'promises.file: bad.yaml: promises[0].kind: expected "automated" or "manual"',
      'promises.file: bad.yaml: promises[0].id: required',
    ]);
  });

  it('names a file it cannot read, and YAML errors with line and column', async () => {
    await writeFile(join(dir, 'broken.yaml'), 'name: x\npromises: [\n');
    const missing = await build({ file: 'nope.yaml' });
    const broken = await build({ file: 'broken.yaml' });
    expect(missing.ok ? [] : missing.problems).toEqual(['promises.file: cannot read nope.yaml: ENOENT']);
    expect(broken.ok ? [] : broken.problems).toContainEqual(expect.stringMatching(/^promises\.file: broken\.yaml:\d+:\d+: /));
  });
});
