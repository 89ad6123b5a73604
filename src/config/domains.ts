/** The `domains`, `domainsFile` and `defaults` keys: what to scan, and each domain's own settings. */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { CookieDeclaration, Target } from '../core/types.ts';
import { allowedKeys } from './definition/index.ts';
import { checkKeys, join, readBoolean, readList, readMapping, readString, readStringList, type Problems } from './fields.ts';
import { aLabelForm, hostAsWritten, isDomainName, normalizeDomain } from './names.ts';
import { readThirdParties } from './browser.ts';

export type DomainOptions = Omit<Target, 'domain'>;
const NO_OPTIONS: DomainOptions = { web: true, mail: true, profile: 'standard', dkimSelectors: [], sendingIps: [], urls: [], cookies: [] };

/** A domain entry's settings (`named`: an entry of `domains`, which has a `name`) or `defaults:`, over `base`. */
export function readDomainOptions(node: Record<string, unknown>, path: string, problems: Problems, named: boolean, base = NO_OPTIONS): DomainOptions {
  checkKeys(node, path, allowedKeys(named ? 'domains[]' : 'defaults'), problems);
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
    ...thirdPartiesOf(readThirdParties(node['thirdParties'], join(path, 'thirdParties'), problems) ?? base.thirdParties),
  };
}

/** Absent when none are declared, so that targets without any compare equal to those made before the key existed. */
const thirdPartiesOf = (list: DomainOptions['thirdParties']) => (list && list.length > 0 ? { thirdParties: list } : {});

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
    checkKeys(node, join(path, i), allowedKeys('defaults.cookies[]'), problems);
    const name = readString(node['name'], join(join(path, i), 'name'), problems);
    const category = readString(node['category'], join(join(path, i), 'category'), problems);
    if (name === undefined && node['name'] === undefined) problems.push(`${join(path, i)}.name: required`);
    if (category === undefined && node['category'] === undefined) problems.push(`${join(path, i)}.category: required`);
    const party = readString(node['party'], join(join(path, i), 'party'), problems);
    if (party !== undefined && party !== 'first' && party !== 'third') problems.push(`${join(join(path, i), 'party')}: expected "first" or "third", got "${party}"`);
    if (name && category) out.push({ name, category: category.toLowerCase(), ...(party === 'first' || party === 'third' ? { party } : {}) });
  });
  return out;
}

/** One entry of `domains` (a name, or a mapping with a name), a command-line domain, or a line of `domainsFile`. */
export function readDomain(value: unknown, path: string, defaults: DomainOptions, problems: Problems): Target | undefined {
  const node = typeof value === 'string' ? { name: value } : readMapping(value, path, problems);
  if (!node) return undefined;
  const name = readString(node['name'], join(path, 'name'), problems);
  if (node['name'] === undefined) problems.push(`${path}.name: required`);
  const options = readDomainOptions(node, path, problems, true, defaults);
  if (name === undefined) return undefined;
  const reading = readConfigDomainName(name);
  if (!reading.ok) {
    problems.push(`${typeof value === 'string' ? path : join(path, 'name')}: ${reading.problem}`);
    return undefined;
  }
  return { domain: reading.domain, ...options };
}


/**
 * A domain name as the configuration file gives it. An internationalised (U-label) name becomes its A-label (xn--)
 * form silently, as `node:url` applies UTS 46 (the report shows the name scanned); case and a final dot are dropped.
 * A URL is refused with the host to write instead: unlike `-i` (pasted lists, normalised with a note), a
 * configuration is a file its owner edits once. Pure and total.
 */
export function readConfigDomainName(name: string): { readonly ok: true; readonly domain: string } | { readonly ok: false; readonly problem: string } {
  const { url, host } = hostAsWritten(name);
  if (url) {
    const written = normalizeDomain(host);
    const example = isDomainName(aLabelForm(written) ?? '') ? written : 'example.nl';
    return { ok: false, problem: `"${name}" is a URL: write the host name, e.g. ${example}` };
  }
  const ascii = aLabelForm(host);
  if (ascii === null) return { ok: false, problem: `"${name}" is not a valid internationalised domain name` };
  const domain = normalizeDomain(ascii);
  return isDomainName(domain) ? { ok: true, domain } : { ok: false, problem: `"${name}" is not a domain name` };
}

/** `domains:` then the lines of `domainsFile:` (resolved against the configuration's directory). */
export async function readDomains(root: Record<string, unknown>, baseDir: string, defaults: DomainOptions, problems: Problems) {
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
