import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { REPORT_FORMATS, type CookieDeclaration, type Target } from '../core/types.ts';
import type { Config, ConnectToRule, ProbeConfig, ResolverAddress } from './config.ts';
import type { Thresholds } from './settings.ts';
import { DEFAULT_COOKIE_CATEGORIES, DEFAULT_PROBE_SETTINGS, DEFAULT_THRESHOLDS } from './defaults.ts';
import {
  checkKeys, join, readBoolean, readInteger, readList, readMapping, readString, readStringList, type Problems,
} from './fields.ts';
import { isDomainName, normalizeDomain } from './names.ts';
import { parseConnectTo } from './parse-values.ts';
import { readCompliance } from './compliance.ts';
import { readAllowRedirectsTo } from './redirects.ts';
import { readTls } from './tls.ts';
import { readOcsp } from './ocsp.ts';
import { parseYamlFile, type YamlFileResult } from './yaml-file.ts';
export { invalidUtf8Offsets } from './yaml-file.ts';
import { parseResolverAddress } from './resolvers.ts';
import { hostname } from 'node:os';
import { isIP } from 'node:net';

/** The outcome of loading: a Config, or every problem found, each as `path: what is wrong`. */
export type LoadResult =
  | { ok: true; config: Config }
  | { ok: false; problems: readonly string[]; partial?: CrossCheckable };

/** What cross-checks against the check registry need, available even when the file has other problems. */
export type CrossCheckable = Pick<Config, 'plugins' | 'checks' | 'compliance'>;

const TOP_KEYS = [
  'domains', 'domainsFile', 'defaults', 'resolvers', 'trustedCaFiles', 'connectTo', 'timeouts', 'concurrency',
  'thresholds', 'checks', 'output', 'plugins', 'cookieCategories', 'ehloName', 'ipFamilies', 'tlsVersionProbe',
  'strictMxCertificates', 'limits', 'waivers', 'attestations', 'promises', 'signing', 'allowRedirectsTo', 'tls', 'ocsp',
];
const DOMAIN_KEYS = ['name', 'web', 'mail', 'profile', 'dkimSelectors', 'sendingIps', 'urls', 'cookies'];

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

/**
 * Values from the command line that replace the file's (positional domains replace its domain list). Paths in it
 * are already absolute: they are relative to where the command ran, not to the configuration file.
 */
export type ConfigOverrides = {
  readonly domains?: readonly string[];
  readonly connectTo?: readonly string[];
  readonly resolvers?: readonly string[];
  readonly trustedCaFiles?: readonly string[];
  readonly only?: readonly string[];
  readonly outDir?: string;
  readonly formats?: readonly string[];
  readonly timeoutMs?: number;
  /** `--concurrency`: domains in flight. */
  readonly concurrency?: number;
  readonly workers?: number;
};

