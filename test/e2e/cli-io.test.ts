import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate } from '../../src/lab/estate.ts';

/** Everything here runs the built binary (`npm run build` first), as a shell or a cron job would. */
const BIN = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const STACK_LINE = /^\s+at .+[(:]\d+/m;

let estate: Estate;
let stall: net.Server;
let stalled = 0;
const sockets = new Set<net.Socket>();
let dir: string;
beforeAll(async () => {
  estate = await startEstate([{ domain: 'stall.io.test', https: { routes: { '/': { status: 200 } } }, http: 'redirect' }]);
  // Accepts every connection and never answers: a scan against it is busy until its (long) timeouts.
  stall = net.createServer((socket) => { stalled++; sockets.add(socket); socket.on('error', () => undefined); });
  await new Promise<void>((done) => stall.listen(0, '127.0.0.1', done));
  dir = await mkdtemp(join(tmpdir(), 'vouch-cli-io-'));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((done) => stall?.close(done));
  await estate?.close();
});

const stallArgs = (timeoutMs: number) => {
  const port = (stall.address() as net.AddressInfo).port;
  return ['scan', 'stall.io.test', '--resolver', `127.0.0.1:${estate.dns.port}`, '--timeout', String(timeoutMs), '--log-level', 'info',
    '--connect-to', `stall.io.test:443:127.0.0.1:${port}`, '--connect-to', `stall.io.test:80:127.0.0.1:${port}`];
};

type Exit = { code: number | null; signal: NodeJS.Signals | null; ms: number };
function exited(child: ChildProcess, started: number): Promise<Exit> {
  return new Promise((done) => child.on('exit', (code, signal) => done({ code, signal, ms: Date.now() - started })));
}
async function until(predicate: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs a shell pipeline; `times` reports the CPU the pipeline's processes used. */
function shell(script: string, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; ms: number }> {
  const started = Date.now();
  return new Promise((done) => {
    execFile('bash', ['-c', script], { timeout: 60_000, killSignal: 'SIGKILL', env: { ...process.env, ...env } }, (_err, stdout) => done({ stdout, ms: Date.now() - started }));
  });
}
const childCpuSeconds = (timesOutput: string) => {
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(timesOutput.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : Number.NaN;
};

describe('a closed stdout or stderr ends Vouch quietly (exit 141)', () => {
  it('vouch demo | head -1', async () => {
    const err = join(dir, 'demo-stdout.err');
    const run = await shell(`timeout -s KILL 45 "$NODE" "$BIN" demo 2>"$ERR" | head -1; echo "status=\${PIPESTATUS[0]}"; times`,
      { NODE: process.execPath, BIN, ERR: err });
    expect(run.stdout).toMatch(/^Vouch demo: /);
    expect(run.stdout).toContain('status=141');
    expect(run.ms).toBeLessThan(30_000);
    expect(childCpuSeconds(run.stdout)).toBeLessThan(15);
    const stderr = await readFile(err, 'utf8');
    expect(stderr).not.toMatch(STACK_LINE);
    expect(stderr).not.toContain('internal error');
  }, 60_000);

  it('vouch demo 2>&1 >/dev/null | head -1 (stderr closed: no busy loop, no ignored signals)', async () => {
    const run = await shell(`timeout -s KILL 45 "$NODE" "$BIN" demo 2>&1 >/dev/null | head -1; echo "status=\${PIPESTATUS[0]}"; times`,
      { NODE: process.execPath, BIN });
    expect(run.stdout).toMatch(/^\{"level"/);
    expect(run.stdout).toContain('status=141');
    expect(run.ms).toBeLessThan(30_000);
    expect(childCpuSeconds(run.stdout)).toBeLessThan(15);
  }, 60_000);
});

describe('one SIGTERM always ends a scan, with its partial report', () => {
  it('while the scan is busy against servers that never answer', async () => {
    const out = join(dir, 'busy');
    const before = stalled;
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...stallArgs(600_000), '--out', out, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = exited(child, started);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    await until(() => stalled > before && stderr.includes('scan started'));
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit.code).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(12_000);
    expect(stderr).toContain('SIGTERM received');
    expect(stderr).not.toMatch(STACK_LINE);
    const files = await readdir(out);
    const run = files.find((f) => /^vouch-.*\.json$/.test(f));
    expect(run, files.join(',')).toBeDefined();
    expect(files).not.toContain('latest.json');
    expect(JSON.parse(await readFile(join(out, run!), 'utf8'))).toMatchObject({ status: 'interrupted' });
    expect(stdout).toContain('Reports:');
  }, 60_000);

  it('while it writes to a closed pipe', async () => {
    const out = join(dir, 'closed');
    const before = stalled;
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...stallArgs(600_000), '--out', out, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = exited(child, started);
    child.stdout!.destroy(); // the reader of stdout goes away at once
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    await until(() => stalled > before && stderr.includes('scan started'));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const exit = await done;
    expect(Date.now() - signalled).toBeLessThan(12_000);
    expect(exit.code).toBe(141); // the summary could not be delivered: a closed output outranks the interruption
    expect(stderr).not.toMatch(STACK_LINE);
    const files = await readdir(out);
    expect(files.some((f) => /^vouch-.*\.json$/.test(f)), files.join(',')).toBe(true);
  }, 60_000);
});

describe('the output directory', () => {
  const runBin = (args: string[], env: NodeJS.ProcessEnv = {}) => new Promise<{ code: number; stdout: string; stderr: string; ms: number }>((done) => {
    const started = Date.now();
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });

  it.each([
    ['under a regular file', (file: string) => join(file, 'reports'), 'does not exist and cannot be created: ENOTDIR'],
    ['a regular file', (file: string) => file, 'exists but is not a directory'],
  ])('is checked before any network work: %s is exit 64 naming it', async (_what, outOf, problem) => {
    const file = join(dir, `in-the-way-${Math.random().toString(36).slice(2)}`);
    await writeFile(file, 'x');
    const before = stalled;
    const run = await runBin([...stallArgs(600_000), '--out', outOf(file)]);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`vouch: output directory ${outOf(file)}: ${problem}`);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).not.toContain('scan started');
    expect(stalled).toBe(before);
  }, 30_000);

  it('fails at the end (replaced by a file mid-scan): summary printed, JSON kept in TMPDIR, exit 73', async () => {
    const out = join(dir, 'vanishing');
    const keep = await mkdtemp(join(tmpdir(), 'vouch-keep-'));
    const before = stalled;
    const child = spawn(process.execPath, [BIN, ...stallArgs(1500), '--only', 'https.available', '--out', out, '--format', 'json,text'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: keep } });
    const done = exited(child, Date.now());
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    await until(() => stalled > before && stderr.includes('scan started'));
    await rm(out, { recursive: true, force: true });
    await writeFile(out, 'a file where the reports were to go');
    const exit = await done;
    expect(exit.code, stderr).toBe(73);
    expect(stderr).toContain(`vouch: cannot write the reports into ${out}: `);
    expect(stderr).not.toMatch(STACK_LINE);
    const kept = /the JSON report is kept at (\S+)/.exec(stderr)?.[1];
    expect(kept?.startsWith(keep)).toBe(true);
    expect(JSON.parse(await readFile(kept!, 'utf8'))).toMatchObject({ schemaVersion: 2, status: 'complete', domains: [expect.objectContaining({ domain: 'stall.io.test' })] });
    expect(stdout).toContain('https.available');
    expect(stdout).toContain(`Reports: not written`);
  }, 60_000);
});
