import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { startDnsServer, TIMEOUT } from '../../src/lab/dns-server.ts';
import type { DnsServer, Zone } from '../../src/lab/dns-server.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';

const { defer } = cleanupAfterEach();

async function serve(zone: Zone): Promise<DnsServer> {
  const server = await startDnsServer({ zone });
  defer(() => server.close());
  return server;
}

const query = (name: string, type: string, edns = true): dnsPacket.Packet => ({
  type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as RecordType, class: 'IN' }],
  ...(edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {}),
});

/** One raw UDP exchange, or null when nothing came back within `waitMs`. */
function udp(server: DnsServer, packet: dnsPacket.Packet, waitMs = 1000): Promise<DecodedPacket | null> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => { socket.close(); resolve(null); }, waitMs);
    socket.on('message', (msg) => { clearTimeout(timer); socket.close(); resolve(dnsPacket.decode(msg)); });
    socket.send(dnsPacket.encode(packet), server.port, server.host);
  });
}

/** One raw TCP exchange with RFC 7766 length framing. */
function tcp(server: DnsServer, packet: dnsPacket.Packet): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, server.host, () => socket.write(dnsPacket.streamEncode(packet)));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        socket.destroy();
        resolve(dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      }
    });
    socket.on('error', reject);
  });
}

