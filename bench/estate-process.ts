import { createInterface } from 'node:readline';
import { startBenchEstate } from './bench-estate.ts';

/**
 * The benchmark's simulated estate, in a process of its own so that the scanners' CPU time is measured alone.
 * argv: domains, web addresses, one-way latency in ms. Prints one JSON line with what a scanner needs (the estate's
 * DNS, connect-to rules, CA, DNSSEC trust anchor), then answers each `counters` line on stdin with one JSON line
 * of the servers' counters and its own CPU time, until stdin closes or SIGTERM.
 */
const [domains = 1000, webAddresses = 256, oneWayMs = 0] = process.argv.slice(2).map(Number);
const estate = await startBenchEstate({ domains, webAddresses }, { oneWayMs });
const { dns, connectTo, caPem, anchorsText } = estate;
process.stdout.write(`${JSON.stringify({ dns, connectTo, caPem, anchorsText })}\n`);

const stop = () => { void estate.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line.trim() !== 'counters') return;
  void estate.counters().then((counters) => {
    // process.cpuUsage counts every thread of the process: the servers and the DNS thread.
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ ...counters, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  });
});
commands.on('close', stop);
