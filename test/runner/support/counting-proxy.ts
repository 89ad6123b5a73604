import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * A TCP proxy on 127.0.0.1 in front of a lab server, in a process of its own, counting the connections open through
 * it at once, as the server sees them (not as the scanner's event loop, which would also run the proxy's callbacks).
 *
 * When a client closes one connection and at once opens the next (a connection slot passed on), the proxy may see
 * the new connection a fraction of a millisecond before the old one's FIN, on a busy machine (seen: 0.17-0.41 ms).
 * Not a slot given back early: the scanner closes the socket (FIN sent by close(2): raw and node:tls sockets alike
 * close their descriptor within destroy(), and a relay in one process saw the FIN first in 100 of 100 handovers
 * each way) before the next connect. Two causes: the proxy may handle the accept before the end that arrived in the
 * same poll; and with threads or processes on two CPUs, loopback delivers each CPU's packets from its own backlog,
 * so under load the SYN can overtake the FIN by milliseconds (a two-worker scan under two CPU hogs: 4 of 8 runs;
 * once in a full suite by more than the allowance below). Tests whose scans span threads or processes therefore run
 * them on one CPU (one-cpu.ts), and a connection counts from HANDOVER_US after it was accepted: an overlap shorter
 * than that is the handover, not a third connection. A real one lasts a whole exchange (a handshake, a quiet window:
 * milliseconds), and the unlimited test shows those are seen.
 */
export const HANDOVER_US = 1000;

export type CountingProxy = {
  readonly port: number;
  /** Connections accepted in all, and the most that were open at the same time. */
  counts(): Promise<{ readonly connections: number; readonly maxOpen: number }>;
  close(): Promise<void>;
};

// Plain JavaScript for `node -e`: each connection's [accepted, closed] in microseconds, the maximum computed on demand.
const PROXY_SOURCE = `
const net = require('node:net');
const [target, handoverUs] = process.argv.slice(1).map(Number);
const micros = () => Number(process.hrtime.bigint() / 1000n);
const spans = [];
const server = net.createServer((client) => {
  const span = { from: micros(), to: null };
  spans.push(span);
  const upstream = net.connect({ host: '127.0.0.1', port: target });
  const done = () => { span.to ??= micros(); upstream.destroy(); client.destroy(); };
  client.on('end', done).on('error', done).on('close', done);
  upstream.on('end', done).on('error', done).on('close', done);
  client.pipe(upstream);
  upstream.pipe(client);
});
function maxOpen() {
  const now = micros();
  const events = [];
  for (const s of spans) {
    const from = s.from + handoverUs, to = s.to ?? now;
    if (to > from) events.push([from, 1], [to, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0, max = 0;
  for (const [, d] of events) max = Math.max(max, open += d);
  return max;
}
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ connections: spans.length, maxOpen: maxOpen() }));
process.on('disconnect', () => process.exit(0));
`;

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  const child = spawn(process.execPath, ['-e', PROXY_SOURCE, String(targetPort), String(HANDOVER_US)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [{ port: number }];
  return {
    port: ready.port,
    async counts() {
      child.send('counts');
      const [counts] = (await once(child, 'message')) as [{ connections: number; maxOpen: number }];
      return counts;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}