const rcode = (packet: DecodedPacket | null) => (packet?.flags ?? -1) & 0x0f;
/** Each answer's RDATA as dns-packet decoded it (the OPT pseudo-record has none). */
const rdata = (packet: DecodedPacket | null): unknown[] => (packet?.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

describe('startDnsServer', () => {
  it('answers records, NODATA (name exists) and NXDOMAIN (name does not) on one port for UDP and TCP', async () => {
    const server = await serve({ 'a.test': { A: ['192.0.2.1', '192.0.2.2'] } });
    const records = await udp(server, query('A.Test', 'A'));
    expect(rdata(records)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(records?.id).toBe(4242);
    const nodata = await tcp(server, query('a.test', 'MX'));
    expect([rcode(nodata), nodata.answers]).toEqual([0, []]);
    expect(rcode(await udp(server, query('b.test', 'A')))).toBe(3);
    expect(server.counts).toEqual({ udp: 2, tcp: 1 });
  });

  it('splits a long TXT string into 255-byte character-strings and answers it over TCP when it does not fit UDP', async () => {
    const long = 'x'.repeat(600);
    const server = await serve({ 'txt.test': { TXT: [long, ['a', 'b']] }, 'big.test': { TXT: ['y'.repeat(2000)] } });
    const reply = await udp(server, query('txt.test', 'TXT'));
    expect(rdata(reply).map((d) => (d as Buffer[]).map((s) => s.length))).toEqual([[255, 255, 90], [1, 1]]);
    // RFC 6891 / RFC 2181 9: an answer larger than the client's payload size comes back with TC and no records.
    const truncated = await udp(server, query('big.test', 'TXT'));
    expect([truncated?.flag_tc, truncated?.answers]).toEqual([true, []]);
    const full = await tcp(server, query('big.test', 'TXT'));
    expect(Buffer.concat(rdata(full)[0] as Buffer[]).toString()).toBe('y'.repeat(2000));
  });

  it('honours the per-name overrides and the per-type TIMEOUT marker', async () => {
    const server = await serve({
      'fail.test': { servfail: true }, 'no.test': { refused: true }, 'mute.test': { silent: true, A: ['192.0.2.1'] },
      'tc.test': { truncate: true, A: ['192.0.2.1'] }, 'ad.test': { ad: true, A: ['192.0.2.1'] },
      'slow.test': { A: ['192.0.2.1'], TXT: TIMEOUT },
    });
    expect(rcode(await udp(server, query('fail.test', 'A')))).toBe(2);
    expect(rcode(await udp(server, query('no.test', 'A')))).toBe(5);
    expect(await udp(server, query('mute.test', 'A'), 100)).toBeNull();
    expect(await udp(server, query('slow.test', 'TXT'), 100)).toBeNull();
    expect((await udp(server, query('slow.test', 'A')))?.answers).toHaveLength(1);
    const tc = await udp(server, query('tc.test', 'A'));
    expect([tc?.flag_tc, tc?.answers]).toEqual([true, []]);
    expect(rdata(await tcp(server, query('tc.test', 'A')))).toEqual(['192.0.2.1']);
    expect((await udp(server, query('ad.test', 'A')))?.flag_ad).toBe(true);
  });

  it('chases CNAMEs within the zone and sees zone changes made while it runs', async () => {
    const zone: Zone = { 'www.test': { CNAME: 'cdn.test' }, 'cdn.test': { CNAME: 'edge.test' } };
    const server = await serve(zone);
    const dangling = await udp(server, query('www.test', 'A'));
    // RFC 6604: the rcode is that of the last name in the chain.
    expect([rcode(dangling), rdata(dangling)]).toEqual([3, ['cdn.test', 'edge.test']]);
    zone['edge.test'] = { A: ['192.0.2.9'] };
    const chased = await udp(server, query('www.test', 'A'));
    expect((chased?.answers ?? []).map((a, i) => `${a.type} ${String(rdata(chased)[i])}`)).toEqual(['CNAME cdn.test', 'CNAME edge.test', 'A 192.0.2.9']);
  });

  it('plays the DNSSEC and recursion cases of issue 8: referral, bogus (CD), RRSIGs, DS from the parent, partial chains', async () => {
    const dnssec = (type: string, cd = false): dnsPacket.Packet => {
      const q = query('x', type);
      return { ...q, flags: (q.flags ?? 0) | (cd ? dnsPacket.CHECKING_DISABLED : 0),
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }] };
    };
    const ask = (name: string, type: string, cd = false) => udp(server, { ...dnssec(type, cd), questions: [{ name, type: type as RecordType, class: 'IN' }] });
    const zone: Zone = {
      'ref.test': { referral: ['ns1.ref.test'] }, 'bogus.test': { bogus: true, A: ['192.0.2.1'] },
      'signed.test': { signed: true, ad: true, A: ['192.0.2.2'] }, 'child.signed.test': { A: ['192.0.2.3'], DS: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'ab' }] },
      'a.test': { CNAME: 'b.test' }, 'b.test': { CNAME: 'c.test' }, 'c.test': { CNAME: 'a.test' },
    };
    const server = await startDnsServer({ zone, chaseLimit: 2 });
    defer(() => server.close());
    // RFC 2308 2.2: NOERROR, no AA, empty answer, NS in authority.
    const referral = await ask('ref.test', 'A');
    expect([rcode(referral), referral?.flag_aa, referral?.answers, referral?.authorities?.map((a) => a.type)]).toEqual([0, false, [], ['NS']]);
    // RFC 4035 3.2.2: SERVFAIL unless CD is set.
    expect(rcode(await ask('bogus.test', 'A'))).toBe(2);
    const unchecked = await ask('bogus.test', 'A', true);
    expect([rcode(unchecked), unchecked?.flag_cd, unchecked?.flag_ad, rdata(unchecked)]).toEqual([0, true, false, ['192.0.2.1']]);
    // RFC 4035 3.1.1, 3.1.3: RRSIG per RRset; NSEC and its RRSIG for NODATA.
    expect((await ask('signed.test', 'A'))?.answers?.map((a) => a.type)).toEqual(['A', 'RRSIG']);
    expect((await ask('signed.test', 'MX'))?.authorities?.map((a) => a.type)).toEqual(['NSEC', 'RRSIG']);
    // RFC 4034 5: DS is the parent's, so it takes the parent's flags.
    const ds = await ask('child.signed.test', 'DS');
    expect([ds?.flag_ad, ds?.answers?.map((a) => a.type)]).toEqual([true, ['DS', 'RRSIG']]);
    expect((await ask('child.signed.test', 'A'))?.flag_ad).toBe(false);
    // The restart limit and loops: NOERROR with the chain so far.
    const loop = await ask('a.test', 'A');
    expect([rcode(loop), rdata(loop)]).toEqual([0, ['b.test', 'c.test']]);
  });

  it('makes records for names outside the zone from the name, and reports every question asked', async () => {
    const asked: string[] = [];
    const server = await startDnsServer({
      zone: { 'fixed.test': { A: ['192.0.2.9'] } },
      synthesize: (name) => (/^host\d+\.made\.test$/.test(name) ? { A: [`192.0.2.${name.match(/\d+/)![0]}`] } : undefined),
      onQuery: (name, type) => asked.push(`${type} ${name}`),
    });
    defer(() => server.close());
    expect(rdata(await udp(server, query('Host7.made.test.', 'A')))).toEqual(['192.0.2.7']);
    expect(rdata(await tcp(server, query('fixed.test', 'A')))).toEqual(['192.0.2.9']);
    expect(rcode(await udp(server, query('other.made.test', 'A')))).toBe(3);
    expect(asked).toEqual(['A host7.made.test', 'A fixed.test', 'A other.made.test']);
  });
});
