import net from 'node:net';
import { startTlsVariant, type TlsVariantName } from '../src/lab/tls-variants.ts';

/**
 * The TLS bench's lab endpoints (src/lab/tls-variants.ts), in a process of their own (the other core) so that the
 * scanner's CPU time is measured alone. argv: variant names. Sends one IPC message with each variant's port, then
 * answers `{ count: true }` with the TCP connections each port has accepted so far, and serves until killed.
 *
 * Connections are counted at the server, for every client alike (Vouch and sslscan): every `net.Server` in this
 * process (node:tls servers and the SMTP server are `net.Server`s) has its `connection` events counted per port.
 */
const counts = new Map<number, number>();
type Emit = (this: net.Server, event: string | symbol, ...args: unknown[]) => boolean;
const emit = net.Server.prototype.emit as Emit;
net.Server.prototype.emit = function (this: net.Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'connection') {
    const port = (this.address() as net.AddressInfo | null)?.port ?? 0;
    counts.set(port, (counts.get(port) ?? 0) + 1);
  }
  return emit.call(this, event, ...args);
} as typeof net.Server.prototype.emit;

const names = process.argv.slice(2) as TlsVariantName[];
const variants = await Promise.all(names.map(startTlsVariant));
process.send!({ ports: Object.fromEntries(variants.map((v) => [v.name, { host: v.host, port: v.port, starttls: v.starttls }])) });
process.on('message', (message: { count?: boolean }) => {
  if (message.count) process.send!({ counts: Object.fromEntries(counts) });
});
process.on('SIGTERM', () => { void Promise.all(variants.map((v) => v.close())).then(() => process.exit(0)); });
process.on('disconnect', () => process.exit(0));
