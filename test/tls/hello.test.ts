import { createECDH } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { EXTENSION, buildClientHello, buildSslv2ClientHello, fullOffer, splitOffer } from '../../src/tls/hello.ts';
import type { HelloSpec, HelloVersion, RandomSource } from '../../src/tls/hello.ts';
import { SIGNALLING_SUITES, SUITES, suiteByCode } from '../../src/tls/registry.ts';

/** A random source that hands out the given buffers in order, then zeros: byte-exact hellos. */
function scripted(...chunks: Buffer[]): RandomSource {
  return (size) => {
    const next = chunks.shift() ?? Buffer.alloc(size);
    expect(next.length).toBe(size);
    return next;
  };
}
const zeros: RandomSource = (size) => Buffer.alloc(size);

type ParsedHello = {
  readonly recordVersions: number[];
  readonly version: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly suites: number[];
  readonly compression: number[];
  readonly extensions: { type: number; data: Buffer }[] | null;
  /** The handshake message length (4-byte header included). */
  readonly messageLength: number;
};

/** A tiny, strict ClientHello parser (RFC 5246 7.4.1.2) for the round trip: throws on any length mismatch. */
function parseClientHello(bytes: Buffer): ParsedHello {
  const recordVersions: number[] = [];
  const fragments: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes[at] !== 22) throw new Error(`record type ${bytes[at]}`);
    recordVersions.push(bytes.readUInt16BE(at + 1));
    const length = bytes.readUInt16BE(at + 3);
    if (length > 0x4000) throw new Error('record too long');
    fragments.push(bytes.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  if (at !== bytes.length) throw new Error('trailing bytes');
  const message = Buffer.concat(fragments);
  if (message[0] !== 1) throw new Error('not a ClientHello');
  const bodyLength = message.readUIntBE(1, 3);
  if (bodyLength + 4 !== message.length) throw new Error(`handshake length ${bodyLength} for ${message.length - 4} bytes`);
  const body = message.subarray(4);
  let p = 0;
  const take = (n: number) => { const out = body.subarray(p, p + n); if (out.length !== n) throw new Error('short'); p += n; return out; };
  const version = take(2).readUInt16BE(0);
  const random = take(32);
  const sessionId = take(take(1)[0]!);
  const suiteBytes = take(take(2).readUInt16BE(0));
  const suites = Array.from({ length: suiteBytes.length / 2 }, (_, i) => suiteBytes.readUInt16BE(i * 2));
  const compression = [...take(take(1)[0]!)];
  let extensions: ParsedHello['extensions'] = null;
  if (p < body.length) {
    const block = take(take(2).readUInt16BE(0));
    extensions = [];
    for (let q = 0; q < block.length;) {
      const type = block.readUInt16BE(q);
      const length = block.readUInt16BE(q + 2);
      const data = block.subarray(q + 4, q + 4 + length);
      if (data.length !== length) throw new Error('extension overruns');
      extensions.push({ type, data });
      q += 4 + length;
    }
  }
  if (p !== body.length) throw new Error('trailing hello bytes');
  return { recordVersions, version, random, sessionId, suites, compression, extensions, messageLength: message.length };
}

const extensionData = (hello: ParsedHello, type: number) => hello.extensions?.find((ext) => ext.type === type)?.data.toString('hex');
const typesOf = (hello: ParsedHello) => hello.extensions?.map((ext) => ext.type) ?? null;

