import type net from 'node:net';

/** A TCP message is at most 65,535 bytes after its 2-byte length (RFC 1035 4.2.2): more buffered is not DNS. */
const MAX_TCP_BUFFER = 2 + 0xffff;

/** A DNS message with its 2-byte length prefix, as DNS over TCP sends it (RFC 1035 4.2.2). */
export function frame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from([message.length >> 8, message.length & 255]), message]);
}

/**
 * Serves DNS over one TCP connection for the lab's servers: every length-prefixed query in turn (RFC 7766 6.2.1.1: a
 * client may pipeline several on one connection) to `answer`, whose reply (if any) is framed and written back; a
 * connection that buffers more than one message can hold is not DNS and is closed. `connections` tracks the open ones
 * so that the server's close can destroy them.
 */
export function serveDnsOverTcp(socket: net.Socket, connections: Set<net.Socket>, answer: (message: Buffer, reply: (response: Buffer) => void) => void): void {
  connections.add(socket);
  socket.on('close', () => connections.delete(socket));
  socket.on('error', () => socket.destroy());
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length > MAX_TCP_BUFFER) return void socket.destroy();
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + message.length);
      answer(message, (response) => { if (socket.writable) socket.write(frame(response)); });
    }
    return undefined;
  });
}
