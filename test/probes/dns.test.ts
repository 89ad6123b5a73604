import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { startDnsServer, TIMEOUT } from '../../src/lab/dns-server.ts';
import type { DnsServer, Zone } from '../../src/lab/dns-server.ts';
import { createResolver } from '../../src/probes/dns.ts';
import { UDP_SOCKETS_PER_FAMILY } from '../../src/probes/dns-udp.ts';
import { parseResolverAddress, systemResolvers } from '../../src/config/resolvers.ts';
import type { Resolver, ResolverOptions } from '../../src/probes/dns.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';

const { defer } = cleanupAfterEach();

async function serve(zone: Zone): Promise<DnsServer> {
  const server = await startDnsServer({ zone });
  defer(() => server.close());
  return server;
}

function resolverFor(servers: readonly DnsServer['resolver'][], options: Partial<ResolverOptions> = {}): Resolver {
  const resolver = createResolver({ servers, timeoutMs: 1000, retries: 0, ...options });
  defer(() => resolver.close());
  return resolver;
}

/** A signal that never aborts. */
const open = () => new AbortController().signal;

/** A UDP server whose replies the test scripts, to misbehave in ways a real server would not. */
async function scripted(onQuery: (query: DecodedPacket, reply: (packet: dnsPacket.Packet, from?: dgram.Socket) => void) => void) {
  const [socket, other] = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
  await Promise.all([socket, other].map((s) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))));
  const queries: DecodedPacket[] = [];
  socket.on('message', (msg, rinfo) => {
    const query = dnsPacket.decode(msg);
    queries.push(query);
    onQuery(query, (packet, from = socket) => from.send(dnsPacket.encode(packet), rinfo.port, rinfo.address));
  });
  defer(() => { socket.close(); other.close(); });
  return { resolver: { address: '127.0.0.1', port: socket.address().port }, queries, other };
}

const answerTo = (query: DecodedPacket, answers: Answer[], overrides: Partial<dnsPacket.Packet> = {}): dnsPacket.Packet =>
  ({ type: 'response', id: query.id ?? 0, flags: 0, questions: query.questions ?? [], answers, ...overrides });

