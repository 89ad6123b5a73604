import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startRawTlsServer, type RawTlsOptions } from '../../src/lab/raw-tls-server.ts';
import type { LabServer } from '../../src/lab/tls-server.ts';
import { createConverser } from '../../src/tls/conversation.ts';
import { probeCcsInjection } from '../../src/tls/weakness/ccs-injection.ts';
import { probeHeartbleed } from '../../src/tls/weakness/heartbleed.ts';
import { probeRobot, robotBlock, ROBOT_PAYLOADS, type RobotPlan } from '../../src/tls/weakness/robot.ts';
import { issueTicket, probeTicketbleed } from '../../src/tls/weakness/ticketbleed.ts';
import { heardLabel, quietFor, weaknessQuietWindow, type WeaknessProbeOptions } from '../../src/tls/weakness/facts.ts';
import { FAKE_MEMORY_TEXT } from '../../src/lab/raw-tls-server.ts';
import { startTicketbleedServer } from '../../src/lab/raw-tls-weakness-handlers.ts';

// The raw-hello weakness probes against the raw lab server (each flaw on purpose) and a real OpenSSL 3 server
// (node:tls), which has none of them.

const servers: { close(): Promise<void> }[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });
const raw = async (options: RawTlsOptions = {}): Promise<LabServer> => {
  const server = await startRawTlsServer(options);
  servers.push(server);
  return server;
};

let openssl: { host: string; port: number };
beforeAll(async () => {
  const ca = createCa({ name: 'Weakness Test CA', keyType: 'rsa' });
  const leaf = issueLeaf(ca, { hosts: ['localhost'], keyType: 'rsa', rsaBits: 2048 });
  const server = tls.createServer({ key: leaf.keyPem, cert: leaf.chainPem, ciphers: 'AES128-GCM-SHA256:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' },
    (s) => { s.on('error', () => {}); s.resume(); });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openssl = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
});

const optionsFor = (server: { host: string; port: number }, quietMs = 300): WeaknessProbeOptions => ({
  converser: createConverser({ hostname: 'localhost', port: 443, address: server.host, dialPort: server.port }, { timeoutMs: 4000, signal: AbortSignal.timeout(20_000) }),
  endpoint: `localhost:443 (${server.host})`, transport: 'tls', serverName: 'localhost', quietMs,
});

const RSA_PLAN: RobotPlan = { version: 'TLSv1.2', suites: [0x009c, 0x002f] };

