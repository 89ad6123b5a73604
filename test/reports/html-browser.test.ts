import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlWriter } from '../../reports/html.ts';
import { renderReport } from '../../reports/memory.ts';
import { CHROMIUM, Chromium } from '../support/browser.ts';
import { auditorReport } from './html-fixture.ts';

/** A4 at Chromium's 96 CSS px per inch, less the page's @page margins (12 mm each side): the width print lays out in. */
const A4_CONTENT_WIDTH = Math.floor(((210 - 2 * 12) / 25.4) * 96);
const AXE = join(import.meta.dirname, '../../node_modules/axe-core/axe.min.js');

/** Elements wider than their box (content cut off or behind a scrollbar), and elements reaching past the right edge. */
const CLIPPED = `(() => {
  const name = (e) => e.localName + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
    + (e.closest('table') ? ' in table.' + e.closest('table').className + ' column ' + (e.closest('td,th')?.cellIndex ?? '') : '');
  const edge = document.documentElement.clientWidth;
  const all = [...document.body.querySelectorAll('*')].filter((e) => e.getClientRects().length > 0 && !e.closest('svg'));
  return {
    overflowing: all.filter((e) => getComputedStyle(e).display !== 'inline' && e.scrollWidth > e.clientWidth + 1)
      .map((e) => ({ element: name(e), inScroller: !!e.closest('.wide'), scrollWidth: e.scrollWidth, clientWidth: e.clientWidth })),
    pastEdge: all.filter((e) => e.getBoundingClientRect().right > edge + 1).map((e) => ({ element: name(e), inScroller: !!e.closest('.wide') })),
    pageWidth: document.scrollingElement.scrollWidth, edge,
  };
})()`;
type Placed = { element: string; inScroller: boolean };
type Clipped = { overflowing: Placed[]; pastEdge: Placed[]; pageWidth: number; edge: number };
/** On screen a `.wide` region scrolls its table sideways (and is focusable, for keyboards): what is inside may extend. */
const outsideScrollers = (placed: readonly Placed[]) => placed.filter((p) => !p.inScroller).map((p) => p.element);

/**
 * Domain-name labels (the text between dots) laid out on more than one line: a name broken inside a label, at a
 * hyphen (\`no-\` / \`redirect\`) or anywhere. Every text node in a name: a label with or without its own element.
 */
const BROKEN_NAMES = `(() => {
  const broken = [];
  for (const name of document.querySelectorAll('.dn')) {
    const texts = document.createTreeWalker(name, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      if (node.data.length === 0) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(node.data);
    }
  }
  return { names: document.querySelectorAll('.dn').length, broken };
})()`;

const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`html-browser.test.ts skipped: ${CHROMIUM} not found (apt-get install -y chromium); CI runs it.`);