describe('buildClientHello: byte-exact encodings', () => {
  it('encodes a minimal SSLv3 hello without an extensions block (RFC 6101 5.6.1.2)', () => {
    const hello = buildClientHello({ version: 'SSLv3', suites: [0x000a, 0x002f], random: zeros });
    expect(hello.toString('hex')).toBe(
      `160300002f` + `0100002b` + `0300` + '00'.repeat(32) + `00` + `0004000a002f` + `0100`,
    );
  });

  it('keeps suites and compression methods in order and uses the record version asked for', () => {
    const hello = parseClientHello(buildClientHello({
      version: 'TLSv1', suites: [0x0035, 0x00ff, 0x5600, 0x0004], compressionMethods: [1, 0], recordVersion: 0x0300, random: zeros,
    }));
    expect(hello).toMatchObject({ recordVersions: [0x0300], version: 0x0301, suites: [0x0035, 0x00ff, 0x5600, 0x0004], compression: [1, 0], extensions: null });
  });

  it('defaults the record version to 0x0301 and SSLv3 to 0x0300 (RFC 8446 5.1)', () => {
    expect(parseClientHello(buildClientHello({ version: 'TLSv1.2', suites: [0xc02f] })).recordVersions).toEqual([0x0301]);
    expect(parseClientHello(buildClientHello({ version: 'TLSv1.3', suites: [0x1301] })).recordVersions).toEqual([0x0301]);
    expect(parseClientHello(buildClientHello({ version: 'SSLv3', suites: [0x000a] })).recordVersions).toEqual([0x0300]);
  });

  it('encodes each extension as its RFC says', () => {
    const hello = parseClientHello(buildClientHello({
      version: 'TLSv1.2', suites: [0xc02f], groups: [0x001d, 0x0017], signatureAlgorithms: [0x0403, 0x0804], random: zeros,
      extensions: {
        serverName: 'example.com', statusRequest: true, signedCertificateTimestamp: true, extendedMasterSecret: true,
        renegotiationInfo: true, heartbeat: true, alpn: ['h2', 'http/1.1'], sessionTicket: true, earlyData: true,
        supportedVersions: ['TLSv1.3', 'TLSv1.2'], pskKeyExchangeModes: [1], extra: [{ type: 0x1234, data: Buffer.from('abcd', 'hex') }],
      },
    }));
    expect(extensionData(hello, EXTENSION.serverName)).toBe('000e' + '00' + '000b' + Buffer.from('example.com').toString('hex')); // RFC 6066 3
    expect(extensionData(hello, EXTENSION.ecPointFormats)).toBe('0100'); // RFC 8422 5.1.2, default with EC groups
    expect(extensionData(hello, EXTENSION.supportedGroups)).toBe('0004001d0017'); // RFC 8422 5.1.1
    expect(extensionData(hello, EXTENSION.signatureAlgorithms)).toBe('000404030804'); // RFC 5246 7.4.1.4.1
    expect(extensionData(hello, EXTENSION.statusRequest)).toBe('0100000000'); // RFC 6066 8
    expect(extensionData(hello, EXTENSION.signedCertificateTimestamp)).toBe(''); // RFC 6962 3.3.1
    expect(extensionData(hello, EXTENSION.extendedMasterSecret)).toBe(''); // RFC 7627 5.1
    expect(extensionData(hello, EXTENSION.renegotiationInfo)).toBe('00'); // RFC 5746 3.4
    expect(extensionData(hello, EXTENSION.heartbeat)).toBe('01'); // RFC 6520 2, peer_allowed_to_send
    expect(extensionData(hello, EXTENSION.alpn)).toBe('000c' + '026832' + '08687474702f312e31'); // RFC 7301 3.1
    expect(extensionData(hello, EXTENSION.sessionTicket)).toBe(''); // RFC 5077 3.2
    expect(extensionData(hello, EXTENSION.earlyData)).toBe(''); // RFC 8446 4.2.10
    expect(extensionData(hello, EXTENSION.supportedVersions)).toBe('0403040303'); // RFC 8446 4.2.1
    expect(extensionData(hello, EXTENSION.pskKeyExchangeModes)).toBe('0101'); // RFC 8446 4.2.9
    expect(extensionData(hello, 0x1234)).toBe('abcd');
    expect(extensionData(hello, EXTENSION.keyShare)).toBeUndefined();
    // Extra extensions go last (before padding, which this 200-byte hello does not need).
    expect(typesOf(hello)?.at(-1)).toBe(0x1234);
  });

  it('sends no SNI for IP literals and A-labels for IDNs (RFC 6066 3)', () => {
    const sni = (serverName: string) => extensionData(parseClientHello(buildClientHello({ version: 'TLSv1.2', suites: [0xc02f], extensions: { serverName } })), 0);
    expect(sni('127.0.0.1')).toBeUndefined();
    expect(sni('::1')).toBeUndefined();
    expect(sni('Bücher.example.')).toBe('0018' + '00' + '0015' + Buffer.from('xn--bcher-kva.example').toString('hex'));
  });

  it('builds TLS 1.3 hellos with legacy_version 0x0303, a 32-byte session id and an X25519 share (RFC 8446 4.1.2, D.4)', () => {
    // RFC 7748 6.1: Alice's private key and the public key it yields.
    const alicePrivate = Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex');
    const alicePublic = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
    const clientRandom = Buffer.alloc(32, 0xaa);
    const sessionId = Buffer.alloc(32, 0xbb);
    const hello = parseClientHello(buildClientHello({
      version: 'TLSv1.3', suites: [0x1301, 0x1302], groups: [0x001d, 0x0017], signatureAlgorithms: [0x0804],
      random: scripted(clientRandom, sessionId, alicePrivate), extensions: {},
    }));
    expect(hello.version).toBe(0x0303);
    expect(hello.random).toEqual(clientRandom);
    expect(hello.sessionId).toEqual(sessionId);
    expect(extensionData(hello, EXTENSION.supportedVersions)).toBe('020304');
    expect(extensionData(hello, EXTENSION.pskKeyExchangeModes)).toBe('0101');
    expect(extensionData(hello, EXTENSION.keyShare)).toBe('0024' + '001d' + '0020' + alicePublic); // RFC 8446 4.2.8
    expect(extensionData(hello, EXTENSION.ecPointFormats)).toBeUndefined();
  });

  it('makes real P-256 and P-384 shares and none for groups it cannot make (RFC 8446 4.2.8.2)', () => {
    const hello = parseClientHello(buildClientHello({
      version: 'TLSv1.3', suites: [0x1301], groups: [0x0017, 0x0018, 0x11ec, 0x0100], extensions: { keyShares: [0x0017, 0x0018, 0x11ec, 0x0100] },
    }));
    const data = Buffer.from(extensionData(hello, EXTENSION.keyShare)!, 'hex');
    expect(data.readUInt16BE(0)).toBe(data.length - 2);
    const shares: { group: number; key: Buffer }[] = [];
    for (let at = 2; at < data.length;) {
      const length = data.readUInt16BE(at + 2);
      shares.push({ group: data.readUInt16BE(at), key: data.subarray(at + 4, at + 4 + length) });
      at += 4 + length;
    }
    expect(shares.map((share) => [share.group, share.key.length, share.key[0]])).toEqual([[0x0017, 65, 4], [0x0018, 97, 4]]);
    // The points are on their curves: node:crypto accepts them for a key agreement.
    const p256 = createECDH('prime256v1');
    p256.generateKeys();
    expect(p256.computeSecret(shares[0]!.key)).toHaveLength(32);
    const p384 = createECDH('secp384r1');
    p384.generateKeys();
    expect(p384.computeSecret(shares[1]!.key)).toHaveLength(48);
  });

  it('sends an empty key_share when no offered group can get a share, so the server must ask (HelloRetryRequest)', () => {
    const hello = parseClientHello(buildClientHello({ version: 'TLSv1.3', suites: [0x1301], groups: [0x11ec], extensions: {} }));
    expect(extensionData(hello, EXTENSION.keyShare)).toBe('0000');
  });

  it('pads hellos of 256-511 bytes to 512 and leaves others alone (RFC 7685)', () => {
    const sized = (suiteCount: number, padding: boolean) => parseClientHello(buildClientHello({
      version: 'TLSv1.2', suites: SUITES.slice(0, suiteCount).map((s) => s.code), random: zeros, extensions: { padding, renegotiationInfo: true },
    }));
    // 4 + 2 + 32 + 1 + (2 + 2n) + 2 + 2 + 5 = 50 + 2n bytes unpadded.
    expect(sized(10, true).messageLength).toBe(70);
    expect(extensionData(sized(10, true), EXTENSION.padding)).toBeUndefined();
    for (const n of [103, 150, 229]) {
      const padded = sized(n, true);
      expect(padded.messageLength, `${n} suites`).toBe(512);
      expect(extensionData(padded, EXTENSION.padding), `${n} suites`).toMatch(/^(00)*$/);
      expect(sized(n, false).messageLength).toBe(50 + 2 * n);
    }
    expect(sized(240, true).messageLength).toBe(530);
    expect(extensionData(sized(240, true), EXTENSION.padding)).toBeUndefined();
  });

  it('splits a hello longer than 2^14 bytes over several records (RFC 5246 6.2.1)', () => {
    const hello = buildClientHello({ version: 'TLSv1.2', suites: [0xc02f], extensions: { extra: [{ type: 0xfe00, data: Buffer.alloc(20_000, 7) }] } });
    const parsed = parseClientHello(hello);
    expect(parsed.recordVersions).toEqual([0x0301, 0x0301]);
    expect(extensionData(parsed, 0xfe00)).toHaveLength(40_000);
  });
});