/** Validates a parsed config tree (or `{}` for a command-line-only scan) into a Config. */
export async function buildConfig(
  raw: unknown,
  context: { source: string | null; baseDir: string; overrides?: ConfigOverrides; extraCaPems?: readonly string[] },
): Promise<LoadResult> {
  const problems: Problems = [];
  const o = context.overrides ?? {};
  const root = raw === null || raw === undefined ? {} : readMapping(raw, '(top level)', problems) ?? {};
  checkKeys(root, '', TOP_KEYS, problems);

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
  checkKeys(checksNode, 'checks', ['only', 'skip'], problems);
  const only = o.only?.length ? [...o.only] : readStringList(checksNode['only'], 'checks.only', problems) ?? [];
  const skipIds = readStringList(checksNode['skip'], 'checks.skip', problems) ?? [];
  const outputNode = readMapping(root['output'], 'output', problems) ?? {};
  checkKeys(outputNode, 'output', ['dir', 'formats', 'retain'], problems);
  const retain = readInteger(outputNode['retain'], 'output.retain', problems, 1, 100_000) ?? null;
  const dirText = o.outDir ?? readString(outputNode['dir'], 'output.dir', problems);
  const formats = o.formats ?? readStringList(outputNode['formats'], 'output.formats', problems) ?? ['json', 'text'];
  // Without an output directory one format goes to stdout: the one asked for on the command line, else text.
  const stdoutFormat = o.formats?.[0] ?? 'text';
  formats.forEach((f, i) => {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) problems.push(`output.formats[${i}]: unknown format "${f}"; known: ${REPORT_FORMATS.join(', ')}`);
  });
  const plugins = (readStringList(root['plugins'], 'plugins', problems) ?? []).map((p) => resolve(context.baseDir, p));
  const cookieCategories = readStringList(root['cookieCategories'], 'cookieCategories', problems) ?? [...DEFAULT_COOKIE_CATEGORIES];
  const strictMx = readBoolean(root['strictMxCertificates'], 'strictMxCertificates', problems) ?? false;
  const allowRedirectsTo = readAllowRedirectsTo(root['allowRedirectsTo'], problems);
  const tls = await readTls(root['tls'], context.baseDir, problems);
  const ocsp = readOcsp(root['ocsp'], problems);
  const compliance = await readCompliance(root, context.baseDir, problems);

  if (problems.length > 0 || !tls) {
    return { ok: false, problems, partial: { plugins, checks: { only, skip: skipIds }, compliance } };
  }
  const body = {
    targets: targets.filter((t): t is Target => t !== undefined), resolvers, trustedCaFiles: caFiles, connectTo, probe, thresholds,
    checks: { only, skip: skipIds }, output: { dir: dirText ? resolve(context.baseDir, dirText) : null, formats, stdoutFormat, retain },
    plugins, cookieCategories, strictMxCertificates: strictMx, allowRedirectsTo, tls, ocsp,
  };
  // The digest covers everything that changes a verdict, but never the signing key itself, nor how the scan is run
  // (domains in flight, workers) or where its reports go: a scan resumed with other such settings is the same scan.
  const { signingKeyPem, ...judged } = compliance;
  const { domainsInFlight: _window, checksInFlight: _checks, workers: _workers, ...judgedProbe } = probe;
  const { output: _output, ...judgedBody } = body;
  const digest = createHash('sha256').update(JSON.stringify({ ...judgedBody, probe: judgedProbe, trustedCaPems, ...judged })).digest('hex');
  return { ok: true, config: { source: context.source, digest: `sha256:${digest}`, trustedCaPems, ...body, compliance: { ...judged, signingKeyPem } } };
}

type DomainOptions = Omit<Target, 'domain'>;
const NO_OPTIONS: DomainOptions = { web: true, mail: true, profile: 'standard', dkimSelectors: [], sendingIps: [], urls: [], cookies: [] };

function readDomainOptions(node: Record<string, unknown>, path: string, problems: Problems, named: boolean, base = NO_OPTIONS): DomainOptions {
  checkKeys(node, path, named ? DOMAIN_KEYS : DOMAIN_KEYS.filter((k) => k !== 'name'), problems);
  const profile = readString(node['profile'], join(path, 'profile'), problems);
  if (profile !== undefined && profile !== 'standard' && profile !== 'parked') {
    problems.push(`${join(path, 'profile')}: expected "standard" or "parked", got "${profile}"`);
  }
  const sendingIps = readStringList(node['sendingIps'], join(path, 'sendingIps'), problems);
  sendingIps?.forEach((ip, i) => { if (isIP(ip) === 0) problems.push(`${join(path, 'sendingIps')}[${i}]: "${ip}" is not an IP address`); });
  const urls = readStringList(node['urls'], join(path, 'urls'), problems);
  urls?.forEach((u, i) => { if (!/^https:\/\/[^/\s]+(\/\S*)?$/.test(u)) problems.push(`${join(path, 'urls')}[${i}]: "${u}" is not an https:// URL`); });
  return {
    web: readBoolean(node['web'], join(path, 'web'), problems) ?? base.web,
    mail: readBoolean(node['mail'], join(path, 'mail'), problems) ?? base.mail,
    profile: profile === 'parked' ? 'parked' : profile === 'standard' ? 'standard' : base.profile,
    dkimSelectors: readSelectors(node['dkimSelectors'], join(path, 'dkimSelectors'), problems) ?? base.dkimSelectors,
    sendingIps: sendingIps ?? base.sendingIps,
    urls: urls ?? base.urls,
    cookies: readCookies(node['cookies'], join(path, 'cookies'), problems) ?? base.cookies,
  };
}

/** RFC 6376 3.1: a selector is one or more dot-separated sub-domain labels (it is placed before `._domainkey`). */
function readSelectors(value: unknown, path: string, problems: Problems): string[] | undefined {
  const list = readStringList(value, path, problems);
  list?.forEach((sel, i) => {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*$/.test(sel)) {
      problems.push(`${path}[${i}]: "${sel}" is not a DKIM selector (labels of letters, digits, - and _, RFC 6376 3.1)`);
    }
  });
  return list;
}

