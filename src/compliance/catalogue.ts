import type { ControlRef } from '../../reports/types.ts';
import { globToRegExp } from '../config/names.ts';
import { builtInCatalogue } from './catalogue-file.ts';

/**
 * One promise from a privacy or security statement. `automated` promises are judged by checks; `manual` ones need a
 * person's attestation, and any checks they list can only disprove them (a fail still makes them `not-met`).
 */
export type PromiseDefinition = {
  /** Stable, lowercase kebab-case: checks and dashboards key on it. */
  readonly id: string;
  readonly title: string;
  /** The clause as the statement words it (Dutch for the built-in catalogue), quoted exactly. */
  readonly clauseNl: string;
  /** An English rendering for auditors who do not read Dutch. */
  readonly clauseEn: string;
  readonly kind: 'automated' | 'manual';
  /**
   * Check ids (exact, or `*` globs) that evidence this promise besides the checks that name it in their own
   * `promises`. Empty in the built-in catalogue, since each check declares its promises: one place, no drift.
   */
  readonly checks: readonly string[];
  readonly controls: readonly ControlRef[];
  /** RFCs, national guidelines or laws the promise is judged against. */
  readonly standards: readonly string[];
};

/** A set of promises: the built-in one from the statement, or one the user defines in the config. */
export type Catalogue = { readonly name: string; readonly promises: readonly PromiseDefinition[] };

/**
 * The promises of the privacy statement (test/fixtures/statement/privacy-statement-nl.txt), in the statement's order
 * of the security measures, mapped to ISO/IEC 27001:2022 Annex A: data in catalogue/privacy-statement-nl.json, read
 * when first used (getters, like DEFAULT_SETTINGS.tlsPolicy), so importing this module reads no file. A user copies
 * that file, edits it and names the copy in `promises.file` (docs/configuration.md).
 */
export const BUILT_IN_CATALOGUE: Catalogue = {
  get name() { return builtInCatalogue().name; },
  get promises() { return builtInCatalogue().promises; },
};

/**
 * Combines the built-in catalogue with the user's. `replace` uses only the user's promises. `extend` keeps the
 * built-in ones, lets a user promise with the same id replace the built-in one whole (in its place, so the report
 * order stays familiar), and appends new ones. Whole replacement rather than a field merge: a half-inherited promise
 * (our Dutch clause, their checks) would quote a text its owner never wrote.
 */
export function mergeCatalogues(builtIn: Catalogue, user: Catalogue, mode: 'replace' | 'extend'): Catalogue {
  if (mode === 'replace') return { name: user.name, promises: [...user.promises] };
  const overrides = new Map(user.promises.map((p) => [p.id, p]));
  const kept = builtIn.promises.map((p) => overrides.get(p.id) ?? p);
  const builtInIds = new Set(builtIn.promises.map((p) => p.id));
  const added = user.promises.filter((p) => !builtInIds.has(p.id));
  return { name: `${builtIn.name}+${user.name}`, promises: [...kept, ...added] };
}

const PROMISE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Every problem with a catalogue at once (for config validation): duplicate or malformed ids, empty texts, and check
 * references that match no known check id. Returns [] for a sound catalogue.
 */
export function catalogueProblems(catalogue: Catalogue, knownCheckIds: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, p] of catalogue.promises.entries()) {
    const where = `promises[${i}] (${p.id || 'no id'})`;
    if (!PROMISE_ID.test(p.id)) problems.push(`${where}: id must be lowercase kebab-case`);
    if (seen.has(p.id)) problems.push(`${where}: duplicate id`);
    seen.add(p.id);
    if (!p.title.trim()) problems.push(`${where}: title is empty`);
    if (!p.clauseNl.trim() && !p.clauseEn.trim()) problems.push(`${where}: needs the clause it quotes (clauseNl or clauseEn)`);
    for (const ref of p.checks) {
      if (!knownCheckIds.some((id) => globToRegExp(ref).test(id))) problems.push(`${where}: check "${ref}" matches no known check`);
    }
  }
  return problems;
}
