import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deadline } from '../../src/core/deadline.ts';
import { ProbeError } from '../../src/core/errors.ts';
import type { Endpoint } from '../../src/core/types.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import type { LabCert } from '../../src/lab/pki.ts';
import { startSmtpServer } from '../../src/lab/smtp-server.ts';
import type { LabSmtpServer, SmtpServerOptions, SmtpVariant } from '../../src/lab/smtp-server.ts';
import { MAX_LINE_BYTES, probeSmtp, probeSmtpTlsVersion } from '../../src/probes/smtp.ts';

const MX = 'mx.vouch.test';
const DAY_MS = 86_400_000;
const ca = createCa({ name: 'Vouch SMTP Test CA' });
const good = issueLeaf(ca, { hosts: [MX] });
const expired = issueLeaf(ca, { hosts: [MX], notBefore: new Date(Date.now() - 30 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) });
const options = { ehloName: 'scanner.vouch.test', ca: [ca.certPem] };

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(variant: SmtpVariant, cert: LabCert = good, extra: Partial<SmtpServerOptions> = {}): Promise<LabSmtpServer> {
  const server = await startSmtpServer({ key: cert.keyPem, cert: cert.chainPem, variant, ...extra });
  servers.push(server);
  return server;
}

const at = (port: number): Endpoint => ({ hostname: MX, port: 25, address: '127.0.0.1', dialPort: port });
const never = () => new AbortController().signal;
const budget = (ms: number) => deadline(never(), ms, 'test').signal;

async function failure(work: Promise<unknown>): Promise<ProbeError> {
  const err = await work.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProbeError);
  return err as ProbeError;
}

describe('probeSmtp against the lab server', () => {
  it('upgrades with STARTTLS and records facts and a transcript', async () => {
    const server = await serve('good');
    const facts = await probeSmtp(at(server.port), options, never());
    expect(facts).toMatchObject({
      endpoint: `${MX}:25 (127.0.0.1:${server.port})`, hostname: MX, address: '127.0.0.1', ehloName: 'scanner.vouch.test',
      banner: { code: 220, lines: ['mx.test ESMTP Vouch lab'] }, starttlsAdvertised: true,
      starttlsReply: { code: 220, lines: ['2.0.0 Ready to start TLS'] }, tlsError: null,
    });
    expect(facts.extensions).toEqual(['PIPELINING', 'SIZE 10240000', 'STARTTLS', 'ENHANCEDSTATUSCODES', '8BITMIME']);
    expect(facts.tls).toMatchObject({ protocol: 'TLSv1.3', chainTrusted: true, hostnameMatches: true, authorizationError: null });
    expect(facts.tls?.chain[0]?.pem).toBe(good.certPem);
    expect(facts.transcript).toEqual([
      'S: 220 mx.test ESMTP Vouch lab', 'C: EHLO scanner.vouch.test', 'S: 250-mx.test greets scanner.vouch.test',
      'S: 250-PIPELINING', 'S: 250-SIZE 10240000', 'S: 250-STARTTLS', 'S: 250-ENHANCEDSTATUSCODES', 'S: 250 8BITMIME',
      'C: STARTTLS', 'S: 220 2.0.0 Ready to start TLS', expect.stringMatching(/^\* TLS TLSv1\.3 TLS_AES_/),
      'C: QUIT', 'S: 221 2.0.0 mx.test closing connection',
    ]);
    expect(server.handshakes()).toBe(1);
  });

  it('never sends MAIL, RCPT or DATA: only EHLO, STARTTLS and QUIT reach the server', async () => {
    const server = await serve('good');
    await probeSmtp(at(server.port), options, never());
    expect(server.commands()).toEqual(['EHLO scanner.vouch.test', 'STARTTLS', 'QUIT']);
  });

  it('reports STARTTLS not advertised as a fact and QUITs in plaintext', async () => {
    const server = await serve('no-starttls');
    const facts = await probeSmtp(at(server.port), options, never());
    expect(facts).toMatchObject({ starttlsAdvertised: false, starttlsReply: null, tls: null, tlsError: null });
    expect(server.commands()).toEqual(['EHLO scanner.vouch.test', 'QUIT']);
  });

  it('reports 454 to STARTTLS as a fact', async () => {
    const server = await serve('starttls-454');
    const facts = await probeSmtp(at(server.port), options, never());
    expect(facts).toMatchObject({
      starttlsAdvertised: true, starttlsReply: { code: 454, lines: ['4.7.0 TLS not available due to temporary reason'] }, tls: null,
    });
    expect(facts.transcript).toContain('S: 454 4.7.0 TLS not available due to temporary reason');
  });

  it('records an expired certificate as a fact (CERT_HAS_EXPIRED), not an error', async () => {
    const server = await serve('good', expired);
    const facts = await probeSmtp(at(server.port), options, never());
    expect(facts.tls).toMatchObject({ chainTrusted: false, authorizationError: 'CERT_HAS_EXPIRED', hostnameMatches: true });
  });

  it('reads replies delivered one byte per write', async () => {
    const server = await serve('byte-by-byte');
    const facts = await probeSmtp(at(server.port), options, never());
    expect(facts).toMatchObject({ starttlsAdvertised: true, starttlsReply: { code: 220 }, tls: { chainTrusted: true } });
    expect(facts.extensions).toContain('STARTTLS');
  });

  it('times out against a server that never speaks (reason, not time)', async () => {
    const server = await serve('silent');
    const err = await failure(probeSmtp(at(server.port), options, budget(150)));
    expect(err.reason).toBe('timeout');
  });

  it('reports a plain abort as a timeout too', async () => {
    const server = await serve('silent');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect((await failure(probeSmtp(at(server.port), options, controller.signal))).reason).toBe('timeout');
  });

  it('turns 421 at the banner into a refused error carrying the server text', async () => {
    const server = await serve('busy-421');
    const err = await failure(probeSmtp(at(server.port), options, never()));
    expect(err).toMatchObject({ reason: 'refused', stage: 'exchange' });
    expect(err.message).toContain('421 4.3.2 mx.test Service not available');
  });

  it('stops reading an endless banner line at the line cap', async () => {
    const server = await serve('endless-line');
    const err = await failure(probeSmtp(at(server.port), options, never()));
    expect(err.reason).toBe('protocol');
    expect(err.message).toContain(`longer than ${MAX_LINE_BYTES} bytes`);
  });

  it('reports greylisting (450 to EHLO) as an error with the text', async () => {
    const server = await serve('greylist');
    const err = await failure(probeSmtp(at(server.port), options, never()));
    expect(err.reason).toBe('refused');
    expect(err.message).toContain('450 4.7.1 Greylisted');
  });

  it('reports nothing listening as refused at the connect stage', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    expect(await failure(probeSmtp(at(port), options, never()))).toMatchObject({ reason: 'refused', stage: 'connect' });
  });
});

