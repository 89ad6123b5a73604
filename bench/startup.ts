import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * `node dist/bench/startup.js [--runs 11] [--json]`: the CPU cost of a one-domain CLI run (issue 11: at most 0.35 s
 * for `vouch scan example.nl --only tls.protocol-versions` on a quiet machine), measured side by side with `node -e 0`,
 * alternately, and printed as medians of user + system CPU time. The resolver is a loopback UDP socket that
 * answers every question with NXDOMAIN and the timeout is 200 ms, so no packet leaves the machine and the run is
 * start-up, the resolver check, the domain's DNS question answered at once, and the report.
 */
const { values } = parseArgs({ options: { runs: { type: 'string', default: '11' }, json: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const cli = here('../src/cli/main.js');

const silent = dgram.createSocket('udp4');
// Every question is answered NXDOMAIN at once (its own bytes, QR set, rcode 3): the CLI's resolver check before the
// scan sees a resolver that serves (REFUSED would stop the run there), and the domain's question ends at once, so the
// run is still start-up, that question, and the report.
silent.on('message', (query: Buffer, from: dgram.RemoteInfo) => {
  const nxdomain = Buffer.from(query);
  nxdomain[2]! |= 0x80;
  nxdomain[3] = (nxdomain[3]! & 0xf0) | 3;
  silent.send(nxdomain, from.port, from.address);
});
await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
const resolver = `127.0.0.1:${silent.address().port}`;
const dir = await mkdtemp(join(tmpdir(), 'vouch-startup-'));
// Node cannot tell a parent its child's CPU time, so each child reports its own as it exits, from a preloaded
// CommonJS file: `--import` of an ES module would start the ES module loader in `node -e 0` too and cost it ~30 ms.
const reporter = join(dir, 'cpu-at-exit.cjs');
await writeFile(reporter, `process.on('exit', () => require('node:fs').writeFileSync(process.env.VOUCH_BENCH_CPU_FILE, JSON.stringify(process.cpuUsage())));\n`);

const commands: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'vouch scan --only tls.protocol-versions': [cli, 'scan', 'example.nl', '--only', 'tls.protocol-versions', '--resolver', resolver, '--timeout', '200'],
};
const samples = new Map<string, { cpuMs: number[]; wallMs: number[] }>(Object.keys(commands).map((name) => [name, { cpuMs: [], wallMs: [] }]));

try {
  for (let run = 0; run < runs; run++) {
    for (const [name, args] of Object.entries(commands)) {
      const { cpuMs, wallMs } = await measure(args);
      samples.get(name)!.cpuMs.push(cpuMs);
      samples.get(name)!.wallMs.push(wallMs);
    }
  }
} finally {
  silent.close();
  await rm(dir, { recursive: true, force: true });
}

const rows = [...samples].map(([command, s]) => ({
  command, runs, cpuMsMedian: median(s.cpuMs), cpuMsMin: Math.min(...s.cpuMs), cpuMsMax: Math.max(...s.cpuMs), wallMsMedian: median(s.wallMs),
}));
if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
else for (const r of rows) process.stdout.write(`${r.command.padEnd(42)} CPU median ${r.cpuMsMedian} ms (min ${r.cpuMsMin}, max ${r.cpuMsMax}), wall median ${r.wallMsMedian} ms\n`);

async function measure(args: readonly string[]): Promise<{ cpuMs: number; wallMs: number }> {
  const file = join(dir, 'cpu.json');
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', reporter, ...args], {
    stdio: 'ignore', env: { ...process.env, VOUCH_BENCH_CPU_FILE: file },
  });
  await once(child, 'close');
  const wallMs = Math.round(performance.now() - started);
  const cpu = JSON.parse(await readFile(file, 'utf8')) as { user: number; system: number };
  await rm(file);
  return { cpuMs: Math.round((cpu.user + cpu.system) / 1000), wallMs };
}

function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
