import { afterEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { GOOD_HEADERS } from '../../src/demo/sites.ts';
import { estateConfig, scanThroughSession } from './support/session-scan.ts';

let estate: Estate | undefined;
afterEach(async () => { await estate?.close(); estate = undefined; });

describe('probe sharing', () => {
  it('serves every web check of a domain with one full handshake shared with the HTTPS request', async () => {
    estate = await startEstate([{ domain: 'shared.test', https: { routes: { '/': { status: 200, headers: GOOD_HEADERS } } }, http: 'redirect' }]);
    const config = await estateConfig(estate, ['shared.test'], { allowRedirectsTo: [], timeouts: { probeMs: 5000 } });
    // dns.ipv6-web: the estate's names have no AAAA record (a fail), and its IPv6 probes are not what is counted here.
    const web = ALL_CHECKS.filter((c) => c.scope === 'web' && c.id !== 'http.security-txt' && c.id !== 'http.cors' && c.id !== 'dns.ipv6-web');
    const { records, session } = await scanThroughSession(config, web, new Date());
    const { stats } = session;
    expect(records.flatMap((r) => r.results).filter((r) => r.status !== 'pass' && r.status !== 'skip')).toEqual([]);
    const [https, http] = estate.servers;
    // One node:tls handshake for the name (certificates, the OCSP staple, and every HTTPS request of every header
    // check on the same keep-alive connection). The rest describes the address's TLS configuration (measured once
    // per address and configuration, src/runner/shared-endpoints.ts): the name's fingerprint (5 hellos) and the
    // enumeration (issue 9; 21 hellos against the estate's default TLS: two versions with three suites each, server
    // order, three groups, the curves), shared by tls.protocol-versions, -cipher-suites, -cipher-order,
    // -key-exchange and -known-weaknesses; one hygiene hello (renegotiation_info, EMS, compression; no fallback
    // hello with a single version below 1.3); node:tls handshakes for client renegotiation (1), resumption and
    // 0-RTT (2) and the Ticketbleed ticket (1); raw conversations for Heartbleed, CCS injection and Ticketbleed
    // (3; no ROBOT without RSA key exchange).
    expect(stats.tlsHandshakes).toBe(1 + 1 + 2 + 1);
    expect(stats.tlsVersionProbes).toBe(0);
    expect(stats.tlsEnumerationHellos).toBe(5 + 21 + 1);
    expect(stats.tlsWeaknessConnections).toBe(3);
    expect(https?.connections()).toBe(5 + 27 + 3);
    expect(https?.requests()).toBe(1);
    expect(http?.connections()).toBe(1);
  });
});
