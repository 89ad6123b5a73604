import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startTlsServer } from '../../src/lab/tls-server.ts';
import type { LabTlsServer } from '../../src/lab/tls-server.ts';
import { buildClientHello } from '../../src/probes/tls-hello.ts';
import { createFlightReader } from '../../src/tls/server-flight.ts';
import type { FlightResult, KeyExchangeHint } from '../../src/tls/server-flight.ts';

/** The reader against node:tls (OpenSSL) servers on loopback: what OpenSSL sends, the reader must read. */

const root = createCa({ name: 'Vouch Flight Test Root' });
const intermediate = createCa({ name: 'Vouch Flight Test Intermediate', issuer: root });
const leaf = issueLeaf(intermediate, { hosts: ['localhost'], keyType: 'rsa' });
/** The DER of each certificate of a PEM bundle, in order. */
const ders = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p).raw);
const served = ders(leaf.chainPem);

const SUITES: Record<number, KeyExchangeHint> = { 0xc02f: { kx: 'ECDHE', auth: 'RSA' }, 0x009e: { kx: 'DHE', auth: 'RSA' } };
const keyExchangeOf = (code: number) => SUITES[code];

function readFlight(port: number, hello: Buffer): Promise<FlightResult> {
  return new Promise((resolve, reject) => {
    const reader = createFlightReader({ keyExchangeOf });
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no decision within 5 s')); }, 5000);
    const finish = (result: FlightResult) => { clearTimeout(timer); socket.destroy(); resolve(result); };
    socket.on('connect', () => socket.write(hello));
    socket.on('data', (chunk) => { const state = reader.push(chunk); if (state.done) finish(state.result); });
    socket.on('close', () => finish(reader.end().result));
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

let ecdhe: LabTlsServer;
let dhe: LabTlsServer;
let tls13: LabTlsServer;
beforeAll(async () => {
  const tls12 = { key: leaf.keyPem, cert: leaf.chainPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
  ecdhe = await startTlsServer(tls12);
  dhe = await startTlsServer(tls12);
  // The lab server takes no dhparam or sigalgs option: replace its context (node:tls setSecureContext). The signature
  // scheme is pinned so that the assertion does not depend on OpenSSL's preference.
  ecdhe.server.setSecureContext({ ...tls12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', ecdhCurve: 'P-256', sigalgs: 'rsa_pss_rsae_sha256' });
  dhe.server.setSecureContext({ ...tls12, ciphers: 'DHE-RSA-AES128-GCM-SHA256', dhparam: 'auto', sigalgs: 'rsa_pss_rsae_sha256' });
  tls13 = await startTlsServer({ key: leaf.keyPem, cert: leaf.chainPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
});
afterAll(async () => { await Promise.all([ecdhe, dhe, tls13].map((s) => s?.close())); });

describe('server-flight reader against node:tls servers', () => {
  it('ECDHE-RSA, TLS 1.2: chain, secp256r1, rsa_pss_rsae_sha256, ServerHelloDone', async () => {
    const r = await readFlight(ecdhe.port, buildClientHello('TLSv1.2', 'localhost'));
    expect(r).toMatchObject({
      kind: 'flight', version: 0x0303, helloDone: true, encrypted: false,
      serverHello: { cipherSuite: 0xc02f, extensions: { renegotiationInfo: { hex: '' }, ecPointFormats: expect.arrayContaining([0]) } },
      serverKeyExchange: { kind: 'ecdhe', kxSource: 'suite', curveType: 3, namedCurve: 0x0017, pointLength: 65, pointFormat: 4, signature: { scheme: 0x0804, impliedHash: null, length: 256 } },
    });
    if (r.kind !== 'flight') return;
    expect(served).toHaveLength(2);
    expect(r.certificates).toEqual({ count: 2, der: served, capped: false });
  });

  it('DHE-RSA, TLS 1.2 with dhparam auto: a 2048-bit prime, named', async () => {
    const r = await readFlight(dhe.port, buildClientHello('TLSv1.2', 'localhost'));
    expect(r).toMatchObject({
      kind: 'flight', helloDone: true, serverHello: { cipherSuite: 0x009e }, certificates: { count: 2 },
      serverKeyExchange: { kind: 'dhe', primeBits: 2048, gHex: '02', signature: { scheme: 0x0804 } },
    });
    if (r.kind !== 'flight' || r.serverKeyExchange?.kind !== 'dhe') return;
    // OpenSSL 3's automatic DH parameters are the RFC 7919 / RFC 3526 groups (ssl_get_auto_dh): either way, well-known.
    expect(r.serverKeyExchange.prime.bits).toBe(2048);
    expect(['ffdhe2048', 'modp2048']).toContain(r.serverKeyExchange.prime.wellKnown?.name);
    expect(r.certificates!.der).toEqual(served);
  });

  it('TLS 1.3 only: ServerHello with x25519 key_share, then encrypted', async () => {
    const r = await readFlight(tls13.port, buildClientHello('TLSv1.3', 'localhost'));
    expect(r).toMatchObject({
      kind: 'flight', version: 0x0304, encrypted: true, helloDone: false, certificates: null,
      serverHello: { legacyVersion: 0x0303, extensions: { selectedVersion: 0x0304, keyShare: { group: 0x001d, keyExchangeLength: 32 } } },
    });
    if (r.kind === 'flight') expect(typeof r.compatibilityCcs).toBe('boolean');
  });

  it('a TLS 1.2 hello to the TLS 1.3-only server: a protocol_version alert', async () => {
    const r = await readFlight(tls13.port, buildClientHello('TLSv1.2', 'localhost'));
    expect(r).toMatchObject({ kind: 'alert', level: 2, description: 70, name: 'protocol_version', after: 'nothing' });
  });
});
