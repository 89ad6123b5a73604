import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFINITION } from '../../src/config/definition/index.ts';
import { keyPaths } from '../../src/config/definition/types.ts';
import { loadConfigFile, parseConfigText } from '../../src/config/load.ts';
import { schemaErrors } from './support/definition-fixtures.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/vouch.yaml', import.meta.url));
const TEXT = readFileSync(EXAMPLE, 'utf8');
/** A key the example can only show in a comment: uncommented, it needs the user's own private key file. */
const SIGNING_LINE = /^# (signing: \{ privateKeyFile: (\S+) \}).*$/m;
/** Shown in a comment too: uncommented, every scan of a copied example would go to a queue that is not there. */
const QUEUE_LINE = /^# (queue: \{ url: .* \})$/m;

function parsed(text: string): unknown {
  const result = parseConfigText(Buffer.from(text), EXAMPLE);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.value;
}

/** Every key path a configuration tree uses, as the definition writes them (`domains[].cookies[].name`). */
function usedPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => usedPaths(item, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...usedPaths(child, path)];
  });
}

describe('examples/vouch.yaml', () => {
  it('shows every key of the definition (signing and queue in comments, ready to uncomment)', () => {
    const used = new Set(usedPaths(parsed(TEXT)));
    const missing = keyPaths(CONFIG_DEFINITION).filter((p) => !used.has(p));
    expect(missing.sort()).toEqual(['queue', 'queue.attempts', 'queue.caFile', 'queue.url', 'signing', 'signing.privateKeyFile']);
    expect(TEXT).toMatch(SIGNING_LINE);
    expect(TEXT).toMatch(QUEUE_LINE);
    const uncommented = usedPaths(parsed(TEXT.replace(SIGNING_LINE, '$1').replace(QUEUE_LINE, '$1')));
    expect(uncommented).toEqual(expect.arrayContaining(['signing.privateKeyFile', 'queue.url', 'queue.caFile', 'queue.attempts']));
  });

  it('uses no key the definition does not have', () => {
    const known = new Set(keyPaths(CONFIG_DEFINITION));
    expect(usedPaths(parsed(TEXT)).filter((p) => !known.has(p))).toEqual([]);
  });

  it('names the configuration schema on its first line, by a path that exists', () => {
    const modeline = /^# yaml-language-server: \$schema=(\S+)\n/.exec(TEXT);
    expect(modeline).not.toBeNull();
    expect(existsSync(resolve(dirname(EXAMPLE), modeline![1]!))).toBe(true);
  });

  it('loads without problems and is valid against reports/schema/config.schema.json', async () => {
    const result = await loadConfigFile(EXAMPLE);
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(schemaErrors(parsed(TEXT))).toEqual([]);
    // Its own promise catalogue file was read: its promises and the list's are in the catalogue.
    const ids = result.ok ? result.config.compliance.catalogue.promises.map((p) => p.id) : [];
    expect(ids).toEqual(expect.arrayContaining(['transport-encryption', 'mail-tls-only', 'key-rotation', 'security-txt-current']));
  });

  it('with the signing line uncommented and a key in place, still loads and is valid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-example-'));
    const signed = TEXT.replace(SIGNING_LINE, '$1');
    const keyFile = SIGNING_LINE.exec(TEXT)![2]!;
    await writeFile(join(dir, keyFile), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    for (const name of ['domains.txt', 'promises.yaml', 'root-anchors.txt']) await copyFile(join(dirname(EXAMPLE), name), join(dir, name));
    await writeFile(join(dir, 'vouch.yaml'), signed);
    const result = await loadConfigFile(join(dir, 'vouch.yaml'));
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(result.ok && result.config.compliance.signingKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    expect(schemaErrors(parsed(signed))).toEqual([]);
  });
});
