import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline } from '../../src/core/deadline.ts';
import { ProbeError } from '../../src/core/errors.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { MAX_CHAIN_CERTIFICATES } from '../../src/probes/types.ts';
import { createCa, createIntermediateChain, issueLeaf } from '../../src/lab/pki.ts';
import type { LabCert } from '../../src/lab/pki.ts';
import { startClosingServer, startSilentServer, startTlsServer } from '../../src/lab/tls-server.ts';
import type { LabServer, TlsServerOptions } from '../../src/lab/tls-server.ts';
import { tlsHandshake } from '../../src/probes/tls.ts';
import type { TlsHandshakeOptions } from '../../src/probes/tls.ts';

const HOST = 'www.vouch.test';
const DAY_MS = 86_400_000;
const ca = createCa({ name: 'Vouch TLS Test CA' });
const trust = { ca: [ca.certPem] };
const good = issueLeaf(ca, { hosts: [HOST, '127.0.0.1'] });

const servers: LabServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(cert: LabCert, options: Partial<TlsServerOptions> = {}) {
  const server = await startTlsServer({ key: cert.keyPem, cert: cert.chainPem, ...options });
  servers.push(server);
  return server;
}

const at = (port: number, hostname = HOST): Endpoint => ({ hostname, port: 443, address: '127.0.0.1', dialPort: port });
const never = () => new AbortController().signal;

async function handshake(endpoint: Endpoint, options: TlsHandshakeOptions = {}) {
  const result = await tlsHandshake(endpoint, options, never());
  sockets.push(result.socket);
  return result.facts;
}

