import { constants, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CKE_ALERT, CKE_BAD_PADDING_ALERT, ECDHE_RSA_SUITES, FAKE_MEMORY_TEXT, rawTlsHandler, startRawTlsServer, type RawTlsOptions,
} from '../../src/lab/raw-tls-server.ts';
import { handshakeMessage, readClientHello, record, splitRecords, u16, u8, vec16 } from '../../src/lab/raw-tls/wire.ts';
import { startStarttlsFront } from '../../src/lab/starttls-front.ts';
import type { LabServer } from '../../src/lab/tls-server.ts';
import { starttlsConnect } from '../../src/tls/enumerate-smtp.ts';
import { exchangeOnce } from '../../src/tls/exchange.ts';
import { buildClientHello, type HelloSpec } from '../../src/tls/hello.ts';
import { createFlightReader, type FlightResult } from '../../src/tls/server-flight.ts';
import { seededRandom } from '../support/prng.ts';

/** Each switch of the raw lab server changes the bytes on the wire, read back with Vouch's own flight reader. */

const servers: LabServer[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });
const start = async (options: RawTlsOptions = {}) => {
  const server = await startRawTlsServer(options);
  servers.push(server);
  return server;
};

const HELLO: HelloSpec = {
  version: 'TLSv1.2', suites: [0x009c, 0x002f, 0x00ff], compressionMethods: [1, 0],
  extensions: { renegotiationInfo: true, extendedMasterSecret: true, heartbeat: true },
};

/** Sends the hello, reads the flight, then sends `after` and collects what comes back until close or 300 ms of quiet. */
async function talk(server: LabServer, hello: HelloSpec, after: Buffer[] = []): Promise<{ flight: FlightResult; rest: Buffer; closed: boolean }> {
  const socket = net.connect({ host: server.host, port: server.port });
  socket.on('error', () => {});
  const reader = createFlightReader();
  let flight: FlightResult | null = null;
  let rest = Buffer.alloc(0);
  let received = Buffer.alloc(0);
  return new Promise((resolve) => {
    let quiet: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(quiet);
      socket.destroy();
      resolve({ flight: flight ?? reader.end().result, rest, closed });
    };
    const arm = () => { clearTimeout(quiet); quiet = setTimeout(() => finish(false), 300); };
    socket.on('data', (chunk: Buffer) => {
      if (flight) { rest = Buffer.concat([rest, chunk]); arm(); return; }
      received = Buffer.concat([received, chunk]);
      const state = reader.push(chunk);
      if (!state.done) return;
      flight = state.result;
      rest = 'bytes' in flight ? received.subarray(flight.bytes) : Buffer.alloc(0);
      if (flight.kind !== 'flight' || after.length === 0) { finish(false); return; }
      socket.write(Buffer.concat(after));
      arm();
    });
    socket.on('close', () => finish(true));
    socket.write(buildClientHello(hello));
  });
}

const serverHelloOf = (r: FlightResult) => {
  if (r.kind !== 'flight') throw new Error(`expected a flight, got ${JSON.stringify(r)}`);
  return r.serverHello;
};
const alertOf = (r: FlightResult) => (r.kind === 'alert' ? r.description : null);