describe.skipIf(!HAVE_CHROMIUM)('the auditor\'s html report, laid out, printed and audited in headless Chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let browser: Chromium;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vouch-html-'));
    await writeFile(join(dir, 'report.html'), await renderReport(htmlWriter, auditorReport()));
    browser = await Chromium.launch();
    await browser.open(pathToFileURL(join(dir, 'report.html')).href);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    // VOUCH_KEEP_BROWSER_OUTPUT=1 keeps the page, its screenshots and its PDF for a person to look at.
    if (process.env['VOUCH_KEEP_BROWSER_OUTPUT']) console.info(`html-browser.test.ts: page, screenshots and PDF kept in ${dir}`);
    else if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it.each([1400, 400])('at %i px wide: the page never scrolls sideways, only wide tables do, in their own region', async (width) => {
    await browser.layout(width, 900);
    // The top of the page, where the overviews are: a whole-page capture costs seconds and the layout checks below
    // cover the whole page anyway.
    const png = await browser.screenshot({ x: 0, y: 0, width, height: 2400 });
    await writeFile(join(dir, `report-${width}.png`), png);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const layout = await browser.evaluate<Clipped>(CLIPPED);
    expect(layout.pageWidth).toBeLessThanOrEqual(width);
    expect(outsideScrollers(layout.pastEdge)).toEqual([]);
    // Only a region itself may be narrower than its table; inside the table no cell clips its content.
    expect(layout.overflowing.map((o) => o.element).filter((e) => e !== 'div.wide')).toEqual([]);
    if (width === 1400) expect(layout.overflowing).toEqual([]);
    const names = await browser.evaluate<{ names: number; broken: string[] }>(BROKEN_NAMES);
    expect(names.names).toBeGreaterThan(30);
    expect(names.broken).toEqual([]);
  });

  it('prints on A4 with nothing clipped, failures expanded and statuses readable without colour', async () => {
    await browser.layout(A4_CONTENT_WIDTH, 1100, 'print');
    const layout = await browser.evaluate<Clipped>(CLIPPED);
    expect(layout.edge).toBe(A4_CONTENT_WIDTH);
    expect(layout.overflowing).toEqual([]);
    expect(layout.pastEdge).toEqual([]);
    expect((await browser.evaluate<{ broken: string[] }>(BROKEN_NAMES)).broken).toEqual([]);
    const print = await browser.evaluate<{ closedFindings: number; closedEvidence: string[]; pre: string[]; badges: string[] }>(`({
      closedFindings: [...document.querySelectorAll('details:not([open]) > summary .st-fail, details:not([open]) > summary .st-error')].length,
      closedEvidence: [...document.querySelectorAll('details[open]:has(> summary .st-fail, > summary .st-error) a[href^="#a-"]')]
        .map((a) => a.getAttribute('href').slice(1)).filter((id) => !document.getElementById(id).open),
      pre: [...new Set([...document.querySelectorAll('pre')].map((e) => getComputedStyle(e).whiteSpace + ' ' + getComputedStyle(e).overflowX))],
      badges: [...new Set([...document.querySelectorAll('.badge')].map((e) => getComputedStyle(e).color + ' ' + getComputedStyle(e).borderTopStyle + ' ' + /^[✓▲✗?○◇] \\S/.test(e.textContent)))],
    })`);
    expect(print.closedFindings).toBe(0);
    expect(print.closedEvidence, 'the raw artifacts of failures and errors print expanded').toEqual([]);
    expect(print.pre).toEqual(['pre-wrap visible']);
    expect(print.badges, 'black text, an outline, and a shape before the word').toEqual(['rgb(0, 0, 0) solid true']);
    const pdf = await browser.printToPdf();
    await writeFile(join(dir, 'report.pdf'), pdf);
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    const pages = [...text.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(pages.length).toBeGreaterThan(1);
    for (const [w, h] of pages) {
      expect(w).toBeCloseTo(595, -1); // A4: 210 x 297 mm in points
      expect(h).toBeCloseTo(842, -1);
    }
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    await browser.layout(1400, 900);
    await browser.evaluate(await readFile(AXE, 'utf8'));
    const violations = await browser.evaluate<{ id: string; impact: string; nodes: number; target: string }[]>(`axe.run(document, { resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: String(v.nodes[0]?.target) })))`);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    expect(await browser.evaluate('typeof axe.run'), 'axe really ran in the page').toBe('function');
  });

  it('every in-page link lands on an element, and every anchor is unique', async () => {
    const links = await browser.evaluate<{ dangling: string[]; duplicates: string[]; kinds: Record<string, number> }>(`(() => {
      const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
      const hrefs = [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href').slice(1));
      const kinds = {};
      for (const h of hrefs) kinds[h.slice(0, 2)] = (kinds[h.slice(0, 2)] ?? 0) + 1;
      return { dangling: hrefs.filter((h) => !document.getElementById(h)), duplicates: ids.filter((id, i) => ids.indexOf(id) !== i), kinds };
    })()`);
    expect(links.dangling).toEqual([]);
    expect(links.duplicates).toEqual([]);
    // Links to domains (d-), results (r-), promises (p-) and artifacts (a-) all occur.
    for (const kind of ['d-', 'r-', 'p-', 'a-']) expect(links.kinds[kind]).toBeGreaterThan(0);
  });
});
