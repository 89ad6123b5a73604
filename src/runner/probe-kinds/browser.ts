import type { BrowserVisit } from '../../browser/facts.ts';
import { probeKind } from './kind.ts';

/**
 * One page visited in headless Chromium as a first-time visitor (issue 14; src/browser/). `v1`: the facts' shape
 * (src/browser/facts.ts); a change to what a visit records must change it. The budget covers starting the browser
 * (the first visit of a run) and reading the page after it settled, besides `browser.pageTimeoutMs` itself.
 */
export const browser = probeKind({
  name: 'browser',
  key: (url: string) => `browser:v1:${url}`,
  load: (ctx, url): Promise<BrowserVisit> =>
    ctx.bounded(`browser ${url}`, (signal) => ctx.browser.visit(url, signal), ctx.config.browser.pageTimeoutMs * 2 + 10_000),
});
