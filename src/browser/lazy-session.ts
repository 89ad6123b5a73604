import type { Config } from '../config/config.ts';
import type { AddressAllowList } from '../net/special-addresses.ts';
import type { Probes } from '../probes/types.ts';
import type { BrowserPages } from './pages.ts';

/**
 * The session's browser with its modules (proxy, router, facts, puppeteer-core) loaded at the first visit: a scan
 * without `browser` never visits, and its start-up (issue 11's budget) does not pay for them.
 */
export function lazySessionBrowser(config: Config, probes: () => Pick<Probes, 'endpoints' | 'tls'>, allow: AddressAllowList): BrowserPages {
  let pages: BrowserPages | null = null;
  let loading: Promise<BrowserPages> | undefined;
  const load = () => (loading ??= import('./session.ts').then((m) => (pages = m.sessionBrowser(config, probes, allow))));
  return {
    visit: async (url, signal) => (await load()).visit(url, signal),
    refusedBackground: () => pages?.refusedBackground() ?? [],
    pid: () => pages?.pid(),
    close: async () => { if (loading) await (await loading).close(); },
  };
}
