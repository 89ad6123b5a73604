import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type SiteSpec } from '../../src/lab/estate.ts';
import type { ScanReport } from '../../reports/types.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { runCli } from '../support/cli.ts';

// The HTML report of a real scan, through the CLI, against lab servers on 127.0.0.1: the expiry timeline with web and
// MX certificates judged by the configured thresholds, the raw artifacts (PEMs, SMTP transcripts, headers) linked
// from the results, and the change section of a second run, whose baseline is the first run's latest.json.

const PAGE = { '/': { status: 200, body: 'ok' } };
const SITES: SiteSpec[] = [
  { domain: 'good.page.test', https: { routes: PAGE }, mail: {} },
  { domain: 'expiring.page.test', https: { cert: 'expiring', routes: PAGE }, mail: { cert: 'expiring' } },
];
const CHECKS = ['tls.certificate-expiry', 'mail.mx-certificate', 'http.hsts'];

const { track } = cleanupAfterAll();
let html: string;
let first: ScanReport;
const textOf = (markup: string) => markup.replace(/<[^>]*>/g, '');

beforeAll(async () => {
  const estate = track(await startEstate(SITES));
  const dir = await mkdtemp(join(tmpdir(), 'vouch-html-cli-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  const out = join(dir, 'out');
  const scan = () => runCli(['scan', ...SITES.map((s) => s.domain), '--only', CHECKS.join(','), '--resolver', `127.0.0.1:${estate.dns.port}`,
    '--ca', join(dir, 'ca.pem'), ...estate.connectTo.flatMap((r) => ['--connect-to', r]), '--timeout', '1500', '--out', out,
    '--format', 'json,html', '--log-level', 'silent']);
  expect((await scan()).code).toBe(1); // the expiring certificates fail
  first = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
  expect((await scan()).code).toBe(1);
  html = await readFile(join(out, 'latest.html'), 'utf8');
}, 60_000);

describe('the html report of a lab scan, written by the CLI', () => {
  it('puts web and MX certificates on the expiry timeline, soonest first, judged by the thresholds', () => {
    const timeline = html.slice(html.indexOf('<section id="certificates"'), html.indexOf('</section>', html.indexOf('<section id="certificates"')));
    const rows = [...timeline.matchAll(/<tr><td><a href="#r-([^~"]*)~([^"]*)">[\s\S]*?<\/tr>/g)].map((m) => [m[1], m[2], textOf(m[0]).match(/(HTTPS|SMTP \(MX\))[\s\S]*?[✓▲✗?○◇] ([A-Z ]+) (\d+)/)!.slice(1)]);
    expect(rows).toEqual([
      ['expiring.page.test', expect.stringMatching(/^(tls\.certificate-expiry|mail\.mx-certificate)$/), [expect.any(String), 'FAIL', expect.stringMatching(/^[45]$/)]],
      ['expiring.page.test', expect.any(String), [expect.any(String), 'FAIL', expect.stringMatching(/^[45]$/)]],
      ['good.page.test', expect.any(String), [expect.any(String), 'PASS', expect.any(String)]],
      ['good.page.test', expect.any(String), [expect.any(String), 'PASS', expect.any(String)]],
    ]);
    expect(rows.map((r) => (r[2] as string[])[0]).sort()).toEqual(['HTTPS', 'HTTPS', 'SMTP (MX)', 'SMTP (MX)']);
  });

  it('links every result to its raw artifacts, which the page holds: certificate PEMs, SMTP transcripts, headers', () => {
    const ids = new Set([...html.matchAll(/ id="([^"]*)"/g)].map((m) => m[1]));
    const artifactLinks = [...html.matchAll(/href="#(a-[^"]*)"/g)].map((m) => m[1]!);
    expect(artifactLinks.length).toBeGreaterThan(5);
    for (const id of artifactLinks) expect(ids.has(id), id).toBe(true);
    expect(html).not.toContain('(not in this report)');
    for (const kind of ['smtp_3a_mx.good.page.test', 'tls_3a_good.page.test', 'http_3a_GET_20_https_3a_', 'dns_3a_']) {
      expect(artifactLinks.some((id) => id.includes(kind)), kind).toBe(true);
    }
    expect(html).toMatch(/<pre class="evidence pem">-----BEGIN CERTIFICATE-----\n/);
    expect(html).toMatch(/&quot;starttlsReply&quot;: (&quot;|\{)/); // the SMTP dialogue, as the probe recorded it
  });

  it('compares the second run with the first: nothing changed', () => {
    const changes = textOf(html.slice(html.indexOf('<section id="changes"'), html.indexOf('</section>', html.indexOf('<section id="changes"'))));
    expect(changes).toContain(`Compared with run ${first.runId} of ${first.startedAt}: no verdict changed.`);
  });
});
