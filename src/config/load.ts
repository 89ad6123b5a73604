import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { REPORT_FORMATS, type Target } from '../core/types.ts';
import type { Config, ConfigOverrides } from './config.ts';
import { DEFAULT_COOKIE_CATEGORIES } from './defaults.ts';
import { allowedKeys, integerBounds } from './definition/index.ts';
import { checkKeys, readBoolean, readInteger, readMapping, readString, readStringList, type Problems } from './fields.ts';
import { readCompliance } from './compliance.ts';
import { readDnssec } from './dnssec.ts';
import { readDomain, readDomainOptions, readDomains } from './domains.ts';
import { readCaFiles, readConnectTo, readResolvers } from './network.ts';
import { readProbe, readThresholds } from './probe-settings.ts';
import { readAllowRedirectsTo } from './redirects.ts';
import { readTls } from './tls.ts';
import { readOcsp } from './ocsp.ts';
import { readBrowser } from './browser.ts';
import { readRpki } from './network-depth.ts';
import { readPrometheus } from './prometheus.ts';
import { readQueue } from './queue.ts';
import { parseYamlFile, type YamlFileResult } from './yaml-file.ts';
export { invalidUtf8Offsets } from './yaml-file.ts';
export type { ConfigOverrides } from './config.ts';

/** The outcome of loading: a Config, or every problem found, each as `path: what is wrong`. */
export type LoadResult =
  | { ok: true; config: Config }
  | { ok: false; problems: readonly string[]; partial?: CrossCheckable };

/** What cross-checks against the check registry need, available even when the file has other problems. */
export type CrossCheckable = Pick<Config, 'plugins' | 'checks' | 'compliance'>;

