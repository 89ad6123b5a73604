import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { buildConfig } from '../../src/config/load.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { runScan } from '../../src/scan.ts';
import { GOOD_HEADERS } from '../../src/demo/sites.ts';

let estate: Estate | undefined;
afterEach(async () => { await estate?.close(); estate = undefined; });

describe('probe sharing', () => {
  it('serves every web check of a domain with one full handshake shared with the HTTPS request', async () => {
    estate = await startEstate([{ domain: 'shared.test', https: { routes: { '/': { status: 200, headers: GOOD_HEADERS } } }, http: 'redirect' }]);
    const loaded = await buildConfig({
      domains: ['shared.test'], resolvers: [`127.0.0.1:${estate.dns.port}`], connectTo: estate.connectTo, ipFamilies: [4],
    }, { source: null, baseDir: '/tmp', extraCaPems: [estate.ca.certPem] });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const web = ALL_CHECKS.filter((c) => c.scope === 'web' && c.id !== 'http.security-txt' && c.id !== 'http.cors');
    const { report, stats } = await runScan({ config: loaded.config, checks: web, log: pino({ level: 'silent' }) });
    expect(report.results.filter((r) => r.status !== 'pass' && r.status !== 'skip')).toEqual([]);
    const [https, http] = estate.servers;
    // One node:tls handshake (certificates + every HTTPS request of every header check on the same keep-alive
    // connection) and one TLS enumeration (issue 9), shared by tls.protocol-versions, tls.cipher-suites,
    // tls.cipher-order and tls.key-exchange: 21 hand-built hellos against the estate's default TLS (two versions
    // with three suites each, server order, three groups, the curves), plus the name's fingerprint (5 hellos).
    expect(stats.tlsHandshakes).toBe(1);
    expect(stats.tlsVersionProbes).toBe(0);
    expect(stats.tlsEnumerationHellos).toBe(26);
    expect(https?.connections()).toBe(27);
    expect(https?.requests()).toBe(1);
    expect(http?.connections()).toBe(1);
  });
});