function readCookies(value: unknown, path: string, problems: Problems): CookieDeclaration[] | undefined {
  const list = readList(value, path, problems);
  if (!list) return undefined;
  const out: CookieDeclaration[] = [];
  list.forEach((item, i) => {
    const node = readMapping(item, join(path, i), problems);
    if (!node) return;
    checkKeys(node, join(path, i), ['name', 'category'], problems);
    const name = readString(node['name'], join(join(path, i), 'name'), problems);
    const category = readString(node['category'], join(join(path, i), 'category'), problems);
    if (name === undefined && node['name'] === undefined) problems.push(`${join(path, i)}.name: required`);
    if (category === undefined && node['category'] === undefined) problems.push(`${join(path, i)}.category: required`);
    if (name && category) out.push({ name, category: category.toLowerCase() });
  });
  return out;
}

function readDomain(value: unknown, path: string, defaults: DomainOptions, problems: Problems): Target | undefined {
  const node = typeof value === 'string' ? { name: value } : readMapping(value, path, problems);
  if (!node) return undefined;
  const name = readString(node['name'], join(path, 'name'), problems);
  if (node['name'] === undefined) problems.push(`${path}.name: required`);
  const options = readDomainOptions(node, path, problems, true, defaults);
  if (name === undefined) return undefined;
  const domain = normalizeDomain(name);
  if (!isDomainName(domain)) {
    problems.push(`${typeof value === 'string' ? path : join(path, 'name')}: "${name}" is not a domain name`);
    return undefined;
  }
  return { domain, ...options };
}