/** Reads a YAML (or JSON) config file; problems are prefixed with the file name (and line:column where known). */
export async function loadConfigFile(path: string, overrides: ConfigOverrides = {}): Promise<LoadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return { ok: false, problems: [`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] };
  }
  const parsed = parseConfigText(bytes, path);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const result = await buildConfig(parsed.value, { source: path, baseDir: dirname(resolve(path)), overrides });
  return result.ok ? result : { ...result, problems: result.problems.map((p) => `${path}: ${p}`) };
}

/** Alias expansions allowed in a configuration: plenty for shared defaults, none for a bomb. */
export const MAX_ALIAS_COUNT = 100;

/** The bytes of a configuration file as plain data, or every problem with its text (see `parseYamlFile`). */
export function parseConfigText(bytes: Uint8Array, path: string): YamlFileResult {
  return parseYamlFile(bytes, path, { noun: 'configuration', keys: 'domains:, output:, ...', maxAliases: MAX_ALIAS_COUNT });
}

/** Validates a parsed config tree (or `{}` for a command-line-only scan) into a Config. */
export async function buildConfig(
  raw: unknown,
  context: {
    source: string | null; baseDir: string; overrides?: ConfigOverrides; extraCaPems?: readonly string[];
    /** Trust anchors in place of `dnssec.trustAnchors` (the demo's lab root), and what to call them in evidence. */
    dnssecAnchors?: { readonly text: string; readonly source: string };
  },
): Promise<LoadResult> {
  const problems: Problems = [];
  const o = context.overrides ?? {};
  const root = raw === null || raw === undefined ? {} : readMapping(raw, '(top level)', problems) ?? {};
  checkKeys(root, '', allowedKeys(''), problems);

  const defaults = readDomainOptions(readMapping(root['defaults'], 'defaults', problems) ?? {}, 'defaults', problems, false);
  const targets = o.domains?.length
    ? o.domains.map((d, i) => readDomain(d, `domains (command line)[${i}]`, defaults, problems))
    : await readDomains(root, context.baseDir, defaults, problems);
  const seen = new Set<string>();
  for (const t of targets) {
    if (t && seen.has(t.domain)) problems.push(`domains: "${t.domain}" is listed twice`);
    if (t) seen.add(t.domain);
  }

  const resolvers = readResolvers(o.resolvers ?? root['resolvers'], problems);
  const connectTo = readConnectTo([...(readStringList(root['connectTo'], 'connectTo', problems) ?? []), ...(o.connectTo ?? [])], problems);
  const caFiles = [...(readStringList(root['trustedCaFiles'], 'trustedCaFiles', problems) ?? []).map((f) => resolve(context.baseDir, f)),
    ...(o.trustedCaFiles ?? [])];
  const trustedCaPems = [...await readCaFiles(caFiles, problems), ...(context.extraCaPems ?? [])];
  const probe = readProbe(root, o, problems);
  const thresholds = readThresholds(root['thresholds'], problems);
  const checksNode = readMapping(root['checks'], 'checks', problems) ?? {};
  checkKeys(checksNode, 'checks', allowedKeys('checks'), problems);
  const only = o.only?.length ? [...o.only] : readStringList(checksNode['only'], 'checks.only', problems) ?? [];
  const skipIds = readStringList(checksNode['skip'], 'checks.skip', problems) ?? [];
  const output = readOutput(root['output'], context.baseDir, o, problems);
  const prometheus = readPrometheus(root['prometheus'], context.baseDir, problems);
  const prometheusTextfile = o.prometheusTextfile ?? prometheus.textfile;
  const plugins = (readStringList(root['plugins'], 'plugins', problems) ?? []).map((p) => resolve(context.baseDir, p));
  const cookieCategories = readStringList(root['cookieCategories'], 'cookieCategories', problems) ?? [...DEFAULT_COOKIE_CATEGORIES];
  const strictMx = readBoolean(root['strictMxCertificates'], 'strictMxCertificates', problems) ?? false;
  const allowRedirectsTo = readAllowRedirectsTo(root['allowRedirectsTo'], problems);
  const tls = await readTls(root['tls'], context.baseDir, problems);
  const ocsp = readOcsp(root['ocsp'], problems);
  const browser = readBrowser(root['browser'], context.baseDir, o.browser, problems);
  const rpki = readRpki(root['rpki'], context.baseDir, problems);
  const dnssec = context.dnssecAnchors === undefined ? await readDnssec(root['dnssec'], context.baseDir, problems, o.trustAnchorsFile)
    : { trustAnchorsSource: context.dnssecAnchors.source, trustAnchorsText: context.dnssecAnchors.text };
  const compliance = await readCompliance(root, context.baseDir, problems);
  const queue = await readQueue(root, context.baseDir, o, probe.domainsInFlight, problems);

  if (problems.length > 0 || !tls) {
    return { ok: false, problems, partial: { plugins, checks: { only, skip: skipIds }, compliance } };
  }
  const body = {
    targets: targets.filter((t): t is Target => t !== undefined), resolvers, trustedCaFiles: caFiles, connectTo, probe, thresholds,
    checks: { only, skip: skipIds }, output, plugins, cookieCategories, strictMxCertificates: strictMx, allowRedirectsTo, tls, ocsp, rpki, browser, dnssec,
  };
  // The digest covers everything that changes a verdict, but never the signing key itself, nor how the scan is run
  // (domains in flight, workers) or where its reports go: a scan resumed with other such settings is the same scan.
  const { signingKeyPem, ...judged } = compliance;
  const { domainsInFlight: _window, checksInFlight: _checks, workers: _workers, ...judgedProbe } = probe;
  const { output: _output, ...judgedBody } = body;
  const digest = createHash('sha256').update(JSON.stringify({ ...judgedBody, probe: judgedProbe, trustedCaPems, ...judged })).digest('hex');
  return {
    ok: true,
    config: {
      source: context.source, digest: `sha256:${digest}`, trustedCaPems, ...body, compliance: { ...judged, signingKeyPem },
      prometheusPerResult: prometheus.perResult, queue,
      ...(prometheusTextfile ? { prometheusTextfile } : {}),
    },
  };
}

function readOutput(value: unknown, baseDir: string, o: ConfigOverrides, problems: Problems): Config['output'] {
  const node = readMapping(value, 'output', problems) ?? {};
  checkKeys(node, 'output', allowedKeys('output'), problems);
  const retain = readInteger(node['retain'], 'output.retain', problems, ...integerBounds('output.retain')) ?? null;
  const dirText = o.outDir ?? readString(node['dir'], 'output.dir', problems);
  const formats = o.formats ?? readStringList(node['formats'], 'output.formats', problems) ?? ['json', 'text'];
  // Without an output directory one format goes to stdout: the one asked for on the command line, else text.
  const stdoutFormat = o.formats?.[0] ?? 'text';
  formats.forEach((f, i) => {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) problems.push(`output.formats[${i}]: unknown format "${f}"; known: ${REPORT_FORMATS.join(', ')}`);
  });
  return { dir: dirText ? resolve(baseDir, dirText) : null, formats, stdoutFormat, retain };
}