describe('tlsHandshake facts', () => {
  it('reports a trusted chain and a matching name (regression: getPeerCertificate is read first, once)', async () => {
    const server = await serve(good);
    const facts = await handshake(at(server.port), trust);
    expect(facts).toMatchObject({
      endpoint: `${HOST}:443 (127.0.0.1:${server.port})`, hostname: HOST, address: '127.0.0.1', protocol: 'TLSv1.3',
      chainTrusted: true, hostnameMatches: true, authorizationError: null, alpn: null,
    });
    expect(facts.cipher).toMatch(/^TLS_AES_/);
    const x509 = new X509Certificate(good.certPem);
    expect(facts.chain[0]).toEqual({
      subject: 'O=Vouch Lab, CN=www.vouch.test', issuer: 'O=Vouch Lab, CN=Vouch TLS Test CA',
      subjectAltNames: [`DNS:${HOST}`, 'IP Address:127.0.0.1'], serialNumber: x509.serialNumber,
      notBefore: new Date(x509.validFrom).toISOString(), notAfter: new Date(x509.validTo).toISOString(),
      fingerprintSha256: x509.fingerprint256, keyType: 'ec', keyBits: 256, curve: 'prime256v1',
      signatureAlgorithm: 'ecdsa-with-SHA256', selfSigned: false, pem: good.certPem,
    });
    expect(Date.parse(facts.observedAt)).not.toBeNaN();
    // One handshake is one TCP connection.
    await vi.waitFor(() => expect(server.handshakes()).toBe(1));
    expect(server.connections()).toBe(1);
  });

  it('lists the chain leaf first, exactly as served (the trust anchor from our store is not added)', async () => {
    const intermediate = createCa({ name: 'Vouch TLS Test Intermediate', issuer: ca });
    const server = await serve(issueLeaf(intermediate, { hosts: [HOST] }));
    const facts = await handshake(at(server.port), trust);
    expect(facts.chainTrusted).toBe(true);
    expect(facts.chain.map((c) => c.subject)).toEqual([
      `O=Vouch Lab, CN=${HOST}`, 'O=Vouch Lab, CN=Vouch TLS Test Intermediate',
    ]);
    expect(facts.chain.map((c) => c.selfSigned)).toEqual([false, false]);
  });

  it('separates a wrong host name from an untrusted chain', async () => {
    const server = await serve(issueLeaf(ca, { hosts: ['other.vouch.test'] }));
    expect(await handshake(at(server.port), trust))
      .toMatchObject({ chainTrusted: true, hostnameMatches: false, authorizationError: null });
  });

  it('reports an unknown CA when the lab CA is not trusted', async () => {
    const server = await serve(good);
    expect(await handshake(at(server.port)))
      .toMatchObject({ chainTrusted: false, hostnameMatches: true, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it.each([
    { name: 'expired', options: { notBefore: new Date(Date.now() - 90 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) }, code: 'CERT_HAS_EXPIRED' },
    { name: 'not yet valid', options: { notBefore: new Date(Date.now() + DAY_MS) }, code: 'CERT_NOT_YET_VALID' },
    { name: 'self-signed', options: { selfSigned: true }, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
  ])('keeps the connection and records $code for a $name certificate', async ({ options, code }) => {
    const server = await serve(issueLeaf(ca, { hosts: [HOST], ...options }));
    const facts = await handshake(at(server.port), trust);
    expect(facts).toMatchObject({ chainTrusted: false, hostnameMatches: true, authorizationError: code });
    expect(facts.chain[0]?.selfSigned).toBe(options.selfSigned === true);
  });

  it('reports an RSA-1024 key', async () => {
    const server = await serve(issueLeaf(ca, { hosts: [HOST], keyType: 'rsa', rsaBits: 1024 }));
    const facts = await handshake(at(server.port), trust);
    expect(facts.chain[0]).toMatchObject({ keyType: 'rsa', keyBits: 1024, curve: null });
    expect(facts.chainTrusted).toBe(true); // 80-bit keys pass OpenSSL's default security level 1
  });

  it('reports a SHA-1 signature (the server needs SECLEVEL=0 to load it; our client rejects the chain)', async () => {
    const server = await serve(issueLeaf(ca, { hosts: [HOST], signatureHash: 'sha1' }), { ciphers: 'DEFAULT@SECLEVEL=0' });
    const facts = await handshake(at(server.port), trust);
    expect(facts.chain[0]?.signatureAlgorithm).toBe('ecdsa-with-SHA1');
    // OpenSSL's "CA md too weak" has no name in Node's table, so authorizationError is UNSPECIFIED.
    expect(facts).toMatchObject({ chainTrusted: false, authorizationError: 'UNSPECIFIED' });
  });

  it('reads a served chain of 40 certificates whole, in the order served (Node hands over OpenSSL\'s peer chain)', async () => {
    const leaf = issueLeaf(createIntermediateChain(ca, 39), { hosts: [HOST] });
    const facts = await handshake(at((await serve(leaf)).port), trust);
    expect(facts.chain).toHaveLength(40);
    expect(facts.chain[30]?.subject).toBe('O=Vouch Lab, CN=Vouch Lab Intermediate 30');
    expect(facts).toMatchObject({ chainTrusted: true, chainTruncated: false });
  });

  it(`reads at most ${MAX_CHAIN_CERTIFICATES} certificates of a longer chain and says it was cut`, async () => {
    const leaf = issueLeaf(createIntermediateChain(ca, 149), { hosts: [HOST] });
    const facts = await handshake(at((await serve(leaf)).port), trust);
    expect(facts.chain).toHaveLength(MAX_CHAIN_CERTIFICATES);
    expect(facts.chainTruncated).toBe(true);
    expect(facts.chain[0]?.subject).toBe(`O=Vouch Lab, CN=${HOST}`);
  });

  it('reports a chain over OpenSSL\'s 100 KiB Certificate message as a client limitation, not a server fault', async () => {
    const leaf = issueLeaf(createIntermediateChain(ca, 300), { hosts: [HOST] });
    const server = await serve(leaf);
    const err = await tlsHandshake(at(server.port), trust, never()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err).toMatchObject({ reason: 'client-limitation' });
    expect((err as Error).message).toContain('100 KiB');
  });

  it('negotiates ALPN and sends SNI for names but not for IP literals (RFC 6066 3)', async () => {
    const seen: (string | false)[] = [];
    const server = await serve(good, {
      alpn: ['http/1.1'],
      onSecure: (socket) => { seen.push((socket as tls.TLSSocket & { servername: string | false }).servername); socket.end(); },
    });
    expect((await handshake(at(server.port), { ...trust, alpn: ['h2', 'http/1.1'] })).alpn).toBe('http/1.1');
    const byIp = await handshake(at(server.port, '127.0.0.1'), trust);
    expect(byIp).toMatchObject({ chainTrusted: true, hostnameMatches: true });
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    expect(seen).toEqual([HOST, false]);
  });

  it('builds one SecureContext per CA set and reuses it', async () => {
    const server = await serve(good);
    const spy = vi.spyOn(tls, 'createSecureContext');
    const fresh = { ca: [createCa({ name: 'Another CA' }).certPem, ca.certPem] };
    for (let i = 0; i < 3; i++) await handshake(at(server.port), { ca: [...fresh.ca] });
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('tlsHandshake sockets', () => {
  it('hands the live socket to the caller', async () => {
    const server = await serve(good, { onSecure: (socket) => socket.end('hello from the server\n') });
    const { socket } = await tlsHandshake(at(server.port), trust, never());
    sockets.push(socket);
    const text = await new Promise<string>((resolve) => {
      let data = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => { data += chunk; }).on('end', () => resolve(data));
    });
    expect(text).toBe('hello from the server\n');
  });

  it('upgrades an existing plain socket (STARTTLS)', async () => {
    const plain = net.createServer((raw) => {
      raw.once('data', (line) => {
        if (String(line) !== 'STARTTLS\r\n') {
          raw.destroy();
          return;
        }
        raw.write('220 go ahead\r\n', () => {
          const secure = new tls.TLSSocket(raw, { isServer: true, key: good.keyPem, cert: good.certPem });
          secure.on('error', () => {});
        });
      });
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    servers.push({ host: '127.0.0.1', port: 0, connections: () => 0, close: () => new Promise((r) => plain.close(() => r())) });
    // Not pushed to `sockets`: once upgraded, only the TLS socket may be destroyed (see tlsHandshake's doc).
    const socket = net.connect({ host: '127.0.0.1', port: (plain.address() as AddressInfo).port });
    socket.write('STARTTLS\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const facts = await handshake(at(0), { ...trust, socket });
    expect(facts).toMatchObject({ chainTrusted: true, hostnameMatches: true, protocol: 'TLSv1.3' });
  });
});

describe('tlsHandshake failures', () => {
  it('times out against a server that never speaks', async () => {
    const server = await startSilentServer();
    servers.push(server);
    const budget = deadline(never(), 50, 'tls test');
    const error = await tlsHandshake(at(server.port), {}, budget.signal).catch((e: unknown) => e);
    budget.dispose();
    expect(error).toBeInstanceOf(ProbeError);
    expect(error).toMatchObject({ reason: 'timeout' });
    await vi.waitFor(() => expect(server.connections()).toBe(1));
  });

  it('rejects with the caller\'s abort reason', async () => {
    const server = await startSilentServer();
    servers.push(server);
    const controller = new AbortController();
    const pending = tlsHandshake(at(server.port), {}, controller.signal);
    const reason = new ProbeError('timeout', 'run', 'run cancelled');
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
  });

  it('reports a tls-handshake error when the server closes mid-handshake', async () => {
    const server = await startClosingServer();
    servers.push(server);
    await expect(tlsHandshake(at(server.port), {}, never())).rejects.toMatchObject({ reason: 'tls-handshake' });
  });

  it('reports refused for a closed port', async () => {
    const server = await startSilentServer();
    await server.close();
    await expect(tlsHandshake(at(server.port), {}, never())).rejects.toMatchObject({ reason: 'refused' });
  });

  it('rejects at once when already aborted, destroying a socket it was given', async () => {
    const controller = new AbortController();
    controller.abort(new ProbeError('timeout', 'run', 'gone'));
    const socket = new net.Socket();
    await expect(tlsHandshake(at(1), { socket }, controller.signal)).rejects.toMatchObject({ message: 'run: gone' });
    expect(socket.destroyed).toBe(true);
  });
});
