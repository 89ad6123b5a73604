import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { encodeMessage, FLAG, parseMessage, type Message } from './message.ts';
import { nameFromText, namesEqual } from './name.ts';
import { CLASS_IN, typeNumber } from './rr-types.ts';
import type { DnssecFetch, FetchedAnswer } from './validator/types.ts';

/**
 * A DnssecFetch straight over the wire to one resolver: UDP with EDNS0, DO and CD (RFC 4035 3.2.1, 3.2.2), and TCP
 * when the UDP answer is truncated (RFC 7766 5) or when asked to. For the lab, tests and tools; the scan passes
 * its own resolver's answers through `fetchedFromMessage`.
 */

export type WireFetchOptions = {
  readonly server: { readonly address: string; readonly port: number };
  readonly timeoutMs: number;
  readonly transport?: 'udp' | 'tcp';
};

/** RFC 6891 6.2.5 with the DNS Flag Day 2020 value. */
const EDNS_PAYLOAD = 1232;

/** The parts of a reply the validator reads. */
export function fetchedFromMessage(message: Message): FetchedAnswer {
  return { rcode: message.rcode, answer: message.answer, authority: message.authority, authenticated: (message.flags & FLAG.AD) !== 0 };
}

export function createWireFetch(options: WireFetchOptions): DnssecFetch {
  return async (nameText, typeText) => {
    const name = nameFromText(nameText);
    const type = typeNumber(typeText);
    if (!name || type === undefined) throw new RangeError(`not a question: ${nameText} ${typeText}`);
    const id = randomInt(0x10000);
    const query = encodeMessage({
      id, flags: FLAG.RD | FLAG.CD | FLAG.AD, rcode: 0, questions: [{ name, type, class: CLASS_IN }],
      edns: { udpPayloadSize: EDNS_PAYLOAD, dnssecOk: true, version: 0 },
    });
    const matches = (message: Message) => message.id === id && (message.flags & FLAG.QR) !== 0 && message.questions.length === 1
      && namesEqual(message.questions[0]!.name, name) && message.questions[0]!.type === type;
    let reply = options.transport === 'tcp' ? undefined : await overUdp(options, query, matches);
    if (!reply || (reply.flags & FLAG.TC) !== 0) reply = await overTcp(options, query, matches);
    return fetchedFromMessage(reply);
  };
}

function overUdp(options: WireFetchOptions, query: Buffer, matches: (m: Message) => boolean): Promise<Message> {
  const { address, port } = options.server;
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  return new Promise<Message>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer over UDP within ${options.timeoutMs} ms`)), options.timeoutMs);
    socket.on('error', (err) => { clearTimeout(timer); reject(err); });
    socket.on('message', (bytes, from) => {
      const parsed = parseMessage(bytes);
      // RFC 5452 9.1: only a reply from the server, with the query's id and question, is the answer.
      if (from.port !== port || !parsed.ok || !matches(parsed.message)) return;
      clearTimeout(timer);
      resolve(parsed.message);
    });
    socket.send(query, port, address);
  }).finally(() => socket.close());
}

function overTcp(options: WireFetchOptions, query: Buffer, matches: (m: Message) => boolean): Promise<Message> {
  const { address, port } = options.server;
  const length = Buffer.alloc(2);
  length.writeUInt16BE(query.length);
  return new Promise<Message>((resolve, reject) => {
    const socket = net.connect({ host: address, port }, () => socket.write(Buffer.concat([length, query])));
    socket.setTimeout(options.timeoutMs, () => socket.destroy(new Error(`no answer over TCP within ${options.timeoutMs} ms`)));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const parsed = parseMessage(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      socket.destroy();
      if (parsed.ok && matches(parsed.message)) resolve(parsed.message);
      else reject(new Error(parsed.ok ? 'the TCP answer is for another question' : `undecodable answer: ${parsed.error}`));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('the server closed the TCP connection without an answer')));
  });
}