/** A raw server that answers each command line with what `answer` returns; for replies no real MTA sends. */
async function scripted(banner: string, answer: (command: string, socket: net.Socket) => string | undefined = () => undefined) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.write(banner);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let i = buffered.indexOf('\n'); i !== -1; i = buffered.indexOf('\n')) {
        const reply = answer(buffered.slice(0, i).replace(/\r$/, ''), socket);
        buffered = buffered.slice(i + 1);
        if (reply !== undefined && !socket.destroyed) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); for (const s of sockets) s.destroy(); }),
  });
  return (server.address() as AddressInfo).port;
}

const EHLO_WITH_STARTTLS = '250-mx.test\r\n250 STARTTLS\r\n';

describe('probeSmtp reading replies (RFC 5321 4.2.1) from scripted servers', () => {
  it('accepts bare LF line ends and a final line with no text', async () => {
    const port = await scripted('220-first\n220-second\n220\n', (c) => (c.startsWith('EHLO') ? '250-mx.test\n250 SIZE 1000\n' : '221 bye\n'));
    const facts = await probeSmtp(at(port), options, never());
    expect(facts.banner).toEqual({ code: 220, lines: ['first', 'second', ''] });
    expect(facts).toMatchObject({ extensions: ['SIZE 1000'], starttlsAdvertised: false });
  });

  it('records a handshake that fails after 220 as tlsError, not an error', async () => {
    const port = await scripted('220 mx.test\r\n', (command, socket) => {
      if (command.startsWith('EHLO')) return EHLO_WITH_STARTTLS;
      if (command === 'STARTTLS') socket.end('220 go ahead\r\n');
      return undefined;
    });
    const facts = await probeSmtp(at(port), options, never());
    expect(facts).toMatchObject({ starttlsReply: { code: 220 }, tls: null });
    expect(facts.tlsError).toMatch(/closed|reset|socket/i);
    expect(facts.transcript.at(-1)).toMatch(/^\* TLS handshake failed/);
  });

  it('rejects bytes pipelined after the 220 to STARTTLS (plaintext injection)', async () => {
    const port = await scripted('220 mx.test\r\n', (command) => {
      if (command.startsWith('EHLO')) return EHLO_WITH_STARTTLS;
      return command === 'STARTTLS' ? '220 go ahead\r\n250 injected\r\n' : undefined;
    });
    const err = await failure(probeSmtp(at(port), options, never()));
    expect(err.reason).toBe('protocol');
    expect(err.message).toContain('unexpected bytes after the reply');
  });

  it.each([
    { name: 'a code change inside a multi-line reply', banner: '220-a\r\n250 b\r\n', message: 'changed from 220 to 250' },
    { name: 'a line that is not a reply', banner: 'hello there\r\n', message: 'malformed reply line' },
    { name: 'more lines than the cap', banner: `${'220-x\r\n'.repeat(150)}220 x\r\n`, message: 'reply longer than' },
  ])('rejects $name as a protocol error', async ({ banner, message }) => {
    const port = await scripted(banner);
    const err = await failure(probeSmtp(at(port), options, never()));
    expect(err.reason).toBe('protocol');
    expect(err.message).toContain(message);
  });

  it('refuses the session on 554 at the banner, with the text', async () => {
    const port = await scripted('554 5.7.1 no SMTP service for you\r\n');
    const err = await failure(probeSmtp(at(port), options, never()));
    expect(err).toMatchObject({ reason: 'refused' });
    expect(err.message).toContain('554 5.7.1 no SMTP service for you');
  });

  it('falls back to HELO when EHLO gets 5xx: no extensions, so STARTTLS is not advertised', async () => {
    const port = await scripted('220 mx.test\r\n', (c) => (c.startsWith('EHLO') ? '502 unknown\r\n' : c.startsWith('HELO') ? '250 mx.test\r\n' : '221 bye\r\n'));
    const facts = await probeSmtp(at(port), options, never());
    expect(facts).toMatchObject({ extensions: [], starttlsAdvertised: false, tls: null });
    expect(facts.transcript).toContain('C: HELO scanner.vouch.test');
  });

  it('reports a close in the middle of the dialogue as a protocol error', async () => {
    const port = await scripted('220 mx.test\r\n', (_c, socket) => { socket.end(); return undefined; });
    const err = await failure(probeSmtp(at(port), options, never()));
    expect(err.reason).toBe('protocol');
    expect(err.message).toContain('closed the connection before the reply to EHLO');
  });

  it('refuses an EHLO name that could inject a command, before sending anything', async () => {
    const port = await scripted('220 mx.test\r\n', () => '250 ok\r\n');
    const err = await probeSmtp(at(port), { ehloName: 'x\r\nMAIL FROM:<a@b>' }, never()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
  });

  it('shows control bytes in the transcript escaped', async () => {
    const port = await scripted('220 mx\x1b[31m.test\r\n', (c) => (c.startsWith('EHLO') ? '250 mx.test\r\n' : '221 bye\r\n'));
    const facts = await probeSmtp(at(port), options, never());
    expect(facts.transcript[0]).toBe('S: 220 mx\\x1b[31m.test');
  });
});

describe('probeSmtpTlsVersion over STARTTLS', () => {
  it.each([
    { cap: 'TLSv1.2' as const, version: 'TLSv1.2' as const, accepted: true },
    { cap: 'TLSv1.2' as const, version: 'TLSv1.3' as const, accepted: false },
    { cap: 'TLSv1.3' as const, version: 'TLSv1.3' as const, accepted: true },
    { cap: 'TLSv1.3' as const, version: 'TLSv1.1' as const, accepted: false },
  ])('server capped at $cap, offering $version -> accepted $accepted', async ({ cap, version, accepted }) => {
    const server = await serve('good', good, { maxVersion: cap });
    const facts = await probeSmtpTlsVersion(at(server.port), version, options, never());
    expect(facts).toMatchObject({ version, accepted });
    expect(server.commands()).toEqual(['EHLO scanner.vouch.test', 'STARTTLS']);
  });

  it('cannot test a version when STARTTLS is not advertised', async () => {
    const server = await serve('no-starttls');
    const err = await failure(probeSmtpTlsVersion(at(server.port), 'TLSv1.2', options, never()));
    expect(err.reason).toBe('protocol');
    expect(err.message).toContain('STARTTLS is not advertised');
  });
});
