import type { AddressInfo } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { createCa, issueLeaf, type LabCert } from '../../src/lab/pki.ts';
import { createProbeSession, type ProbeSession } from '../../src/runner/probes.ts';
import { createEndpointSharing, type ConfigurationBroker, type Measurement, type Transport } from '../../src/runner/shared-endpoints.ts';
import { FactExchange } from '../../src/runner/workers/fact-exchange.ts';
import type { TlsFingerprint } from '../../src/tls/fingerprint.ts';

// One measurement per TLS configuration, not per hosted name (src/runner/shared-endpoints.ts): the pure sharing
// logic with fake fingerprints, then real probe sessions against one node:tls server on 127.0.0.1 that serves two
// configurations on one port (SNI picks an ECDSA or an RSA certificate, and with it the suites).

const ep = (hostname: string, address = '192.0.2.1'): Endpoint => ({ hostname, port: 443, address, dialPort: 443 });
const clear = (...answers: string[]): TlsFingerprint => ({ answers, clear: true, connections: 5, sctExtension: null });

/**
 * A sharing over fake fingerprints, and `held`, which plays the probe session's cache: what each name was answered
 * (measured or shared), by name; `flush` drops all but what was kept (as the cache's idle tiers drop what is not kept for the run), `drop`
 * one name's even if kept (as the kept tier does beyond its budget).
 */
function sharingWith(prints: Record<string, TlsFingerprint>,
  options: { mode?: 'per-address' | 'per-name'; max?: number; maxAddresses?: number; elsewhere?: ConfigurationBroker } = {}) {
  const asked: string[] = [];
  const held = new Map<string, Promise<object>>();
  const kept = new Set<string>();
  const recalled: string[] = [];
  const sharing = createEndpointSharing({
    mode: options.mode ?? 'per-address', label: (e) => `${e.hostname}:443 (${e.address})`,
    held: {
      keep: (key) => { kept.add(key); },
      recall: (key) => { recalled.push(key); kept.add(key); return held.get(key) ?? null; },
    },
    ...(options.max ? { maxConfigurationsPerAddress: options.max } : {}), ...(options.maxAddresses ? { maxAddresses: options.maxAddresses } : {}),
    ...(options.elsewhere ? { elsewhere: options.elsewhere } : {}),
    fingerprint: async (e: Endpoint, _t: Transport) => prints[e.hostname] ?? clear('x'),
  });
  const measurement = <T extends object>(e: Endpoint, facts: () => Promise<T> = () => Promise.resolve({ suites: [e.hostname] } as unknown as T), usable?: (f: T) => boolean): Measurement<T> => ({
    measure: () => { asked.push(e.hostname); const answer = facts(); held.set(e.hostname, answer); return answer; },
    key: (name) => name.hostname,
    ...(usable ? { usable } : {}),
  });
  const share = <T extends object>(kind: string, e: Endpoint, m: Measurement<T> = measurement<T>(e), transport: Transport = 'tls') => {
    const answer = sharing.share(kind, e, transport, m);
    if (!held.has(e.hostname)) held.set(e.hostname, answer); // the cache holds every name's answer, shared ones too
    return answer;
  };
  const flush = () => { for (const name of held.keys()) if (!kept.has(name)) held.delete(name); };
  return { share, asked, measurement, recalled, flush, drop: (name: string) => held.delete(name) };
}

