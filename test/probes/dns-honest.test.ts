import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { startDnsServer } from '../../src/lab/dns-server.ts';
import type { DnsServer, DnsServerOptions, Zone } from '../../src/lab/dns-server.ts';
import { createResolver } from '../../src/probes/dns.ts';
import type { Resolver, ResolverOptions } from '../../src/probes/dns.ts';
import { MAX_CNAME_LINKS } from '../../src/probes/dns-answer.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';

/** Issue 8, DNS items: CNAME chains and loops, referrals, undecodable replies, CD and RRSIG reporting. Loopback only. */

const { defer } = cleanupAfterEach();

async function serve(zone: Zone, options: Partial<DnsServerOptions> = {}): Promise<DnsServer> {
  const server = await startDnsServer({ zone, ...options });
  defer(() => server.close());
  return server;
}

function resolverFor(servers: readonly DnsServer['resolver'][], options: Partial<ResolverOptions> = {}): Resolver {
  const resolver = createResolver({ servers, timeoutMs: 1000, retries: 0, ...options });
  defer(() => resolver.close());
  return resolver;
}

const open = () => new AbortController().signal;

/** `n` links: c0.test -> c1.test -> ... -> c<n>.test, which holds the A record. */
function chain(n: number, end: Zone[string] = { A: ['192.0.2.20'] }): Zone {
  const zone: Zone = {};
  for (let i = 0; i < n; i++) zone[`c${i}.test`] = { CNAME: `c${i + 1}.test` };
  zone[`c${n}.test`] = end;
  return zone;
}

/** A UDP server that answers each query with whatever bytes the test makes of it. */
async function raw(onQuery: (query: DecodedPacket, msg: Buffer, send: (bytes: Buffer) => void) => void) {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.on('message', (msg, rinfo) => onQuery(dnsPacket.decode(msg), msg, (bytes) => socket.send(bytes, rinfo.port, rinfo.address)));
  defer(() => socket.close());
  return { address: '127.0.0.1', port: socket.address().port };
}

const response = (query: DecodedPacket, overrides: Partial<dnsPacket.Packet> = {}): dnsPacket.Packet =>
  ({ type: 'response', id: query.id ?? 0, flags: dnsPacket.RECURSION_AVAILABLE, questions: query.questions ?? [], answers: [], ...overrides });

describe('CNAME chains are followed to their end (RFC 1034 3.6.2, 4.3.2)', () => {
  it('finishes a 20-link chain the resolver returned only 16 links of, by asking the last name itself', async () => {
    const server = await serve(chain(20)); // the lab stops after 16 links per answer, as BIND stops after its restarts
    const answer = await resolverFor([server.resolver]).query('c0.test', 'A', open());
    expect(answer).toMatchObject({ name: 'c0.test', result: 'records', records: ['192.0.2.20'] });
    expect(answer.cnames).toEqual(Array.from({ length: 20 }, (_, i) => `c${i + 1}.test`));
    expect(server.counts.udp).toBe(2);
  });

  it('follows a resolver that returns one link per answer, and keeps NODATA at the end a NODATA', async () => {
    const server = await serve(chain(5, { TXT: ['x'] }), { chaseLimit: 1 });
    const resolver = resolverFor([server.resolver]);
    expect(await resolver.query('c0.test', 'A', open())).toMatchObject({ result: 'nodata', records: [], cnames: ['c1.test', 'c2.test', 'c3.test', 'c4.test', 'c5.test'] });
    expect(await resolver.query('c0.test', 'TXT', open())).toMatchObject({ result: 'records', records: ['x'] });
  });

  it('is a protocol error naming the chain for a loop inside one answer', async () => {
    const server = await serve({ 'a.test': { CNAME: 'b.test' }, 'b.test': { CNAME: 'A.test' } });
    const error = await resolverFor([server.resolver]).query('a.test', 'A', open()).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'protocol', message: expect.stringContaining('CNAME loop for A a.test: a.test -> b.test -> A.test') });
  });

  it('is a protocol error for a loop spread over several answers', async () => {
    const server = await serve({ 'a.test': { CNAME: 'b.test' }, 'b.test': { CNAME: 'c.test' }, 'c.test': { CNAME: 'a.test' } }, { chaseLimit: 1 });
    const error = await resolverFor([server.resolver]).query('a.test', 'MX', open()).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'protocol', message: expect.stringContaining('a.test -> b.test -> c.test -> a.test') });
    expect(server.counts.udp).toBe(3);
  });

  it(`is a protocol error, never "no record", for a chain over ${MAX_CNAME_LINKS} links`, async () => {
    const server = await serve(chain(40));
    const error = await resolverFor([server.resolver]).query('c0.test', 'A', open()).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'protocol', message: expect.stringContaining(`longer than ${MAX_CNAME_LINKS} links: c0.test -> c1.test`) });
    expect(MAX_CNAME_LINKS).toBeGreaterThan(16);
    // Exactly the cap is still followed.
    expect(await resolverFor([server.resolver]).query(`c${40 - MAX_CNAME_LINKS}.test`, 'A', open())).toMatchObject({ result: 'records' });
  });
});

