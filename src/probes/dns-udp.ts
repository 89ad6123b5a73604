import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { Logger } from 'pino';
import type { ResolverAddress } from '../config/config.ts';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import { decodeMessage, peekQuestion } from './dns-answer.ts';
import { queryPacket, sameQuestion, serverLabel, type Asked, type Exchanged } from './dns-wire.ts';

/**
 * Answers wait here while the event loop is busy: Linux's default (208 KiB) was measured to hold 92 answers of 1232
 * bytes or 256 of 120. The kernel caps the request at net.core.rmem_max, silently: where that cap is small fewer
 * answers fit, and a lost one is asked again when its attempt times out.
 */
const RECV_BUFFER_BYTES = 4 << 20;
/**
 * libuv reads at most 32 datagrams from one UDP socket per event-loop turn (uv__udp_recvmsg), however many wait: in
 * a scan whose loop turns slowly (hundreds of TLS sockets), one socket's answers waited there for about a second
 * each (issue 11 bench, window 500). A new socket is opened when every open one has this many questions out.
 */
const DATAGRAMS_PER_TURN = 32;
/** With DNS_IN_FLIGHT (256) questions out, 8 sockets of 32 let one loop turn read every answer. */
export const UDP_SOCKETS_PER_FAMILY = 8;

type Pending = {
  readonly address: string; readonly port: number; readonly question: Asked;
  answer(packet: DecodedPacket, bytes: Buffer): void;
  fail(err: Error): void;
};
type Channel = { readonly socket: dgram.Socket; readonly pending: Map<number, Pending> };

/** UDP exchanges over a few shared sockets per address family (each with its own random ids and source port). */
export type UdpTransport = {
  /** Sends one query and waits `timeoutMs` from now for its reply: the first from `server` with its id and question. */
  exchange(server: ResolverAddress, question: Asked, timeoutMs: number, signal: AbortSignal): Promise<DecodedPacket>;
  /** The same, with the reply's bytes as received (DNSSEC validation reads records as they were signed). */
  exchangeRaw(server: ResolverAddress, question: Asked, timeoutMs: number, signal: AbortSignal): Promise<Exchanged>;
  /** Closes the sockets: exchanges in flight, and later ones, reject with `error`. */
  close(error: Error): void;
};

export function udpTransport(log: Logger | undefined): UdpTransport {
  const pools: Record<4 | 6, Channel[]> = { 4: [], 6: [] };
  let closedWith: Error | undefined;

  const ignored = (why: string, rinfo: dgram.RemoteInfo): void =>
    log?.debug({ from: `${rinfo.address}:${rinfo.port}` }, `dns reply ignored: ${why}`);

  const open = (family: 4 | 6): Channel => {
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
    const channel: Channel = { socket, pending: new Map() };
    socket.unref(); // in-flight attempts keep the process alive through their (ref'd) timers, not the socket
    socket.on('message', (msg, rinfo) => {
      // RFC 5452 9.1: accept only a reply from the address and port queried, with our id and our question.
      const entry = msg.length >= 2 ? channel.pending.get(msg.readUInt16BE(0)) : undefined;
      if (!entry || rinfo.port !== entry.port || rinfo.address !== entry.address) return ignored('unknown id or source', rinfo);
      let packet: DecodedPacket;
      try {
        packet = decodeMessage(msg, serverLabel(entry));
      } catch (err) {
        // Our id from the server we asked: a broken reply, reported at once (not waited out as a timeout), unless
        // what can still be read of it shows another question (then it may be a spoofing attempt: ignored).
        if (peekQuestion(msg, entry.question) === 'mismatch') return ignored('undecodable, for another question', rinfo);
        return entry.fail(err as Error);
      }
      if (!packet.flag_qr || !sameQuestion(packet, entry.question)) return ignored('question mismatch', rinfo);
      entry.answer(packet, msg);
    });
    socket.on('error', (err) => {
      log?.warn({ err }, 'dns socket error');
      const pool = pools[family];
      if (pool.includes(channel)) pool.splice(pool.indexOf(channel), 1);
      socket.close();
      for (const entry of channel.pending.values()) entry.fail(err);
    });
    pools[family].push(channel);
    return channel;
  };

  /** The first socket with room in one loop turn's read, else a new one while the pool may grow, else the least busy. */
  const channelFor = (family: 4 | 6): Channel => {
    const pool = pools[family];
    let quietest: Channel | undefined;
    for (const channel of pool) {
      if (channel.pending.size < DATAGRAMS_PER_TURN) return channel;
      if (!quietest || channel.pending.size < quietest.pending.size) quietest = channel;
    }
    return quietest && pool.length >= UDP_SOCKETS_PER_FAMILY ? quietest : open(family);
  };

  const transport: UdpTransport = {
    exchange: (server, question, timeoutMs, signal) => transport.exchangeRaw(server, question, timeoutMs, signal).then((r) => r.packet),
    exchangeRaw(server, question, timeoutMs, signal) {
      if (closedWith) return Promise.reject(closedWith);
      if (signal.aborted) return Promise.reject(abortReason(signal)); // its 'abort' event has passed: it would wait
      const channel = channelFor(net.isIPv6(server.address) ? 6 : 4);
      const id = freeId(channel.pending);
      const label = serverLabel(server);
      return new Promise<Exchanged>((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          channel.pending.delete(id);
        };
        const onAbort = () => { cleanup(); reject(abortReason(signal)); };
        const timer = setTimeout(() => {
          cleanup();
          reject(new ProbeError('timeout', label, `no answer to ${question.type} ${question.name} within ${timeoutMs} ms`));
        }, timeoutMs);
        signal.addEventListener('abort', onAbort, { once: true });
        channel.pending.set(id, {
          address: server.address, port: server.port, question,
          answer(packet, bytes) { cleanup(); resolve({ packet, bytes }); },
          fail(err) { cleanup(); reject(closedWith ? err : toProbeError(err, label)); },
        });
        channel.socket.send(dnsPacket.encode(queryPacket(id, question)), server.port, server.address, (err) => {
          if (err) { cleanup(); reject(toProbeError(err, label)); }
        });
      });
    },
    close(error) {
      closedWith = error;
      for (const pool of Object.values(pools)) {
        for (const channel of pool.splice(0)) {
          channel.socket.close();
          for (const entry of channel.pending.values()) entry.fail(error);
        }
      }
    },
  };
  return transport;
}

/** A random id no other query in flight on this socket uses (RFC 5452 9.2: ids must be unpredictable). */
function freeId(pending: ReadonlyMap<number, Pending>): number {
  for (;;) {
    const id = Math.floor(Math.random() * 0x10000);
    if (!pending.has(id)) return id;
  }
}