describe('buildSslv2ClientHello', () => {
  it('encodes the SSLv2 record header, MSG-CLIENT-HELLO, version 0x0002, 3-byte specs and a 16-byte challenge', () => {
    const challenge = Buffer.alloc(16, 0x11);
    const hello = buildSslv2ClientHello([0x010080, 0x0700c0], () => challenge);
    expect(hello.toString('hex')).toBe('801f' + '01' + '0002' + '0006' + '0000' + '0010' + '010080' + '0700c0' + '11'.repeat(16));
  });

  it('offers the seven SSLv2 cipher kinds by default', () => {
    const hello = buildSslv2ClientHello();
    expect(hello.readUInt16BE(0)).toBe(0x8000 | (hello.length - 2));
    expect(hello.readUInt16BE(5)).toBe(21);
    expect(hello.subarray(11, 32).toString('hex')).toBe('010080020080030080040080050080060040' + '0700c0');
  });
});

describe('fullOffer and splitOffer', () => {
  const tls13Codes = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];

  it('offers every suite valid for the version, without signalling values', () => {
    const signalling = SIGNALLING_SUITES.map((s) => s.code);
    for (const version of ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const) {
      const { suites } = fullOffer(version);
      expect(suites.some((code) => signalling.includes(code)), version).toBe(false);
      expect(new Set(suites).size).toBe(suites.length);
      expect(suites.every((code) => suiteByCode(code)?.tls13 === (version === 'TLSv1.3')), version).toBe(true);
    }
    expect(fullOffer('TLSv1.2').suites.length).toBeGreaterThan(300);
    expect(fullOffer('TLSv1').suites.length).toBeGreaterThan(150);
    expect(fullOffer('TLSv1.2').suites).toContain(0xc02f);
    expect(fullOffer('TLSv1.1').suites).not.toContain(0xc02f);
    expect(fullOffer('TLSv1.3').suites.slice(0, 5)).toEqual(tls13Codes);
  });

  it('sends no extensions with SSLv3 and signature_algorithms only from TLS 1.2 on', () => {
    expect(parseClientHello(buildClientHello(fullOffer('SSLv3'))).extensions).toBeNull();
    const tls1 = parseClientHello(buildClientHello(fullOffer('TLSv1', 'www.vouch.test')));
    expect(typesOf(tls1)).not.toContain(EXTENSION.signatureAlgorithms);
    expect(typesOf(tls1)).toEqual(expect.arrayContaining([EXTENSION.serverName, EXTENSION.supportedGroups, EXTENSION.renegotiationInfo]));
    expect(typesOf(parseClientHello(buildClientHello(fullOffer('TLSv1.2'))))).toContain(EXTENSION.signatureAlgorithms);
    const tls13 = parseClientHello(buildClientHello(fullOffer('TLSv1.3')));
    expect(typesOf(tls13)).toEqual(expect.arrayContaining([EXTENSION.supportedVersions, EXTENSION.keyShare, EXTENSION.signatureAlgorithms]));
    expect(extensionData(tls13, EXTENSION.keyShare)?.slice(0, 8)).toBe('0024001d');
    // RFC 6962 3.3.1: SCTs are asked for below TLS 1.3 only (in TLS 1.3 they would come encrypted, unread).
    expect(typesOf(tls1)).toContain(EXTENSION.signedCertificateTimestamp);
    expect(extensionData(parseClientHello(buildClientHello(fullOffer('TLSv1.2'))), EXTENSION.signedCertificateTimestamp)).toBe('');
    expect(typesOf(tls13)).not.toContain(EXTENSION.signedCertificateTimestamp);
  });

  it('splits an offer into parts of at most maxSuites, order kept', () => {
    const spec = fullOffer('TLSv1.2');
    const parts = splitOffer(spec, 100);
    expect(parts.every((part) => part.suites.length <= 100)).toBe(true);
    expect(parts.flatMap((part) => part.suites)).toEqual(spec.suites);
    expect(parts[0]!.extensions).toBe(spec.extensions);
    expect(splitOffer({ version: 'TLSv1.2', suites: [] }, 10)).toHaveLength(1);
    expect(() => splitOffer(spec, 0)).toThrow(RangeError);
  });
});

