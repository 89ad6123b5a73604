import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/core/types.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startTlsServer, type LabTlsServer } from '../../src/lab/tls-server.ts';
import { probeTlsSession } from '../../src/probes/tls-session.ts';
import { dial } from '../../src/tls/exchange.ts';
import { readResumptionSession, type ResumptionSession } from '../../src/tls/resumption-session.ts';
import { createProofReader, planZeroRtt, proveZeroRtt, type ProofPlan, type ZeroRttProof } from '../../src/tls/zero-rtt-proof.ts';
import { seededRandom } from '../support/prng.ts';

// Proving 0-RTT acceptance by resuming a node:tls session by hand (RFC 8446 4.2.10, 4.2.11): against a real
// OpenSSL server with early data on (accepts), a node:tls server (OpenSSL without early data: does not), and a
// wrong PSK (the server refuses the binder). The key schedule itself is checked against RFC 8448 elsewhere.

const ca = createCa({ name: 'Vouch Lab 0-RTT CA' });
const leaf = issueLeaf(ca, { hosts: ['localhost'] });
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

type Ticket = { readonly der: Buffer; readonly session: ResumptionSession; readonly receivedAtMs: number };

/** The TLS 1.3 sessions a node:tls handshake with the server at `port` hands out (OpenSSL sends two). */
async function tickets(port: number, ciphersuites?: string): Promise<Ticket[]> {
  const got: Ticket[] = [];
  const socket = tls.connect({ host: '127.0.0.1', port, ca: [ca.certPem], servername: 'localhost', minVersion: 'TLSv1.3', ...(ciphersuites ? { ciphers: ciphersuites } : {}) });
  socket.on('session', (der: Buffer) => got.push({ der, session: readResumptionSession(der)!, receivedAtMs: Date.now() }));
  socket.on('error', () => {});
  socket.resume();
  for (let waited = 0; got.length < 2 && waited < 2000; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
  socket.destroy();
  return got;
}

const endpointAt = (port: number): Endpoint => ({ hostname: 'localhost', port, address: '127.0.0.1', dialPort: port });

async function prove(port: number, ticket: Ticket, change: Partial<ResumptionSession> = {}, earlyData?: Buffer): Promise<ZeroRttProof> {
  const plan = planZeroRtt({ ...ticket.session, ...change }, { serverName: 'localhost', receivedAtMs: ticket.receivedAtMs, ...(earlyData ? { earlyData } : {}) });
  if (!('bytes' in plan)) throw new Error(plan.detail);
  return proveZeroRtt(endpointAt(port), (signal) => dial(endpointAt(port), signal), plan, AbortSignal.timeout(5000));
}

describe('against a node:tls server (OpenSSL, early data off)', () => {
  let server: LabTlsServer;
  beforeAll(async () => { server = await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, onSecure: (s) => s.resume() }); });
  afterAll(() => server.close());

  it('reads the session: TLS 1.3, a ticket, a PSK of the hash length, no early data allowed', async () => {
    const [first] = await tickets(server.port);
    expect(first!.session).toMatchObject({ version: 0x0304, maxEarlyData: 0, alpn: null });
    expect(first!.session.psk.length).toBe(first!.session.cipher === 0x1302 ? 48 : 32);
    expect(first!.session.ticket.length).toBeGreaterThan(0);
  });

  it('the server accepts the PSK (so master_key is the resumption PSK) and does not accept early data', async () => {
    const [first] = await tickets(server.port);
    expect(await prove(server.port, first!)).toMatchObject({ kind: 'answered', pskAccepted: true, earlyDataAccepted: false });
  });

  it('the session probe reports earlyDataAccepted null: no ticket allows early data, so nothing is sent', async () => {
    const facts = await probeTlsSession(endpointAt(server.port), (signal) => dial(endpointAt(server.port), signal), { transport: 'tls', ticketWaitMs: 1000 }, AbortSignal.timeout(5000));
    expect(facts).toMatchObject({ protocol: 'TLSv1.3', earlyDataAccepted: null, earlyData: { attempted: false, reason: 'no-offer' } });
  });

  it('a wrong PSK fails the binder: the server aborts (RFC 8446 4.2.11: decrypt_error), which proves nothing', async () => {
    const [first] = await tickets(server.port);
    const psk = Buffer.from(first!.session.psk);
    psk[0] = psk[0]! ^ 1;
    expect(await prove(server.port, first!, { psk })).toMatchObject({ kind: 'undetermined', reason: 'alert' });
  });

  it('an unknown ticket is refused: a full handshake, early data not established either way', async () => {
    const [first] = await tickets(server.port);
    const ticket = Buffer.from(first!.session.ticket);
    ticket[ticket.length - 1] = ticket[ticket.length - 1]! ^ 1;
    expect(await prove(server.port, first!, { ticket })).toMatchObject({ kind: 'psk-refused', pskAccepted: false, earlyDataAccepted: null });
  });
});

