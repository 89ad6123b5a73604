import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** Debian's `chromium` package; CI installs it with apt-get. */
export const CHROMIUM = '/usr/bin/chromium';

/** After the load event: time for a meta refresh, a late image or a favicon fetch to show itself. */
const SETTLE_MS = 500;

/** A protocol message; its contents are checked by the callers' assertions, not typed here. */
type Message = { id?: number; method?: string; params?: any; result?: any; error?: { message: string } };

/** One page load as the DevTools protocol saw it: every request the page made (or tried, even if blocked), every dialog. */
export type Visit<T> = { readonly requests: readonly string[]; readonly dialogs: readonly string[]; readonly value: T };

/**
 * Headless Chromium driven over the DevTools protocol on a pipe (NUL-delimited JSON on fds 3 and 4), with Node
 * built-ins only. Chromium phones home even with background networking off, so every non-loopback request goes to
 * a local proxy that refuses it, and no host name resolves: nothing the browser does leaves 127.0.0.0/8.
 */
export class Chromium {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(m: Message) => void>();
  private session = '';
  private stderr = '';
  private readonly child: ChildProcess;
  private readonly profile: string;
  private readonly sink: Server;
  /** Requests the browser tried to send off the loopback (its own background traffic), all refused. */
  readonly refused: readonly string[];

  private constructor(child: ChildProcess, profile: string, sink: Server, refused: readonly string[]) {
    this.child = child;
    this.profile = profile;
    this.sink = sink;
    this.refused = refused;
  }

  static async launch(): Promise<Chromium> {
    const refused: string[] = [];
    const sink = createServer((req, res) => {
      refused.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    sink.on('connect', (req: { url?: string }, socket: { destroy(): void }) => {
      refused.push(`CONNECT ${req.url}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const profile = await mkdtemp(join(tmpdir(), 'vouch-chromium-'));
    const child = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      `--proxy-server=http://127.0.0.1:${(sink.address() as AddressInfo).port}`, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      '--remote-debugging-pipe', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const browser = new Chromium(child, profile, sink, refused);
    for (const fd of [3, 4]) (child.stdio[fd] as Readable).on('error', () => {}); // EPIPE after a crash: 'exit' reports it
    child.stderr!.setEncoding('utf8').on('data', (d: string) => void (browser.stderr = (browser.stderr + d).slice(-4000)));
    child.on('exit', (code, signal) => {
      for (const p of browser.pending.values()) p.reject(new Error(`chromium exited (${code ?? signal}): ${browser.stderr}`));
      browser.pending.clear();
    });
    let buffer = '';
    (child.stdio[4] as Readable).setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
        const message = JSON.parse(buffer.slice(0, end)) as Message;
        buffer = buffer.slice(end + 1);
        const waiter = message.id === undefined ? undefined : browser.pending.get(message.id);
        if (waiter) {
          browser.pending.delete(message.id!);
          if (message.error) waiter.reject(new Error(message.error.message));
          else waiter.resolve(message.result);
        } else for (const listen of browser.listeners) listen(message);
      }
    });
    try {
      const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
      browser.session = (await browser.send('Target.attachToTarget', { targetId, flatten: true })).sessionId;
      for (const domain of ['Page', 'Network', 'Runtime']) await browser.send(`${domain}.enable`);
      return browser;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  private send(method: string, params: object = {}): Promise<Message['result']> {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      this.pending.set(id, { resolve, reject: (e) => reject(new Error(`${method}: ${e.message}`)) });
      const session = method.startsWith('Target.') || method.startsWith('Browser.') ? {} : { sessionId: this.session };
      (this.child.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, ...session })}\0`);
    });
  }

  /** Loads `url` (optionally with the page's CSP switched off), lets it settle, then evaluates `expression` in it. */
  async visit<T>(url: string, expression: string, options: { readonly bypassCsp?: boolean } = {}): Promise<Visit<T>> {
    const { requests, dialogs } = await this.open(url, options);
    return { requests, dialogs, value: await this.evaluate<T>(expression) };
  }

  /** Loads `url` and lets it settle; the page stays open for evaluate, screenshot and printToPdf. */
  async open(url: string, options: { readonly bypassCsp?: boolean } = {}): Promise<Visit<void>> {
    const requests: string[] = [];
    const dialogs: string[] = [];
    let loaded = (): void => {};
    const load = new Promise<void>((resolve) => (loaded = resolve));
    const listen = (m: Message): void => {
      if (m.method === 'Network.requestWillBeSent') requests.push(m.params.request.url);
      if (m.method === 'Page.loadEventFired') loaded();
      if (m.method === 'Page.javascriptDialogOpening') {
        dialogs.push(`${m.params.type}: ${m.params.message}`);
        void this.send('Page.handleJavaScriptDialog', { accept: false });
      }
    };
    this.listeners.add(listen);
    try {
      await this.send('Page.setBypassCSP', { enabled: options.bypassCsp ?? false });
      const navigation = await this.send('Page.navigate', { url });
      if (navigation.errorText) throw new Error(`navigating to ${url}: ${navigation.errorText}`);
      await load;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      return { requests, dialogs, value: undefined };
    } finally {
      this.listeners.delete(listen);
    }
  }

  /** Evaluates `expression` in the open page (awaiting a promise it returns) and returns its value as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (exceptionDetails) throw new Error(`evaluating ${expression.slice(0, 60)}: ${JSON.stringify(exceptionDetails)}`);
    return result.value as T;
  }

  /**
   * Lays the page out at `width` x `height` CSS pixels for `media` (screen or print), without scrollbars (as on a
   * phone, or on paper), so the page's own width is exactly `width`.
   */
  async layout(width: number, height: number, media: 'screen' | 'print' = 'screen'): Promise<void> {
    await this.send('Emulation.setScrollbarsHidden', { hidden: true });
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    await this.send('Emulation.setEmulatedMedia', { media });
  }

  /** A PNG of the whole page at the current layout (not only the viewport), or of the `clip` rectangle of it. */
  async screenshot(clip?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }): Promise<Buffer> {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, ...(clip ? { clip: { ...clip, scale: 1 } } : {}) });
    return Buffer.from(data as string, 'base64');
  }

  /** The page printed to PDF as Chromium prints it: the page's @page size and margins, without background colours. */
  async printToPdf(): Promise<Buffer> {
    const { data } = await this.send('Page.printToPDF', { preferCSSPageSize: true, printBackground: false });
    return Buffer.from(data as string, 'base64');
  }

  /** Closes the browser (killing it if it does not exit within 5 s), the proxy, and removes the profile. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      this.send('Browser.close').catch(() => {});
      await exited;
      clearTimeout(kill);
    }
    await new Promise((resolve) => this.sink.close(resolve));
    await rm(this.profile, { recursive: true, force: true });
  }
}
