import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { ResolverAddress } from '../config/config.ts';
import type { Question } from './dns-answer.ts';

/** What the stub resolver's UDP and TCP exchanges share: the query they send and how a reply must match it. */

/** The question on the wire: name and type, plus the CD bit it was asked with. */
export type Asked = Question & { readonly checkingDisabled: boolean };

/** A reply, decoded, and its bytes as received. */
export type Exchanged = { readonly packet: DecodedPacket; readonly bytes: Buffer };

/** RFC 6891 6.2.5 with the DNS Flag Day 2020 value: 1232 bytes avoids IP fragmentation on common paths. */
export const EDNS_PAYLOAD = 1232;

export function queryPacket(id: number, question: Asked): dnsPacket.Packet {
  return {
    type: 'query', id,
    // RFC 6840 5.7: AD in a query asks for the AD bit in the answer. RFC 4035 3.2.2: CD asks for the data unvalidated.
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA | (question.checkingDisabled ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ name: question.name, type: question.type as dnsPacket.RecordType, class: 'IN' }],
    // RFC 6891 6.1.2: the OPT pseudo-record; RFC 3225 3: DO, so a validating resolver validates and sets AD.
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0,
      flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }],
  };
}

export function sameQuestion(packet: DecodedPacket, question: Question): boolean {
  const q = packet.questions?.length === 1 ? packet.questions[0] : undefined;
  return q !== undefined && (q.type as string) === question.type && (q.class ?? 'IN') === 'IN'
    && q.name.toLowerCase() === question.name.toLowerCase();
}

/** `address:port`, with brackets around an IPv6 address. */
export function serverLabel(server: ResolverAddress): string {
  return net.isIPv6(server.address) ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}