describe('createEndpointSharing (pure)', () => {
  it('measures once for names with the same fingerprint on one address, and says so in the shared facts', async () => {
    const { share, asked, recalled } = sharingWith({ a: clear('x'), b: clear('x') });
    const a = await share('enum', ep('a'));
    const b = await share('enum', ep('b'));
    expect(asked).toEqual(['a']);
    expect(recalled).toEqual(['a']); // the facts come from what the session holds for a, not from a copy here
    expect(a).toEqual({ suites: ['a'] });
    expect(b).toMatchObject({ suites: ['a'], sharedFrom: { measuredThrough: 'a:443 (192.0.2.1)' } });
  });

  it('measures again for a different fingerprint, an unclear one, another address, transport or kind, and in per-name mode', async () => {
    const prints = { a: clear('x'), b: clear('y'), c: { answers: ['x'], clear: false, connections: 5, sctExtension: null }, d: clear('x') };
    const { share, asked, measurement } = sharingWith(prints);
    await share('enum', ep('a'));
    await share('enum', ep('b'));
    await share('enum', ep('c'));
    await share('enum', ep('d', '192.0.2.2'));
    await share('enum', ep('d'), measurement(ep('d')), 'smtp-starttls');
    await share('other', ep('d'));
    expect(asked).toEqual(['a', 'b', 'c', 'd', 'd', 'd']);
    const perName = sharingWith({ a: clear('x'), b: clear('x') }, { mode: 'per-name' });
    await perName.share('enum', ep('a'));
    await perName.share('enum', ep('b'));
    expect(perName.asked).toEqual(['a', 'b']);
  });

  it('remembers only the most recently used addresses (bounded memory): a forgotten one is measured again', async () => {
    const { share, asked } = sharingWith({}, { maxAddresses: 2 });
    await share('enum', ep('a1', '192.0.2.1'));
    await share('enum', ep('b1', '192.0.2.2'));
    await share('enum', ep('a2', '192.0.2.1')); // shared from a1; 192.0.2.1 is now the most recent
    await share('enum', ep('c1', '192.0.2.3')); // forgets 192.0.2.2
    await share('enum', ep('a3', '192.0.2.1'));
    await share('enum', ep('b2', '192.0.2.2'));
    expect(asked).toEqual(['a1', 'b1', 'c1', 'b2']);
  });

  it('keeps the facts of the name measured through for the run: a name far later still shares them', async () => {
    const { share, asked, recalled, flush } = sharingWith({});
    await share('enum', ep('a'));
    flush(); // what a's domain asked went with the idle tiers, but not what the address's other names are answered from
    const b = await share('enum', ep('b'));
    expect(asked).toEqual(['a']);
    expect(recalled).toEqual(['a']);
    expect(b).toMatchObject({ suites: ['a'], sharedFrom: { measuredThrough: 'a:443 (192.0.2.1)' } });
  });

  it('measures through the next name when the session no longer holds the facts, and shares from that one after', async () => {
    const { share, asked, drop } = sharingWith({});
    await share('enum', ep('a'));
    drop('a'); // beyond the kept tier's budget
    const b = await share('enum', ep('b'));
    const c = await share('enum', ep('c'));
    expect(asked).toEqual(['a', 'b']);
    expect(b).toEqual({ suites: ['b'] });
    expect(c).toMatchObject({ suites: ['b'], sharedFrom: { measuredThrough: 'b:443 (192.0.2.1)' } });
  });

  it('never shares a failed or an unusable measurement: the next name measures, and is shared from if usable', async () => {
    const { share, asked, measurement } = sharingWith({});
    const complete = (f: { complete: boolean }) => f.complete;
    await expect(share('enum', ep('a'), measurement(ep('a'), () => Promise.reject(new Error('timeout'))))).rejects.toThrow('timeout');
    const b = await share('enum', ep('b'), measurement(ep('b'), () => Promise.resolve({ complete: false }), complete));
    const c = await share('enum', ep('c'), measurement(ep('c'), () => Promise.resolve({ complete: true }), complete));
    const d = await share('enum', ep('d'), measurement(ep('d'), () => Promise.resolve({ complete: true }), complete));
    expect(asked).toEqual(['a', 'b', 'c']);
    expect(b).toEqual({ complete: false });
    expect(c).toEqual({ complete: true });
    expect(d).toMatchObject({ complete: true, sharedFrom: { measuredThrough: 'c:443 (192.0.2.1)' } });
  });

  it('asks concurrently and still measures once; stops remembering configurations past the cap', async () => {
    const prints = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [n, clear(n === 'd' ? 'w' : 'x')]));
    const { share, asked, recalled } = sharingWith({ ...prints, e: clear('z'), f: clear('z') }, { max: 2 });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((n) => share('enum', ep(n))));
    expect(asked).toEqual(['a', 'd']);
    expect(recalled).toEqual(['a', 'a']); // b and c waited for a's measurement in flight (and counted as its sharers)
    expect(results.filter((r) => 'sharedFrom' in r)).toHaveLength(2);
    await share('enum', ep('e'));
    await share('enum', ep('f'));
    expect(asked).toEqual(['a', 'd', 'e', 'f']);
  });
});

