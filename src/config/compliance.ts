import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BUILT_IN_CATALOGUE, mergeCatalogues, type Catalogue } from '../compliance/catalogue.ts';
import { loadCatalogueFile, readPromiseList } from '../compliance/catalogue-file.ts';
import { expiryInstant, type Waiver } from '../compliance/waivers.ts';
import type { Attestation } from '../../reports/types.ts';
import { allowedKeys } from './definition/index.ts';
import { checkKeys, join, readList, readMapping, readString, type Problems } from './fields.ts';

/** The compliance part of a configuration: exceptions, attestations, the promise catalogue and the signing key. */
export type ComplianceConfig = {
  readonly waivers: readonly Waiver[];
  /** Where each waiver stands in the file (`waivers[3]`), for problems found later against the check registry. */
  readonly waiverPaths: readonly string[];
  readonly attestations: readonly Attestation[];
  readonly catalogue: Catalogue;
  /** PEM of the Ed25519 key that signs every report, or null for an unsigned (digest-only) report. */
  readonly signingKeyPem: string | null;
};

function readDate(value: unknown, path: string, problems: Problems): string | undefined {
  const text = readString(value, path, problems);
  if (text !== undefined && Number.isNaN(expiryInstant(text))) problems.push(`${path}: "${text}" is not a date (YYYY-MM-DD)`);
  return text;
}

/** Reads one list of mappings, each with exactly the given keys, all of them required; keeps each entry's index. */
function readRecords(value: unknown, path: string, keys: readonly string[], problems: Problems): [number, Record<string, unknown>][] {
  return (readList(value, path, problems) ?? []).flatMap((item, i): [number, Record<string, unknown>][] => {
    const node = readMapping(item, join(path, i), problems);
    if (!node) return [];
    checkKeys(node, join(path, i), keys, problems);
    const missing = keys.filter((k) => node[k] === undefined);
    for (const k of missing) problems.push(`${join(join(path, i), k)}: required`);
    return missing.length ? [] : [[i, node]];
  });
}

function readWaivers(value: unknown, problems: Problems): { waiver: Waiver; path: string }[] {
  return readRecords(value, 'waivers', allowedKeys('waivers[]'), problems).flatMap(([i, n]) => {
    const at = (k: string) => `waivers[${i}].${k}`;
    const w = {
      domain: readString(n['domain'], at('domain'), problems), checkId: readString(n['check'], at('check'), problems),
      reason: readString(n['reason'], at('reason'), problems), owner: readString(n['owner'], at('owner'), problems),
      expires: readDate(n['expires'], at('expires'), problems),
    };
    return w.domain && w.checkId && w.reason && w.owner && w.expires ? [{ waiver: w as Waiver, path: `waivers[${i}]` }] : [];
  });
}

function readAttestations(value: unknown, problems: Problems): Attestation[] {
  return readRecords(value, 'attestations', allowedKeys('attestations[]'), problems).flatMap(([i, n]) => {
    const at = (k: string) => `attestations[${i}].${k}`;
    const a = {
      promiseId: readString(n['promise'], at('promise'), problems), by: readString(n['by'], at('by'), problems),
      date: readDate(n['date'], at('date'), problems), evidenceUrl: readString(n['evidence'], at('evidence'), problems),
      expires: readDate(n['expires'], at('expires'), problems),
    };
    return a.promiseId && a.by && a.date && a.evidenceUrl && a.expires ? [a as Attestation] : [];
  });
}

/**
 * `promises`: the user's promises (those of `file`, then `list`) on top of the shipped catalogue or instead of it.
 * Absent: the shipped catalogue.
 */
async function readCatalogue(value: unknown, baseDir: string, problems: Problems): Promise<Catalogue> {
  const node = readMapping(value, 'promises', problems);
  if (!node) return BUILT_IN_CATALOGUE;
  checkKeys(node, 'promises', allowedKeys('promises'), problems);
  const mode = readString(node['mode'], 'promises.mode', problems) ?? 'extend';
  if (mode !== 'extend' && mode !== 'replace') problems.push(`promises.mode: expected "extend" or "replace", got "${mode}"`);
  const file = readString(node['file'], 'promises.file', problems);
  const fromFile = file === undefined ? undefined : await loadCatalogueFile(file, baseDir, problems);
  const list = readPromiseList(node['list'], 'promises.list', problems);
  const name = readString(node['name'], 'promises.name', problems) ?? fromFile?.name ?? 'user';
  const user = { name, promises: [...fromFile?.promises ?? [], ...list] };
  return mergeCatalogues(BUILT_IN_CATALOGUE, user, mode === 'replace' ? 'replace' : 'extend');
}

async function readSigningKey(value: unknown, baseDir: string, problems: Problems): Promise<string | null> {
  const node = readMapping(value, 'signing', problems);
  if (!node) return null;
  checkKeys(node, 'signing', allowedKeys('signing'), problems);
  const file = readString(node['privateKeyFile'], 'signing.privateKeyFile', problems);
  if (!file) return null;
  try {
    const pem = await readFile(resolve(baseDir, file), 'utf8');
    // Checked now, not when the report is sealed: a bad key found after the scan would cost the whole report.
    let type: string | undefined;
    try {
      type = createPrivateKey(pem).asymmetricKeyType;
    } catch (err) {
      problems.push(`signing.privateKeyFile: ${file} is not a readable unencrypted private key (${(err as Error).message})`);
      return null;
    }
    if (type !== 'ed25519') problems.push(`signing.privateKeyFile: ${file} is a ${type ?? 'unknown'} key; reports are signed with Ed25519`);
    return pem;
  } catch (err) {
    problems.push(`signing.privateKeyFile: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return null;
  }
}

/** Reads `waivers`, `attestations`, `promises` and `signing`; cross-checks against check ids happen in prepareScan. */
export async function readCompliance(root: Record<string, unknown>, baseDir: string, problems: Problems): Promise<ComplianceConfig> {
  const waivers = readWaivers(root['waivers'], problems);
  return {
    waivers: waivers.map((w) => w.waiver),
    waiverPaths: waivers.map((w) => w.path),
    attestations: readAttestations(root['attestations'], problems),
    catalogue: await readCatalogue(root['promises'], baseDir, problems),
    signingKeyPem: await readSigningKey(root['signing'], baseDir, problems),
  };
}
