import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/config.ts';
import { defaultTarget } from '../config/defaults.ts';
import type { Check } from '../core/check.ts';
import type { LogLevel } from '../log.ts';
import { runPrefix } from './run-keys.ts';

/**
 * What travels with a queued run (issue 12), so that every worker judges as the scanner would have alone: written by
 * the scanner to `vouch:RUN:spec` before the first job, read once per run by each worker, which refuses the run's
 * jobs when it cannot judge them the same way (see `compatibility`).
 */
export type RunSpec = {
  readonly toolVersion: string;
  /** The selected checks, in report order. */
  readonly checkIds: readonly string[];
  readonly config: SpecConfig;
  /**
   * Every configured domain's name and extra URLs: what a redirect may always lead to and the browser treats as
   * first party (src/config/redirects.ts), so a domain is judged alike whether or not its job carries the others.
   */
  readonly scanned: readonly ScannedName[];
  /** Each plugin module (absolute path, as configured) with the SHA-256 of its file: a worker must run the same code. */
  readonly pluginDigests: Readonly<Record<string, string>>;
  /** The scanner's `--log-level`: a worker started without one logs the run's domains at it. */
  readonly logLevel: LogLevel;
};

/**
 * The configuration without its domain list (each job carries its own target), its queue (a URL that may hold a
 * password, and no business of a worker's) and its signing key (a secret; reports are signed by the scanner).
 */
export type SpecConfig = Omit<Config, 'targets' | 'queue' | 'compliance'> & {
  readonly compliance: Omit<Config['compliance'], 'signingKeyPem'>;
};

export type ScannedName = { readonly domain: string; readonly urls?: readonly string[] };

export const specKey = (runId: string) => `${runPrefix(runId)}spec`;
/** A hash: worker id -> why it refuses the run (the scanner prints each once). */
export const refusalsKey = (runId: string) => `${runPrefix(runId)}refusals`;

/** Builds the spec of a run; throws if the configuration holds a value JSON would not carry unchanged (a Vouch bug). */
export async function buildRunSpec(config: Config, checks: readonly Check[], logLevel: LogLevel, toolVersion: string): Promise<RunSpec> {
  const { targets, queue: _queue, compliance, ...rest } = config;
  const { signingKeyPem: _secret, ...judged } = compliance;
  const specConfig: SpecConfig = { ...rest, compliance: judged };
  const problem = jsonProblem(specConfig, 'config');
  if (problem) throw new Error(`the configuration cannot travel to the workers: ${problem}`);
  const pluginDigests: Record<string, string> = {};
  for (const path of config.plugins) pluginDigests[path] = await fileDigest(path);
  return {
    toolVersion, checkIds: checks.map((c) => c.id), config: specConfig,
    scanned: targets.map((t) => (t.urls.length > 0 ? { domain: t.domain, urls: t.urls } : { domain: t.domain })),
    pluginDigests, logLevel,
  };
}

export async function fileDigest(path: string): Promise<string> {
  return `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`;
}

/**
 * The configuration a worker scans with: the spec's, with the configured names as targets. Only their names and
 * URLs are read outside a job (the redirect and browser settings); each job brings its full target.
 */
export function workerConfig(spec: RunSpec): Config {
  const targets = spec.scanned.map((s) => ({ ...defaultTarget(s.domain), urls: s.urls ?? [] }));
  const queue = { url: null, caFile: null, attempts: 1, domainsInFlight: 1 };
  return { ...spec.config, targets, queue, compliance: { ...spec.config.compliance, signingKeyPem: null } };
}

/** What a worker can run: its version, the checks it has, and for each of the run's plugins what it would run. */
export type WorkerAbilities = {
  readonly toolVersion: string;
  /** Built-in check ids and those of the run's plugins it loaded. */
  readonly checkIds: ReadonlySet<string>;
  /** Per plugin path of the spec: the digest of the code this worker runs for it, or why it has none. */
  readonly plugins: Readonly<Record<string, { readonly digest: string } | { readonly problem: string }>>;
};

/**
 * Why a worker cannot judge a run as its scanner would (one sentence, problems joined by "; "), or null when it can.
 * Pure: the worker gathers its abilities (src/queue/worker.ts), this compares.
 */
export function compatibility(spec: RunSpec, local: WorkerAbilities): string | null {
  const problems: string[] = [];
  if (spec.toolVersion !== local.toolVersion) problems.push(`it was started by Vouch ${spec.toolVersion}, this worker is ${local.toolVersion}`);
  for (const [path, digest] of Object.entries(spec.pluginDigests)) {
    const mine = local.plugins[path];
    if (!mine) problems.push(`plugin ${path} was not looked at`);
    else if ('problem' in mine) problems.push(`plugin ${path} ${mine.problem}`);
    else if (mine.digest !== digest) problems.push(`plugin ${path} differs here (${short(mine.digest)}, the run's is ${short(digest)})`);
  }
  // Checks another version or a missing plugin lacks are not listed as well: the first problem says why.
  const missing = problems.length > 0 ? [] : spec.checkIds.filter((id) => !local.checkIds.has(id));
  if (missing.length > 0) problems.push(`this worker has no check ${list(missing)}`);
  return problems.length > 0 ? problems.join('; ') : null;
}

const short = (digest: string) => digest.slice(0, 'sha256:'.length + 12);
const list = (ids: readonly string[]) => (ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', '));

/**
 * Where `value` holds something JSON would not carry unchanged (a Map, a Date, a function, a class instance, a
 * non-finite number, a hole or `undefined` in a list), as `path: what`; null when a round trip gives it back equal.
 * An `undefined` property is fine: it is dropped, and reads as undefined after the trip as well.
 */
export function jsonProblem(value: unknown, path: string): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path}: the number ${value}`;
  if (typeof value !== 'object') return `${path}: a ${typeof value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = !(i in value) || value[i] === undefined ? `${path}[${i}]: a hole or undefined` : jsonProblem(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return `${path}: a ${(value as object).constructor?.name ?? 'class instance'}`;
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const problem = jsonProblem(child, `${path}.${key}`);
    if (problem) return problem;
  }
  return null;
}
