/**
 * What the definition tests share: the configuration schema compiled once, a directory holding the files the
 * definition's examples name, and a setter for key paths (`domains[].profile`) in a configuration tree.
 */
import { IANA_ROOT_ANCHORS_TEXT } from '../../../src/dnssec/root-anchors.ts';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

const schema = JSON.parse(readFileSync(new URL('../../../reports/schema/config.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

/** The schema's verdict on a configuration tree: [] when valid, else each error as `path message`. */
export function schemaErrors(config: unknown): string[] {
  return validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/**
 * A directory with the files the definition's examples name (domains.txt, internal-ca.pem, promises.yaml,
 * vouch-ed25519.pem), so that a configuration built from the examples loads without problems.
 */
export async function exampleFilesDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-definition-'));
  const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  await Promise.all([
    writeFile(join(dir, 'domains.txt'), 'example.com\n'),
    // The loader only collects the PEM blocks of a CA file; what is inside is the TLS stack's business.
    writeFile(join(dir, 'internal-ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
    writeFile(join(dir, 'promises.yaml'), 'name: ours\npromises:\n  - { id: our-promise, title: Ours, clause: We keep it }\n'),
    writeFile(join(dir, 'vouch-ed25519.pem'), key),
    writeFile(join(dir, 'lab-anchors.txt'), IANA_ROOT_ANCHORS_TEXT),
  ]);
  return dir;
}

type Tree = Record<string, unknown>;

/**
 * A deep copy of `tree` with the value at a definition key path replaced; `[]` addresses the first entry of a list.
 * With `key`, a key is added to the mapping at `path` instead (`''`: the top level).
 */
export function withValue(tree: Tree, path: string, value: unknown, key?: string): Tree {
  const copy = structuredClone(tree);
  const segments = path.split(/\.|(?=\[\])/).filter(Boolean).map((s) => (s === '[]' ? 0 : s));
  if (key !== undefined) segments.push(key);
  let node: Record<string | number, unknown> = copy;
  for (const segment of segments.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  node[segments.at(-1)!] = value;
  return copy;
}

/** A definition key path as the loader names it in a problem: `domains[].profile` is `domains[0].profile`. */
export const concretePath = (path: string) => path.replace(/\[\]/g, '[0]');