describe('interop with a node:tls server on loopback', () => {
  const HOST = 'hello.vouch.test';
  const leaf = issueLeaf(createCa({ name: 'Vouch Hello Test CA' }), { hosts: [HOST] });
  let server: tls.Server;
  let port = 0;

  beforeAll(async () => {
    server = tls.createServer({ key: leaf.keyPem, cert: leaf.certPem, ciphers: 'ALL:@SECLEVEL=0', minVersion: 'TLSv1', maxVersion: 'TLSv1.3' });
    server.on('tlsClientError', () => {}); // every test client hangs up mid-handshake
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => { await new Promise((resolve) => server.close(resolve)); });

  /** Sends `hello`, returns the server's answer once its first record is complete (or what came before a hang-up). */
  function exchange(hello: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const chunks: Buffer[] = [];
      const done = () => { clearTimeout(timer); socket.destroy(); resolve(Buffer.concat(chunks)); };
      const timer = setTimeout(done, 3_000);
      socket.on('connect', () => socket.write(hello));
      socket.on('data', (chunk) => {
        chunks.push(chunk);
        const received = Buffer.concat(chunks);
        if (received.length >= 5 && received.length >= 5 + received.readUInt16BE(3)) done();
      });
      socket.on('end', done);
      socket.on('close', done);
      socket.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? done() : reject(error)));
    });
  }

  const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

  /** The ServerHello's version, random, suite and extensions (RFC 8446 4.1.3), from the first record. */
  function serverHello(reply: Buffer) {
    expect(reply[0], `record type of ${reply.subarray(0, 8).toString('hex')}`).toBe(22);
    expect(reply[5], 'handshake type').toBe(2);
    const body = reply.subarray(9);
    const sessionIdLength = body[34]!;
    let at = 35 + sessionIdLength;
    const suite = body.readUInt16BE(at);
    at += 3;
    const extensions = new Map<number, Buffer>();
    if (at < body.length) {
      const end = at + 2 + body.readUInt16BE(at);
      for (at += 2; at < end;) {
        const length = body.readUInt16BE(at + 2);
        extensions.set(body.readUInt16BE(at), body.subarray(at + 4, at + 4 + length));
        at += 4 + length;
      }
    }
    return { version: body.readUInt16BE(0), random: body.subarray(2, 34).toString('hex'), suite, extensions };
  }

  const cases = (['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const satisfies readonly HelloVersion[])
    .flatMap((version) => [null, HOST].map((serverName) => ({ version, serverName })));

  it.each(cases)('$version full offer with SNI $serverName gets a ServerHello', async ({ version, serverName }) => {
    const spec = fullOffer(version, serverName);
    expect(spec.suites.length).toBeGreaterThanOrEqual(version === 'TLSv1.3' ? 5 : 150);
    const reply = serverHello(await exchange(buildClientHello(spec)));
    expect(suiteByCode(reply.suite)?.tls13).toBe(version === 'TLSv1.3');
    if (version === 'TLSv1.3') {
      expect(reply.version).toBe(0x0303);
      expect(reply.extensions.get(EXTENSION.supportedVersions)?.toString('hex')).toBe('0304');
      expect(reply.random).not.toBe(HRR_RANDOM);
    } else {
      expect(reply.version).toBe({ TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 }[version]);
    }
  });

  it.each([50, 100])('each part of a TLS 1.2 offer split into %i suites gets a ServerHello or a handshake_failure', async (maxSuites) => {
    const answers = await Promise.all(splitOffer(fullOffer('TLSv1.2', HOST), maxSuites).map(async (part) => (await exchange(buildClientHello(part)))[0]));
    expect(answers.every((type) => type === 22 || type === 21)).toBe(true);
    expect(answers).toContain(22);
  });

  it('a P-256 share is accepted as is (ServerHello, not HelloRetryRequest)', async () => {
    const spec: HelloSpec = { version: 'TLSv1.3', suites: [0x1301], groups: [0x0017], signatureAlgorithms: [0x0403, 0x0804], extensions: { keyShares: [0x0017] } };
    const reply = serverHello(await exchange(buildClientHello(spec)));
    expect(reply.random).not.toBe(HRR_RANDOM);
    expect(reply.extensions.get(EXTENSION.keyShare)?.readUInt16BE(0)).toBe(0x0017);
  });

  it('a group offered without a share draws a HelloRetryRequest naming it (RFC 8446 4.1.4)', async () => {
    const spec: HelloSpec = { version: 'TLSv1.3', suites: [0x1301], groups: [0x0018], signatureAlgorithms: [0x0403, 0x0804], extensions: {} };
    const reply = serverHello(await exchange(buildClientHello(spec)));
    expect(reply.random).toBe(HRR_RANDOM);
    expect(reply.extensions.get(EXTENSION.keyShare)?.toString('hex')).toBe('0018');
  });

  it('an SSLv3 hello gets an alert or a hang-up, and the server keeps serving', async () => {
    const reply = await exchange(buildClientHello(fullOffer('SSLv3', HOST)));
    expect(reply.length === 0 || reply[0] === 21).toBe(true);
    expect((await exchange(buildClientHello(fullOffer('TLSv1.2', HOST))))[0]).toBe(22);
  });

  it('an SSLv2 hello gets an alert or a hang-up, and the server keeps serving', async () => {
    const reply = await exchange(buildSslv2ClientHello());
    expect(reply.length === 0 || reply[0] === 21).toBe(true);
    expect((await exchange(buildClientHello(fullOffer('TLSv1.3', HOST))))[0]).toBe(22);
  });
});
