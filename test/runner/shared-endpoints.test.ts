import type { AddressInfo } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { createCa, issueLeaf, type LabCert } from '../../src/lab/pki.ts';
import { createProbeSession, type ProbeSession } from '../../src/runner/probes.ts';
import { createEndpointSharing, type Transport } from '../../src/runner/shared-endpoints.ts';
import type { TlsFingerprint } from '../../src/tls/fingerprint.ts';

// One measurement per TLS configuration, not per hosted name (src/runner/shared-endpoints.ts): the pure sharing
// logic with fake fingerprints, then real probe sessions against one node:tls server on 127.0.0.1 that serves two
// configurations on one port (SNI picks an ECDSA or an RSA certificate, and with it the suites).

const ep = (hostname: string, address = '192.0.2.1'): Endpoint => ({ hostname, port: 443, address, dialPort: 443 });
const clear = (...answers: string[]): TlsFingerprint => ({ answers, clear: true, connections: 5, sctExtension: null });

function sharingWith(prints: Record<string, TlsFingerprint>, mode: 'per-address' | 'per-name' = 'per-address', max?: number) {
  const asked: string[] = [];
  const sharing = createEndpointSharing({
    mode, label: (e) => `${e.hostname}:443 (${e.address})`, ...(max ? { maxConfigurationsPerAddress: max } : {}),
    fingerprint: async (e: Endpoint, _t: Transport) => prints[e.hostname]!,
  });
  const measure = (e: Endpoint, facts: object = { suites: [e.hostname] }) => () => { asked.push(e.hostname); return Promise.resolve(facts); };
  return { sharing, asked, measure };
}

describe('createEndpointSharing (pure)', () => {
  it('measures once for names with the same fingerprint on one address, and says so in the shared facts', async () => {
    const { sharing, asked, measure } = sharingWith({ a: clear('x'), b: clear('x') });
    const a = await sharing.share('enum', ep('a'), 'tls', measure(ep('a')));
    const b = await sharing.share('enum', ep('b'), 'tls', measure(ep('b')));
    expect(asked).toEqual(['a']);
    expect(a).toEqual({ suites: ['a'] });
    expect(b).toMatchObject({ suites: ['a'], sharedFrom: { measuredThrough: 'a:443 (192.0.2.1)' } });
  });

  it('measures again for a different fingerprint, an unclear one, another address, transport or kind, and in per-name mode', async () => {
    const prints = { a: clear('x'), b: clear('y'), c: { answers: ['x'], clear: false, connections: 5, sctExtension: null }, d: clear('x') };
    const { sharing, asked, measure } = sharingWith(prints);
    await sharing.share('enum', ep('a'), 'tls', measure(ep('a')));
    await sharing.share('enum', ep('b'), 'tls', measure(ep('b')));
    await sharing.share('enum', ep('c'), 'tls', measure(ep('c')));
    await sharing.share('enum', ep('d', '192.0.2.2'), 'tls', measure(ep('d')));
    await sharing.share('enum', ep('d'), 'smtp-starttls', measure(ep('d')));
    await sharing.share('other', ep('d'), 'tls', measure(ep('d')));
    expect(asked).toEqual(['a', 'b', 'c', 'd', 'd', 'd']);
    const perName = sharingWith({ a: clear('x'), b: clear('x') }, 'per-name');
    await perName.sharing.share('enum', ep('a'), 'tls', perName.measure(ep('a')));
    await perName.sharing.share('enum', ep('b'), 'tls', perName.measure(ep('b')));
    expect(perName.asked).toEqual(['a', 'b']);
  });

  it('remembers only the most recently used addresses (bounded memory): a forgotten one is measured again', async () => {
    const asked: string[] = [];
    const sharing = createEndpointSharing({
      mode: 'per-address', label: (e) => e.hostname, maxAddresses: 2, fingerprint: async () => clear('x'),
    });
    const share = (name: string, address: string) =>
      sharing.share('enum', ep(name, address), 'tls', () => { asked.push(name); return Promise.resolve({ by: name }); });
    await share('a1', '192.0.2.1');
    await share('b1', '192.0.2.2');
    await share('a2', '192.0.2.1'); // shared from a1; 192.0.2.1 is now the most recent
    await share('c1', '192.0.2.3'); // forgets 192.0.2.2
    await share('a3', '192.0.2.1');
    await share('b2', '192.0.2.2');
    expect(asked).toEqual(['a1', 'b1', 'c1', 'b2']);
  });

  it('never shares a failed or an unusable measurement: each name then measures on its own', async () => {
    const { sharing, asked } = sharingWith({ a: clear('x'), b: clear('x'), c: clear('x') });
    const failing = () => { asked.push('a'); return Promise.reject(new Error('timeout')); };
    await expect(sharing.share('enum', ep('a'), 'tls', failing)).rejects.toThrow('timeout');
    const b = await sharing.share('enum', ep('b'), 'tls', () => { asked.push('b'); return Promise.resolve({ complete: false }); }, (f) => f.complete);
    const c = await sharing.share('enum', ep('c'), 'tls', () => { asked.push('c'); return Promise.resolve({ complete: true }); }, (f) => f.complete);
    expect(asked).toEqual(['a', 'b', 'c']);
    expect(b).toEqual({ complete: false });
    expect(c).toEqual({ complete: true });
  });

  it('asks concurrently and still measures once; stops remembering configurations past the cap', async () => {
    const prints = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [n, clear(n === 'd' ? 'w' : 'x')]));
    const { sharing, asked, measure } = sharingWith({ ...prints, e: clear('z'), f: clear('z') }, 'per-address', 2);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((n) => sharing.share('enum', ep(n), 'tls', measure(ep(n)))));
    expect(asked).toEqual(['a', 'd']);
    expect(results.filter((r) => 'sharedFrom' in r)).toHaveLength(2);
    await sharing.share('enum', ep('e'), 'tls', measure(ep('e')));
    await sharing.share('enum', ep('f'), 'tls', measure(ep('f')));
    expect(asked).toEqual(['a', 'd', 'e', 'f']);
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