describe('createResolver: answers', () => {
  const zone: Zone = {
    'example.test': {
      A: ['192.0.2.1'], AAAA: ['2001:db8::1'], MX: [{ preference: 10, exchange: 'mx.example.test' }],
      NS: ['ns1.example.test'], CAA: [{ tag: 'issue', value: 'ca.example' }],
      SOA: [{ mname: 'ns1.example.test', rname: 'hostmaster.example.test', serial: 7, refresh: 3600, retry: 600, expire: 86400, minimum: 300 }],
      DS: [{ keyTag: 12345, algorithm: 13, digestType: 2, digest: 'AB01' }],
      DNSKEY: [{ flags: 257, algorithm: 13, key: Buffer.from('key').toString('base64') }],
      SPF: ['v=spf1 -all'],
    },
    '_25._tcp.mx.example.test': { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: 'DEADBEEF' }] },
    'parked.test': { MX: [{ preference: 0, exchange: '.' }] },
    '1.2.0.192.in-addr.arpa': { PTR: ['host.example.test'] },
  };
  it.each([
    ['example.test', 'A', ['192.0.2.1']],
    ['example.test', 'AAAA', ['2001:db8::1']],
    ['example.test', 'MX', ['10 mx.example.test']], // presentation without the final dot
    ['parked.test', 'MX', ['0 .']], // RFC 7505 null MX keeps the root name
    ['example.test', 'NS', ['ns1.example.test']],
    ['example.test', 'CAA', ['0 issue "ca.example"']],
    ['example.test', 'SOA', ['ns1.example.test hostmaster.example.test 7 3600 600 86400 300']],
    ['example.test', 'DS', ['12345 13 2 ab01']],
    ['example.test', 'DNSKEY', [`257 3 13 ${Buffer.from('key').toString('base64')}`]],
    ['example.test', 'SPF', ['v=spf1 -all']], // type 99, unknown to dns-packet
    ['_25._tcp.mx.example.test', 'TLSA', ['3 1 1 deadbeef']],
    ['1.2.0.192.in-addr.arpa', 'PTR', ['host.example.test']],
    ['EXAMPLE.test.', 'A', ['192.0.2.1']], // names match case-insensitively; a final dot is fine
  ] as const)('%s %s -> %j', async (name, type, records) => {
    const server = await serve(zone);
    const answer = await resolverFor([server.resolver]).query(name, type, open());
    expect(answer).toMatchObject({ name, type, result: 'records', records, resolver: `127.0.0.1:${server.port}`, cnames: [] });
  });

  it('reports NXDOMAIN and NODATA as facts', async () => {
    const server = await serve({ 'example.test': { A: ['192.0.2.1'] } });
    const resolver = resolverFor([server.resolver]);
    expect(await resolver.query('missing.test', 'A', open())).toMatchObject({ result: 'nxdomain', records: [] });
    expect(await resolver.query('example.test', 'MX', open())).toMatchObject({ result: 'nodata', records: [] });
  });

  it('concatenates TXT character-strings (RFC 7208 3.3) and keeps them as received', async () => {
    const server = await serve({ 'txt.test': { TXT: [['v=spf1 ', 'include:a.test -all'], 'x'.repeat(300)] } });
    const answer = await resolverFor([server.resolver]).query('txt.test', 'TXT', open());
    expect(answer.records).toEqual(['v=spf1 include:a.test -all', 'x'.repeat(300)]);
    expect(answer.txtStrings).toEqual([['v=spf1 ', 'include:a.test -all'], ['x'.repeat(255), 'x'.repeat(45)]]);
  });

  it('decodes TXT as UTF-8 across string boundaries and falls back to latin1 for invalid bytes', async () => {
    const euro = Buffer.from('€'); // three bytes, split across two character-strings
    const rogue = await scripted((q, reply) => reply(answerTo(q, [
      { type: 'TXT', name: 'txt.test', data: [euro.subarray(0, 1), euro.subarray(1)] },
      { type: 'TXT', name: 'txt.test', data: [Buffer.from([0x63, 0x61, 0x66, 0xe9])] },
    ])));
    const answer = await resolverFor([rogue.resolver]).query('txt.test', 'TXT', open());
    expect(answer.records).toEqual(['café', '€']); // sorted: RRsets are unordered (RFC 2181 5)
  });

  it('sorts records, so a resolver that rotates an RRset does not change the evidence', async () => {
    let turn = 0;
    const rotating = await scripted((q, reply) => {
      const rrs = [0, 1].map((i) => ({ type: 'MX' as const, name: 'mx.test', data: { preference: 10, exchange: ['b.mx.test', 'a.mx.test'][(i + turn) % 2]! } }));
      turn++;
      reply(answerTo(q, rrs));
    });
    const resolver = resolverFor([rotating.resolver]);
    const first = await resolver.query('mx.test', 'MX', open());
    const second = await resolver.query('mx.test', 'MX', open());
    expect(first.records).toEqual(['10 a.mx.test', '10 b.mx.test']);
    expect(second.records).toEqual(first.records);
  });

  it('follows a CNAME chain and records it', async () => {
    const server = await serve({ 'www.test': { CNAME: 'cdn.test' }, 'cdn.test': { CNAME: 'Edge.test' }, 'edge.test': { A: ['192.0.2.7'] } });
    const resolver = resolverFor([server.resolver]);
    expect(await resolver.query('www.test', 'A', open())).toMatchObject({ result: 'records', records: ['192.0.2.7'], cnames: ['cdn.test', 'Edge.test'] });
    expect(await resolver.query('www.test', 'CNAME', open())).toMatchObject({ records: ['cdn.test'], cnames: [] });
    expect(await resolver.query('www.test', 'MX', open())).toMatchObject({ result: 'nodata', cnames: ['cdn.test', 'Edge.test'] });
    delete server.zone['edge.test'];
    expect(await resolver.query('www.test', 'A', open())).toMatchObject({ result: 'nxdomain', cnames: ['cdn.test', 'Edge.test'] });
  });

  it('keeps the AD bit and asks with EDNS0 (1232 bytes, DO) and AD set (RFC 6840 5.7)', async () => {
    const server = await serve({ 'signed.test': { A: ['192.0.2.1'], ad: true }, 'plain.test': { A: ['192.0.2.2'] } });
    const resolver = resolverFor([server.resolver]);
    expect((await resolver.query('signed.test', 'A', open())).authenticated).toBe(true);
    expect((await resolver.query('plain.test', 'A', open())).authenticated).toBe(false);
    const rogue = await scripted((q, reply) => reply(answerTo(q, [])));
    await resolverFor([rogue.resolver]).query('x.test', 'A', open());
    const [query] = rogue.queries;
    const opt = query?.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
    expect([query?.flag_ad, query?.flag_rd, opt?.udpPayloadSize, opt?.flag_do]).toEqual([true, true, 1232, true]);
  });
});

