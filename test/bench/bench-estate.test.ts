import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { allResults } from '../../reports/memory.ts';
import type { ReportResult, ScanReport } from '../../reports/types.ts';
import { startBenchEstate, type EstateCounters } from '../../bench/bench-estate.ts';
import { addresses, domainIndex, domainName, mxByName, mxOf, webAddress, type Layout } from '../../bench/layout.ts';
import { runMinimalScan } from '../../bench/minimal-scan.ts';
import { runVouch } from '../../bench/run-vouch.ts';
import { benchScanConfig } from '../../bench/vouch-config.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';

const { defer } = cleanupAfterEach();

describe('bench layout', () => {
  it('names every domain and MX host from its index, on addresses the servers listen on', () => {
    const layout: Layout = { domains: 1000, webAddresses: 256 };
    const { web, mx } = addresses(layout);
    expect([web.length, mx.length]).toEqual([256, 20 + 10]);
    for (const i of [0, 1, 98, 99, 255, 256, 999]) {
      expect(domainIndex(domainName(i), layout)).toBe(i);
      expect(web).toContain(webAddress(i, layout));
      const host = mxOf(i, layout);
      expect(mxByName(host.name, layout)).toEqual(host);
      expect(mx).toContain(host.address);
    }
    expect(mxOf(99, layout).name).toBe('mx-site99.bench.test');
    expect([webAddress(0, layout), webAddress(256, layout)]).toEqual(['127.1.0.1', '127.1.0.1']);
    expect([domainIndex(domainName(1000), layout), domainIndex('site01.bench.test', layout), mxByName('mx20.bench.test', layout)])
      .toEqual([undefined, undefined, undefined]);
  });
});

describe('bench estate', () => {
  it('passes every check but MTA-STS and IPv6, DNSSEC validated, and the minimal scan does the network work Vouch does', async () => {
    const layout: Layout = { domains: 100, webAddresses: 256 };
    const estate = await startBenchEstate(layout);
    defer(() => estate.close());
    // Two domains with a shared MX host and one (site99) with its own: every kind of per-domain, per-address and per-MX work.
    const names = [domainName(0), domainName(1), domainName(99)];
    const dir = await mkdtemp(join(tmpdir(), 'vouch-bench-test-'));
    defer(() => rm(dir, { recursive: true, force: true }));

    const before = await estate.counters();
    const config = await benchScanConfig({ names, estate, window: 3, workers: 1, dir, formats: ['json'] });
    const vouch = await runVouch(config, ALL_CHECKS, { workers: 1 });
    const afterVouch = await estate.counters();
    expect(vouch.topErrors).toEqual([]);
    // What the estate does not publish (bench/bench-zone.ts says why): MTA-STS warns, IPv6 fails; nothing else.
    const results = await reportResults(dir);
    const notPassed = results.filter((r) => r.status !== 'pass' && r.status !== 'skip').map((r) => `${r.checkId} ${r.status}`);
    expect(count(notPassed)).toEqual({ 'mail.mta-sts warn': 3, 'dns.ipv6-web fail': 3, 'dns.ipv6-mail fail': 3, 'dns.ipv6-name-servers fail': 3 });
    // Vouch's own validation, from the estate's trust anchor: secure for every domain, MX host and TLSA.
    const dnssec = results.filter((r) => ['dns.dnssec', 'mail.dnssec-mx', 'mail.dane', 'mail.dane-rollover', 'dns.name-servers'].includes(r.checkId));
    expect(count(dnssec.map((r) => `${r.checkId} ${r.status}`))).toEqual(
      { 'dns.dnssec pass': 3, 'mail.dnssec-mx pass': 3, 'mail.dane pass': 3, 'mail.dane-rollover pass': 3, 'dns.name-servers pass': 3 });

    const [dnsAddress, dnsPort] = estate.dns.split(':');
    const port = (service: number) => Number(estate.connectTo.find((rule) => rule.startsWith(`:${service}::`))!.split('::')[1]);
    const minimal = await runMinimalScan({
      domains: names.length, nameOf: (i) => names[i]!, resolver: { address: dnsAddress!, port: Number(dnsPort) },
      ports: { https: port(443), http: port(80), smtp: port(25) }, caPem: estate.caPem, window: 3,
    });
    const afterMinimal = await estate.counters();
    expect(minimal.failures).toBe(0);
    expect(work(before, afterVouch)).toEqual(work(afterVouch, afterMinimal));
  });
});

/** The results of the JSON report a run wrote into `dir`. */
async function reportResults(dir: string): Promise<ReportResult[]> {
  const file = (await readdir(dir)).find((name) => name.endsWith('.json'));
  return allResults(JSON.parse(await readFile(join(dir, file!), 'utf8')) as ScanReport);
}

const count = (items: readonly string[]) => Object.fromEntries([...new Set(items)].map((item) => [item, items.filter((i) => i === item).length]));

/** What the servers counted between two readings: connections, requests, SMTP sessions and DNS questions by shape. */
function work(from: EstateCounters, to: EstateCounters) {
  const shapes = Object.fromEntries(Object.entries(to.dnsByShape)
    .map(([shape, n]) => [shape, n - (from.dnsByShape[shape] ?? 0)] as const).filter(([, n]) => n > 0));
  return {
    httpsConnections: to.httpsConnections - from.httpsConnections, httpsRequests: to.httpsRequests - from.httpsRequests,
    httpConnections: to.httpConnections - from.httpConnections, httpRequests: to.httpRequests - from.httpRequests,
    smtpConnections: to.smtpConnections - from.smtpConnections, smtpHandshakes: to.smtpHandshakes - from.smtpHandshakes,
    dnsByShape: shapes,
  };
}
