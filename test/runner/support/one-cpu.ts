import { existsSync, readFileSync } from 'node:fs';

/**
 * `command` and `args` to run `node ...args` on one CPU (its threads still preempt each other at any point), for
 * tests that count connections at a relay (counting-proxy.ts) from scans with several threads or processes. Spread
 * over two CPUs, a connection closed on one (its FIN sent by close(2) before the slot is given back) and the next
 * opened on the other can reach the relay in the other order: loopback delivers each CPU's packets from that CPU's
 * backlog, which a busy machine leaves to a ksoftirqd thread for milliseconds. Seen: 3 open at once as the relay
 * counted, in 4 of 8 two-worker-thread runs under two CPU hogs and once in a full suite; pinned, 0 of 8. On one CPU
 * the packets leave in the order they were sent. Without taskset (util-linux), unpinned.
 */
export function nodeOnOneCpu(args: readonly string[]): { readonly command: string; readonly args: string[] } {
  const allowed = /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return allowed && existsSync('/usr/bin/taskset')
    ? { command: '/usr/bin/taskset', args: ['-c', allowed[1]!, process.execPath, ...args] }
    : { command: process.execPath, args: [...args] };
}
