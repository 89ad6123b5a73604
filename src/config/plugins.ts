import { pathToFileURL } from 'node:url';
import type { Check } from '../core/check.ts';
import { CHECK_ID_PATTERN as ID, SCOPES } from '../core/types.ts';

export type PluginLoad = { readonly checks: readonly Check[]; readonly problems: readonly string[] };

/** What is wrong with a value that claims to be a check; empty when it has the full Check interface. */
export function checkShapeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['is not an object'];
  const c = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof c['id'] !== 'string' || !ID.test(c['id'])) problems.push(`id ${JSON.stringify(c['id'])} is not a dotted lower-case id like "area.subject"`);
  if (typeof c['title'] !== 'string' || c['title'] === '') problems.push('title missing');
  if (!Array.isArray(c['promises']) || !c['promises'].every((p) => typeof p === 'string')) problems.push('promises must be a list of promise ids');
  if (!(SCOPES as readonly string[]).includes(String(c['scope']))) problems.push(`scope must be one of ${SCOPES.join(', ')}`);
  if (!Array.isArray(c['needs'])) problems.push('needs must be a list (dns, web, mail)');
  if (typeof c['remediation'] !== 'string' || c['remediation'].length < 10) problems.push('remediation text missing');
  if (typeof c['run'] !== 'function') problems.push('run(ctx) missing');
  return problems;
}

/**
 * Loads extra checks from modules named in the config. A module exports `checks` (a list) or a default export
 * (one check or a list). Every problem in every module is reported, with the module's path.
 */
export async function loadPlugins(paths: readonly string[]): Promise<PluginLoad> {
  const checks: Check[] = [];
  const problems: string[] = [];
  for (const [i, path] of paths.entries()) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (err) {
      problems.push(`plugins[${i}] (${path}): cannot load: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    const exported = mod['checks'] ?? mod['default'];
    const list = Array.isArray(exported) ? exported : exported === undefined ? [] : [exported];
    if (list.length === 0) problems.push(`plugins[${i}] (${path}): exports no "checks" list and no default check`);
    list.forEach((value, j) => {
      const shape = checkShapeProblems(value);
      if (shape.length > 0) problems.push(...shape.map((p) => `plugins[${i}] (${path}) check ${j}: ${p}`));
      else checks.push(value as Check);
    });
  }
  return { checks, problems };
}

/** Ids must be unique across built-in and plugin checks: reports and dashboards key on them. */
export function duplicateIdProblems(checks: readonly Pick<Check, 'id'>[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const c of checks) {
    if (seen.has(c.id)) problems.push(`plugins: check id "${c.id}" is already taken`);
    seen.add(c.id);
  }
  return problems;
}