describe('createResolver: transport and failures', () => {
  it('retries a truncated UDP answer over TCP', async () => {
    const server = await serve({ 'tc.test': { truncate: true, A: ['192.0.2.1'] } });
    expect(await resolverFor([server.resolver]).query('tc.test', 'A', open())).toMatchObject({ result: 'records', records: ['192.0.2.1'] });
    expect(server.counts).toEqual({ udp: 1, tcp: 1 });
  });

  it('never uses the records of a truncated answer, even when TCP is unavailable', async () => {
    const rogue = await scripted((q, reply) =>
      reply(answerTo(q, [{ type: 'A', name: 'x.test', data: '192.0.2.66' }], { flags: dnsPacket.TRUNCATED_RESPONSE })));
    // Nothing listens on the TCP side of this port: the retry is refused.
    await expect(resolverFor([rogue.resolver]).query('x.test', 'A', open())).rejects.toMatchObject({ reason: 'refused' });
  });

  it('throws dns-failure naming the rcode when every server answers SERVFAIL', async () => {
    const [one, two] = [await serve({ 'x.test': { servfail: true } }), await serve({ 'x.test': { servfail: true } })];
    const error = await resolverFor([one.resolver, two.resolver], { retries: 2 }).query('x.test', 'A', open()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeError);
    expect(error).toMatchObject({ reason: 'dns-failure', message: expect.stringMatching(/SERVFAIL from 127\.0\.0\.1:\d+, SERVFAIL/) });
    expect([one.counts.udp, two.counts.udp]).toEqual([1, 1]); // an rcode is an answer: not retried on the same server
  });

  it('fails over to the next server on REFUSED and on timeout', async () => {
    const refusing = await serve({ 'x.test': { refused: true } });
    const silent = await serve({ 'x.test': { silent: true } });
    const good = await serve({ 'x.test': { A: ['192.0.2.5'] } });
    const answer = await resolverFor([refusing.resolver, silent.resolver, good.resolver], { timeoutMs: 50 }).query('x.test', 'A', open());
    expect(answer).toMatchObject({ records: ['192.0.2.5'], resolver: `127.0.0.1:${good.port}` });
  });

  it('times out against a silent server after its retries, and for a type marked TIMEOUT', async () => {
    const server = await serve({ 'mute.test': { silent: true }, 'slow.test': { A: ['192.0.2.1'], TXT: TIMEOUT } });
    const resolver = resolverFor([server.resolver], { timeoutMs: 20, retries: 2 });
    await expect(resolver.query('mute.test', 'A', open())).rejects.toMatchObject({ reason: 'timeout' });
    expect(server.counts.udp).toBe(3);
    await expect(resolver.query('slow.test', 'TXT', open())).rejects.toMatchObject({ reason: 'timeout' });
    expect(await resolver.query('slow.test', 'A', open())).toMatchObject({ result: 'records' });
  });

  it('ignores replies with a wrong id, a wrong question or from another port (RFC 5452)', async () => {
    const forged = (q: DecodedPacket, name: string) => answerTo(q, [{ type: 'A', name, data: '192.0.2.66' }]);
    const rogue = await scripted((q, reply) => {
      reply({ ...forged(q, 'x.test'), id: ((q.id ?? 0) + 1) & 0xffff });
      reply(forged(q, 'x.test'), rogue.other);
      reply({ ...forged(q, 'other.test'), questions: [{ type: 'A', name: 'other.test', class: 'IN' }] });
      reply({ ...forged(q, 'x.test'), questions: [{ type: 'AAAA', name: 'x.test', class: 'IN' }] });
      setTimeout(() => reply(answerTo(q, [{ type: 'A', name: 'X.TEST', data: '192.0.2.1' }])), 20);
    });
    const answer = await resolverFor([rogue.resolver]).query('x.test', 'A', open());
    expect(answer.records).toEqual(['192.0.2.1']);
  });

  it('serves many concurrent queries over a few shared UDP sockets, each with its own answer', async () => {
    const zone: Zone = {};
    for (let i = 0; i < 500; i++) zone[`host${i}.test`] = { A: [`10.0.${i >> 8}.${i & 0xff}`] };
    const server = await serve(zone);
    const resolver = resolverFor([server.resolver]);
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => resolver.query(`host${i}.test`, 'A', open())));
    expect(answers.every((a, i) => a.records[0] === `10.0.${i >> 8}.${i & 0xff}`)).toBe(true);
    expect(server.udpSources.size).toBeLessThanOrEqual(UDP_SOCKETS_PER_FAMILY); // not a socket per query
  });

  it('rejects promptly with the signal reason when aborted, before or during a query', async () => {
    const server = await serve({ 'mute.test': { silent: true } });
    const resolver = resolverFor([server.resolver], { timeoutMs: 60_000, retries: 5 });
    const reason = new ProbeError('timeout', 'check', 'budget exceeded');
    const controller = new AbortController();
    const pending = resolver.query('mute.test', 'A', controller.signal);
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
    await expect(resolver.query('mute.test', 'A', controller.signal)).rejects.toBe(reason);
    await expect(resolver.query('mute.test', 'A', AbortSignal.abort('plain'))).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('rejects names it cannot encode and queries after close()', async () => {
    const server = await serve({});
    const resolver = resolverFor([server.resolver]);
    await expect(resolver.query('a..test', 'A', open())).rejects.toMatchObject({ reason: 'dns-failure' });
    await expect(resolver.query(`${'a'.repeat(64)}.test`, 'A', open())).rejects.toMatchObject({ reason: 'dns-failure' });
    resolver.close();
    await expect(resolver.query('a.test', 'A', open())).rejects.toThrow('resolver closed');
  });
});

