/** The `allowRedirectsTo` key: special networks redirects may lead into (see `src/web/redirect-walk.ts`). */
import { parseAllowList } from '../net/special-addresses.ts';
import type { Config } from './config.ts';
import { join, readList, readString, type Problems } from './fields.ts';
import type { Settings } from './settings.ts';

/** Names (`loopback`, `private`, `link-local`, `unique-local`) and CIDR prefixes, each checked; [] when absent. */
export function readAllowRedirectsTo(value: unknown, problems: Problems): string[] {
  const out: string[] = [];
  (readList(value, 'allowRedirectsTo', problems) ?? []).forEach((item, index) => {
    const text = readString(item, join('allowRedirectsTo', index), problems);
    if (text === undefined) return;
    const problem = parseAllowList([text]).problems[0]?.problem;
    if (problem) problems.push(`${join('allowRedirectsTo', index)}: ${problem}`);
    else out.push(text);
  });
  return out;
}

/**
 * What the redirect walker may follow in a scan of `config`: its allowed networks, and the configured host names
 * (domains and the hosts of their URLs), which are never refused: the user asked for them to be scanned.
 */
export function redirectSettings(config: Pick<Config, 'allowRedirectsTo' | 'targets'>): Settings['redirects'] {
  const hosts = config.targets.flatMap((t) => [t.domain, ...t.urls.map((u) => new URL(u).hostname.replace(/^\[(.*)\]$/, '$1'))]);
  return { allow: parseAllowList(config.allowRedirectsTo).value, scannedHosts: [...new Set(hosts.map((h) => h.toLowerCase()))] };
}