describe.skipIf(!hasOpenssl)('against openssl s_server -early_data -tls1_3', () => {
  let dir: string;
  let child: ChildProcess;
  let port = 0;
  let output = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vouch-0rtt-'));
    writeFileSync(join(dir, 'key.pem'), leaf.keyPem);
    writeFileSync(join(dir, 'cert.pem'), leaf.certPem);
    child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-tls1_3', '-early_data', '-cert', join(dir, 'cert.pem'), '-key', join(dir, 'key.pem')], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('latin1'); });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('latin1'); });
    for (let waited = 0; !port && waited < 5000; waited += 25) {
      port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (!port) throw new Error(`openssl s_server did not start: ${output}`);
  });
  afterAll(() => {
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('its tickets allow early data, and it accepts early data with one of them, decrypting what we sent', async () => {
    const [first] = await tickets(port);
    expect(first!.session.maxEarlyData).toBeGreaterThan(0);
    const proof = await prove(port, first!, {}, Buffer.from('vouch-early-data-marker'));
    expect(proof).toMatchObject({ kind: 'answered', pskAccepted: true, earlyDataAccepted: true });
    expect(proof.kind === 'answered' && proof.encryptedExtensions).toContain(42);
    // s_server prints the early data it read: our record was protected with the right client_early_traffic_secret.
    for (let waited = 0; !output.includes('vouch-early-data-marker') && waited < 2000; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(output).toContain('vouch-early-data-marker');
  });

  it('the session probe proves acceptance: earlyDataAccepted true, with its evidence', async () => {
    const facts = await probeTlsSession(endpointAt(port), (signal) => dial(endpointAt(port), signal), { transport: 'tls', ticketWaitMs: 1000 }, AbortSignal.timeout(5000));
    expect(facts).toMatchObject({
      protocol: 'TLSv1.3', earlyDataAccepted: true,
      earlyData: { attempted: true, pskAccepted: true, reason: null, encryptedExtensions: expect.arrayContaining([42]) },
    });
    expect(facts.earlyData.ticketAgeMs).toBeLessThan(5000);
  });

  it.each([
    ['TLS_AES_128_GCM_SHA256', 0x1301], ['TLS_AES_256_GCM_SHA384', 0x1302], ['TLS_CHACHA20_POLY1305_SHA256', 0x1303],
  ])('proves acceptance with a %s session', async (name, code) => {
    const [first] = await tickets(port, name);
    expect(first!.session.cipher).toBe(code);
    expect(await prove(port, first!)).toMatchObject({ kind: 'answered', earlyDataAccepted: true, cipherSuite: code });
  });

  it('with a ticket age far off (beyond its allowance) it takes the PSK but not the early data', async () => {
    const [first] = await tickets(port);
    expect(await prove(port, { ...first!, receivedAtMs: first!.receivedAtMs - 60_000 })).toMatchObject({ kind: 'answered', earlyDataAccepted: false });
  });
});

describe.skipIf(hasOpenssl)('openssl is not installed', () => {
  it.skip('install the openssl binary to test 0-RTT acceptance against openssl s_server -early_data', () => {});
});

describe('planZeroRtt and the reply reader (pure)', () => {
  const session: ResumptionSession = {
    version: 0x0304, cipher: 0x1301, psk: Buffer.alloc(32, 1), ticket: Buffer.alloc(40, 2), ticketAgeAdd: 0xfffffff0,
    timeSeconds: 1000, maxEarlyData: 16384, alpn: null,
  };
  const seeded = (seed: number) => { const next = seededRandom(seed); return (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))); };
  const plan = planZeroRtt(session, { serverName: 'localhost', nowMs: 1_000_250, random: seeded(1) }) as ProofPlan;

  it('puts pre_shared_key last with the obfuscated age (mod 2^32) and an early-data record after the hello', () => {
    expect(plan.ticketAgeMs).toBe(250);
    const hello = plan.clientHello;
    // ... identities<2> { identity<2> = 40 x 02, uint32 age }, binders<2> { binder<1> = 32 bytes } end the hello.
    const tail = hello.subarray(hello.length - (2 + 2 + 40 + 4 + 2 + 1 + 32) - 4);
    expect(tail.readUInt16BE(0)).toBe(41);
    expect(tail.readUInt32BE(4 + 2 + 2 + 40)).toBe(234); // (250 + 0xfffffff0) mod 2^32
    expect(plan.bytes.subarray(5 + hello.length)[0]).toBe(23);
    expect(plan.bytes.length).toBe(5 + hello.length + 5 + 1 + 16);
  });

  it('gives a typed reason instead of a plan for a TLS 1.2 session or a CCM suite', () => {
    expect(planZeroRtt({ ...session, version: 0x0303 }, { serverName: null })).toMatchObject({ kind: 'undetermined', reason: 'not-tls13-session' });
    expect(planZeroRtt({ ...session, cipher: 0x1304 }, { serverName: null })).toMatchObject({ kind: 'undetermined', reason: 'unsupported-suite' });
  });

  it('reads an alert, a HelloRetryRequest and an early close as reasons, never as an answer', () => {
    expect(createProofReader(plan).push(Buffer.from('15030300020228', 'hex'))).toMatchObject({ kind: 'undetermined', reason: 'alert' });
    const hrrRandom = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
    const hrr = Buffer.from(`0303${hrrRandom}00130100000c002b0002030400330002001d`, 'hex');
    const record = Buffer.concat([Buffer.from('16030300', 'hex'), Buffer.of(hrr.length + 4, 2, 0, 0, hrr.length), hrr]);
    expect(createProofReader(plan).push(record)).toMatchObject({ kind: 'undetermined', reason: 'hello-retry' });
    expect(createProofReader(plan).end('closed')).toMatchObject({ kind: 'undetermined', reason: 'closed' });
  });

  it('reads no session from random or truncated DER (fuzz), never throwing', () => {
    const next = seededRandom(11);
    const int = (n: number) => Math.floor(next() * n);
    for (let i = 0; i < 300; i++) {
      expect(() => readResumptionSession(Buffer.from(Array.from({ length: int(60) }, () => int(256))))).not.toThrow();
    }
    expect(readResumptionSession(Buffer.of(0x30, 0x00))).toBeNull();
  });

  it('is total on random and truncated input (fuzz)', () => {
    const next = seededRandom(10);
    const int = (n: number) => Math.floor(next() * n);
    for (let i = 0; i < 300; i++) {
      const reader = createProofReader(plan);
      const bytes = Buffer.from(Array.from({ length: int(80) }, () => int(256)));
      if (i % 2) bytes[0] = 22;
      expect(() => { reader.push(bytes); reader.end('closed'); }).not.toThrow();
    }
  });
});