describe('Heartbleed probe', () => {
  it('fails a server that answers a heartbeat longer than its record, recording only the bytes we sent', async () => {
    const facts = await probeHeartbleed(optionsFor(await raw({ heartbleed: true })));
    expect(facts.outcome, facts.finding).toBe('vulnerable');
    expect(facts.cves).toEqual(['CVE-2014-0160']);
    expect(facts.finding).toMatch(/payload_length 48 \(67 bytes\) to a request of 35 bytes/);
    // Record header, heartbeat header, then our 32 payload bytes and nothing after them (the lab's fake memory follows).
    expect(facts.steps[1]!.heardHex).toMatch(/^1803030043020030/);
    expect(facts.steps[1]!.heardHex!.slice(16, 16 + 64)).toBe(Buffer.alloc(32, 'vouch-heartbleed').toString('hex'));
    expect(facts.steps[1]!.heard).toMatch(/bytes beyond the payload we sent not recorded/);
    expect(JSON.stringify(facts)).not.toContain(Buffer.from(FAKE_MEMORY_TEXT.slice(0, 8)).toString('hex'));
    expect(facts.details).toMatchObject({ withheldBytes: 32 }) // 16 bytes past our payload, 16 of padding;
    expect(facts.connections).toBe(1);
  });

  it('passes a server that checks a heartbeat\'s bounds but not its padding (not Heartbleed)', async () => {
    const facts = await probeHeartbleed(optionsFor(await raw({ heartbeatIgnoresPadding: true })));
    expect(facts.outcome, facts.finding).toBe('not-vulnerable');
  });

  it('bounds the quiet window by the run\'s timeout: half of it, at least one second, at most two', () => {
    expect([100, 200, 2000, 3000, 10_000].map(weaknessQuietWindow)).toEqual([1000, 1000, 1000, 1500, 2000]);
  });

  it('labels a silence with its window for the evidence, and without it for comparing answers across connections', () => {
    // Each connection's window follows its own flight time: under load two silences differ in milliseconds only, and
    // ROBOT compared them as different answers ("too noisy to judge": the demo's flaky ROBOT error under load).
    const silence = { records: [], end: 'quiet', bytes: Buffer.alloc(0) } as unknown as Parameters<typeof heardLabel>[0];
    expect(heardLabel(silence, 150)).toBe('no further answer within 150 ms');
    expect(heardLabel(silence)).toBe(heardLabel({ ...silence }));
    expect(heardLabel(silence)).toBe('no further answer');
  });

  it('scales silence to the connection: ten flight times, at least 150 ms, at most the run\'s window', () => {
    expect([0.4, 10, 25, 80, 150, 400].map((flightMs) => quietFor({ flightMs }, 2000))).toEqual([150, 150, 250, 800, 1500, 2000]);
    expect(quietFor({ flightMs: 150 }, 1000)).toBe(1000);
  });

  it('passes a server that echoes only the well-formed heartbeat', async () => {
    const facts = await probeHeartbleed(optionsFor(await raw()));
    expect(facts.outcome, facts.finding).toBe('not-vulnerable');
    expect(facts.finding).toContain('echoed only the well-formed heartbeat');
  });

  it('passes OpenSSL 3, which refuses heartbeats', async () => {
    const facts = await probeHeartbleed(optionsFor(openssl));
    expect(facts.outcome, facts.finding).toBe('not-vulnerable');
    expect(facts.version).toBe('TLSv1.2');
  });
});

describe('CCS injection probe', () => {
  it('passes servers that refuse an early ChangeCipherSpec', async () => {
    for (const server of [await raw(), openssl]) {
      const facts = await probeCcsInjection(optionsFor(server));
      expect(facts.outcome, facts.finding).toBe('not-vulnerable');
      expect(facts.finding).toMatch(/unexpected_message \(10\)/);
    }
  });

  it('fails a server that accepts it (bad_record_mac on the next record), never on silence alone', async () => {
    const facts = await probeCcsInjection(optionsFor(await raw({ acceptEarlyCcs: true })));
    expect(facts.outcome, facts.finding).toBe('vulnerable');
    expect(facts.steps.map((s) => s.heard)).toEqual([
      'ServerHello TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 ... ServerHelloDone',
      // The silence window scales with the connection's flight time (at least 150 ms, at most the 300 ms given here).
      expect.stringMatching(/^no further answer within (1[5-9]\d|2\d\d|300) ms$/), 'alert fatal bad_record_mac (20)',
    ]);
  });
});

