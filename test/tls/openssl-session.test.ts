import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startTlsServer, type LabTlsServer } from '../../src/lab/tls-server.ts';
import { readOpensslSession } from '../../src/tls/openssl-session.ts';
import { seededRandom } from '../support/prng.ts';

// OpenSSL's serialized SSL_SESSION (ssl/ssl_asn1.c) as node:tls hands it out: version, ticket, max_early_data.

const ca = createCa({ name: 'Vouch Lab Session CA' });
const leaf = issueLeaf(ca, { hosts: ['localhost'] });
let server: LabTlsServer;
beforeAll(async () => { server = await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, onSecure: (s) => s.resume() }); });
afterAll(() => server.close());

/** The sessions a real handshake hands out at `maxVersion`. */
async function sessions(maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: [ca.certPem], servername: 'localhost', maxVersion });
  // Wait for the first session (TLS 1.3 tickets come after the handshake), not for a fixed time: a busy machine is slow.
  const first = new Promise<void>((resolve) => socket.once('session', () => resolve()));
  socket.on('session', (s: Buffer) => got.push(s));
  socket.resume();
  await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 5000))]);
  socket.destroy();
  return got;
}

describe('readOpensslSession', () => {
  it('reads TLS 1.3 tickets without early data from a node:tls server', async () => {
    const [first] = await sessions('TLSv1.3');
    const read = readOpensslSession(first!);
    expect(read).toMatchObject({ ok: true, version: 0x0304, maxEarlyData: 0 });
    expect(read.ok && read.ticketBytes).toBeGreaterThan(0);
    expect(read.ok && read.ticketLifetimeSeconds).toBe(7200);
  });

  it('reads a TLS 1.2 session with a ticket', async () => {
    const [first] = await sessions('TLSv1.2');
    expect(readOpensslSession(first!)).toMatchObject({ ok: true, version: 0x0303, maxEarlyData: 0 });
  });

  it.each([
    ['empty', []], ['not a SEQUENCE', [0x02, 0x01, 0x00]], ['an empty SEQUENCE', [0x30, 0x00]],
    ['a cipher of 3 bytes', [0x30, 0x0e, 0x02, 0x01, 0x01, 0x02, 0x02, 0x03, 0x04, 0x04, 0x03, 0x13, 0x02, 0x00, 0x04, 0x00]],
    ['a negative max_early_data', [0x30, 0x12, 0x02, 0x01, 0x01, 0x02, 0x02, 0x03, 0x04, 0x04, 0x02, 0x13, 0x02, 0x04, 0x00, 0xaf, 0x03, 0x02, 0x01, 0xff]],
  ])('reports %s as a problem', (_name, bytes) => {
    expect(readOpensslSession(Uint8Array.from(bytes)).ok).toBe(false);
  });

  it('reads max_early_data [15] when present', () => {
    const bytes = [0x30, 0x12, 0x02, 0x01, 0x01, 0x02, 0x02, 0x03, 0x04, 0x04, 0x02, 0x13, 0x02, 0x04, 0x00, 0xaf, 0x03, 0x02, 0x01, 0x40];
    expect(readOpensslSession(Uint8Array.from(bytes))).toMatchObject({ ok: true, maxEarlyData: 64, ticketBytes: 0 });
  });

  it('is total on random and truncated input (fuzz)', async () => {
    const [real] = await sessions('TLSv1.3');
    const next = seededRandom(15);
    const int = (n: number) => Math.floor(next() * n);
    for (let i = 0; i < 500; i++) {
      const flipped = Buffer.from(real!);
      const at = int(flipped.length);
      flipped[at] = flipped[at]! ^ (1 << int(8));
      for (const input of [real!.subarray(0, int(real!.length)), flipped, Buffer.from(Array.from({ length: int(40) }, () => int(256)))]) {
        expect(() => readOpensslSession(input)).not.toThrow();
      }
    }
  });
});
