import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import dnsPacket from 'dns-packet';

/**
 * The minimal scan's network primitives: a stub resolver, a raw hello, a full handshake, an SMTP dialogue up to
 * STARTTLS, and a per-destination limit. Each does what a scanner cannot avoid and nothing else: no parsing of what
 * comes back beyond finding where it ends, no evidence kept.
 */

/** A lost datagram is asked again after this long, up to DNS_ATTEMPTS times. */
const DNS_ATTEMPT_MS = 1_000;
const DNS_ATTEMPTS = 3;
/**
 * Questions in flight at once: the answers to a burst of thousands (500 domains starting together, 10 questions each)
 * overflow the scanner's own UDP receive buffer while its event loop is busy (RcvbufErrors in /proc/net/snmp), and
 * every lost one waits for its retry.
 */
const DNS_IN_FLIGHT = 256;

/**
 * One UDP socket for every query (EDNS0 with DO, as Vouch asks), answers matched by id; resolves with the answers'
 * data. `checkingDisabled`: CD set too, as Vouch's DNSSEC validator asks (RFC 4035 3.2.2), for the signed records.
 */
export type StubResolver = {
  query(name: string, type: dnsPacket.RecordType, options?: { readonly checkingDisabled?: boolean }): Promise<unknown[]>;
  close(): void;
};

export function createStubResolver(server: { address: string; port: number }): StubResolver {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  const pending = new Map<number, (data: unknown[]) => void>();
  const limit = keyedLimit(DNS_IN_FLIGHT);
  let nextId = 0;
  socket.on('message', (msg) => {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(msg);
    } catch {
      return; // not an answer: the question is asked again when its attempt times out
    }
    const done = pending.get(packet.id ?? -1);
    if (done) { pending.delete(packet.id!); done((packet.answers ?? []).map((answer) => ('data' in answer ? answer.data : undefined))); }
  });
  const ask = (name: string, type: dnsPacket.RecordType, cd: boolean): Promise<unknown[]> => new Promise((resolve, reject) => {
    do nextId = (nextId + 1) & 0xffff; while (pending.has(nextId));
    const id = nextId;
    const message = dnsPacket.encode({
      type: 'query', id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA | (cd ? dnsPacket.CHECKING_DISABLED : 0),
      questions: [{ type, name, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }],
    });
    let attempts = 0;
    let timer: NodeJS.Timeout;
    const send = () => {
      if (++attempts > DNS_ATTEMPTS) { pending.delete(id); reject(new Error(`DNS ${type} ${name}: no answer`)); return; }
      socket.send(message, server.port, server.address);
      timer = setTimeout(send, DNS_ATTEMPT_MS);
    };
    pending.set(id, (answers) => { clearTimeout(timer); resolve(answers); });
    send();
  });
  return { query: (name, type, options) => limit('dns', () => ask(name, type, options?.checkingDisabled === true)), close: () => socket.close() };
}

/** At most `limit` operations at a time per key (Vouch's per-destination politeness); idle keys are forgotten. */
export function keyedLimit(limit: number) {
  const slots = new Map<string, { active: number; waiting: (() => void)[] }>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    let slot = slots.get(key);
    if (!slot) slots.set(key, (slot = { active: 0, waiting: [] }));
    if (slot.active >= limit) await new Promise<void>((resolve) => slot!.waiting.push(resolve));
    else slot.active++;
    try {
      return await work();
    } finally {
      const next = slot.waiting.shift();
      if (next) next(); // the slot passes on, still counted
      else if (--slot.active === 0) slots.delete(key);
    }
  };
}

/** Resolves once `socket` has delivered a whole TLS record (or closed): the server's answer to a hello. */
function firstRecord(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    let seen = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      if (seen.length >= 5 && seen.length >= 5 + seen.readUInt16BE(3)) resolve();
    });
    socket.once('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

/** Errors after the connection is made end it (a reset shows as `close`), instead of being thrown by the emitter. */
const quietly = <T extends net.Socket>(socket: T): T => socket.on('error', () => undefined);

export function connect(address: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, noDelay: true });
    socket.once('connect', () => { socket.off('error', reject); resolve(quietly(socket)); });
    socket.once('error', reject);
  });
}

/** Sends a hand-built hello on a connected socket (fresh, or an SMTP session after 220 to STARTTLS), waits for the answer's first record, closes. */
export async function rawHello(socket: net.Socket, hello: Buffer): Promise<void> {
  const answered = firstRecord(socket);
  socket.write(hello);
  await answered;
  socket.destroy();
}

/** A full handshake on `socket` (a fresh connection when absent), verifying the chain and asking for the staple. */
export function handshake(options: {
  address: string; port: number; servername: string; context: tls.SecureContext; socket?: net.Socket; alpn?: boolean;
}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    // requestOCSP is a TLSSocket option that tls.connect passes on; @types/node leaves it out of ConnectionOptions.
    const connectOptions = { servername: options.servername, secureContext: options.context, requestOCSP: true } as tls.ConnectionOptions;
    if (options.socket) connectOptions.socket = options.socket;
    else Object.assign(connectOptions, { host: options.address, port: options.port });
    if (options.alpn) connectOptions.ALPNProtocols = ['http/1.1'];
    const secure = tls.connect(connectOptions);
    secure.setNoDelay(true);
    secure.once('secureConnect', () => { secure.off('error', reject); resolve(quietly(secure)); });
    secure.once('error', reject);
  });
}

/**
 * Reads SMTP replies: each `next()` resolves with the next complete reply (its last line has `NNN ` at its start). A
 * session the server ends early never answers: the minimal scan's per-domain deadline ends the wait.
 */
function smtpReplies(socket: net.Socket) {
  let buffered = '';
  const waiting: ((reply: string) => void)[] = [];
  const ready: string[] = [];
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (let end = buffered.search(/^\d{3} .*\r?\n/m); end !== -1; end = buffered.search(/^\d{3} .*\r?\n/m)) {
      const stop = buffered.indexOf('\n', end) + 1;
      const reply = buffered.slice(0, stop);
      buffered = buffered.slice(stop);
      const taker = waiting.shift();
      if (taker) taker(reply);
      else ready.push(reply);
    }
  };
  socket.on('data', onData);
  return {
    next: (): Promise<string> => {
      const reply = ready.shift();
      return reply !== undefined ? Promise.resolve(reply) : new Promise((resolve) => waiting.push(resolve));
    },
    /** Stops reading, so the socket can be handed to TLS after `220` to STARTTLS. */
    detach: () => socket.off('data', onData),
  };
}

/** Banner, EHLO and STARTTLS: returns when the server said 220 to STARTTLS. */
export async function startTls(socket: net.Socket): Promise<void> {
  const replies = smtpReplies(socket);
  await replies.next();
  socket.write('EHLO bench.vouch.invalid\r\n');
  await replies.next();
  socket.write('STARTTLS\r\n');
  const reply = await replies.next();
  replies.detach();
  if (!reply.startsWith('220')) throw new Error(`STARTTLS refused: ${reply.trim()}`);
}

/** QUIT over the TLS session and wait for 221 (Vouch does, politely), then close. */
export async function quit(secure: tls.TLSSocket): Promise<void> {
  const replies = smtpReplies(secure);
  secure.write('QUIT\r\n');
  await Promise.race([replies.next(), new Promise((resolve) => secure.once('close', resolve))]);
  secure.destroy();
}