describe('referrals are not NODATA (RFC 2308 2.2)', () => {
  it('is a dns-failure saying the resolver did not recurse, after trying the next server', async () => {
    const referring = await serve({ 'ref.test': { referral: ['ns1.ref.test', 'ns2.ref.test'] } });
    const error = await resolverFor([referring.resolver]).query('ref.test', 'A', open()).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'dns-failure', message: expect.stringContaining('referral: the resolver did not recurse') });
    expect((error as Error).message).toContain('ns1.ref.test, ns2.ref.test');
    const good = await serve({ 'ref.test': { A: ['192.0.2.3'] } });
    expect(await resolverFor([referring.resolver, good.resolver]).query('ref.test', 'A', open())).toMatchObject({ records: ['192.0.2.3'] });
  });

  it('keeps NODATA a NODATA: SOA in the authority section, or the AA bit, or neither NS nor SOA', async () => {
    const soa = { type: 'SOA' as const, name: 'x.test', data: { mname: 'ns.x.test', rname: 'h.x.test' } };
    const ns = { type: 'NS' as const, name: 'x.test', data: 'ns.x.test' };
    const cases: Partial<dnsPacket.Packet>[] = [
      { authorities: [soa, ns] }, // RFC 2308 2.2.1 type 1/2: SOA present
      { flags: dnsPacket.AUTHORITATIVE_ANSWER, authorities: [ns] },
      { authorities: [] }, // type 3
    ];
    let turn = 0;
    const server = await raw((q, _msg, send) => send(dnsPacket.encode(response(q, cases[turn++]!))));
    const resolver = resolverFor([server]);
    for (let i = 0; i < cases.length; i++) expect(await resolver.query('x.test', 'A', open())).toMatchObject({ result: 'nodata' });
  });
});

