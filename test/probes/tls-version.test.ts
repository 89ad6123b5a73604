import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deadline } from '../../src/core/deadline.ts';
import { ProbeError } from '../../src/core/errors.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startClosingServer, startSilentServer, startTlsServer, startTrickleProxy } from '../../src/lab/tls-server.ts';
import type { LabServer, LabTlsServer } from '../../src/lab/tls-server.ts';
import { nodeTlsClientSupports } from '../../src/probes/tls-version-node.ts';
import { buildClientHello } from '../../src/probes/tls-hello.ts';
import { createReplyReader } from '../../src/probes/tls-server-reply.ts';
import { probeTlsVersion } from '../../src/probes/tls-version.ts';
import { TLS_VERSIONS } from '../../src/probes/types.ts';
import type { TlsVersion } from '../../src/probes/types.ts';

const HOST = 'www.vouch.test';
const leaf = issueLeaf(createCa({ name: 'Vouch Version Test CA' }), { hosts: [HOST] });
const at = (port: number, hostname = HOST): Endpoint => ({ hostname, port: 443, address: '127.0.0.1', dialPort: port });
const never = () => new AbortController().signal;
const probe = (port: number, version: TlsVersion, hostname = HOST) => probeTlsVersion(at(port, hostname), version, never());

const capped = new Map<TlsVersion, LabTlsServer>();
beforeAll(async () => {
  for (const version of TLS_VERSIONS) {
    capped.set(version, await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: version, maxVersion: version }));
  }
});
afterAll(async () => { await Promise.all([...capped.values()].map((s) => s.close())); });

const servers: LabServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });
const track = <S extends LabServer>(server: S): S => { servers.push(server); return server; };

describe('probeTlsVersion against servers capped at one version', () => {
  const cases = TLS_VERSIONS.flatMap((server) => TLS_VERSIONS.map((offered) => ({ server, offered })));
  it.each(cases)('server $server, offered $offered', async ({ server, offered }) => {
    const facts = await probe(capped.get(server)!.port, offered);
    expect(facts).toMatchObject({ endpoint: expect.stringContaining(HOST), version: offered, accepted: server === offered });
    if (server === offered) expect(facts.detail).toMatch(new RegExp(`^ServerHello ${offered} TLS_`));
    // Below 1.3 the offered version is a maximum: a lower-capped server answers with its own version (RFC 5246 E.1).
    else if (TLS_VERSIONS.indexOf(server) < TLS_VERSIONS.indexOf(offered) && offered !== 'TLSv1.3') expect(facts.detail).toBe(`ServerHello selected ${server} instead of ${offered}`);
    else expect(facts.detail).toBe('alert protocol_version (70)');
  });

  it('uses one TCP connection per probe and never completes a handshake', async () => {
    const server = track(await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem }));
    await probe(server.port, 'TLSv1.3');
    await vi.waitFor(() => expect(server.connections()).toBe(1));
    expect(server.handshakes()).toBe(0);
  });
});

describe('probeTlsVersion details', () => {
  it('accepts every version on a server that allows TLS 1.0-1.3, noting the RFC 8446 4.1.3 downgrade sentinel', async () => {
    const server = track(await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.3' }));
    const facts = await Promise.all(TLS_VERSIONS.map((v) => probe(server.port, v)));
    expect(facts.map((f) => f.accepted)).toEqual([true, true, true, true]);
    expect(facts[0]?.detail).toContain('downgrade sentinel: server also supports TLS 1.2 or later');
    expect(facts[2]?.detail).toContain('downgrade sentinel: server also supports TLS 1.3');
    expect(facts[3]?.detail).not.toContain('sentinel');
  });

  it('needs SECLEVEL=0 on an OpenSSL 3 TLS 1.0 server: at the default level it answers internal_error', async () => {
    const server = track(await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT' }));
    expect(await probe(server.port, 'TLSv1')).toMatchObject({ accepted: false, detail: 'alert internal_error (80)' });
  });

  it('counts a HelloRetryRequest as TLS 1.3 accepted', async () => {
    // The server only does P-256; our hello carries an x25519 share only, so the server must ask again.
    const server = track(await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1.3', ecdhCurve: 'P-256' }));
    const facts = await probe(server.port, 'TLSv1.3');
    expect(facts.accepted).toBe(true);
    expect(facts.detail).toMatch(/^HelloRetryRequest TLSv1\.3 /);
  });

  it('reads a ServerHello delivered one byte at a time', async () => {
    const proxy = track(await startTrickleProxy({ host: '127.0.0.1', port: capped.get('TLSv1.2')!.port }));
    // First show that the proxy really splits the reply: the first 20 reads are one byte each.
    const raw = net.connect({ host: '127.0.0.1', port: proxy.port });
    raw.write(buildClientHello('TLSv1.2', HOST));
    const sizes = await new Promise<number[]>((resolve) => {
      const seen: number[] = [];
      raw.on('data', (chunk: Buffer) => { if (seen.push(chunk.length) === 20) { raw.destroy(); resolve(seen); } });
    });
    expect(sizes).toEqual(Array<number>(20).fill(1));
    expect(await probe(proxy.port, 'TLSv1.2')).toMatchObject({ accepted: true });
    expect(await probe(proxy.port, 'TLSv1.3')).toMatchObject({ accepted: false, detail: 'alert protocol_version (70)' });
  });

  it('works without SNI for an IP literal', async () => {
    expect(await probe(capped.get('TLSv1.3')!.port, 'TLSv1.3', '127.0.0.1')).toMatchObject({ accepted: true });
  });

  it('probes over an already connected socket (after SMTP STARTTLS) and destroys it', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: capped.get('TLSv1.2')!.port });
    await new Promise((resolve) => socket.once('connect', resolve));
    const facts = await probeTlsVersion(at(0), 'TLSv1.2', never(), { socket });
    expect(facts.accepted).toBe(true);
    expect(socket.destroyed).toBe(true);
  });
});

