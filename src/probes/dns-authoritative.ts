import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { abortReason } from '../core/deadline.ts';
import { ProbeError } from '../core/errors.ts';
import type { ErrorReason } from '../core/types.ts';
import { RCODES } from './dns-answer.ts';

/**
 * One question asked straight at one name server, as a resolver asks an authority: RD clear (RFC 1035 4.1.1), so the
 * server answers only from its own zones, and the reply's AA bit says whether it holds the zone. No EDNS: an SOA
 * fits 512 bytes, and a server that mishandles EDNS must not look lame for that.
 */

/** RFC 1035 4.2: name servers answer on port 53; a `connectTo` rule for `<ns>:53` may send the question elsewhere (the lab). */
export const DNS_PORT = 53;

/** One address of a name server and what it said (or why it said nothing). */
export type NameServerAddress = {
  readonly address: string;
  /** The port asked, when `connectTo` moved it from 53. */
  readonly dialPort?: number;
  readonly reply: SoaReply | null;
  readonly error: { readonly reason: Exclude<ErrorReason, 'internal'>; readonly message: string } | null;
};

/** A name server asked, at each of its addresses, for the SOA of a zone it is listed for. */
export type NameServerFacts = {
  readonly nameServer: string;
  readonly zone: string;
  /** Its addresses could not be found (the resolver failed): why. Empty `addresses` with null here: the name has none. */
  readonly resolutionError: string | null;
  readonly addresses: readonly NameServerAddress[];
  readonly observedAt: string;
};

/** What one name server said about `zone`'s SOA. */
export type SoaReply = {
  readonly rcode: string;
  /** RFC 1035 4.1.1: the server is an authority for the zone (AA). */
  readonly authoritative: boolean;
  /** The SOA serial in the answer section, if one came back for the zone itself. */
  readonly serial: number | null;
  /** The SOA's primary name server (MNAME), when present. */
  readonly primary: string | null;
};

/** Reads an SOA reply: pure, for table tests. */
export function readSoaReply(packet: DecodedPacket, zone: string): SoaReply {
  const rcode = RCODES[(packet.flags ?? 0) & 0xf] ?? `RCODE${(packet.flags ?? 0) & 0xf}`;
  const soa = (packet.answers ?? []).find((a) => a.type === 'SOA' && bare(a.name) === bare(zone));
  const data = soa?.type === 'SOA' ? soa.data : undefined;
  return {
    rcode, authoritative: packet.flag_aa === true,
    serial: typeof data?.serial === 'number' ? data.serial : null,
    primary: data?.mname ? bare(data.mname) : null,
  };
}

/**
 * Asks `address:port` for the SOA of `zone` over UDP with RD=0 and waits `timeoutMs` for the reply with the same id
 * and question from that address. Rejects with ProbeError `timeout` when none comes, `unreachable` when no route
 * leads there, or the signal's reason when it aborts.
 */
export function askSoa(address: string, port: number, zone: string, timeoutMs: number, signal: AbortSignal): Promise<SoaReply> {
  const where = net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    const id = randomInt(0, 0x10000);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.close();
      settle();
    };
    const onAbort = () => done(() => reject(abortReason(signal)));
    const timer = setTimeout(() => done(() => reject(new ProbeError('timeout', where, `no answer to SOA ${zone} within ${timeoutMs} ms`))), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    // ECONNREFUSED: an ICMP port unreachable came back (nothing listens on the port); ENETUNREACH: no route from here.
    socket.on('error', (err: NodeJS.ErrnoException) => done(() => reject(new ProbeError(
      err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ENETUNREACH' || err.code === 'EHOSTUNREACH' || err.code === 'EADDRNOTAVAIL' ? 'unreachable' : 'protocol',
      where, `SOA ${zone}: ${err.code ?? err.message}`, { stage: 'connect' }))));
    socket.on('message', (message, rinfo) => {
      if (rinfo.port !== port || !sameAddress(rinfo.address, address)) return;
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(message);
      } catch {
        return; // garbage is not the reply: keep waiting until the deadline
      }
      const question = packet.questions?.[0];
      if (packet.id !== id || !packet.flag_qr || question?.type !== 'SOA' || bare(question.name) !== bare(zone)) return;
      done(() => resolve(readSoaReply(packet, zone)));
    });
    const query = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ name: bare(zone) || '.', type: 'SOA', class: 'IN' }] });
    socket.send(query, port, address);
  });
}

const bare = (name: string): string => name.toLowerCase().replace(/\.$/, '');

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  return net.isIPv6(a) && net.isIPv6(b) && new URL(`http://[${a}]/`).hostname === new URL(`http://[${b}]/`).hostname;
}