describe('resolver addresses', () => {
  it.each([
    ['192.0.2.53', { address: '192.0.2.53', port: 53 }],
    [' 192.0.2.53:5353 ', { address: '192.0.2.53', port: 5353 }],
    ['2001:db8::53', { address: '2001:db8::53', port: 53 }],
    ['[2001:db8::53]:5353', { address: '2001:db8::53', port: 5353 }],
    ['[2001:db8::53]', { address: '2001:db8::53', port: 53 }],
  ])('%j parses', (text, value) => {
    expect(parseResolverAddress(text)).toEqual({ ok: true, value });
  });

  it.each(['', 'dns.example', '192.0.2.53:', '192.0.2.53:0', '192.0.2.53:65536', '192.0.2.53:+53', '[192.0.2.53]:53', '2001:db8::53:53x', '[::1]x'])(
    '%j is refused', (text) => {
      expect(parseResolverAddress(text)).toMatchObject({ ok: false, problem: expect.any(String) });
    });

  it('reads nameserver lines from resolv.conf, at most three, and falls back to 127.0.0.1:53', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-resolv-'));
    const file = join(dir, 'resolv.conf');
    writeFileSync(file, '# comment\nsearch example\nnameserver 192.0.2.1\n  nameserver 2001:db8::1\nnameserver bogus\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n');
    expect(systemResolvers(file)).toEqual([
      { address: '192.0.2.1', port: 53 }, { address: '2001:db8::1', port: 53 }, { address: '192.0.2.3', port: 53 },
    ]);
    writeFileSync(file, 'options edns0\n');
    expect(systemResolvers(file)).toEqual([{ address: '127.0.0.1', port: 53 }]);
    expect(systemResolvers(join(dir, 'missing'))).toEqual([{ address: '127.0.0.1', port: 53 }]);
  });
});