describe('an undecodable reply is a protocol error, not a timeout', () => {
  it.each([
    ['cut inside its A record (dns-packet alone would read 192.0.undefined.undefined)', (b: Buffer) => b.subarray(0, b.length - 2)],
    ['announcing two answers and holding one', (b: Buffer) => { const c = Buffer.from(b); c.writeUInt16BE(2, 6); return c; }],
    ['with a compression pointer past its end', (b: Buffer) => { const c = Buffer.from(b); c.writeUInt16BE(0xc0ff, 12 + 12); return c; }],
  ])('fails fast on a reply with our id and question %s', async (_what, corrupt) => {
    const server = await raw((q, _msg, send) => send(corrupt(dnsPacket.encode(response(q, { answers: [{ type: 'A', name: 'x.test', data: '192.0.2.1' }] })))));
    const started = Date.now();
    const error = await resolverFor([server], { timeoutMs: 5000 }).query('x.test', 'A', open()).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'protocol', message: expect.stringContaining('undecodable DNS reply') });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails fast on our id followed by garbage that ends inside the header', async () => {
    const server = await raw((_q, msg, send) => send(Buffer.concat([msg.subarray(0, 2), Buffer.from([0x81])])));
    await expect(resolverFor([server], { timeoutMs: 5000 }).query('x.test', 'A', open())).rejects.toMatchObject({ reason: 'protocol' });
  });

  it('keeps the protocol cause when another server stays silent (a timeout does not hide a broken reply)', async () => {
    const broken = await raw((_q, msg, send) => send(Buffer.concat([msg.subarray(0, 2), Buffer.from([0x81])])));
    const silent = await raw(() => {});
    await expect(resolverFor([broken, silent], { timeoutMs: 50, retries: 1 }).query('x.test', 'A', open())).rejects.toMatchObject({ reason: 'protocol' });
  });

  it('still ignores undecodable replies with another id or for another question (RFC 5452), then takes the real one', async () => {
    const server = await raw((q, _msg, send) => {
      const other = dnsPacket.encode(response({ ...q, questions: [{ type: 'A', name: 'y.test', class: 'IN' }] },
        { answers: [{ type: 'A', name: 'y.test', data: '192.0.2.66' }] }));
      send(other.subarray(0, other.length - 2)); // our id, another question, broken: may be a spoof, ignored
      send(Buffer.from([((q.id ?? 0) + 1) >> 8 & 0xff, ((q.id ?? 0) + 1) & 0xff, 0x81, 0x80, 0xff])); // another id
      setTimeout(() => send(dnsPacket.encode(response(q, { answers: [{ type: 'A', name: 'x.test', data: '192.0.2.1' }] }))), 20);
    });
    expect(await resolverFor([server]).query('x.test', 'A', open())).toMatchObject({ records: ['192.0.2.1'] });
  });
});

describe('DNSSEC facts: CD and RRSIGs (RFC 4035 3.1.1, 3.2.2; RFC 3225 3)', () => {
  it('asks with CD only when told to, and a bogus name answers only then', async () => {
    const server = await serve({ 'bogus.test': { bogus: true, signed: true, A: ['192.0.2.9'] } });
    const resolver = resolverFor([server.resolver]);
    await expect(resolver.query('bogus.test', 'A', open())).rejects.toMatchObject({ reason: 'dns-failure', message: expect.stringContaining('SERVFAIL') });
    expect(await resolver.query('bogus.test', 'A', open(), { checkingDisabled: true })).toMatchObject({
      result: 'records', records: ['192.0.2.9'], authenticated: false, checkingDisabled: true, rrsigs: true,
    });
  });

  it('sets the CD bit on the wire', async () => {
    const flags: number[] = [];
    const server = await raw((q, _msg, send) => { flags.push(q.flags ?? 0); send(dnsPacket.encode(response(q))); });
    const resolver = resolverFor([server]);
    await resolver.query('x.test', 'A', open());
    await resolver.query('x.test', 'A', open(), { checkingDisabled: true });
    expect(flags.map((f) => (f & dnsPacket.CHECKING_DISABLED) !== 0)).toEqual([false, true]);
  });

  it('reports whether RRSIGs came back and whether DO was echoed, for records and for a signed NODATA', async () => {
    const server = await serve({
      'signed.test': { signed: true, A: ['192.0.2.1'] }, 'valid.test': { ad: true, A: ['192.0.2.2'] }, 'plain.test': { A: ['192.0.2.3'] },
    });
    const resolver = resolverFor([server.resolver]);
    expect(await resolver.query('signed.test', 'A', open())).toMatchObject({ authenticated: false, rrsigs: true, dnssecOk: true, records: ['192.0.2.1'] });
    expect(await resolver.query('signed.test', 'MX', open())).toMatchObject({ result: 'nodata', rrsigs: true });
    expect(await resolver.query('valid.test', 'A', open())).toMatchObject({ authenticated: true, rrsigs: true });
    expect(await resolver.query('plain.test', 'A', open())).toMatchObject({ authenticated: false, rrsigs: false, dnssecOk: true });
    const noEdns = await raw((q, _msg, send) => send(dnsPacket.encode(response(q))));
    expect(await resolverFor([noEdns]).query('x.test', 'A', open())).toMatchObject({ dnssecOk: false, rrsigs: false });
  });
});
