/** The `browser:` key and each domain's `thirdParties:` (issue 14), read against src/config/definition/browser.ts. */
import { resolve } from 'node:path';
import type { BrowserSettings } from '../browser/pages.ts';
import type { ThirdPartyDeclaration } from '../core/types.ts';
import { DEFAULT_BROWSER } from './definition/browser.ts';
import { allowedKeys, integerBounds } from './definition/index.ts';
import { checkKeys, join, readBoolean, readInteger, readList, readMapping, readString, type Problems } from './fields.ts';

/** `browser:`; `--browser` (`enabledOverride`) switches it on whatever the file says. */
export function readBrowser(value: unknown, baseDir: string, enabledOverride: boolean | undefined, problems: Problems): BrowserSettings {
  const node = readMapping(value, 'browser', problems) ?? {};
  checkKeys(node, 'browser', allowedKeys('browser'), problems);
  const path = readString(node['executablePath'], 'browser.executablePath', problems);
  return {
    enabled: enabledOverride ?? readBoolean(node['enabled'], 'browser.enabled', problems) ?? DEFAULT_BROWSER.enabled,
    pagesInFlight: readInteger(node['pagesInFlight'], 'browser.pagesInFlight', problems, ...integerBounds('browser.pagesInFlight')) ?? DEFAULT_BROWSER.pagesInFlight,
    pageTimeoutMs: readInteger(node['pageTimeoutMs'], 'browser.pageTimeoutMs', problems, ...integerBounds('browser.pageTimeoutMs')) ?? DEFAULT_BROWSER.pageTimeoutMs,
    executablePath: path === undefined ? DEFAULT_BROWSER.executablePath : resolve(baseDir, path),
  };
}

/** `thirdParties:` of a domain entry or `defaults:`: host globs with a purpose. */
export function readThirdParties(value: unknown, path: string, problems: Problems): ThirdPartyDeclaration[] | undefined {
  const list = readList(value, path, problems);
  if (!list) return undefined;
  const out: ThirdPartyDeclaration[] = [];
  list.forEach((item, i) => {
    const at = join(path, i);
    const node = readMapping(item, at, problems);
    if (!node) return;
    checkKeys(node, at, allowedKeys('defaults.thirdParties[]'), problems);
    const host = readString(node['host'], join(at, 'host'), problems);
    const purpose = readString(node['purpose'], join(at, 'purpose'), problems);
    if (node['host'] === undefined) problems.push(`${at}.host: required`);
    if (node['purpose'] === undefined) problems.push(`${at}.purpose: required`);
    if (host && purpose) out.push({ host: host.toLowerCase(), purpose });
  });
  return out;
}
