import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { rawTlsHandler } from '../../src/lab/raw-tls-server.ts';
import { handshakeMessage, record } from '../../src/lab/raw-tls/wire.ts';
import { startStarttlsFront } from '../../src/lab/starttls-front.ts';
import { createConverser, type Heard } from '../../src/tls/conversation.ts';
import { starttlsConnect } from '../../src/tls/enumerate-smtp.ts';
import type { HelloSpec } from '../../src/tls/hello.ts';
import { recordLabel } from '../../src/tls/record-reader.ts';
import { probeCcsInjection } from '../../src/tls/weakness/ccs-injection.ts';
import { probeHeartbleed } from '../../src/tls/weakness/heartbleed.ts';
import { probeRobot } from '../../src/tls/weakness/robot.ts';
import type { WeaknessProbeOptions } from '../../src/tls/weakness/facts.ts';

// The multi-step raw conversation against small fake servers: each answers the hello with a canned flight and then
// does one thing with what follows.

const HELLO: HelloSpec = { version: 'TLSv1.2', suites: [0x009c], extensions: {} };
/** ServerHello (TLS 1.2, TLS_RSA_WITH_AES_128_GCM_SHA256, no session id, no extensions) and ServerHelloDone. */
const FLIGHT = record(22, 0x0303, Buffer.concat([
  handshakeMessage(2, Buffer.concat([Buffer.of(3, 3), Buffer.alloc(32, 7), Buffer.of(0, 0x00, 0x9c, 0)])), handshakeMessage(14, Buffer.alloc(0)),
]));
const ALERT_10 = record(21, 0x0303, Buffer.of(2, 10));

type Behaviour = (socket: net.Socket, afterFlight: Buffer) => void;
const servers: net.Server[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))); });

/** A server that answers the first bytes with `reply` (default the flight), then hands every later chunk to `then`. */
async function fake(then: Behaviour, reply: Buffer | null = FLIGHT): Promise<{ host: string; port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    let replied = false;
    socket.on('data', (chunk) => {
      if (!replied) { replied = true; if (reply) socket.write(reply); return; }
      then(socket, chunk);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port, sockets };
}

const endpointOf = (s: { host: string; port: number }) => ({ hostname: 'fake.test', port: 443, address: s.host, dialPort: s.port });
const converserFor = (s: { host: string; port: number }, timeoutMs = 2000, maxBytes?: number) =>
  createConverser(endpointOf(s), { timeoutMs, signal: AbortSignal.timeout(10_000), ...(maxBytes ? { maxBytes } : {}) });

/** Sends one byte after the flight and listens once. */
const once = (s: { host: string; port: number }, quietMs = 200, maxBytes?: number) => converserFor(s, 2000, maxBytes).converse(HELLO, async (flight, talk) => {
  expect(flight.kind).toBe('flight');
  talk.send(Buffer.of(0x15, 3, 3, 0, 2, 1, 0));
  const heard = await talk.listen(quietMs);
  return { end: heard.end, records: heard.records.map(recordLabel), bytes: heard.bytes.length, partial: heard.partialBytes };
});

describe('conversation', () => {
  it.each<[string, Behaviour, Partial<{ end: Heard['end']; records: string[]; bytes: number; partial: number }>]>([
    ['an alert, then close', (s) => s.end(ALERT_10), { end: 'closed', records: ['alert fatal unexpected_message (10)'], bytes: 7 }],
    ['silence', () => {}, { end: 'quiet', records: [], bytes: 0 }],
    ['a reset', (s) => s.resetAndDestroy(), { end: 'reset', records: [] }],
    ['records in pieces', (s) => { s.write(ALERT_10.subarray(0, 3)); setTimeout(() => s.write(ALERT_10.subarray(3)), 30); }, { end: 'quiet', records: ['alert fatal unexpected_message (10)'] }],
    ['half a record, then close', (s) => s.end(ALERT_10.subarray(0, 4)), { end: 'closed', records: [], partial: 4 }],
    ['text instead of records', (s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'), { end: 'malformed', records: [] }],
    ['more than the cap', (s) => s.write(record(23, 0x0303, Buffer.alloc(4000))), { end: 'too-large' }],
  ])('hears %s', async (_name, behaviour, expected) => {
    const result = await once(await fake(behaviour), 200, expected.end === 'too-large' ? 2000 : undefined);
    expect(result).toMatchObject(expected);
  });

  it('reads records that arrive in the same chunk as the end of the flight', async () => {
    const server = await fake(() => {}, Buffer.concat([FLIGHT, ALERT_10]));
    const heard = await converserFor(server).converse(HELLO, async (_flight, talk) => talk.listen(200));
    expect(heard.records.map(recordLabel)).toEqual(['alert fatal unexpected_message (10)']);
    expect(heard.end).toBe('quiet');
  });

  it('gives the plan what the hello got when there is no flight', async () => {
    const garbage = await converserFor(await fake(() => {}, Buffer.from('garbage, not TLS\r\n'))).converse(HELLO, async (flight) => flight.kind);
    expect(garbage).toBe('malformed');
    const server = net.createServer((s) => s.destroy());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const none = await converserFor({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }).converse(HELLO, async (flight) => flight.kind);
    expect(none).toBe('no-reply');
  });

  it('ends on its deadline with a timeout ProbeError, and destroys the socket', async () => {
    const server = await fake(() => {}, null);
    const error = await converserFor(server, 300).converse(HELLO, async () => 'never').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeError);
    expect((error as ProbeError).reason).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.sockets[0]!.destroyed || server.sockets[0]!.readableEnded).toBe(true);
  });

  it('destroys the socket when the plan throws, and counts connections', async () => {
    const server = await fake(() => {});
    const converser = converserFor(server);
    await expect(converser.converse(HELLO, async () => { throw new Error('plan bug'); })).rejects.toThrow('plan bug');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.sockets[0]!.readableEnded || server.sockets[0]!.destroyed).toBe(true);
    expect(converser.connections()).toBe(1);
  });

  it('talks after SMTP STARTTLS through an injected connect', async () => {
    const front = await startStarttlsFront({ name: 'mx.fake.test', onTls: rawTlsHandler({ heartbleed: true }) });
    servers.push({ close: (cb: () => void) => { void front.close().then(cb); } } as unknown as net.Server);
    const endpoint = { hostname: 'mx.fake.test', port: 25, address: front.host, dialPort: front.port };
    const signal = AbortSignal.timeout(10_000);
    const converser = createConverser(endpoint, { timeoutMs: 3000, signal, connect: starttlsConnect(endpoint, 'scanner.test', signal) });
    const facts = await probeHeartbleed({ converser, endpoint: 'mx.fake.test:25', transport: 'smtp-starttls', serverName: 'mx.fake.test', quietMs: 300 });
    expect(facts.outcome, facts.finding).toBe('vulnerable');
  });
});

