import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allResults } from '../../reports/memory.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { runCli } from '../support/cli.ts';

let estate: Estate;
let dir: string;
beforeAll(async () => {
  estate = await startEstate([{ domain: 'ok.cli.test', https: { routes: { '/': { status: 200, headers: { 'strict-transport-security': 'max-age=31536000' } } } }, http: 'redirect' }]);
  dir = await mkdtemp(join(tmpdir(), 'vouch-cli-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
});
afterAll(async () => { await estate?.close(); });

const network = () => ['--resolver', `127.0.0.1:${estate.dns.port}`, '--ca', join(dir, 'ca.pem'), ...estate.connectTo.flatMap((r) => ['--connect-to', r])];

describe('usage and configuration errors exit 64 with every problem named', () => {
  it('lists all config problems with file and path', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'domains:\n  - "bad name"\n  - ok.example\nthresholds: { certExpiryWarnDays: x }\nbogus: 1\n');
    const run = await runCli(['validate', path]);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('3 problems');
    expect(run.stderr).toContain(`${path}: domains[0]: "bad name" is not a domain name`);
    expect(run.stderr).toContain('thresholds.certExpiryWarnDays: expected a whole number');
    expect(run.stderr).toContain('bogus: unknown key');
  });

  it('lists registry problems (check ids, waivers, attestations) together with the file\'s own problems', async () => {
    const path = join(dir, 'both.yaml');
    await writeFile(path, [
      'domains: ["bad name"]', 'checks: { only: [nope.*] }',
      'waivers:', '  - { domain: x.test }', '  - { domain: x.test, check: typo.check, reason: r, owner: o, expires: 2999-01-01 }',
      'attestations:', '  - { promise: no-such-promise, by: me, date: 2026-01-01, evidence: "https://x", expires: 2999-01-01 }',
    ].join('\n'));
    const run = await runCli(['validate', path]);
    expect(run.code).toBe(64);
    for (const text of ['domains[0]: "bad name" is not a domain name', 'waivers[0].check: required', 'checks.only[0]: "nope.*" matches no check id',
      'waivers[1].check: "typo.check" matches no check id', 'attestations[0]: no promise "no-such-promise"']) expect(run.stderr).toContain(text);
  });

  it.each([
    [['scan', 'ok.cli.test', '--only', 'tls.*,nope'], '"nope" matches no check id'],
    [['scan', 'ok.cli.test', '--timeout', '5s'], '"5s" is not a whole number'],
    [['scan', 'ok.cli.test', '--timeout', '10', '--timeout', '20'], 'given more than once'],
    [['scan', 'ok.cli.test', '--fail-on', 'maybe'], 'Allowed choices are fail, warn'],
    [['scan', 'not_a domain'], 'is not a domain name'],
    [['scan'], 'no domains to scan'],
    [['frobnicate'], 'unknown command'],
  ])('%j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(message);
  });

  it('validates a good file and says what it would scan', async () => {
    const path = join(dir, 'good.yaml');
    await writeFile(path, 'domains: [a.example, {name: b.example, mail: false}]\n');
    const run = await runCli(['validate', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid: 2 domains (2 web, 1 mail)');
  });
});

describe('vouch checks', () => {
  it('lists id, scope, needs, promises and title', async () => {
    const run = await runCli(['checks']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/tls\.protocol-versions\s+web\s+web\s+transport-encryption\s+Only current TLS versions/);
    const json = JSON.parse((await runCli(['checks', '--json'])).stdout) as { id: string }[];
    expect(json.map((c) => c.id)).toContain('mail.spf');
  });
});

describe('scan reports', () => {
  it('writes a JSON report that validates against the published schema', async () => {
    const out = join(dir, 'schema');
    const run = await runCli(['scan', 'ok.cli.test', ...network(), '--out', out, '--format', 'json', '--log-level', 'silent', '--only', 'https.*,http.hsts,tls.*']);
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8'));
    const schema = JSON.parse(await readFile(new URL('../../reports/schema/report.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(allResults(report).filter((r: { status: string }) => r.status === 'pass').length).toBeGreaterThan(5);
  });

  it('orders results deterministically: two runs differ only in times and ids', async () => {
    const scanJson = async () => (await runCli(['scan', 'ok.cli.test', ...network(), '--format', 'json', '--log-level', 'silent'])).stdout;
    // The header is pretty-printed, each domain's line compact (`"key":value`): both spellings are normalised.
    const strip = (text: string) => text
      .replace(/"(startedAt|finishedAt|observedAt|since)": ?"[^"]+"/g, '"$1":"T"').replace(/"(durationMs)": ?\d+/g, '"$1":0')
      .replace(/"runId": ?"[^"]+"/, '"runId":"R"')
      // The servers' HTTP Date header is the wall clock too (a run that straddles a second differs there).
      .replace(/"date": ?\[\s*"[^"]+"\s*\]/g, '"date":["D"]').replace(/\n  "digest": "sha256:[0-9a-f]+"/, '').replace(/"(daysLeft)": ?\d+/g, '"$1":0');
    const [a, b] = [await scanJson(), await scanJson()];
    expect(strip(a)).toBe(strip(b));
  });

  it('loads a plugin check from the config, as in the README', async () => {
    const plugin = join(dir, 'my-checks.mjs');
    await writeFile(plugin, `export const checks = [{ id: 'custom.a-record', title: 'has an A record', promises: ['transport-encryption'],
      scope: 'domain', needs: ['dns'], remediation: 'Publish an A record for the domain.',
      async run({ target, probes }) { const a = await probes.dns(target.domain, 'A');
        return a.records.length ? { status: 'pass', summary: 'A ' + a.records.join(), evidence: { records: a.records } }
          : { status: 'fail', summary: 'no A', evidence: {}, remediation: 'add one' }; } }];\n`);
    const config = join(dir, 'plugin.yaml');
    await writeFile(config, `domains: [ok.cli.test]\nplugins: [./my-checks.mjs]\nchecks: { only: [custom.*] }\n`);
    const run = await runCli(['scan', '-c', config, ...network(), '--log-level', 'silent']);
    expect(run.stdout).toMatch(/PASS +custom\.a-record +A 127\.0\.0\.1/);
    expect(run.code).toBe(0);
  });
});

describe('the built binary', () => {
  it('runs from dist with the documented exit code and help', async () => {
    const bin = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
    // npx runs the bin file itself: it must be executable (the build sets the mode; tsc does not).
    expect((await stat(bin)).mode & 0o111).not.toBe(0);
    const help = await promisify(execFile)(process.execPath, [bin, '--help']);
    expect(help.stdout).toContain('Exit codes:');
    const failing = await promisify(execFile)(process.execPath, [bin, 'scan', 'not_a.domain.test']).catch((e: { code: number; stderr: string }) => e);
    expect(failing).toMatchObject({ code: 64 });
  });
});

describe('paths on the command line', () => {
  it('resolves --out and --ca against the working directory, not the config file', async () => {
    const cfgDir = await mkdtemp(join(tmpdir(), 'vouch-cfgdir-'));
    const cwd = await mkdtemp(join(tmpdir(), 'vouch-cwd-'));
    await writeFile(join(cwd, 'local-ca.pem'), estate.ca.certPem);
    await writeFile(join(cfgDir, 'v.yaml'), 'domains: [{ name: ok.cli.test, mail: false }]\nchecks: { only: [tls.certificate-trust] }\n');
    const run = await runCli(['scan', '-c', join(cfgDir, 'v.yaml'), '--out', 'here', '--ca', 'local-ca.pem', '--format', 'json',
      '--resolver', `127.0.0.1:${estate.dns.port}`, ...estate.connectTo.flatMap((r) => ['--connect-to', r]), '--log-level', 'silent'], { cwd });
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(join(cwd, 'here', 'latest.json'), 'utf8'));
    expect(allResults(report)[0]?.status).toBe('pass');
  });
});
