/**
 * The session's browser (issue 14): ONE Chromium per probe session, started on the first visit (a scan that never
 * asks for a page never starts it, nor loads puppeteer-core), pages in a bounded pool (`browser.pagesInFlight`), each
 * in its own incognito context and renderer. A browser that crashed is started again for the next visit.
 */
import type { Browser } from 'puppeteer-core';
import { ProbeError } from '../core/errors.ts';
import type { BrowserVisit, ContactedHost } from './facts.ts';
import { launchChromium } from './launch.ts';
import { startVisitProxy, type Router, type VisitProxy } from './proxy.ts';
import { visitPage } from './visit.ts';

export type BrowserSettings = {
  readonly enabled: boolean;
  readonly pagesInFlight: number;
  readonly pageTimeoutMs: number;
  readonly executablePath: string;
};

export type BrowserPages = {
  /** Visits `url`; rejects with a ProbeError (Chromium missing or crashed: `client-limitation`; no load in time: `timeout`). */
  visit(url: string, signal: AbortSignal): Promise<BrowserVisit>;
  /** What Chromium itself tried to reach outside any page (its background services): refused, listed for tests. */
  refusedBackground(): ContactedHost[];
  /** The browser's process id while it runs (the bench samples its process tree's memory). */
  pid(): number | undefined;
  close(): Promise<void>;
};

type Running = { readonly browser: Browser; readonly sink: VisitProxy };

/** `vouchVerifies`: the router checks certificates (configured CAs), so each page skips Chromium's own check. */
export function browserPages(settings: BrowserSettings, router: Router, vouchVerifies: boolean): BrowserPages {
  let running: Promise<Running> | null = null;
  let background: ContactedHost[] = [];
  let liveSink: VisitProxy | null = null;
  let livePid: number | undefined;
  const waiting: (() => void)[] = [];
  let active = 0;

  const start = async (): Promise<Running> => {
    // Browser-wide traffic (not a page's: each context has its own proxy) goes to a proxy that refuses everything.
    const sink = await startVisitProxy(async () => ({ refused: 'the browser\'s own traffic is never forwarded' }));
    try {
      const browser = await launchChromium(settings.executablePath, sink.url);
      browser.once('disconnected', () => { running = null; });
      liveSink = sink;
      livePid = browser.process()?.pid;
      return { browser, sink };
    } catch (err) {
      await sink.close();
      throw err;
    }
  };
  const slot = async <T>(work: () => Promise<T>): Promise<T> => {
    if (active < settings.pagesInFlight) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };

  return {
    visit: (url, signal) => slot(async () => {
      running ??= start();
      const { browser } = await running;
      try {
        return await visitPage(browser, { url, timeoutMs: settings.pageTimeoutMs, router, signal, vouchVerifies });
      } catch (err) {
        throw visitFailure(err, url, browser.connected);
      }
    }),
    refusedBackground: () => liveSink?.contacted() ?? background,
    pid: () => livePid,
    async close() {
      const current = running;
      running = null;
      if (!current) return;
      const { browser, sink } = await current.catch(() => ({ browser: null, sink: null }));
      background = sink?.contacted() ?? background;
      liveSink = null;
      await browser?.close().catch(() => undefined);
      await sink?.close();
    },
  };
}

/** A failed visit in Vouch's vocabulary: what the page's server did, or what happened to the browser. */
export function visitFailure(err: unknown, url: string, connected: boolean): ProbeError {
  if (err instanceof ProbeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const short = message.split('\n', 1)[0]!.slice(0, 300);
  if (!connected) return new ProbeError('client-limitation', url, `the browser crashed or was closed: ${short}`);
  if (err instanceof Error && err.name === 'TimeoutError') return new ProbeError('timeout', url, `the page did not load in time: ${short}`);
  if (/ERR_CERT|ERR_SSL/.test(message)) return new ProbeError('tls-handshake', url, short);
  if (/ERR_CONNECTION_REFUSED/.test(message)) return new ProbeError('refused', url, short);
  if (/net::ERR_/.test(message)) return new ProbeError('unreachable', url, short);
  return new ProbeError('client-limitation', url, `the browser failed: ${short}`);
}
