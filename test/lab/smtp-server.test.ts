import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startSmtpServer } from '../../src/lab/smtp-server.ts';
import type { LabSmtpServer, SmtpVariant } from '../../src/lab/smtp-server.ts';

const ca = createCa({ name: 'Vouch SMTP Lab Test CA' });
const leaf = issueLeaf(ca, { hosts: ['mx.test'] });
const servers: LabSmtpServer[] = [];
const clients: net.Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(variant: SmtpVariant) {
  const server = await startSmtpServer({ key: leaf.keyPem, cert: leaf.certPem, variant });
  servers.push(server);
  return server;
}

/** A raw client that records every chunk it receives. */
function dial(port: number, host = '127.0.0.1') {
  const socket = net.connect({ host, port, noDelay: true });
  clients.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  const text = () => Buffer.concat(chunks).toString('latin1');
  const until = async (pattern: RegExp) => {
    for (let i = 0; i < 200 && !pattern.test(text()); i++) await new Promise((r) => setTimeout(r, 5));
    return text();
  };
  return { socket, chunks, text, until };
}

describe('startSmtpServer', () => {
  it('greets, answers EHLO with STARTTLS, and counts connections', async () => {
    const server = await serve('good');
    const client = dial(server.port);
    await client.until(/^220 /);
    client.socket.write('EHLO me\r\n');
    expect(await client.until(/250 8BITMIME\r\n$/)).toContain('250-STARTTLS\r\n');
    expect(server.connections()).toBe(1);
    expect(server.commands()).toEqual(['EHLO me']);
  });

  it('counts the sessions open at once: STARTTLS sessions one after another are 1, two held together are 2', async () => {
    const server = await serve('good');
    /** A session up to the TLS handshake after STARTTLS, as the SMTP probes open them. */
    const session = async () => {
      const client = dial(server.port);
      await client.until(/^220 /);
      client.socket.write('STARTTLS\r\n');
      await client.until(/220 2\.0\.0/);
      client.socket.removeAllListeners('data');
      const secure = tls.connect({ socket: client.socket, servername: 'mx.test', rejectUnauthorized: false });
      secure.on('error', () => {});
      await new Promise<void>((resolve) => secure.once('secureConnect', () => resolve()));
      return secure;
    };
    const closed = (socket: tls.TLSSocket) => new Promise<void>((resolve) => { socket.once('close', () => resolve()); socket.destroy(); });
    for (let i = 0; i < 3; i++) {
      const one = await session();
      await new Promise((r) => setTimeout(r, 40)); // longer than the server's 20 ms before it counts
      await closed(one);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(server.mostOpenAtOnce()).toBe(1);
    const both = await Promise.all([session(), session()]);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.mostOpenAtOnce()).toBe(2);
    await Promise.all(both.map(closed));
  });

  it('serves more loopback addresses on the same port, and keeps no commands when told not to', async () => {
    const server = await startSmtpServer({ key: leaf.keyPem, cert: leaf.certPem, variant: 'good', host: '127.88.1.1', alsoListenOn: ['127.88.1.2'], recordCommands: false });
    servers.push(server);
    for (const host of ['127.88.1.1', '127.88.1.2']) {
      const client = dial(server.port, host);
      await client.until(/^220 /);
      client.socket.write('EHLO me\r\n');
      expect(await client.until(/250 8BITMIME\r\n$/)).toContain('250-STARTTLS\r\n');
    }
    expect([server.connections(), server.commands()]).toEqual([2, []]);
  });

  it('upgrades after 220 and stops advertising STARTTLS over TLS (RFC 3207 4.2)', async () => {
    const server = await serve('good');
    const client = dial(server.port);
    await client.until(/^220 /);
    client.socket.write('STARTTLS\r\n');
    await client.until(/220 2\.0\.0/);
    client.socket.removeAllListeners('data');
    const secure = tls.connect({ socket: client.socket, servername: 'mx.test', ca: [ca.certPem] });
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    secure.write('EHLO me\r\n');
    const reply = await new Promise<string>((resolve) => secure.once('data', (c: Buffer) => resolve(c.toString())));
    expect(reply).not.toContain('STARTTLS');
    expect(server.handshakes()).toBe(1);
    secure.destroy();
  });

  it('writes replies one byte per write in the byte-by-byte variant', async () => {
    const server = await serve('byte-by-byte');
    const client = dial(server.port);
    const banner = await client.until(/\r\n$/);
    // The receiving kernel may still coalesce a few bytes; most must arrive on their own.
    expect(client.chunks.length).toBeGreaterThan(banner.length / 2);
  });

  it.each([
    { variant: 'busy-421' as const, expected: /^421 / },
    { variant: 'no-starttls' as const, expected: /^220 / },
  ])('$variant greets with $expected', async ({ variant, expected }) => {
    const client = dial((await serve(variant)).port);
    expect(await client.until(expected)).toMatch(expected);
  });

  it('streams an endless line without a newline, bounded, until the client leaves', async () => {
    const client = dial((await serve('endless-line')).port);
    const seen = await client.until(/^220 x{100000}/);
    expect(seen).not.toContain('\n');
  });

  it('close() destroys open connections, including silent ones', async () => {
    const server = await serve('silent');
    const client = dial(server.port);
    const closed = new Promise((resolve) => client.socket.once('close', resolve));
    await new Promise((r) => setTimeout(r, 50));
    await server.close();
    await closed;
    expect(client.text()).toBe('');
  });
});
