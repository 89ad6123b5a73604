import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { browserPages } from '../src/browser/pages.ts';
import { routerFor } from '../src/browser/route.ts';
import { cleanSite, trackerSite, widgetSite, WIDGET_HOST } from '../src/lab/browser-sites.ts';
import { startEstate } from '../src/lab/estate.ts';
import { parseAllowList } from '../src/net/special-addresses.ts';

/**
 * `node dist/bench/browser-bench.js [--pages 48] [--json]` (after `npm run build`): pages per second through ONE
 * headless Chromium at 1, 4 and 8 pages in flight, and the peak resident memory of Node plus the browser's whole
 * process tree (sampled every 100 ms from /proc), against the lab's clean and tracking pages on loopback. Each
 * setting starts its own browser, so the first page of each pays the start-up (as the first page of a scan does).
 */
const { values } = parseArgs({ options: { pages: { type: 'string', default: '48' }, json: { type: 'boolean', default: false } } });
const total = Number(values.pages);
const executablePath = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

const domains = Array.from({ length: total }, (_, i) => `site${i}.test`);
const estate = await startEstate([...domains.map((d, i) => (i % 2 === 0 ? cleanSite(d) : trackerSite(d))), widgetSite()]);
const ports = new Map(estate.connectTo.map((rule) => { const [host, port, , dial] = rule.split(':'); return [`${host}:${port}`, Number(dial)]; }));
const router = routerFor({
  allow: parseAllowList(['loopback']).value, scannedHosts: new Set(domains), verify: async () => null,
  async endpoints(host, port) {
    const known = ports.has(`${host}:${port}`) || host === WIDGET_HOST;
    return { hostname: host, port, source: 'dns', answers: [], endpoints: known ? [{ hostname: host, port, address: '127.0.0.1', dialPort: ports.get(`${host}:${port}`) ?? port }] : [] };
  },
});

/** Resident memory (kB) of `root` and every process below it, from /proc. */
function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      children.set(Number(fields[1]), [...(children.get(Number(fields[1])) ?? []), pid]);
      rss.set(pid, Number(fields[21]) * 4); // pages of 4 KiB
    } catch { /* the process ended meanwhile */ }
  }
  let sum = 0;
  const walk = (pid: number) => { sum += rss.get(pid) ?? 0; for (const c of children.get(pid) ?? []) walk(c); };
  walk(root);
  return sum;
}

const rows: { pagesInFlight: number; pages: number; seconds: number; pagesPerSecond: number; errors: number; peakRssMb: number }[] = [];
for (const pagesInFlight of [1, 4, 8]) {
  // Trackers need the widget host, which the scanned names' allow-list covers here (`loopback` allowed).
  const pages = browserPages({ enabled: true, pagesInFlight, pageTimeoutMs: 15_000, executablePath }, router, true);
  let peakKb = 0;
  const sampler = setInterval(() => {
    const pid = pages.pid();
    peakKb = Math.max(peakKb, process.memoryUsage().rss / 1024 + (pid ? treeRssKb(pid) : 0));
  }, 100);
  const started = performance.now();
  const signal = new AbortController().signal;
  // Certificates are the lab CA's, which Chromium does not trust: this bench measures the browser, not TLS trust,
  // so the lab sites are visited over https with Chromium's check skipped (`vouchVerifies` with a no-op verifier).
  const outcomes = await Promise.allSettled(domains.map((d) => pages.visit(`https://${d}/`, signal)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await pages.close();
  rows.push({
    pagesInFlight, pages: total, seconds: Math.round(seconds * 100) / 100, pagesPerSecond: Math.round((total / seconds) * 100) / 100,
    errors: outcomes.filter((o) => o.status === 'rejected').length, peakRssMb: Math.round(peakKb / 1024),
  });
}
await estate.close();
if (values.json) console.log(JSON.stringify(rows));
else for (const r of rows) console.log(`${r.pagesInFlight} in flight: ${r.pagesPerSecond} pages/s (${r.pages} pages in ${r.seconds} s, ${r.errors} errors), peak RSS ${r.peakRssMb} MB`);
