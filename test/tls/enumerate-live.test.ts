import type { AddressInfo } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueLeaf, type LabCert } from '../../src/lab/pki.ts';
import { startSmtpServer } from '../../src/lab/smtp-server.ts';
import { startClosingServer, startSilentServer } from '../../src/lab/tls-server.ts';
import { TLS_VARIANT_NAMES, startTlsVariant } from '../../src/lab/tls-variants.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { createExchanger, exchangeOnce } from '../../src/tls/exchange.ts';
import { enumerateTls, type TlsEnumeration } from '../../src/tls/enumerate.ts';
import { starttlsConnect } from '../../src/tls/enumerate-smtp.ts';
import { fullOffer } from '../../src/tls/hello.ts';
import { suiteByName } from '../../src/tls/registry.ts';

// Real node:tls (OpenSSL 3) servers on 127.0.0.1: the enumeration must find exactly what each was configured with.
// Loopback only; every server is closed afterwards.

let rsa: LabCert;
beforeAll(() => {
  const ca = createCa({ name: 'Vouch Enumeration Test CA' });
  rsa = issueLeaf(ca, { hosts: ['localhost', '127.0.0.1'], keyType: 'rsa', rsaBits: 2048 });
});

type Started = { endpoint: Endpoint; connections(): number; close(): Promise<void> };

