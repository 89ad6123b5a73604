import { createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePrometheusTextfile } from '../../src/cli/scan-reports.ts';
import { startEstate } from '../../src/lab/estate.ts';
import { createLogger } from '../../src/log.ts';
import type { ScanReport } from '../../reports/types.ts';
import { Capture, runCli, type CliRun } from '../support/cli.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { resultFinder } from '../support/lab-scan.ts';
import { fixtureReport } from './fixture-report.ts';
import { streamOf } from '../../reports/memory.ts';
import { HAVE_PROMTOOL, PROMTOOL_NOTE, promtoolCheck } from './prometheus-promtool.ts';

// The node_exporter textfile through the CLI: one lab scan of a domain with a web and an MX certificate, written to
// --out and to --prometheus-textfile; then what must leave that file alone. Loopback only.

const DOMAIN = 'metrics.test';
const { track } = cleanupAfterAll();
let dir: string;
let out: string;
let collector: string;
let textfile: string;
let scanArgs: string[];
let estateRules: string[];
let first: CliRun;
let report: ScanReport;
let metrics: string;

beforeAll(async () => {
  const estate = track(await startEstate([{ domain: DOMAIN, https: { routes: { '/': { status: 200, body: 'ok' } } }, mail: {} }]));
  dir = await mkdtemp(join(tmpdir(), 'vouch-textfile-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  out = join(dir, 'out');
  collector = join(dir, 'node_exporter', 'textfile');
  textfile = join(collector, 'vouch.prom');
  // The estate's --connect-to rules last: a test's own rule before them wins.
  scanArgs = ['scan', DOMAIN, '--only', 'tls.certificate-expiry,mail.mx-certificate', '--resolver', `127.0.0.1:${estate.dns.port}`,
    '--ca', join(dir, 'ca.pem'), '--timeout', '1500', '--log-level', 'silent'];
  estateRules = estate.connectTo.flatMap((r) => ['--connect-to', r]);
  first = await runCli([...scanArgs, ...estateRules, '--out', out, '--format', 'json,prometheus,csv', '--prometheus-textfile', textfile]);
  report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
  metrics = await readFile(textfile, 'utf8');
}, 60_000);

describe('the Prometheus textfile, written by a scan', () => {
  it('is one file in the collector directory, no temporary file left, named on the "Reports:" line', async () => {
    expect(first.code, first.stderr).toBe(0);
    expect(await readdir(collector)).toEqual(['vouch.prom']);
    expect(first.stdout).toMatch(new RegExp(`Reports: .*${textfile.replace(/[.]/g, '\\.')}\\n`));
  });

  it('holds what the per-run file in --out holds, and --out has no *.prom a collector would read', async () => {
    const files = await readdir(out);
    expect(files.filter((f) => f.endsWith('.prom'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.metrics')).length).toBe(2);
    expect(await readFile(join(out, 'latest.metrics'), 'utf8')).toBe(metrics);
  });

  it('has the web and the MX certificate\'s expiry in Unix seconds, labelled by host, port and service', () => {
    const find = resultFinder(report);
    const notAfter = (check: string) => /"notAfter":"([^"]+)"/.exec(JSON.stringify(find(DOMAIN, check).evidence))![1]!;
    expect(metrics).toContain(`vouch_certificate_expiry_timestamp_seconds{domain="${DOMAIN}",host="${DOMAIN}",port="443",service="https",address="127.0.0.1"} ${Date.parse(notAfter('tls.certificate-expiry')) / 1000}\n`);
    expect(metrics).toContain(`vouch_certificate_expiry_timestamp_seconds{domain="${DOMAIN}",host="mx.${DOMAIN}",port="25",service="smtp",address="127.0.0.1"} ${Date.parse(notAfter('mail.mx-certificate')) / 1000}\n`);
    expect(metrics).toContain(`vouch_scan_timestamp_seconds ${Date.parse(report.finishedAt) / 1000}\n`);
  });

  it.skipIf(!HAVE_PROMTOOL)(`passes promtool check metrics with no error and no lint problem (${PROMTOOL_NOTE})`, async () => {
    expect(await promtoolCheck(metrics)).toEqual({ code: 0, output: '' });
  });

  it('is left as it was by an interrupted scan, which still keeps its own per-run file', async () => {
    // Interrupted (as by SIGINT) the moment the scan connects to port 443: a loopback server that never answers.
    const stopped = new AbortController();
    const sockets: Socket[] = [];
    const silent = createServer((socket) => { sockets.push(socket); stopped.abort(); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const run = await runCli([...scanArgs, '--connect-to', `${DOMAIN}:443::${port}`, ...estateRules, '--out', out, '--format', 'json,prometheus',
        '--prometheus-textfile', textfile], { signal: stopped.signal });
      expect(run.code, run.stderr).toBe(130);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
    expect(await readFile(textfile, 'utf8')).toBe(metrics);
    expect(await readFile(join(out, 'latest.metrics'), 'utf8')).toBe(metrics);
    expect((await readdir(out)).filter((f) => f.endsWith('.metrics')).length).toBe(3);
  });

  it('has totals per check and domain, and no series of its own for a passing result by default', () => {
    expect(metrics).toContain('vouch_check_results{check="mail.mx-certificate",status="pass"} 1\n');
    expect(metrics).toContain(`vouch_domain_results{domain="${DOMAIN}",status="pass"} 2\n`);
    expect(metrics).not.toContain('vouch_check_status{domain=');
  });

  it('is written by a scan without --out too, whose report goes to stdout, with a series per result under prometheus.perResult: all', async () => {
    const alone = join(dir, 'alone', 'vouch.prom');
    await writeFile(join(dir, 'all.yaml'), 'prometheus:\n  perResult: all\n');
    const run = await runCli([...scanArgs, ...estateRules, '--config', join(dir, 'all.yaml'), '--prometheus-textfile', alone]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(DOMAIN);
    const text = await readFile(alone, 'utf8');
    expect(text).toContain(`vouch_check_status{domain="${DOMAIN}",check="mail.mx-certificate",status="pass"} 1\n`);
    expect(text).toMatch(/service="smtp"/);
  });

  it('is refused before the scan when its directory cannot be created (exit 64)', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const run = await runCli([...scanArgs, ...estateRules, '--prometheus-textfile', join(dir, 'a-file', 'vouch.prom')]);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`Prometheus textfile ${join(dir, 'a-file', 'vouch.prom')}: its directory exists but is not a directory`);
  });
});

describe('writePrometheusTextfile', () => {
  it('says on stderr why the file could not be written, and returns false (the scan then exits 73)', async () => {
    const blocked = await mkdtemp(join(tmpdir(), 'vouch-textfile-blocked-'));
    // A directory where the file should be: the final rename fails, after the whole temporary file was written.
    await mkdir(join(blocked, 'vouch.prom'));
    const stderr = new Capture();
    const ok = await writePrometheusTextfile(streamOf(fixtureReport()), join(blocked, 'vouch.prom'), { stderr }, createLogger('silent'));
    expect(ok).toBe(false);
    expect(stderr.text).toMatch(new RegExp(`^vouch: cannot write the Prometheus textfile ${join(blocked, 'vouch.prom')}: E[A-Z]+ \\(.+\\)\\n$`));
    expect(await readdir(blocked)).toEqual(['vouch.prom']);
  });
});
