import type dgram from 'node:dgram';
import type net from 'node:net';
import { encodeMessage, FLAG, parseMessage, RCODE, type Message } from '../../dnssec/message.ts';
import { nameToText } from '../../dnssec/name.ts';
import { CLASS_IN, typeName } from '../../dnssec/rr-types.ts';
import { bindBoth } from '../dns-server.ts';
import { serveDnsOverTcp } from '../dns-tcp-framing.ts';
import { answerQuestion } from './responder.ts';
import type { SignedZone } from './signer.ts';

/**
 * A DNS server on loopback (UDP and TCP on one port) for the lab's really signed zones, answering as a recursive
 * resolver asked with CD would (responder.ts). Separate from dns-server.ts, whose zones carry dummy signatures.
 */

export type SignedZoneServer = {
  readonly host: string;
  readonly port: number;
  /** Every question received, `name. TYPE` (lower-case name), in order: to count what a validation asked. */
  readonly questions: string[];
  close(): Promise<void>;
};

/** RFC 1035 4.2.1 without EDNS; RFC 6891 6.2.5 caps what a client may offer. */
const CLASSIC_UDP_LIMIT = 512;
const MAX_UDP_PAYLOAD = 4096;

export async function startSignedZoneServer(zones: readonly SignedZone[], host = '127.0.0.1'): Promise<SignedZoneServer> {
  const questions: string[] = [];
  const connections = new Set<net.Socket>();
  const reply = (bytes: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined => {
    const parsed = parseMessage(bytes);
    if (!parsed.ok || (parsed.message.flags & FLAG.QR) !== 0) return undefined; // garbage and replies get no answer
    const query = parsed.message;
    const question = query.questions[0];
    if (query.questions.length !== 1 || !question || question.class !== CLASS_IN) return respond(query, RCODE.FORMERR, transport);
    questions.push(`${nameToText(question.name).toLowerCase()} ${typeName(question.type)}`);
    const answer = answerQuestion(zones, question.name, question.type, query.edns?.dnssecOk === true);
    return respond(query, answer.rcode, transport, answer.answer, answer.authority);
  };
  const onUdp = (udp: dgram.Socket) => (message: Buffer, from: dgram.RemoteInfo) => {
    const response = reply(message, 'udp');
    if (response) udp.send(response, from.port, from.address);
  };
  const onTcp = (socket: net.Socket) => serveDnsOverTcp(socket, connections, (message, write) => {
    const response = reply(message, 'tcp');
    if (response) write(response);
  });
  const { udp, tcp, port } = await bindBoth(host, 0, onUdp, onTcp);
  return {
    host, port, questions,
    close: async () => {
      for (const socket of connections) socket.destroy();
      await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
    },
  };
}

export function respond(query: Message, rcode: number, transport: 'udp' | 'tcp', answer: Message['answer'] = [], authority: Message['authority'] = []): Buffer {
  // A resolver's answer: RA set, AA clear, RD and CD echoed (RFC 4035 3.2.2); EDNS answered with EDNS, DO echoed (RFC 3225 3).
  const flags = FLAG.QR | FLAG.RA | (query.flags & (FLAG.RD | FLAG.CD));
  const edns = query.edns && { udpPayloadSize: 1232, dnssecOk: query.edns.dnssecOk, version: 0 };
  const base = { id: query.id, flags, rcode, questions: query.questions, ...(edns ? { edns } : {}) };
  const full = encodeMessage({ ...base, answer, authority });
  const limit = query.edns ? Math.min(Math.max(CLASSIC_UDP_LIMIT, query.edns.udpPayloadSize), MAX_UDP_PAYLOAD) : CLASSIC_UDP_LIMIT;
  // RFC 2181 9: what does not fit goes out truncated, with TC set, for the client to ask again over TCP.
  return transport === 'udp' && full.length > limit ? encodeMessage({ ...base, flags: flags | FLAG.TC }) : full;
}
