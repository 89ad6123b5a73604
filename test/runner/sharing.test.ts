import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { buildConfig } from '../../src/config/load.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { runScan } from '../../src/scan.ts';

let estate: Estate | undefined;
afterEach(async () => { await estate?.close(); estate = undefined; });

describe('probe sharing', () => {
  it('serves every web check of a domain with one full handshake shared with the HTTPS request', async () => {
    estate = await startEstate([{ domain: 'shared.test', https: { routes: { '/': { status: 200, headers: { 'strict-transport-security': 'max-age=31536000' } } } }, http: 'redirect' }]);
    const loaded = await buildConfig({
      domains: ['shared.test'], resolvers: [`127.0.0.1:${estate.dns.port}`], connectTo: estate.connectTo, ipFamilies: [4],
    }, { source: null, baseDir: '/tmp', extraCaPems: [estate.ca.certPem] });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const web = ALL_CHECKS.filter((c) => c.scope === 'web');
    const { report, stats } = await runScan({ config: loaded.config, checks: web, log: pino({ level: 'silent' }) });
    expect(report.summary.pass).toBe(web.length);
    const [https, http] = estate.servers;
    // One node:tls handshake (certificates + the HTTPS GET on the same connection) and four hand-built hellos.
    expect(stats.tlsHandshakes).toBe(1);
    expect(stats.tlsVersionProbes).toBe(4);
    expect(https?.connections()).toBe(5);
    expect(https?.requests()).toBe(1);
    expect(http?.connections()).toBe(1);
  });
});
