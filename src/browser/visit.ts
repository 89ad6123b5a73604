/**
 * One page visited as a first-time visitor who consented to nothing: a fresh incognito context with its own proxy
 * (so what it contacted is this page's alone), downloads denied, permission prompts denied (launch switch), service
 * workers blocked, a time budget for loading and settling, then the jar, storage, requests, SRI and a screenshot.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { jarFacts, responseWrites, type CdpCookie, type CookieWrite } from './cookie-jar.ts';
import { cookieWriteRecorder, parseCookieWrite } from './cookie-writes.ts';
import {
  capText, hostOfUrl, isMixedContent, partyOf, VISIT_LIMITS,
  mixedContentOf, type BrowserRequest, type BrowserVisit, type MixedContent, type MixedContentIssue, type Screenshot, type StorageKeys, type WithoutIntegrity,
} from './facts.ts';
import { startVisitProxy, type Router } from './proxy.ts';

export type VisitOptions = {
  readonly url: string;
  /** Loading and settling together; what the page did by then is recorded, with `settled: false`. */
  readonly timeoutMs: number;
  readonly router: Router;
  readonly signal: AbortSignal;
  /** The router verified each tunnel's certificate (src/browser/route.ts): Chromium skips its own check. */
  readonly vouchVerifies: boolean;
};

// Run in the page (no DOM types here): plain expressions whose results are checked before use.
const STORAGE_KEYS = `(() => { const keys = (s) => Array.from({ length: Math.min(s.length, ${VISIT_LIMITS.storageKeysPerOrigin}) }, (_, i) => String(s.key(i)));
  try { return { origin: location.origin, local: keys(localStorage), session: keys(sessionStorage) }; } catch { return null; } })()`;
const SUBRESOURCE_ELEMENTS = `[
  ...Array.from(document.querySelectorAll('script[src]'), (e) => ({ url: e.src, integrity: e.integrity, kind: 'script' })),
  ...Array.from(document.querySelectorAll('link[rel~="stylesheet" i][href]'), (e) => ({ url: e.href, integrity: e.integrity, kind: 'style' })),
]`;

const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function storageOf(value: unknown): { origin: string; local: string[]; session: string[] } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { origin, local, session } = value as Record<string, unknown>;
  return typeof origin === 'string' && strings(local) && strings(session) ? { origin, local, session } : null;
}

function elementsOf(value: unknown): { url: string; integrity: string; kind: 'script' | 'style' }[] {
  if (!Array.isArray(value)) return [];
  return value.filter((e): e is { url: string; integrity: string; kind: 'script' | 'style' } =>
    typeof e === 'object' && e !== null && typeof e.url === 'string' && typeof e.integrity === 'string' && (e.kind === 'script' || e.kind === 'style'));
}

type Recorder = { requests: BrowserRequest[]; writes: CookieWrite[]; mixed: MixedContent[] };

/** How long the proxy waits for a host it is asked for to show up in the page's request events. */
const HOST_WAIT_MS = 2000;

/** The hosts a page's requests named, and the proxy's wait for one it has not heard of yet. */
class RequestedHosts {
  private readonly hosts = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  add(host: string): void {
    this.hosts.add(host);
    for (const wake of this.waiters.get(host) ?? []) wake();
    this.waiters.delete(host);
  }
  async wait(host: string, ms: number): Promise<boolean> {
    if (this.hosts.has(host)) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.set(host, [...(this.waiters.get(host) ?? []), () => { clearTimeout(timer); resolve(); }]);
    });
    return this.hosts.has(host);
  }
}

/** Quiet time that counts as "settled": no request in flight for this long. */
const IDLE_MS = 500;

/** Service workers would outlive the visit and serve the next one from cache: registration always fails. */
const BLOCK_SERVICE_WORKERS = `(() => { if (globalThis.ServiceWorkerContainer) ServiceWorkerContainer.prototype.register = function () {
  return Promise.reject(new DOMException('blocked by the visiting scanner', 'SecurityError')); }; })();`;

export async function visitPage(browser: Browser, options: VisitOptions): Promise<BrowserVisit> {
  const started = performance.now();
  // Only hosts this page's own requests name are forwarded: Chromium sends some of its own traffic (Google services)
  // through a context's proxy too. The request event comes over CDP just before or after the proxy hears of it.
  const asked = new RequestedHosts();
  const proxy = await startVisitProxy(async (host, port, tunnel) =>
    ((await asked.wait(host, HOST_WAIT_MS)) ? options.router(host, port, tunnel) : { refused: 'not asked for by the page (the browser\'s own traffic)' }));
  let context: BrowserContext | undefined;
  const abort = () => void context?.close().catch(() => undefined);
  options.signal.addEventListener('abort', abort, { once: true });
  try {
    context = await browser.createBrowserContext({ proxyServer: proxy.url, proxyBypassList: ['<-loopback>'], downloadBehavior: { policy: 'deny' } });
    const page = await context.newPage();
    const recorder = await record(page, options.url, options.vouchVerifies, asked);
    const deadline = started + options.timeoutMs;
    const response = await page.goto(options.url, { waitUntil: 'load', timeout: options.timeoutMs });
    const settled = await page.waitForNetworkIdle({ idleTime: IDLE_MS, timeout: Math.max(1, deadline - performance.now()) })
      .then(() => true, () => false);
    const finalUrl = page.url();
    const pageHost = hostOfUrl(finalUrl);
    const jar = jarFacts((await context.cookies()) as unknown as CdpCookie[], pageHost, recorder.writes);
    return {
      url: options.url, finalUrl, status: response?.status() ?? null, settled, durationMs: Math.round(performance.now() - started),
      cookies: jar.cookies, cookiesOmitted: jar.omitted, storage: await storageKeys(page),
      requests: recorder.requests.slice(0, VISIT_LIMITS.requests), requestsOmitted: Math.max(0, recorder.requests.length - VISIT_LIMITS.requests),
      mixedContent: recorder.mixed, hosts: proxy.contacted(), withoutIntegrity: await withoutIntegrity(page, pageHost), screenshot: await screenshot(page),
    };
  } finally {
    options.signal.removeEventListener('abort', abort);
    await context?.close().catch(() => undefined);
    await proxy.close();
  }
}

