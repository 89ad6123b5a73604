import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { ResolverAddress } from '../config/config.ts';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import { decodeMessage } from './dns-answer.ts';
import { queryPacket, sameQuestion, serverLabel, type Asked, type Exchanged } from './dns-wire.ts';

/** RFC 7766 8: the 2-byte length prefix caps a TCP message at 65535 bytes. */
const MAX_TCP_MESSAGE = 0xffff;

/** One query over its own TCP connection with RFC 7766 8 length framing (the retry of a truncated UDP answer). */
export function tcpExchange(server: ResolverAddress, question: Asked, timeoutMs: number, signal: AbortSignal): Promise<DecodedPacket> {
  return tcpExchangeRaw(server, question, timeoutMs, signal).then((r) => r.packet);
}

/** The same, with the reply's bytes as received. */
export function tcpExchangeRaw(server: ResolverAddress, question: Asked, timeoutMs: number, signal: AbortSignal): Promise<Exchanged> {
  const label = serverLabel(server);
  const id = Math.floor(Math.random() * 0x10000);
  return new Promise<Exchanged>((resolve, reject) => {
    const socket = net.connect({ host: server.address, port: server.port, noDelay: true });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      settle();
    };
    const onAbort = () => finish(() => reject(abortReason(signal)));
    const timer = setTimeout(() => finish(() =>
      reject(new ProbeError('timeout', label, `no TCP answer to ${question.type} ${question.name} within ${timeoutMs} ms`))), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(queryPacket(id, question))));
    socket.on('error', (err) => finish(() => reject(toProbeError(err, label))));
    socket.on('end', () => finish(() => reject(new ProbeError('protocol', label, 'TCP connection closed before a complete answer'))));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0)); // never more than MAX_TCP_MESSAGE bytes
      finish(() => {
        try {
          const packet = decodeMessage(message, label);
          // On a connection of our own a wrong id or question is a broken server, not an off-path spoof to wait out.
          if (packet.id !== id || !packet.flag_qr || !sameQuestion(packet, question)) throw new Error('it does not match the query');
          resolve({ packet, bytes: Buffer.from(message) });
        } catch (err) {
          if (err instanceof ProbeError) return reject(err);
          reject(new ProbeError('protocol', label, `bad TCP answer (${message.length} of at most ${MAX_TCP_MESSAGE} bytes): ${(err as Error).message}`));
        }
      });
    });
  });
}