/** Two worker threads' sharings over one run's FactExchange (src/runner/workers/fact-exchange.ts), as the pool wires them. */
function twoWorkers(prints: Record<string, TlsFingerprint>) {
  const exchange = new FactExchange<string>(16);
  const brokerOf = (holder: string): ConfigurationBroker => ({
    claim: (key) => new Promise((resolve) => exchange.claim(key, holder, resolve)),
    publish: (fact, lifetime) => exchange.publish(fact, lifetime),
  });
  return { one: sharingWith(prints, { elsewhere: brokerOf('one') }), two: sharingWith(prints, { elsewhere: brokerOf('two') }), exchange };
}

describe('createEndpointSharing across worker threads (issue 11)', () => {
  it('measures an address once for every worker: the other worker gets the facts and the name they were measured through', async () => {
    const { one, two, exchange } = twoWorkers({});
    const a = await one.share('enum', ep('a'));
    const b = await two.share('enum', ep('b'));
    const c = await two.share('enum', ep('c')); // shared in worker two from b's copy, still naming a
    expect(one.asked).toEqual(['a']);
    expect(two.asked).toEqual([]);
    expect(a).toEqual({ suites: ['a'] });
    expect(b).toMatchObject({ suites: ['a'], sharedFrom: { measuredThrough: 'a:443 (192.0.2.1)' } });
    expect(c).toMatchObject({ suites: ['a'], sharedFrom: { measuredThrough: 'a:443 (192.0.2.1)' } });
    expect(two.recalled).toEqual(['b']);
    expect(exchange.shared).toBe(1);
  });

  it('a worker asking while another measures waits for that measurement', async () => {
    const { one, two } = twoWorkers({});
    let finish: (facts: object) => void = () => {};
    const slow = one.measurement(ep('a'), () => new Promise<object>((resolve) => { finish = resolve; }));
    const a = one.share('enum', ep('a'), slow);
    await new Promise((resolve) => setTimeout(resolve, 5)); // a's claim is in; b's comes while a measures
    const b = two.share('enum', ep('b'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(two.asked).toEqual([]);
    finish({ suites: ['slow a'] });
    expect(await a).toEqual({ suites: ['slow a'] });
    expect(await b).toMatchObject({ suites: ['slow a'], sharedFrom: { measuredThrough: 'a:443 (192.0.2.1)' } });
    expect(two.asked).toEqual([]);
  });

  it('never shares a failed or an unusable measurement across workers, nor one of another configuration, address or kind', async () => {
    const failed = twoWorkers({});
    await expect(failed.one.share('enum', ep('a'), failed.one.measurement(ep('a'), () => Promise.reject(new Error('timeout'))))).rejects.toThrow('timeout');
    expect(await failed.two.share('enum', ep('b'))).toEqual({ suites: ['b'] });
    const unusable = twoWorkers({});
    const complete = (f: { complete: boolean }) => f.complete;
    await unusable.one.share('enum', ep('a'), unusable.one.measurement(ep('a'), () => Promise.resolve({ complete: false }), complete));
    expect(await unusable.two.share('enum', ep('b'), unusable.two.measurement(ep('b'), () => Promise.resolve({ complete: true }), complete)))
      .toEqual({ complete: true });
    const apart = twoWorkers({ a: clear('x'), b: clear('y') });
    await apart.one.share('enum', ep('a'));
    await apart.two.share('enum', ep('b'));
    await apart.two.share('enum', ep('c', '192.0.2.2'));
    await apart.two.share('other', ep('d'));
    await apart.two.share('enum', ep('e'), apart.two.measurement(ep('e')), 'smtp-starttls');
    expect(apart.two.asked).toEqual(['b', 'c', 'd', 'e']);
  });
});

describe('shared measurement against a real server with two configurations on one port', () => {
  let server: tls.Server;
  let port = 0;
  let connections = 0;
  let certs: Record<'ec' | 'rsa', LabCert>;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    const ca = createCa({ name: 'Vouch Sharing Test CA' });
    certs = {
      ec: issueLeaf(ca, { hosts: ['a.share.test', 'b.share.test'] }),
      rsa: issueLeaf(ca, { hosts: ['rsa.share.test'], keyType: 'rsa', rsaBits: 2048 }),
    };
    const contexts = {
      ec: tls.createSecureContext({ key: certs.ec.keyPem, cert: certs.ec.chainPem }),
      rsa: tls.createSecureContext({ key: certs.rsa.keyPem, cert: certs.rsa.chainPem }),
    };
    server = tls.createServer({
      key: certs.ec.keyPem, cert: certs.ec.chainPem, minVersion: 'TLSv1.2', honorCipherOrder: true,
      SNICallback: (name, done) => done(null, name.startsWith('rsa.') ? contexts.rsa : contexts.ec),
    }, (socket) => { socket.on('error', () => {}); socket.end(); });
    server.on('tlsClientError', () => {});
    server.on('connection', (socket: net.Socket) => { connections++; sockets.add(socket); socket.once('close', () => sockets.delete(socket)); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function session(measure?: 'per-name'): Promise<ProbeSession> {
    const loaded = await buildConfig({ domains: ['a.share.test'], resolvers: ['127.0.0.1:9'], ...(measure ? { tls: { measure } } : {}) },
      { source: null, baseDir: '/tmp' });
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    return createProbeSession(loaded.config, new AbortController().signal, pino({ level: 'silent' }), 'test');
  }
  const at = (hostname: string): Endpoint => ({ hostname, port: 443, address: '127.0.0.1', dialPort: port });

  it('shares between the two ECDSA names and measures the RSA name on its own, with its own suites', async () => {
    const s = await session();
    try {
      const probes = s.probesFor(() => undefined);
      const before = connections;
      const a = await probes.tlsEnumeration(at('a.share.test'));
      const afterA = connections;
      const [b, rsa] = await Promise.all([probes.tlsEnumeration(at('b.share.test')), probes.tlsEnumeration(at('rsa.share.test'))]);
      expect(a.sharedFrom).toBeUndefined();
      expect(b.sharedFrom).toMatchObject({ measuredThrough: `a.share.test:443 (127.0.0.1:${port})` });
      expect(b.versions).toEqual(a.versions);
      expect(rsa.sharedFrom).toBeUndefined();
      const names12 = (e: typeof a) => e.versions['TLSv1.2'].suites.map((x) => x.name);
      // OpenSSL keeps the default context's ECDSA key after the SNI switch, so the RSA name serves both kinds; the
      // ECDSA names have no RSA suite at all. Sharing a's facts with it would have hidden every RSA suite.
      expect(names12(a).every((n) => n.includes('ECDSA'))).toBe(true);
      expect(names12(rsa).filter((n) => n.includes('_RSA_')).length).toBeGreaterThan(3);
      // a: fingerprint + enumeration; b: its fingerprint only; rsa: fingerprint + its own enumeration.
      const enumeration = afterA - before - 5;
      expect(connections - afterA).toBe(5 + 5 + (rsa.connections));
      expect(enumeration).toBe(a.connections);
    } finally {
      await s.close();
    }
  });

  it('per-name measures every name on its own', async () => {
    const s = await session('per-name');
    try {
      const probes = s.probesFor(() => undefined);
      const before = connections;
      const a = await probes.tlsEnumeration(at('a.share.test'));
      const b = await probes.tlsEnumeration(at('b.share.test'));
      expect(a.sharedFrom).toBeUndefined();
      expect(b.sharedFrom).toBeUndefined();
      expect(connections - before).toBe(a.connections + b.connections);
    } finally {
      await s.close();
    }
  });
});
