import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IANA_ROOT_ANCHORS_TEXT } from '../dnssec/root-anchors-text.ts';
import { allowedKeys } from './definition/index.ts';
import { checkKeys, readMapping, readString, type Problems } from './fields.ts';

/**
 * The `dnssec` key: the trust anchors Vouch's validator starts from. Kept as text (a configuration crosses to
 * worker threads and into the digest as plain data) and parsed where it is used; read and checked here, so a broken
 * file stops the scan before it starts.
 */
export type DnssecConfig = {
  /** Where the anchors came from, for evidence: `the IANA root anchors (built in)`, `the trust anchors in /etc/...`. */
  readonly trustAnchorsSource: string;
  /** The anchors in the trust-anchor file format: the file's text, or IANA_ROOT_ANCHORS_TEXT. */
  readonly trustAnchorsText: string;
};

export const DEFAULT_DNSSEC_CONFIG: DnssecConfig = { trustAnchorsSource: 'the IANA root anchors (built in)', trustAnchorsText: IANA_ROOT_ANCHORS_TEXT };

/** `dnssec: { trustAnchors: FILE }`, relative to the configuration's directory; `override` (absolute, `--trust-anchors`) wins. */
export async function readDnssec(raw: unknown, baseDir: string, problems: Problems, override?: string): Promise<DnssecConfig> {
  const node = readMapping(raw ?? {}, 'dnssec', problems) ?? {};
  checkKeys(node, 'dnssec', allowedKeys('dnssec'), problems);
  const file = override ?? readString(node['trustAnchors'], 'dnssec.trustAnchors', problems);
  if (file === undefined) return DEFAULT_DNSSEC_CONFIG;
  const path = resolve(baseDir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    problems.push(`dnssec.trustAnchors: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return DEFAULT_DNSSEC_CONFIG;
  }
  // Loaded only for a configured file: the built-in anchors are checked by test/dnssec/anchors.test.ts.
  const { parseTrustAnchors } = await import('../dnssec/anchors.ts');
  const parsed = parseTrustAnchors(text, path);
  if (!parsed.ok) problems.push(...parsed.errors.map((e) => `dnssec.trustAnchors: ${e}`));
  return { trustAnchorsSource: `the trust anchors in ${path}`, trustAnchorsText: text };
}
