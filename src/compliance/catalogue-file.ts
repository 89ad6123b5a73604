/**
 * The promise catalogue as data: the shipped catalogue/privacy-statement-nl.json, a user's copy of it
 * (`promises.file`), and the promises written in the configuration (`promises.list`), all read by the same pure
 * readers, which list every problem at once like the configuration loader.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControlRef } from '../../reports/types.ts';
import { CATALOGUE_FILE } from '../config/definition/compliance.ts';
import { keysAt } from '../config/definition/types.ts';
import { checkKeys, join, readList, readMapping, readString, readStringList, type Problems } from '../config/fields.ts';
import { parseYamlFile } from '../config/yaml-file.ts';
import type { Catalogue, PromiseDefinition } from './catalogue.ts';

const FILE_KEYS = keysAt(CATALOGUE_FILE, '');
const PROMISE_KEYS = keysAt(CATALOGUE_FILE, 'promises[]');
const CONTROL_KEYS = keysAt(CATALOGUE_FILE, 'promises[].controls[]');

/** The promises of a list (`promises.list`, a file's `promises`); `path` names the list in each problem. */
export function readPromiseList(value: unknown, path: string, problems: Problems): PromiseDefinition[] {
  return (readList(value, path, problems) ?? []).flatMap((item, i): PromiseDefinition[] => {
    const at = join(path, i);
    const p = readMapping(item, at, problems);
    if (!p) return [];
    checkKeys(p, at, PROMISE_KEYS, problems);
    const kind = readString(p['kind'], `${at}.kind`, problems) ?? 'automated';
    if (kind !== 'automated' && kind !== 'manual') problems.push(`${at}.kind: expected "automated" or "manual"`);
    const id = readString(p['id'], `${at}.id`, problems) ?? '';
    if (!id) problems.push(`${at}.id: required`);
    readString(p['note'], `${at}.note`, problems);
    return [{
      id, title: readString(p['title'], `${at}.title`, problems) ?? id,
      clauseNl: readString(p['clause'], `${at}.clause`, problems) ?? '',
      clauseEn: readString(p['clauseEn'], `${at}.clauseEn`, problems) ?? '',
      kind: kind === 'manual' ? 'manual' : 'automated',
      checks: readStringList(p['checks'], `${at}.checks`, problems) ?? [],
      controls: readControls(p['controls'], `${at}.controls`, problems),
      standards: readStringList(p['standards'], `${at}.standards`, problems) ?? [],
    }];
  });
}

function readControls(value: unknown, path: string, problems: Problems): ControlRef[] {
  return (readList(value, path, problems) ?? []).flatMap((item, i): ControlRef[] => {
    const node = readMapping(item, join(path, i), problems);
    if (!node) return [];
    checkKeys(node, join(path, i), CONTROL_KEYS, problems);
    const [framework, id, title] = CONTROL_KEYS.map((key) => {
      if (node[key] === undefined) problems.push(`${join(join(path, i), key)}: required`);
      return readString(node[key], join(join(path, i), key), problems);
    });
    return framework && id && title ? [{ framework, id, title }] : [];
  });
}

/** A parsed catalogue file (`{ name, description?, promises }`). */
export function readCatalogueTree(tree: unknown, problems: Problems): Catalogue {
  const node = readMapping(tree, '(top level)', problems) ?? {};
  checkKeys(node, '', FILE_KEYS, problems);
  const name = readString(node['name'], 'name', problems);
  if (node['name'] === undefined) problems.push('name: required');
  readString(node['description'], 'description', problems);
  if (node['promises'] === undefined) problems.push('promises: required');
  return { name: name ?? 'unnamed', promises: readPromiseList(node['promises'], 'promises', problems) };
}

/**
 * A user's catalogue file, YAML or JSON (`promises.file`, relative to the configuration's directory); each problem
 * is prefixed with the file as written (`promises.file: ./ours.yaml: promises[2].kind: ...`).
 */
export async function loadCatalogueFile(file: string, baseDir: string, problems: Problems): Promise<Catalogue | undefined> {
  const where = `promises.file: ${file}`;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(baseDir, file));
  } catch (err) {
    problems.push(`promises.file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return undefined;
  }
  const parsed = parseYamlFile(bytes, file, { noun: 'promise catalogue', keys: 'name:, promises:', maxAliases: 100 });
  if (!parsed.ok) {
    problems.push(...parsed.problems.map((p) => `promises.file: ${p}`));
    return undefined;
  }
  const own: Problems = [];
  const catalogue = readCatalogueTree(parsed.value, own);
  problems.push(...own.map((p) => `${where}: ${p}`));
  return own.length === 0 ? catalogue : undefined;
}

/** Where the shipped catalogue is: the package's `catalogue/`, from `src/compliance/` (vitest) or `dist/src/compliance/`. */
export function catalogueDir(): string {
  const candidates = ['../../catalogue/', '../../../catalogue/'].map((up) => fileURLToPath(new URL(up, import.meta.url)));
  return candidates.find((dir) => existsSync(resolve(dir, `${BUILT_IN_NAME}.json`))) ?? candidates[0]!;
}

const BUILT_IN_NAME = 'privacy-statement-nl';
let builtIn: Catalogue | undefined;

/**
 * The shipped catalogue, read once per process when first used. JSON, so reading it never loads the YAML parser.
 * It ships with Vouch and is tested, so a broken one is a bug in Vouch, thrown, not a problem of the configuration.
 */
export function builtInCatalogue(): Catalogue {
  if (builtIn) return builtIn;
  const file = resolve(catalogueDir(), `${BUILT_IN_NAME}.json`);
  const problems: Problems = [];
  const catalogue = readCatalogueTree(JSON.parse(readFileSync(file, 'utf8')), problems);
  if (problems.length > 0) throw new Error(`the shipped promise catalogue ${file} is invalid: ${problems.join('; ')}`);
  return (builtIn = catalogue);
}
