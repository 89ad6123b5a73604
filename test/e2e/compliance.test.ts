import { generateKeyPairSync } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { startSilentServer } from '../../src/lab/tls-server.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

let estate: Estate;
let dir: string;
const HSTS = { 'strict-transport-security': 'max-age=31536000' };

beforeAll(async () => {
  estate = await startEstate([
    { domain: 'good.comp.test', https: { routes: { '/': { status: 200, headers: HSTS } } }, http: 'redirect' },
    { domain: 'nohsts.comp.test', https: { routes: { '/': { status: 200 } } }, http: 'redirect' },
  ]);
  dir = await mkdtemp(join(tmpdir(), 'vouch-comp-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
});
afterAll(async () => { await estate?.close(); });

async function config(name: string, extra: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, [
    'domains:', '  - { name: good.comp.test, mail: false }', '  - { name: nohsts.comp.test, mail: false }',
    `resolvers: ["127.0.0.1:${estate.dns.port}"]`, 'trustedCaFiles: [ca.pem]', 'ipFamilies: [4]',
    `connectTo: ${JSON.stringify(estate.connectTo)}`, extra.includes('checks:') ? '' : 'checks: { only: ["http.hsts", "https.*"] }', extra,
  ].join('\n'));
  return path;
}

const latest = async (out: string) => JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
const scan = (cfg: string, ...args: string[]) => runCli(['scan', '-c', cfg, '--log-level', 'silent', ...args]);

describe('waivers', () => {
  it('reports a waived fail as waived, keeps it out of the exit code, and lists expired waivers', async () => {
    const out = join(dir, 'waived');
    const cfg = await config('waivers.yaml', [
      `output: { dir: ${out}, formats: [json, text, html, junit, prometheus] }`,
      'waivers:',
      '  - { domain: "*.comp.test", check: http.hsts, reason: "HSTS rollout in Q1", owner: "web team", expires: 2999-01-01 }',
      '  - { domain: good.comp.test, check: https.redirect, reason: "old", owner: "x", expires: 2001-01-01 }',
    ].join('\n'));
    const run = await scan(cfg);
    expect(run.code).toBe(0);
    const report = await latest(out);
    const hsts = allResults(report).find((r) => r.domain === 'nohsts.comp.test' && r.checkId === 'http.hsts');
    expect(hsts).toMatchObject({ status: 'waived', originalStatus: 'fail', waiver: { owner: 'web team' } });
    expect(report.waivers?.map((w) => w.state)).toEqual(['active', 'expired']);
    expect(report.summary.waived).toBe(1);
    const files = await readdir(out);
    for (const ext of ['json', 'txt', 'html', 'xml', 'metrics']) expect(files).toContain(`latest.${ext}`);
  });

  it('refuses a waiver for an unknown check id', async () => {
    const cfg = await config('badwaiver.yaml', 'waivers:\n  - { domain: x.test, check: nope.check, reason: r, owner: o, expires: 2999-01-01 }\n');
    const run = await scan(cfg);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('waivers[0].check: "nope.check" matches no check id');
  });
});

describe('promises, attestations and history', () => {
  it('rolls promises up, records attestations, and carries "since" forward across runs', async () => {
    const out = join(dir, 'history');
    const cfg = await config('history.yaml', [
      `output: { dir: ${out}, formats: [json], retain: 2 }`,
      'attestations:',
      '  - { promise: crm-2fa-ip-filtering, by: "CISO", date: 2026-10-01, evidence: "https://intranet.example/2fa", expires: 2999-01-01 }',
    ].join('\n'));
    const first = await scan(cfg);
    expect(first.code).toBe(1);
    const one = await latest(out);
    expect(one.promises?.find((p) => p.id === 'transport-encryption')?.status).toBe('not-met');
    expect(one.promises?.find((p) => p.id === 'crm-2fa-ip-filtering')).toMatchObject({ status: 'attested', attestation: { by: 'CISO' } });
    const second = await scan(cfg);
    expect(second.stdout).toMatch(/Since \S+: 0 new failure\(s\), 0 fixed, 0 newly untestable/);
    const three = (await scan(cfg), await latest(out));
    expect(three.baseline).toBeDefined();
    expect(allResults(three).every((r) => r.since === one.startedAt)).toBe(true);
    // retain: 2 keeps the newest two runs: each its report and its journal.
    const kept = (await readdir(out)).filter((f) => f.startsWith('vouch-'));
    expect(kept.filter((f) => f.endsWith('.journal.ndjson'))).toHaveLength(2);
    expect(kept.filter((f) => /^vouch-[^.]+\.\d{3}Z\.json$/.test(f) || /^vouch-\d{8}T\d{6}Z\.json$/.test(f))).toHaveLength(2);
  });
});

describe('diff and verify', () => {
  it('diffs two reports (exit 1 when worse) and verifies digests and signatures', async () => {
    const keys = generateKeyPairSync('ed25519');
    await writeFile(join(dir, 'sign.pem'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    await writeFile(join(dir, 'sign.pub'), keys.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const outA = join(dir, 'a');
    const outB = join(dir, 'b');
    await scan(await config('a.yaml', `output: { dir: ${outA}, formats: [json] }\nchecks: { only: [https.available] }\nsigning: { privateKeyFile: sign.pem }`));
    await scan(await config('b.yaml', `output: { dir: ${outB}, formats: [json] }\nsigning: { privateKeyFile: sign.pem }`));
    const worse = await runCli(['diff', join(outA, 'latest.json'), join(outB, 'latest.json')]);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toContain('http.hsts');
    const same = await runCli(['diff', join(outB, 'latest.json'), join(outB, 'latest.json')]);
    expect(same.code).toBe(0);

    const verified = await runCli(['verify', join(outB, 'latest.json'), '--key', join(dir, 'sign.pub')]);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toContain('signature valid');
    const original = await readFile(join(outB, 'latest.json'), 'utf8');
    const tampered = original.replace('"status":"fail"', '"status":"pass"');
    expect(tampered).not.toBe(original);
    await writeFile(join(dir, 'tampered.json'), tampered);
    expect((await runCli(['verify', join(dir, 'tampered.json')])).code).toBe(1);
  });
});

describe('interrupted scans', () => {
  it('on SIGTERM writes a complete, parseable partial report marked interrupted and exits 130', async () => {
    const silent = await startSilentServer();
    const out = join(dir, 'interrupted');
    const cfg = await config('slow.yaml', `output: { dir: ${out}, formats: [json, text] }\ntimeouts: { probeMs: 30000, checkMs: 60000 }`);
    const slowRules = ['--connect-to', `good.comp.test:443::${silent.port}`];
    const bin = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, 'scan', '-c', cfg, '--log-level', 'info', ...slowRules], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Once: a second signal means "abort now" and skips the report.
      if (!signalled && stderr.includes('scan started')) { signalled = true; child.kill('SIGTERM'); }
    });
    const [code] = (await once(child, 'exit')) as [number];
    await silent.close();
    expect(code).toBe(130);
    expect(stderr).not.toContain('internal error');
    const files = await readdir(out);
    expect(files.some((f) => f.startsWith('latest.'))).toBe(false); // never the next run's baseline
    const perRun = files.find((f) => /^vouch-.*\.json$/.test(f))!;
    const report = JSON.parse(await readFile(join(out, perRun), 'utf8')) as ScanReport;
    expect(report.status).toBe('interrupted');
    expect(allResults(report).some((r) => r.status === 'error' && r.summary.includes('interrupted'))).toBe(true);
    expect((await readdir(out)).some((f) => f.endsWith('.tmp'))).toBe(false);
  }, 30_000);
});