describe('raw TLS lab server: the hello', () => {
  it('answers correctly by default: TLS 1.2, server suite order, renegotiation_info, EMS, no compression', async () => {
    const { flight } = await talk(await start(), HELLO);
    const hello = serverHelloOf(flight);
    expect(hello.version).toBe(0x0303);
    expect(hello.cipherSuite).toBe(0x009c);
    expect(hello.compressionMethod).toBe(0);
    expect(hello.extensions.renegotiationInfo).toEqual({ hex: '' });
    expect(hello.extensions.extendedMasterSecret).toBe(true);
    expect(flight.kind === 'flight' && flight.helloDone && flight.certificates?.count).toBe(1);
  });

  it('renegotiationInfo, extendedMasterSecret and acceptCompression change the ServerHello', async () => {
    const hello = serverHelloOf((await talk(await start({ renegotiationInfo: false, extendedMasterSecret: false, acceptCompression: true }), HELLO)).flight);
    expect(hello.extensions.renegotiationInfo).toBeNull();
    expect(hello.extensions.extendedMasterSecret).toBe(false);
    expect(hello.compressionMethod).toBe(1);
  });

  it('renegotiatedConnection puts bytes in renegotiation_info; SSLv3 is spoken when listed (and refuses an SSLv3 fallback)', async () => {
    const hello = serverHelloOf((await talk(await start({ renegotiatedConnection: Buffer.from('c0ffee', 'hex') }), HELLO)).flight);
    expect(hello.extensions.renegotiationInfo).toEqual({ hex: 'c0ffee' });
    const sslv3: HelloSpec = { version: 'SSLv3', suites: [0x002f] };
    const { flight } = await talk(await start({ versions: ['SSLv3', 'TLSv1.2'] }), sslv3);
    expect([serverHelloOf(flight).version, serverHelloOf(flight).cipherSuite]).toEqual([0x0300, 0x002f]);
    expect(alertOf((await talk(await start({ versions: ['SSLv3', 'TLSv1.2'] }), { ...sslv3, suites: [0x002f, 0x5600] })).flight)).toBe(86);
  });

  it('refuses a fallback below its highest version (RFC 7507) unless acceptFallback; a TLS 1.3 hello gets TLS 1.2', async () => {
    const fallback: HelloSpec = { version: 'TLSv1.1', suites: [0x002f, 0x5600] };
    expect(alertOf((await talk(await start(), fallback)).flight)).toBe(86);
    expect(serverHelloOf((await talk(await start({ acceptFallback: true }), fallback)).flight).version).toBe(0x0302);
    expect(serverHelloOf((await talk(await start({ versions: ['TLSv1.1'] }), fallback)).flight).version).toBe(0x0302);
    expect(alertOf((await talk(await start({ versions: ['TLSv1.2'] }), { version: 'TLSv1', suites: [0x002f] })).flight)).toBe(70);
    const tls13 = await talk(await start(), { version: 'TLSv1.3', suites: [0x1301, 0x009c], extensions: { supportedVersions: ['TLSv1.3', 'TLSv1.2'] } });
    expect(serverHelloOf(tls13.flight).version).toBe(0x0303);
  });

  it('signs a real ECDHE ServerKeyExchange when an ECDHE-RSA suite is configured', async () => {
    const { flight } = await talk(await start({ suites: ECDHE_RSA_SUITES }), { ...HELLO, suites: [0xc02f], groups: [23] });
    expect(flight.kind === 'flight' && flight.serverKeyExchange).toMatchObject({ kind: 'ecdhe', namedCurve: 23, signature: { scheme: 0x0401 } });
  });

  it('ticketbleed echoes a 32-byte session id for a 1-byte one and a ticket', async () => {
    const hello: HelloSpec = { ...HELLO, sessionId: Buffer.of(0xab), extensions: { extra: [{ type: 35, data: randomBytes(48) }] } };
    expect(serverHelloOf((await talk(await start(), hello)).flight).sessionIdHex).toBe('');
    const leaked = serverHelloOf((await talk(await start({ ticketbleed: true }), hello)).flight).sessionIdHex;
    expect(leaked).toHaveLength(64);
    expect(Buffer.from(leaked, 'hex').subarray(1).toString('latin1')).toBe(FAKE_MEMORY_TEXT.repeat(2).slice(0, 31));
  });
});