describe('ROBOT probe', () => {
  it('builds five blocks of the modulus length with the paper\'s structure', () => {
    const secret = Buffer.alloc(46, 0xaa);
    const padding = Buffer.alloc(300, 0xcd);
    const blocks = ROBOT_PAYLOADS.map((p) => robotBlock(p, 256, 0x0303, secret, padding));
    expect(blocks.map((b) => b.length)).toEqual([256, 256, 256, 256, 256]);
    expect(blocks.map((b) => b.subarray(0, 2).toString('hex'))).toEqual(['0002', '4117', '0002', '0002', '0002']);
    expect(blocks[0]!.subarray(207, 210).toString('hex')).toBe('000303');
    expect(blocks[2]!.indexOf(0, 1)).toBe(254);
    expect(blocks[3]!.includes(0, 1)).toBe(false);
    expect(blocks[4]!.subarray(207, 210).toString('hex')).toBe('000202');
  });

  it('passes a server that answers every payload alike with and without ChangeCipherSpec (lab and OpenSSL 3), in 10 connections', async () => {
    for (const server of [await raw(), openssl]) {
      const facts = await probeRobot(optionsFor(server), RSA_PLAN);
      expect(facts.outcome, facts.finding).toBe('not-vulnerable');
      expect(facts.connections).toBe(10);
      expect(facts.steps).toHaveLength(10);
      expect(facts.steps[5]!.sent).toBe('ClientKeyExchange (valid) alone');
    }
  });

  it('fails an oracle that shows only without ChangeCipherSpec and Finished, confirmed (15 connections)', async () => {
    const facts = await probeRobot(optionsFor(await raw({ oracleWithoutCcs: true }), 150), RSA_PLAN);
    expect(facts.outcome, facts.finding).toBe('vulnerable');
    expect(facts.connections).toBe(15);
    expect(facts.finding).toMatch(/without ChangeCipherSpec and Finished.*valid, wrong-zero, wrong-version: no further answer; wrong-first, no-zero: alert fatal handshake_failure/);
    expect(facts.details).toMatchObject({ flow: 'without-ccs', oracle: 'strong' });
  });

  it('calls a protocol_version alert unknown: the enumeration saw RSA accepted at that version', async () => {
    const facts = await probeRobot(optionsFor(await raw({ versions: ['TLSv1.2'] })), { version: 'TLSv1', suites: [0x002f] });
    expect([facts.outcome, facts.reason], facts.finding).toEqual(['unknown', 'protocol']);
    expect(facts.finding).toMatch(/protocol_version \(70\), although the enumeration saw RSA key exchange accepted at TLSv1/);
    expect(facts.connections).toBe(1);
  });

  it('fails a padding oracle, confirmed by a second round (10 connections)', async () => {
    const facts = await probeRobot(optionsFor(await raw({ paddingOracle: true })), RSA_PLAN);
    expect(facts.outcome, facts.finding).toBe('vulnerable');
    expect(facts.connections).toBe(10);
    expect(facts.finding).toMatch(/decrypt_error/);
    expect(facts.details).toMatchObject({ oracle: 'strong', modulusBits: 2048 });
  });
});

describe('Ticketbleed probe', () => {
  const ticketOptions = (server: { host: string; port: number }) => {
    const endpoint = { hostname: 'localhost', port: 443, address: server.host, dialPort: server.port };
    const obtain = () => issueTicket(endpoint, net.connect({ host: server.host, port: server.port }), AbortSignal.timeout(4000));
    return { options: optionsFor(server), obtain };
  };

  it('passes OpenSSL 3, which resumes the ticket and echoes the 1-byte session ID', async () => {
    const { options, obtain } = ticketOptions(openssl);
    const facts = await probeTicketbleed(options, obtain);
    expect(facts.outcome, facts.finding).toBe('not-vulnerable');
    expect(facts.connections).toBe(2);
  });

  it('fails a server that echoes 32 bytes for a 1-byte session ID, without recording them', async () => {
    const server = await startTicketbleedServer();
    servers.push(server);
    const { options, obtain } = ticketOptions(server);
    const facts = await probeTicketbleed(options, obtain);
    expect(facts.outcome, facts.finding).toBe('vulnerable');
    expect(facts.finding).toContain('32-byte session ID for our 1-byte one');
    expect(JSON.stringify(facts)).not.toContain(Buffer.from('VOUCH-LAB').toString('hex'));
  });

  it('is not applicable without tickets, and unknown when the ticket is not resumed', async () => {
    const none = await probeTicketbleed(optionsFor(openssl), async () => ({ ticket: null, version: 'TLSv1.2', suite: 'TLS_RSA_WITH_AES_128_GCM_SHA256' }));
    expect(none.outcome).toBe('not-applicable');
    const forged = await probeTicketbleed(optionsFor(openssl), async () => ({ ticket: Buffer.alloc(160, 1), version: 'TLSv1.2', suite: 'TLS_RSA_WITH_AES_128_GCM_SHA256' }));
    expect([forged.outcome, forged.reason], forged.finding).toEqual(['unknown', 'protocol']);
  });
});