/** Starts recording the page's requests and cookie writes, before it loads anything. */
async function record(page: Page, url: string, vouchVerifies: boolean, asked: RequestedHosts): Promise<Recorder> {
  const requests: BrowserRequest[] = [];
  const writes: CookieWrite[] = [];
  const mixed: MixedContent[] = [];
  const byRequest = new Map<unknown, number>();
  const pageUrl = () => (page.url() === 'about:blank' ? url : page.url());
  page.on('request', (req) => {
    const host = hostOfUrl(req.url());
    asked.add(host);
    byRequest.set(req, requests.length);
    requests.push({
      url: capText(req.url(), VISIT_LIMITS.urlChars), host, party: partyOf(host, hostOfUrl(pageUrl())), type: req.resourceType(),
      mixedContent: isMixedContent(pageUrl(), req.url()), failed: null,
    });
  });
  page.on('requestfailed', (req) => {
    const at = byRequest.get(req);
    if (at !== undefined) requests[at] = { ...requests[at]!, failed: req.failure()?.errorText ?? 'failed' };
  });
  page.on('response', (res) => {
    writes.push(...responseWrites(res.url(), hostOfUrl(res.url()), res.headers()['set-cookie']));
  });
  await page.setBypassServiceWorker(true);
  const binding = `__vouch${randomBytes(8).toString('hex')}`;
  const cdp = await page.createCDPSession();
  cdp.on('Runtime.bindingCalled', (event: { name: string; payload: string }) => {
    const write = event.name === binding ? parseCookieWrite(event.payload) : null;
    if (write) writes.push({ name: write.name, host: write.host, setter: { kind: 'script', url: capText(write.script, VISIT_LIMITS.urlChars) } });
  });
  // Chromium upgrades plain-http images and media to https and blocks scripts: the request a page sees may be the
  // upgraded one, so mixed content is read from the browser's own issue reports.
  cdp.on('Audits.issueAdded', (event: { issue: { code: string; details: { mixedContentIssueDetails?: MixedContentIssue } } }) => {
    const found = event.issue.code === 'MixedContentIssue' ? event.issue.details.mixedContentIssueDetails : undefined;
    const item = found ? mixedContentOf(found) : null;
    if (item && mixed.length < VISIT_LIMITS.requests && !mixed.some((m) => m.url === item.url && m.resolution === item.resolution)) mixed.push(item);
  });
  await cdp.send('Runtime.enable');
  await cdp.send('Audits.enable');
  await cdp.send('Runtime.addBinding', { name: binding });
  if (vouchVerifies) await cdp.send('Security.setIgnoreCertificateErrors', { ignore: true });
  await page.evaluateOnNewDocument(`${BLOCK_SERVICE_WORKERS}\n${cookieWriteRecorder(binding)}`);
  return { requests, writes, mixed };
}

/** localStorage and sessionStorage keys of every frame's origin (an opaque or denied origin has none to read). */
async function storageKeys(page: Page): Promise<StorageKeys[]> {
  const byOrigin = new Map<string, StorageKeys>();
  for (const frame of page.frames()) {
    if (byOrigin.size >= VISIT_LIMITS.storageOrigins) break;
    const found = await frame.evaluate(STORAGE_KEYS).then(storageOf, () => null);
    if (!found || found.origin === 'null' || (found.local.length === 0 && found.session.length === 0)) continue;
    const cap = (keys: string[]) => keys.map((k) => capText(k, VISIT_LIMITS.keyChars)).sort();
    byOrigin.set(found.origin, { origin: found.origin, local: cap(found.local), session: cap(found.session) });
  }
  return [...byOrigin.values()];
}

/** Third-party `<script src>` and stylesheet `<link>` elements of the settled page without an integrity attribute. */
async function withoutIntegrity(page: Page, pageHost: string): Promise<WithoutIntegrity[]> {
  const elements = await page.evaluate(SUBRESOURCE_ELEMENTS).then(elementsOf, () => []);
  return elements
    .filter((e) => e.integrity.trim() === '' && /^https?:/.test(e.url) && partyOf(hostOfUrl(e.url), pageHost) === 'third')
    .slice(0, VISIT_LIMITS.withoutIntegrity)
    .map((e) => ({ url: capText(e.url, VISIT_LIMITS.urlChars), kind: e.kind, host: hostOfUrl(e.url) }));
}

/** The viewport as JPEG, or why there is none (too large for the cap, or the page would not paint). */
async function screenshot(page: Page): Promise<Screenshot> {
  try {
    const base64 = await page.screenshot({ type: 'jpeg', quality: 60, encoding: 'base64' });
    const bytes = Math.floor((base64.length * 3) / 4);
    if (bytes > VISIT_LIMITS.screenshotBytes) return { omitted: `${bytes} bytes, over the ${VISIT_LIMITS.screenshotBytes}-byte cap` };
    const { width, height } = page.viewport() ?? { width: 0, height: 0 };
    return { type: 'image/jpeg', width, height, base64 };
  } catch (err) {
    return { omitted: `no screenshot: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}` };
  }
}