describe('raw TLS lab server: after the flight', () => {
  const heartbeat = (payloadLength: number, payload: Buffer) => record(24, 0x0303, Buffer.concat([u8(1), u16(payloadLength), payload, Buffer.alloc(16)]));

  it('answers a well-formed heartbeat exactly, ignores an over-long one, and leaks fake memory with heartbleed', async () => {
    const good = await talk(await start(), HELLO, [heartbeat(4, Buffer.from('ping'))]);
    expect(good.rest.subarray(0, 12)).toEqual(Buffer.concat([Buffer.of(24, 3, 3, 0, 23, 2, 0, 4), Buffer.from('ping')]));
    expect((await talk(await start(), HELLO, [heartbeat(4000, Buffer.from('x'))])).rest.length).toBe(0);
    const unpadded = record(24, 0x0303, Buffer.concat([u8(1), u16(4), Buffer.from('ping')]));
    expect((await talk(await start(), HELLO, [unpadded])).rest.length).toBe(0);
    expect((await talk(await start({ heartbeatIgnoresPadding: true }), HELLO, [unpadded])).rest.subarray(8, 12).toString()).toBe('ping');
    const bled = await talk(await start({ heartbleed: true }), HELLO, [heartbeat(4000, Buffer.from('x'))]);
    expect(bled.rest.readUInt16BE(6)).toBe(4000);
    expect(bled.rest.toString('latin1')).toContain(FAKE_MEMORY_TEXT);
  });

  it('an early ChangeCipherSpec gets unexpected_message, or silence with acceptEarlyCcs', async () => {
    const ccs = record(20, 0x0303, u8(1));
    const refused = await talk(await start(), HELLO, [ccs]);
    expect([...refused.rest]).toEqual([21, 3, 3, 0, 2, 2, 10]);
    expect(refused.closed).toBe(true);
    const accepted = await talk(await start({ acceptEarlyCcs: true }), HELLO, [ccs]);
    expect(accepted.rest.length).toBe(0);
    expect(accepted.closed).toBe(false);
  });

  it('answers every ClientKeyExchange alike, or differently by PKCS#1 padding with paddingOracle', async () => {
    const server = await start();
    const oracle = await start({ paddingOracle: true });
    const cert = serverCert((await talk(server, HELLO)).flight);
    const wellFormed = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.of(3, 3), randomBytes(46)]));
    const badPadding = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.of(0, 0x17), randomBytes(254)]));
    const cke = (encrypted: Buffer) => record(22, 0x0303, handshakeMessage(16, vec16(encrypted)));
    const alert = async (s: LabServer, body: Buffer) => (await talk(s, HELLO, [cke(body)])).rest[6];
    expect([await alert(server, wellFormed), await alert(server, badPadding)]).toEqual([CKE_ALERT, CKE_ALERT]);
    expect([await alert(oracle, wellFormed), await alert(oracle, badPadding)]).toEqual([CKE_ALERT, CKE_BAD_PADDING_ALERT]);
    // oracleWithoutCcs: a well-formed block waits for ChangeCipherSpec and Finished, then gets the same alert.
    const late = await start({ oracleWithoutCcs: true });
    expect([await alert(late, wellFormed), await alert(late, badPadding)]).toEqual([undefined, CKE_ALERT]);
    const finished = [record(20, 0x0303, u8(1)), record(22, 0x0303, randomBytes(40))];
    expect((await talk(late, HELLO, [cke(wellFormed), ...finished])).rest[6]).toBe(CKE_ALERT);
  });
});

const serverCert = (r: FlightResult) => {
  if (r.kind !== 'flight' || !r.certificates) throw new Error('no certificate');
  return new X509Certificate(r.certificates.der[0]!);
};

describe('STARTTLS front', () => {
  it('hands the socket to the raw TLS handler after 220, as Vouch dials an MX', async () => {
    const front = await startStarttlsFront({ name: 'mx.raw.test', onTls: rawTlsHandler({ extendedMasterSecret: false }) });
    servers.push(front);
    const endpoint = { hostname: 'mx.raw.test', port: 25, address: front.host, dialPort: front.port };
    const signal = AbortSignal.timeout(5000);
    const result = await exchangeOnce(endpoint, { kind: 'tls', hello: HELLO, stopAfter: 'server-hello-done' }, signal, {
      connect: starttlsConnect(endpoint, 'scanner.test', signal),
    });
    expect(result.kind === 'flight' && result.serverHello.extensions.extendedMasterSecret).toBe(false);
    expect(result.kind === 'flight' && result.helloDone).toBe(true);
  });
});

describe('the lab server\'s readers of client bytes', () => {
  it('read a real ClientHello at every cut, and never throw on random or truncated bytes', () => {
    const hello = buildClientHello({ ...HELLO, extensions: { ...HELLO.extensions, serverName: 'example.test', alpn: ['h2'] } });
    const read = readClientHello(hello);
    expect(read.kind === 'hello' && [read.consumed, read.hello.suites, [...read.hello.extensions.keys()]])
      .toEqual([hello.length, [0x009c, 0x002f, 0x00ff], [0, 16, 23, 0xff01, 15]]);
    for (let cut = 0; cut < hello.length; cut++) expect(readClientHello(hello.subarray(0, cut)).kind).toBe('incomplete');
    const random = seededRandom(10);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256)));
      const mutated = Buffer.from(hello);
      mutated[Math.floor(random() * hello.length)] = Math.floor(random() * 256);
      for (const input of [bytes, mutated, Buffer.concat([Buffer.of(22, 3, 1), bytes])]) {
        expect(() => { readClientHello(input); splitRecords(input); }, `seed 10, input ${i}`).not.toThrow();
      }
    }
  });
});