async function readDomains(root: Record<string, unknown>, baseDir: string, defaults: DomainOptions, problems: Problems) {
  const list = readList(root['domains'], 'domains', problems) ?? [];
  const targets = list.map((item, i) => readDomain(item, `domains[${i}]`, defaults, problems));
  const file = readString(root['domainsFile'], 'domainsFile', problems);
  if (file) {
    const path = resolve(baseDir, file);
    try {
      const lines = (await readFile(path, 'utf8')).split(/\r?\n/);
      lines.forEach((line, i) => {
        const text = line.replace(/#.*$/, '').trim();
        if (text) targets.push(readDomain(text, `domainsFile ${file} line ${i + 1}`, defaults, problems));
      });
    } catch (err) {
      problems.push(`domainsFile: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  if (list.length === 0 && !file) problems.push('domains: no domains to scan (give "domains:", "domainsFile:" or domains on the command line)');
  return targets;
}

function readResolvers(value: unknown, problems: Problems): ResolverAddress[] | null {
  const list = readStringList(value, 'resolvers', problems);
  if (!list) return null;
  if (list.length === 0 && Array.isArray(value) && value.length === 0) {
    problems.push('resolvers: must name at least one resolver (leave it out to use /etc/resolv.conf)');
  }
  const out: ResolverAddress[] = [];
  list.forEach((text, i) => {
    const parsed = parseResolverAddress(text);
    if (parsed.ok) out.push(parsed.value);
    else problems.push(`resolvers[${i}]: ${parsed.problem}`);
  });
  return out;
}

function readConnectTo(list: readonly string[], problems: Problems): ConnectToRule[] {
  const out: ConnectToRule[] = [];
  list.forEach((text, i) => {
    const parsed = parseConnectTo(text);
    if (parsed.ok) out.push(parsed.value);
    else problems.push(`connectTo[${i}]: ${parsed.problem}`);
  });
  return out;
}

async function readCaFiles(files: readonly string[], problems: Problems): Promise<string[]> {
  const pems: string[] = [];
  for (const [i, file] of files.entries()) {
    try {
      const text = await readFile(file, 'utf8');
      const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length === 0) problems.push(`trustedCaFiles[${i}]: ${file} holds no PEM certificate`);
      pems.push(...blocks);
    } catch (err) {
      problems.push(`trustedCaFiles[${i}]: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return pems;
}

function readProbe(root: Record<string, unknown>, o: ConfigOverrides, problems: Problems): ProbeConfig {
  const timeouts = readMapping(root['timeouts'], 'timeouts', problems) ?? {};
  checkKeys(timeouts, 'timeouts', ['probeMs', 'checkMs'], problems);
  const conc = readMapping(root['concurrency'], 'concurrency', problems) ?? {};
  checkKeys(conc, 'concurrency', ['domains', 'checks', 'workers', 'connectionsPerHost', 'mxConnectionsPerAddress'], problems);
  const limits = readMapping(root['limits'], 'limits', problems) ?? {};
  checkKeys(limits, 'limits', ['maxHeaderBytes', 'maxBodyBytes', 'maxRedirects'], problems);
  const families = readList(root['ipFamilies'], 'ipFamilies', problems);
  const ipFamilies = families?.filter((f, i): f is 4 | 6 => {
    if (f === 4 || f === 6) return true;
    problems.push(`ipFamilies[${i}]: expected 4 or 6, got ${JSON.stringify(f)}`);
    return false;
  });
  const versionProbe = readString(root['tlsVersionProbe'], 'tlsVersionProbe', problems);
  if (versionProbe !== undefined && versionProbe !== 'raw' && versionProbe !== 'node') {
    problems.push(`tlsVersionProbe: expected "raw" or "node", got "${versionProbe}"`);
  }
  const d = DEFAULT_PROBE_SETTINGS;
  // Command-line numbers get the same bounds as the file's: --timeout 3000000000 would overflow setTimeout to 1 ms.
  const probeMs = readInteger(o.timeoutMs, '--timeout', problems, 10, 600_000)
    ?? readInteger(timeouts['probeMs'], 'timeouts.probeMs', problems, 10, 600_000) ?? d.timeoutMs;
  return {
    timeoutMs: probeMs,
    checkTimeoutMs: readInteger(timeouts['checkMs'], 'timeouts.checkMs', problems, 10, 3_600_000) ?? Math.max(d.checkTimeoutMs, probeMs * 6),
    domainsInFlight: readInteger(o.concurrency, '--concurrency', problems, 1, 10_000)
      ?? readInteger(conc['domains'], 'concurrency.domains', problems, 1, 10_000) ?? d.domainsInFlight,
    checksInFlight: readInteger(conc['checks'], 'concurrency.checks', problems, 1, 100_000) ?? null,
    workers: readInteger(o.workers, '--workers', problems, 1, 256) ?? readInteger(conc['workers'], 'concurrency.workers', problems, 1, 256) ?? null,
    connectionsPerHost: readInteger(conc['connectionsPerHost'], 'concurrency.connectionsPerHost', problems, 1, 64) ?? d.connectionsPerHost,
    mxConnectionsPerAddress: readInteger(conc['mxConnectionsPerAddress'], 'concurrency.mxConnectionsPerAddress', problems, 1, 16) ?? d.mxConnectionsPerAddress,
    ipFamilies: ipFamilies && ipFamilies.length > 0 ? ipFamilies : d.ipFamilies,
    ehloName: readEhloName(root['ehloName'], problems),
    tlsVersionProbe: versionProbe === 'node' ? 'node' : 'raw',
    maxHeaderBytes: readInteger(limits['maxHeaderBytes'], 'limits.maxHeaderBytes', problems, 1024, 16 * 1024 * 1024) ?? d.maxHeaderBytes,
    maxBodyBytes: readInteger(limits['maxBodyBytes'], 'limits.maxBodyBytes', problems, 1024, 64 * 1024 * 1024) ?? d.maxBodyBytes,
    maxRedirects: readInteger(limits['maxRedirects'], 'limits.maxRedirects', problems, 0, 50) ?? d.maxRedirects,
  };
}

/** RFC 5321 4.1.1.1: EHLO names a domain or an address literal; nothing else may reach the SMTP dialogue. */
function readEhloName(value: unknown, problems: Problems): string {
  const name = readString(value, 'ehloName', problems);
  if (name === undefined) return hostname();
  const literal = /^\[(IPv6:)?[0-9a-fA-F:.]+\]$/.test(name);
  if (!literal && !/^(?!-)[A-Za-z0-9-]{1,63}(\.(?!-)[A-Za-z0-9-]{1,63})*$/.test(name)) {
    problems.push(`ehloName: "${name}" is neither a domain name nor an address literal like [192.0.2.1]`);
  }
  return name;
}

function readThresholds(value: unknown, problems: Problems): Thresholds {
  const node = readMapping(value, 'thresholds', problems) ?? {};
  const keys = Object.keys(DEFAULT_THRESHOLDS) as (keyof Thresholds)[];
  checkKeys(node, 'thresholds', keys, problems);
  const out: Record<string, number> = { ...DEFAULT_THRESHOLDS };
  for (const key of keys) {
    const v = readInteger(node[key], `thresholds.${key}`, problems, 0, 1_000_000_000);
    if (v !== undefined) out[key] = v;
  }
  if ((out['certExpiryFailDays'] ?? 0) > (out['certExpiryWarnDays'] ?? 0)) {
    problems.push('thresholds.certExpiryFailDays: must not exceed thresholds.certExpiryWarnDays');
  }
  return out as Thresholds;
}
