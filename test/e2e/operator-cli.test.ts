import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { startDnsServer } from '../../src/lab/dns-server.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';

/**
 * The operator's CLI (issue 15, "Running it nightly") through the built binary (`npm run build` first), as cron or a
 * shell runs it, against a loopback lab: the resolver preflight, --quiet and the recap, --input with URLs and
 * internationalised names, colour only on a terminal, the formats warning, trace logs, plugin checks in `vouch
 * checks`, and the `interrupted` reason.
 */
const BIN = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const SCRIPT = '/usr/bin/script'; // util-linux: runs a command on a pseudo-terminal
const ESC = '\x1b[';

type Run = { code: number | null; stdout: string; stderr: string };
function vouch(args: readonly string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '', ...options.env }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
    child.stdin?.end(options.stdin ?? '');
  });
}

let estate: Estate;
let dir: string;
let silent: dgram.Socket;
let stall: net.Server;
const stalled = new Set<net.Socket>();
const lab = () => ['--resolver', `127.0.0.1:${estate.dns.port}`, '--ca', join(dir, 'ca.pem'), ...estate.connectTo.flatMap((r) => ['--connect-to', r])];
const silentResolver = () => `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;

beforeAll(async () => {
  const hsts = { status: 200, headers: { 'strict-transport-security': 'max-age=31536000' } };
  estate = await startEstate([
    { domain: 'good.op.test', https: { routes: { '/': hsts } }, http: 'redirect' },
    { domain: 'nohsts.op.test', https: { routes: { '/': { status: 200 } } }, http: 'redirect' },
    { domain: 'xn--bcher-kva.op.test', https: { routes: { '/': hsts } }, http: 'redirect' },
  ]);
  dir = await mkdtemp(join(tmpdir(), 'vouch-operator-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  // A resolver that takes every question and never answers (DNS dropped by a firewall).
  silent = dgram.createSocket('udp4');
  await new Promise<void>((ready) => silent.bind(0, '127.0.0.1', ready));
  // A web server that accepts and never answers: checks stay busy until they are interrupted.
  stall = net.createServer((socket) => { stalled.add(socket); socket.on('error', () => undefined); });
  await new Promise<void>((ready) => stall.listen(0, '127.0.0.1', ready));
}, 30_000);
afterAll(async () => {
  for (const socket of stalled) socket.destroy();
  await new Promise((closed) => stall?.close(closed));
  silent?.close();
  await estate?.close();
});

describe('a resolver that does not answer is reported once, before scanning', () => {
  it('none answers: one line, exit 69, nothing scanned', async () => {
    const run = await vouch(['scan', 'good.op.test', 'nohsts.op.test', '--resolver', silentResolver(), '--timeout', '400', '--only', 'http.hsts,dns.caa']);
    expect(run.code).toBe(69);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`vouch: DNS resolver ${silentResolver()} does not answer (timeout after 400 ms): nothing was scanned `
      + '(check --resolver, "resolvers:" or /etc/resolv.conf)\n');
  });

  it('a resolver that refuses every question (REFUSED) serves nobody: one line, exit 69, nothing scanned', async () => {
    const refusing = await startDnsServer({ zone: {}, synthesize: () => ({ refused: true }) });
    try {
      const run = await vouch(['scan', 'good.op.test', 'nohsts.op.test', '--resolver', `127.0.0.1:${refusing.port}`, '--timeout', '400', '--only', 'http.hsts,dns.caa']);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`vouch: DNS resolver 127.0.0.1:${refusing.port} refuses our questions (REFUSED): nothing was scanned `
        + '(check --resolver, "resolvers:" or /etc/resolv.conf)\n');
      expect(run.code).toBe(69);
    } finally {
      await refusing.close();
    }
  });

  it('one of two answers: one warning for the silent one, and the scan runs', async () => {
    // The silent one second (failover order): the scan's queries are answered by the first without waiting.
    const run = await vouch(['scan', 'good.op.test', ...lab(), '--resolver', silentResolver(), '--timeout', '1500', '--only', 'http.hsts', '--log-level', 'silent']);
    expect(run.stderr.match(/does not answer/g)).toHaveLength(1);
    expect(run.stderr).toBe(`vouch: warning: DNS resolver ${silentResolver()} does not answer (timeout after 1500 ms); scanning with 127.0.0.1:${estate.dns.port}, `
      + 'asked only when those fail\n');
    expect(run.stdout).toMatch(/PASS +http\.hsts/);
    expect(run.code).toBe(0);
  });
});

describe('a nightly run: --input, --quiet, the recap', () => {
  let quiet: Run;
  let out: string;
  beforeAll(async () => {
    out = join(dir, 'nightly');
    await writeFile(join(dir, 'domains.txt'), '# the estate\nhttps://nohsts.op.test/privacy\n\nbücher.op.test   # an internationalised name\ngood.op.test\n');
    quiet = await vouch(['scan', '-i', join(dir, 'domains.txt'), ...lab(), '--only', 'https.available,http.hsts', '--out', out, '--quiet', '--timeout', '3000']);
  }, 60_000);

  it('prints only the recap on stdout (no summary, no notes, no logs), and exits by the results', async () => {
    expect(quiet.stdout).toBe('\nRecap: 1 failure\n  FAIL    nohsts.op.test  http.hsts  no Strict-Transport-Security header\n');
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(1);
  });

  it('scanned the file\'s domains in order, as hosts and A-labels', async () => {
    const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
    expect(report.domains.map((d) => d.domain)).toEqual(['nohsts.op.test', 'xn--bcher-kva.op.test', 'good.op.test']);
  });

  it('without --quiet: notes on stderr, the summary then the recap on stdout, read from stdin', async () => {
    const run = await vouch(['scan', '-i', '-', ...lab(), '--only', 'http.hsts', '--log-level', 'silent', '--timeout', '3000'], { stdin: 'good.op.test\nhttps://good.op.test/x\n' });
    expect(run.stderr).toBe('vouch: note: stdin:2: "https://good.op.test/x" is a URL: scanning its host good.op.test\n'
      + 'vouch: note: stdin:2: good.op.test is already listed (stdin:1): scanned once\n');
    expect(run.stdout).toMatch(/^good\.op\.test\n {2}PASS +http\.hsts[^\n]*\n[\s\S]*\nRecap: no failures, no errors\n$/m);
    expect(run.stdout).not.toContain(ESC);
  });

  it('refuses an invalid name in the file with file:line, before anything is sent', async () => {
    await writeFile(join(dir, 'bad.txt'), 'good.op.test\nfoo bar\n');
    const run = await vouch(['scan', '-i', join(dir, 'bad.txt'), '--resolver', silentResolver()]);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe(`vouch: invalid domain on the command line:\n  - ${join(dir, 'bad.txt')}:2: "foo bar" is not a domain name\n`);
  });

  const onTerminal = (args: string, env: NodeJS.ProcessEnv = {}) => new Promise<string>((done, fail) => {
    execFile(SCRIPT, ['-qec', `"${process.execPath}" "${BIN}" ${args}`, '/dev/null'], { env: { ...process.env, NO_COLOR: '', TERM: 'xterm', ...env }, timeout: 30_000 },
      (err, stdout) => (err && typeof err.code !== 'number' ? fail(err) : done(stdout)));
  });
  it.skipIf(!existsSync(SCRIPT))('colours status words on a terminal only, and never with NO_COLOR or --no-color (replay, offline)', async () => {
    const journal = (await readdir(out)).find((f) => f.endsWith('.journal.ndjson'))!;
    const replay = `replay "${join(out, journal)}" --log-level silent`;
    const [coloured, noColorEnv, noColorFlag] = await Promise.all([onTerminal(replay), onTerminal(replay, { NO_COLOR: '1' }), onTerminal(`${replay} --no-color`)]);
    expect(coloured).toContain(`  ${ESC}31mFAIL${ESC}0m    http.hsts`);
    expect(coloured).toContain(`  ${ESC}32mPASS${ESC}0m    https.available`);
    expect(coloured).toMatch(/Recap: 1 failure\r?\n {2}\x1b\[31mFAIL\x1b\[0m {4}nohsts\.op\.test/);
    for (const plain of [noColorEnv, noColorFlag]) {
      expect(plain).toMatch(/ {2}FAIL +http\.hsts/);
      expect(plain).not.toContain(ESC);
    }
  }, 60_000);
});

describe('other operator conveniences', () => {
  it('several formats without --out: a warning, the first format on stdout, trace lines for every probe', async () => {
    const run = await vouch(['scan', 'nohsts.op.test', ...lab(), '--only', 'http.hsts', '-f', 'json,csv', '--log-level', 'trace', '--timeout', '3000']);
    expect(run.stderr).toContain('vouch: warning: without --out only the first format (json) is written, to stdout; not written: csv (give --out DIR to write every format)\n');
    const report = JSON.parse(run.stdout) as ScanReport;
    expect(allResults(report).map((r) => [r.checkId, r.status])).toEqual([['http.hsts', 'fail']]);
    const probes = run.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'probe');
    expect(probes.length).toBeGreaterThan(0);
    for (const line of probes) expect(line).toMatchObject({ level: 10, probe: expect.any(String), target: expect.any(String), outcome: expect.any(String), ms: expect.any(Number) });
    expect(probes.some((l) => String(l['target']).includes('nohsts.op.test') && l['outcome'] === 'ok')).toBe(true);
    // The recap goes to stderr, so stdout stays one JSON document.
    expect(run.stderr).toContain('Recap: 1 failure\n  FAIL    nohsts.op.test  http.hsts');
  });

  it('vouch checks -c lists the configuration\'s plugin checks, marked as plugin', async () => {
    await writeFile(join(dir, 'my-checks.mjs'), `export const checks = [{ id: 'custom.caa-present', title: 'The domain publishes CAA records',
      promises: ['transport-encryption'], scope: 'domain', needs: ['dns'], remediation: 'Publish CAA records (RFC 8659).',
      async run() { return { status: 'pass', summary: 'ok', evidence: {} }; } }];\n`);
    await writeFile(join(dir, 'plugins.yaml'), 'domains: [good.op.test]\nplugins: [./my-checks.mjs]\n');
    const text = await vouch(['checks', '-c', join(dir, 'plugins.yaml')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^custom\.caa-present +domain +dns +transport-encryption +The domain publishes CAA records {2}\(plugin: .*my-checks\.mjs\)$/m);
    expect(text.stdout).toMatch(/^tls\.protocol-versions +web/m);
    const json = JSON.parse((await vouch(['checks', '-c', join(dir, 'plugins.yaml'), '--json'])).stdout) as { id: string; source: string }[];
    expect(json.filter((c) => c.source === 'plugin').map((c) => c.id)).toEqual(['custom.caa-present']);
  });

  it('checks stopped by SIGINT are error "interrupted", not "timeout"', async () => {
    const out = join(dir, 'interrupted');
    const port = (stall.address() as net.AddressInfo).port;
    const child = spawn(process.execPath, [BIN, 'scan', 'good.op.test', '--resolver', `127.0.0.1:${estate.dns.port}`, '--only', 'https.available,http.hsts',
      '--connect-to', `good.op.test:443:127.0.0.1:${port}`, '--connect-to', `good.op.test:80:127.0.0.1:${port}`, '--timeout', '20000', '--out', out, '--log-level', 'info']);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const deadline = Date.now() + 15_000;
    while (stalled.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(stalled.size).toBeGreaterThan(0); // a check is waiting on the stalled server
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const file = (await readdir(out)).find((f) => /^vouch-.*\.json$/.test(f))!;
    const results = allResults(JSON.parse(await readFile(join(out, file), 'utf8')) as ScanReport);
    expect(results.map((r) => [r.checkId, r.status, r.status === 'error' ? r.reason : null])).toEqual([
      ['https.available', 'error', 'interrupted'], ['http.hsts', 'error', 'interrupted'],
    ]);
    expect(stderr).toContain('SIGINT received');
  }, 30_000);
});