describe('weakness probes on odd servers', () => {
  const options = (s: { host: string; port: number }): WeaknessProbeOptions =>
    ({ converser: converserFor(s), endpoint: 'fake.test:443', transport: 'tls', serverName: 'fake.test', quietMs: 200 });

  it('CCS injection: silence after both ChangeCipherSpecs is unknown (timeout), never a pass or a fail', async () => {
    const facts = await probeCcsInjection(options(await fake(() => {})));
    expect([facts.outcome, facts.reason]).toEqual(['unknown', 'timeout']);
    expect(facts.steps).toHaveLength(3);
  });

  it('CCS injection: a close after a silence is unknown (protocol)', async () => {
    let seen = 0;
    const facts = await probeCcsInjection(options(await fake((s) => { if (++seen === 2) s.end(); })));
    expect([facts.outcome, facts.reason], facts.finding).toEqual(['unknown', 'protocol']);
  });

  it('Heartbleed: silence passes, saying how long was waited; garbage is unknown', async () => {
    const quiet = await probeHeartbleed(options(await fake(() => {})));
    expect(quiet.outcome).toBe('not-vulnerable');
    // The window scales with the connection's flight time: at least 150 ms, at most the 200 ms given here.
    expect(quiet.finding).toMatch(/within (1[5-9]\d|200) ms/);
    const garbage = await probeHeartbleed(options(await fake((s) => s.write('garbage\r\n'))));
    expect([garbage.outcome, garbage.reason]).toEqual(['unknown', 'protocol']);
  });

  it('every probe: a hello answered with garbage is unknown (protocol); a protocol_version alert not applicable, but unknown to ROBOT', async () => {
    const garbage = await fake(() => {}, Buffer.from('garbage, not TLS\r\n'));
    const tls13only = await fake(() => {}, record(21, 0x0303, Buffer.of(2, 70)));
    const robot = (o: WeaknessProbeOptions) => probeRobot(o, { version: 'TLSv1.2', suites: [0x009c] });
    for (const probe of [probeHeartbleed, probeCcsInjection, robot]) {
      expect((await probe(options(garbage))).outcome).toBe('unknown');
      // ROBOT runs only where the enumeration saw RSA key exchange accepted at that version: a refusal contradicts it.
      expect((await probe(options(tls13only))).outcome).toBe(probe === robot ? 'unknown' : 'not-applicable');
    }
  });

  it('ROBOT: a flight without a certificate is unknown', async () => {
    const facts = await probeRobot(options(await fake(() => {})), { version: 'TLSv1.2', suites: [0x009c] });
    expect([facts.outcome, facts.reason]).toEqual(['unknown', 'protocol']);
    expect(facts.finding).toContain('no readable certificate');
  });
});
