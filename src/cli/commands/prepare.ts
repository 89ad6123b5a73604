import { resolve } from 'node:path';
import type { Config } from '../../config/config.ts';
import { buildConfig, loadConfigFile, type ConfigOverrides, type CrossCheckable } from '../../config/load.ts';
import { duplicateIdProblems, loadPlugins } from '../../config/plugins.ts';
import type { Check } from '../../core/check.ts';
import { ExitError } from '../../core/errors.ts';
import { selectChecks } from '../../runner/select.ts';
import { catalogueProblems } from '../../compliance/catalogue.ts';
import { attestationProblems } from '../../compliance/rollup.ts';
import { globToRegExp } from '../../config/names.ts';
import { BUILT_IN_CHECK_IDS, loadChecks } from '../../../checks/registry.ts';
import { EXIT } from '../exit-codes.ts';

export type Prepared = { readonly config: Config; readonly checks: readonly Check[] };

/**
 * Loads the config (file or command line), the plugins and the check selection, collecting every problem from
 * all three before giving up, so one run of `vouch validate` shows everything that needs fixing.
 */
export async function prepareScan(configPath: string | undefined, overrides: ConfigOverrides, cwd: string): Promise<Prepared> {
  const loaded = configPath
    ? await loadConfigFile(resolve(cwd, configPath), overrides)
    : await buildConfig({}, { source: null, baseDir: cwd, overrides });
  const prefix = configPath ? `${resolve(cwd, configPath)}: ` : '';
  const subject = loaded.ok ? loaded.config : loaded.partial;
  const cross = subject ? await crossCheck(subject) : { problems: [], checks: [] };
  const problems = [...(loaded.ok ? [] : loaded.problems), ...cross.problems.map((p) => prefix + p)];
  if (!loaded.ok || problems.length > 0) throw new ExitError(EXIT.usage, formatProblems(configPath, problems));
  return { config: loaded.config, checks: cross.checks };
}

/**
 * Problems only the check registry can reveal: plugins that do not load, check ids that match nothing (selection,
 * waivers, a catalogue's checks), attestations of unknown promises. Run even when the file has other problems,
 * so that one `vouch validate` lists everything.
 */
async function crossCheck(config: CrossCheckable): Promise<{ problems: string[]; checks: readonly Check[] }> {
  const plugins = await loadPlugins(config.plugins);
  // Built-in checks are selected by id and only the selected ones loaded (checks/registry.ts says why).
  const all = [...BUILT_IN_CHECK_IDS.map((id) => ({ id })), ...plugins.checks];
  const selection = selectChecks(all, config.checks.only, config.checks.skip);
  const { catalogue, attestations, waivers, waiverPaths } = config.compliance;
  const problems = [
    ...plugins.problems, ...duplicateIdProblems(all), ...(selection.ok ? [] : selection.problems),
    ...catalogueProblems(catalogue, all.map((c) => c.id)), ...attestationProblems(catalogue, attestations),
    ...waivers.flatMap((w, i) => (all.some((c) => globToRegExp(w.checkId).test(c.id))
      ? [] : [`${waiverPaths[i] ?? `waivers[${i}]`}.check: "${w.checkId}" matches no check id`])),
  ];
  return { problems, checks: selection.ok ? await loadSelected(selection.checks, plugins.checks) : [] };
}

/** The selected checks in registry order, built-in ones loaded now, then the plugins' (already loaded). */
async function loadSelected(selected: readonly { readonly id: string }[], pluginChecks: readonly Check[]): Promise<Check[]> {
  const ids = new Set(selected.map((c) => c.id));
  const builtIn = await loadChecks(BUILT_IN_CHECK_IDS.filter((id) => ids.has(id)));
  return [...builtIn, ...pluginChecks.filter((c) => ids.has(c.id))];
}

function formatProblems(configPath: string | undefined, problems: readonly string[]): string {
  const what = configPath ? `configuration ${configPath}` : 'command line';
  return [`invalid ${what}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, ...problems.map((p) => `  - ${p}`)].join('\n');
}