describe('probeTlsVersion failures', () => {
  it('times out against a server that never speaks', async () => {
    const server = track(await startSilentServer());
    const budget = deadline(never(), 50, 'version test');
    const error = await probeTlsVersion(at(server.port), 'TLSv1.2', budget.signal).catch((e: unknown) => e);
    budget.dispose();
    expect(error).toBeInstanceOf(ProbeError);
    expect(error).toMatchObject({ reason: 'timeout' });
  });

  // Decision: a hang-up before any reply byte is the server's answer (some stacks refuse that way), so it is a
  // refusal; a hang-up after part of a reply leaves us without an answer, so it is a protocol error.
  it('reports a close before any reply as not accepted', async () => {
    const server = track(await startClosingServer());
    expect(await probe(server.port, 'TLSv1.2')).toMatchObject({ accepted: false, detail: 'closed without reply' });
  });

  it('reports a close in the middle of a ServerHello as a protocol error', async () => {
    const server = track(await startClosingServer({ reply: Buffer.from('160303004a0200004603', 'hex') }));
    await expect(probe(server.port, 'TLSv1.2')).rejects.toMatchObject({ reason: 'protocol', message: expect.stringContaining('after 10 bytes') });
  });

  it('reports a non-TLS reply as a protocol error', async () => {
    const server = track(await startClosingServer({ reply: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') }));
    await expect(probe(server.port, 'TLSv1.2')).rejects.toMatchObject({ reason: 'protocol', message: expect.stringContaining('not a TLS reply') });
  });

  it('reports refused for a closed port', async () => {
    const server = await startSilentServer();
    await server.close();
    await expect(probe(server.port, 'TLSv1.3')).rejects.toMatchObject({ reason: 'refused' });
  });

  it('rejects at once when already aborted', async () => {
    const controller = new AbortController();
    const reason = new ProbeError('timeout', 'run', 'cancelled');
    controller.abort(reason);
    await expect(probeTlsVersion(at(1), 'TLSv1.2', controller.signal)).rejects.toBe(reason);
  });
});

describe('createReplyReader', () => {
  const record = (type: number, body: Buffer) => Buffer.concat([Buffer.of(type, 3, 3, body.length >> 8, body.length & 0xff), body]);
  const serverHello = (version: number, extensions = Buffer.alloc(0)) => {
    const body = Buffer.concat([Buffer.of(version >> 8, version & 0xff), Buffer.alloc(32, 7), Buffer.of(0, 0xc0, 0x2f, 0),
      ...(extensions.length ? [Buffer.of(extensions.length >> 8, extensions.length & 0xff), extensions] : [])]);
    return Buffer.concat([Buffer.of(2, 0, body.length >> 8, body.length & 0xff), body]);
  };

  it('decides on a ServerHello split across records and single-byte chunks', () => {
    const hello = serverHello(0x0303, Buffer.of(0xff, 0x01, 0, 1, 0));
    const bytes = Buffer.concat([record(22, hello.subarray(0, 5)), record(22, hello.subarray(5))]);
    const read = createReplyReader();
    const results = [...bytes].map((byte) => read(Buffer.of(byte)));
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
    expect(results.at(-1)).toEqual({ kind: 'hello', version: 0x0303, cipherSuite: 0xc02f, retry: false, sentinel: null });
  });

  it('takes the version from supported_versions (RFC 8446 4.2.1)', () => {
    const read = createReplyReader();
    expect(read(record(22, serverHello(0x0303, Buffer.of(0, 43, 0, 2, 3, 4))))).toMatchObject({ kind: 'hello', version: 0x0304 });
  });

  it('reads an alert fragmented over two records (RFC 5246 6.2.1)', () => {
    const read = createReplyReader();
    expect(read(record(21, Buffer.of(2)))).toBeNull();
    expect(read(record(21, Buffer.of(40)))).toEqual({ kind: 'alert', level: 2, description: 40 });
  });

  it.each([
    { name: 'a non-TLS first byte', bytes: Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'), problem: 'not a TLS reply' },
    { name: 'application data first', bytes: record(23, Buffer.alloc(8)), problem: 'unexpected record type 23' },
    { name: 'a Certificate first', bytes: record(22, Buffer.of(11, 0, 0, 0)), problem: 'handshake message type 11' },
    { name: 'a truncated ServerHello body', bytes: record(22, Buffer.of(2, 0, 0, 3, 3, 3, 0)), problem: 'truncated or malformed' },
  ])('flags $name as malformed', ({ bytes, problem }) => {
    expect(createReplyReader()(bytes)).toMatchObject({ kind: 'malformed', problem: expect.stringContaining(problem) });
  });

  it('gives up after the byte cap', () => {
    const read = createReplyReader(64);
    expect(read(record(22, Buffer.of(2, 0, 0, 60, ...Buffer.alloc(40))))).toBeNull();
    expect(read(Buffer.concat([Buffer.of(22, 3, 3, 0, 100), Buffer.alloc(25)]))).toMatchObject({ kind: 'malformed', problem: 'no ServerHello within 64 bytes' });
  });
});

describe('buildClientHello', () => {
  const extensionTypes = (hello: Buffer) => {
    const sessionIdEnd = 5 + 4 + 2 + 32 + 1 + hello[5 + 4 + 2 + 32]!;
    const suitesEnd = sessionIdEnd + 2 + hello.readUInt16BE(sessionIdEnd);
    const types: number[] = [];
    for (let at = suitesEnd + 1 + hello[suitesEnd]! + 2; at < hello.length; at += 4 + hello.readUInt16BE(at + 2)) types.push(hello.readUInt16BE(at));
    return types;
  };

  it.each([
    { version: 'TLSv1' as const, legacy: 0x0301, types: [0, 10, 11, 0xff01] },
    { version: 'TLSv1.2' as const, legacy: 0x0303, types: [0, 10, 11, 13, 0xff01] },
    { version: 'TLSv1.3' as const, legacy: 0x0303, types: [0, 10, 13, 43, 51, 45] },
  ])('offers $version with legacy_version $legacy and the right extensions', ({ version, legacy, types }) => {
    const hello = buildClientHello(version, HOST);
    expect(hello.subarray(0, 3)).toEqual(Buffer.of(22, 3, 1));
    expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
    expect(hello[5]).toBe(1);
    expect(hello.readUIntBE(6, 3)).toBe(hello.length - 9);
    expect(hello.readUInt16BE(9)).toBe(legacy);
    expect(extensionTypes(hello)).toEqual(types);
  });

  it('omits SNI without a name and pads 256-511 byte hellos to 512 (RFC 7685)', () => {
    expect(extensionTypes(buildClientHello('TLSv1.3', null))[0]).toBe(10);
    const long = buildClientHello('TLSv1.3', `${'a'.repeat(60)}.${'b'.repeat(60)}.vouch.test`);
    expect(extensionTypes(long).at(-1)).toBe(21);
    expect(long.length - 5).toBe(512);
  });
});

describe('client capabilities', () => {
  /** An independent answer: a default node:tls client against a lab server that speaks only `version`. */
  async function handshakeCompletes(version: TlsVersion): Promise<boolean> {
    const leaf = issueLeaf(createCa({ name: 'capability' }), { hosts: ['localhost'] });
    const server = await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: version, maxVersion: version });
    try {
      return await new Promise<boolean>((resolve) => {
        const socket = tls.connect({ host: server.host, port: server.port, servername: 'localhost', rejectUnauthorized: false, minVersion: version, maxVersion: version });
        socket.once('secureConnect', () => { resolve(socket.getProtocol() === version); socket.destroy(); });
        socket.once('error', () => { resolve(false); socket.destroy(); });
      });
    } finally {
      await server.close();
    }
  }

  it.each(TLS_VERSIONS)('the self-test for %s agrees with a real handshake of a default client', async (version) => {
    expect(await nodeTlsClientSupports(version)).toBe(await handshakeCompletes(version));
  });

  it('asks once per version and cipher string', () => {
    expect(nodeTlsClientSupports('TLSv1')).toBe(nodeTlsClientSupports('TLSv1'));
    expect(nodeTlsClientSupports('TLSv1')).not.toBe(nodeTlsClientSupports('TLSv1', 'DEFAULT@SECLEVEL=0'));
  });
});