/** A node:tls server with every knob the cases need (honorCipherOrder, dhparam), counting TCP connections. */
async function startServer(options: tls.TlsOptions): Promise<Started> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: rsa.keyPem, cert: rsa.chainPem, ...options }, (socket) => { socket.on('error', () => {}); socket.end(); });
  server.on('tlsClientError', () => {});
  server.on('connection', (socket: net.Socket) => { connections++; sockets.add(socket); socket.once('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: { hostname: 'localhost', port, address: '127.0.0.1', dialPort: port },
    connections: () => connections,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

const run = async (endpoint: Endpoint, extra: { connect?: ReturnType<typeof starttlsConnect>; transport?: 'smtp-starttls' } = {}) => {
  const signal = new AbortController().signal;
  const exchanger = createExchanger(endpoint, { timeoutMs: 5000, signal, ...(extra.connect ? { connect: extra.connect } : {}) });
  const started = performance.now();
  const facts = await enumerateTls({ endpoint: `${endpoint.hostname}:${endpoint.port}`, serverName: 'localhost', exchange: exchanger.exchange, signal, ...(extra.transport ? { transport: extra.transport } : {}) });
  const ms = performance.now() - started;
  expect(exchanger.connections()).toBe(facts.connections);
  return { facts, ms };
};

/** OpenSSL names (what the server was configured with) to IANA names via the registry. */
const iana = (openssl: string) => openssl.split(':').filter((n) => n && !n.startsWith('@')).map((n) => suiteByName(n)!.name);
const names = (list: readonly { name: string }[] | null) => list?.map((s) => s.name) ?? null;
const report = (label: string, facts: TlsEnumeration, ms: number) =>
  console.log(`[enumeration] ${label}: ${facts.connections} connections, ${ms.toFixed(0)} ms`);

describe('enumeration against real node:tls servers', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => { await Promise.all(cleanup.map((close) => close())); });

  it('modern, server order on, secp384r1 only: exact suites, order, group and curve', async () => {
    // Neither list is in code-point order, so the order found can only be the server's.
    const tls12 = 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256';
    const tls13 = 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256';
    const server = await startServer({ ciphers: `${tls12}:${tls13}`, honorCipherOrder: true, ecdhCurve: 'secp384r1', minVersion: 'TLSv1.2' });
    cleanup.push(server.close);
    const { facts, ms } = await run(server.endpoint);
    report('modern order-on', facts, ms);
    expect(facts.versions['TLSv1.2']).toMatchObject({ accepted: true, serverOrder: 'server', chachaFirst: false, problems: [] });
    expect(names(facts.versions['TLSv1.2'].suites)).toEqual(iana(tls12));
    expect(names(facts.versions['TLSv1.2'].order)).toEqual(iana(tls12));
    expect(facts.versions['TLSv1.3']).toMatchObject({ accepted: true, serverOrder: 'server', problems: [] });
    expect(names(facts.versions['TLSv1.3'].order)).toEqual(iana(tls13));
    for (const v of ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1'] as const) expect(facts.versions[v]).toMatchObject({ accepted: false, problems: [] });
    expect(names(facts.groups)).toEqual(['secp384r1']);
    expect(names(facts.ecdheCurves!.curves)).toEqual(['secp384r1']);
    expect(facts.keyExchangeSignature).toMatchObject({ version: 'TLSv1.2', hash: 'sha256' });
    expect(facts.dh).toBeNull();
    expect(facts.problems).toEqual([]);
    expect(facts.connections).toBe(server.connections());
    expect(facts.connections).toBeLessThanOrEqual(30);
  });

  it('legacy TLS 1.0-1.2, client order, CBC, static RSA, DHE: exact suites per version, the DHE prime', async () => {
    const ciphers = 'ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA:AES128-SHA:CAMELLIA128-SHA:@SECLEVEL=0';
    const server = await startServer({ ciphers, honorCipherOrder: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.2', dhparam: 'auto' });
    cleanup.push(server.close);
    const { facts, ms } = await run(server.endpoint);
    report('legacy order-off', facts, ms);
    const all = new Set(iana(ciphers));
    const pre12 = new Set([...all].filter((n) => !n.includes('GCM')));
    expect(new Set(names(facts.versions['TLSv1.2'].suites))).toEqual(all);
    expect(new Set(names(facts.versions['TLSv1.1'].suites))).toEqual(pre12);
    expect(new Set(names(facts.versions.TLSv1.suites))).toEqual(pre12);
    for (const v of ['TLSv1', 'TLSv1.1', 'TLSv1.2'] as const) expect(facts.versions[v]).toMatchObject({ serverOrder: 'client', order: null, problems: [] });
    expect(facts.versions['TLSv1.3']).toMatchObject({ accepted: false });
    expect(facts.groups).toBeNull();
    expect(facts.dh).toMatchObject({ version: 'TLSv1.2', bits: 2048 });
    expect(facts.connections).toBe(server.connections());
  });

  it('TLS 1.3 only with the default groups: the groups in the server order, no TLS 1.2 facts', async () => {
    const server = await startServer({ minVersion: 'TLSv1.3', ecdhCurve: 'X25519:P-256:ffdhe2048' });
    cleanup.push(server.close);
    const { facts, ms } = await run(server.endpoint);
    report('tls13-only', facts, ms);
    expect(facts.versions['TLSv1.2']).toMatchObject({ accepted: false });
    expect(facts.versions['TLSv1.3'].accepted).toBe(true);
    expect(new Set(names(facts.groups))).toEqual(new Set(['x25519', 'secp256r1', 'ffdhe2048']));
    expect(facts.ecdheCurves).toBeNull();
    expect(facts.connections).toBe(server.connections());
  });

  it('SMTP STARTTLS: every hello is one SMTP session, never a MAIL/RCPT/DATA', async () => {
    const tls12 = 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA';
    const smtp = await startSmtpServer({ key: rsa.keyPem, cert: rsa.chainPem, variant: 'good', minVersion: 'TLSv1.2', ciphers: `${tls12}:TLS_AES_128_GCM_SHA256` });
    cleanup.push(() => smtp.close());
    const endpoint: Endpoint = { hostname: 'localhost', port: smtp.port, address: '127.0.0.1', dialPort: smtp.port };
    const signal = new AbortController().signal;
    const { facts, ms } = await run(endpoint, { connect: starttlsConnect(endpoint, 'scanner.test', signal), transport: 'smtp-starttls' });
    report('smtp starttls', facts, ms);
    expect(facts.transport).toBe('smtp-starttls');
    expect(new Set(names(facts.versions['TLSv1.2'].suites))).toEqual(new Set(iana(tls12)));
    expect(names(facts.versions['TLSv1.3'].suites)).toEqual(['TLS_AES_128_GCM_SHA256']);
    expect(facts.connections).toBe(smtp.connections());
    expect(smtp.commands().filter((c) => /^STARTTLS/i.test(c))).toHaveLength(facts.connections);
    expect(smtp.commands().filter((c) => /^(MAIL|RCPT|DATA)/i.test(c))).toEqual([]);
  });

  it('SMTP without STARTTLS: the enumeration fails with the reason, after one session', async () => {
    const smtp = await startSmtpServer({ key: rsa.keyPem, cert: rsa.chainPem, variant: 'no-starttls' });
    cleanup.push(() => smtp.close());
    const endpoint: Endpoint = { hostname: 'localhost', port: smtp.port, address: '127.0.0.1', dialPort: smtp.port };
    const signal = new AbortController().signal;
    const exchanger = createExchanger(endpoint, { timeoutMs: 5000, signal, connect: starttlsConnect(endpoint, 'scanner.test', signal) });
    await expect(enumerateTls({ endpoint: 'mx', serverName: 'localhost', exchange: exchanger.exchange })).rejects.toMatchObject({ reason: 'protocol', message: expect.stringContaining('STARTTLS is not advertised') });
    expect(smtp.connections()).toBe(1);
  });
});

describe('one exchange: typed outcomes, bounded', () => {
  const hello = { kind: 'tls' as const, hello: fullOffer('TLSv1.2', 'localhost'), stopAfter: 'server-hello' as const };

  it('refused: ProbeError refused at the connect stage', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const ep = { hostname: 'localhost', port, address: '127.0.0.1', dialPort: port };
    await expect(createExchanger(ep, { timeoutMs: 2000, signal: new AbortController().signal }).exchange(hello)).rejects.toMatchObject({ reason: 'refused', stage: 'connect' });
  });

  it('a silent server: ProbeError timeout, never a hang', async () => {
    const silent = await startSilentServer();
    const ep = { hostname: 'localhost', port: silent.port, address: '127.0.0.1', dialPort: silent.port };
    const started = Date.now();
    const error = await createExchanger(ep, { timeoutMs: 300, signal: new AbortController().signal }).exchange(hello).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeError);
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    await silent.close();
  });

  it('a close without reply is no-reply; a close mid-flight is truncated', async () => {
    const closing = await startClosingServer();
    const half = await startClosingServer({ reply: Buffer.from('160303004a0200004603', 'hex') });
    const at = (s: { port: number }) => ({ hostname: 'localhost', port: s.port, address: '127.0.0.1', dialPort: s.port });
    const signal = new AbortController().signal;
    expect(await exchangeOnce(at(closing), hello, signal)).toEqual({ kind: 'no-reply', how: 'closed' });
    expect(await exchangeOnce(at(half), hello, signal)).toMatchObject({ kind: 'truncated', bytes: 10 });
    await Promise.all([closing.close(), half.close()]);
  });
});

describe('agreement with the lab variants (src/lab/tls-variants.ts `expected`)', () => {
  it.each(TLS_VARIANT_NAMES)('%s', async (name) => {
    const variant = await startTlsVariant(name);
    try {
      const endpoint: Endpoint = { hostname: 'localhost', port: variant.port, address: variant.host, dialPort: variant.port };
      const signal = new AbortController().signal;
      const { facts, ms } = variant.starttls === 'smtp'
        ? await run(endpoint, { connect: starttlsConnect(endpoint, 'scanner.test', signal), transport: 'smtp-starttls' })
        : await run(endpoint);
      report(`variant ${name}`, facts, ms);
      const expected = variant.expected;
      for (const version of ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const) {
        const want = expected.suitesByVersion[version];
        expect(facts.versions[version].accepted, version).toBe(expected.versions.includes(version));
        if (!want) continue;
        expect(new Set(names(facts.versions[version].suites)), version).toEqual(new Set(want));
        if (want.length > 1 && expected.serverOrder !== null) {
          expect(facts.versions[version].serverOrder, version).toBe(expected.serverOrder ? 'server' : 'client');
          if (expected.serverOrder) expect(names(facts.versions[version].order), version).toEqual(want);
        }
      }
      const groups = new Set([...(facts.groups ?? []), ...(facts.ecdheCurves?.curves ?? [])].map((g) => g.name));
      expect(groups).toEqual(new Set(expected.groups));
      if (expected.dh) expect(facts.dh).toMatchObject({ bits: expected.dh.bits, wellKnown: expected.dh.prime });
      else expect(facts.dh).toBeNull();
      for (const v of Object.values(facts.versions)) expect(v.problems.filter((p) => p !== 'not tested')).toEqual([]);
      expect(facts.problems).toEqual([]);
    } finally {
      await variant.close();
    }
  });
});
