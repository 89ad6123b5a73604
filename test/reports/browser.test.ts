import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlWriter } from '../../reports/html.ts';
import { renderReport } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { CHROMIUM, Chromium, type Visit } from '../support/browser.ts';
import { fixtureReport } from './fixture-report.ts';

/** Script injection attempts for every context the writer uses: element text, quoted attributes, <title>, <pre>. */
const PAYLOADS = [
  '<script>window.__pwned=1</script>',
  '"><img src=x onerror="window.__pwned=1">',
  '</textarea><svg onload=window.__pwned=1>',
  '<iframe srcdoc="<script>parent.__pwned=1</script>">',
  '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:1/">',
  `</title></pre><script>window.__pwned=1</script>`,
];
/** Attestation evidence URLs from a config: neither may become a live link or break out of href. */
const EVIDENCE_URLS = ['javascript:alert(1)', 'https://x/"onmouseover="alert(1)'];
/** Fields that choose which parts of the page render; every other string in the report gets every payload. */
const STRUCTURAL = new Set(['status', 'originalStatus', 'kind']);

function poison(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return STRUCTURAL.has(key) ? value : `${value} ${PAYLOADS.join(' ')}`;
  if (Array.isArray(value)) return value.map((v) => poison(v, key));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, k)]));
  return value;
}

/**
 * The fixture with the payloads in domains, check ids and titles, summaries, evidence (header values, certificate
 * subjects, addresses), remediation, waiver reasons and owners, attestations, promise texts, config source and run id.
 */
function hostileReport(): ScanReport {
  const report = poison(fixtureReport()) as ScanReport;
  let n = 0;
  const promises = report.promises!.map((p) => (p.attestation && n < EVIDENCE_URLS.length
    ? { ...p, attestation: { ...p.attestation, evidenceUrl: EVIDENCE_URLS[n++]! } } : p));
  if (n < EVIDENCE_URLS.length) throw new Error('the fixture has too few attestations for the evidence URLs');
  return { ...report, promises };
}

type Dom = { pwned: string; href: string; title: string; text: string; html: string; tags: string[]; attributes: string[]; links: string[]; dangling: string[]; metas: string[] };
const PROBE = `(() => {
  const all = [...document.querySelectorAll('*')];
  return { pwned: typeof window.__pwned, href: location.href, title: document.title, text: document.body.textContent,
    html: document.documentElement.outerHTML, tags: [...new Set(all.map((e) => e.localName))],
    attributes: [...new Set(all.flatMap((e) => e.getAttributeNames()))].sort(),
    links: [...document.querySelectorAll('[href]')].map((e) => e.getAttribute('href')),
    dangling: [...document.querySelectorAll('[href^="#"]')].map((e) => e.getAttribute('href')).filter((h) => !document.getElementById(h.slice(1))),
    metas: [...document.querySelectorAll('meta')].map((e) => e.parentElement.localName) };
})()`;
/**
 * The elements the writer itself emits (as in writers.test.ts): no script, img, iframe, form or embedded content;
 * its own inline SVG bars are `svg` and `rect` only, with no attribute that could run or load anything.
 */
const WRITER_TAGS = ['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'nav', 'h1', 'h2', 'h3', 'h4', 'p', 'strong', 'dl', 'dt', 'dd',
  'main', 'section', 'div', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'br', 'wbr', 'code', 'blockquote', 'ol', 'ul', 'li',
  'a', 'details', 'summary', 'pre', 'svg', 'rect'];
const WRITER_ATTRIBUTES = ['aria-hidden', 'aria-label', 'aria-labelledby', 'charset', 'class', 'content', 'focusable', 'height', 'href',
  'http-equiv', 'id', 'lang', 'name', 'open', 'preserveAspectRatio', 'rel', 'role', 'scope', 'tabindex', 'viewBox', 'width', 'x', 'y'];
/** How a DOM serialiser writes a text node: the payload's markup characters escaped, so never parsed as tags. */
const asText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function expectInert({ requests, dialogs, value: dom }: Visit<Dom>, url: string): void {
  expect(requests, 'the page loads nothing but itself, not even a load its CSP blocked').toEqual([url]);
  expect(dialogs).toEqual([]);
  expect(dom.pwned).toBe('undefined');
  expect(dom.href, 'no meta refresh navigated away').toBe(url);
  expect(dom.tags.filter((t) => !WRITER_TAGS.includes(t))).toEqual([]);
  expect(dom.attributes).toEqual([...WRITER_ATTRIBUTES].sort());
  expect(dom.metas, "the writer's four <meta>s, none injected into the body").toEqual(['head', 'head', 'head', 'head']);
  expect(dom.html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  // Links go to http(s) evidence, or to an element of the page itself.
  for (const href of dom.links) expect(href).toMatch(/^(https?:\/\/|#)/);
  expect(dom.dangling).toEqual([]);
  expect(dom.links).toContain(EVIDENCE_URLS[1]); // the quote stayed inside the attribute value
  expect(dom.html).toContain(`<code>${EVIDENCE_URLS[0]}</code>`); // shown as text, not linked
  for (const payload of PAYLOADS) {
    expect(dom.text).toContain(payload);
    expect(dom.html).toContain(asText(payload));
  }
  expect(dom.title).toContain(PAYLOADS[5]);
}

const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`browser.test.ts skipped: ${CHROMIUM} not found (apt-get install -y chromium); CI runs it.`);

describe.skipIf(!HAVE_CHROMIUM)(`html report in headless Chromium (${CHROMIUM})`, { timeout: 60_000 }, () => {
  let dir: string;
  let browser: Chromium;
  let server: Server;
  let origin: string;
  const served: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vouch-browser-'));
    const page = await renderReport(htmlWriter, hostileReport());
    await writeFile(join(dir, 'report.html'), page);
    server = createServer((req, res) => {
      served.push(`${req.method} ${req.url}`);
      if (req.url === '/report.html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await Chromium.launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('opened as a file, with its own CSP: every payload is plain text and nothing loads or runs', async () => {
    const url = pathToFileURL(join(dir, 'report.html')).href;
    expectInert(await browser.visit<Dom>(url, PROBE), url);
  });

  it('served over HTTP: the only request the server sees is for the page itself', async () => {
    served.length = 0;
    const url = `${origin}/report.html`;
    expectInert(await browser.visit<Dom>(url, PROBE), url);
    expect(served).toEqual(['GET /report.html']);
  });

  it('with the CSP switched off, escaping alone keeps every payload inert', async () => {
    const url = pathToFileURL(join(dir, 'report.html')).href;
    expectInert(await browser.visit<Dom>(url, PROBE, { bypassCsp: true }), url);
  });

  it('control: the same payloads unescaped do run and inject, so the checks above can fail', async () => {
    const raw = join(dir, 'raw.html');
    await writeFile(raw, `<!doctype html><title>raw</title><body>${PAYLOADS.filter((p) => !p.includes('refresh')).join('\n')}`);
    const url = pathToFileURL(raw).href;
    const { requests, value: dom } = await browser.visit<Dom>(url, PROBE, { bypassCsp: true });
    expect(dom.pwned).toBe('number');
    expect(dom.tags).toEqual(expect.arrayContaining(['script', 'img', 'svg', 'iframe']));
    expect(requests).toContain(new URL('x', url).href);
  });
});
