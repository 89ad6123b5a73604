import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startEstate } from '../../src/lab/estate.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';
import { simpleSites } from '../support/simple-sites.ts';

/**
 * Issue 11: `vouch replay JOURNAL` re-judges a recorded scan offline. The estate is shut down before every replay,
 * so a replay that opened a socket would see nothing and judge differently.
 */
const { domains: DOMAINS, sites: SITES } = simpleSites('replay.test', 4, { 1: 'expiring', 2: 'expired' });
let dir: string;
let journal: string;
let scanned: ScanReport;
let scanConfig: string;
/** The same estate scanned by two worker threads, whose facts travel to the coordinator's journal. */
let workersJournal: string;
let workersScanned: ScanReport;

beforeAll(async () => {
  const estate = await startEstate(SITES, { caName: 'Replay Test CA' });
  dir = await mkdtemp(join(tmpdir(), 'vouch-replay-'));
  try {
    await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
    scanConfig = join(dir, 'scan.yaml');
    await writeFile(scanConfig, [
      `domains: [${DOMAINS.join(', ')}]`, 'defaults: { mail: false }', `resolvers: ["127.0.0.1:${estate.dns.port}"]`,
      `trustedCaFiles: ["${join(dir, 'ca.pem')}"]`, `connectTo: [${estate.connectTo.map((r) => JSON.stringify(r)).join(', ')}]`,
      'timeouts: { probeMs: 2000 }', '',
    ].join('\n'));
    const out = join(dir, 'scan');
    const run = await runCli(['scan', '-c', scanConfig, '--out', out, '--format', 'json', '--log-level', 'silent']);
    expect(run.code, run.stderr).toBe(1); // the expired certificate fails
    scanned = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
    journal = join(out, (await readdir(out)).find((n) => n.endsWith('.journal.ndjson'))!);
    const workersOut = join(dir, 'scan-workers');
    const two = await runCli(['scan', '-c', scanConfig, '--workers', '2', '--out', workersOut, '--format', 'json', '--log-level', 'silent']);
    expect(two.code, two.stderr).toBe(1);
    workersScanned = JSON.parse(await readFile(join(workersOut, 'latest.json'), 'utf8')) as ScanReport;
    workersJournal = join(workersOut, (await readdir(workersOut)).find((n) => n.endsWith('.journal.ndjson'))!);
  } finally {
    await estate.close();
  }
}, 60_000);

const verdicts = (report: ScanReport) => report.domains.flatMap((d) => d.results.map((r) => `${d.domain} ${r.checkId} ${r.status} ${r.summary}`));
const status = (report: ScanReport, domain: string, check: string) =>
  report.domains.find((d) => d.domain === domain)?.results.find((r) => r.checkId === check)?.status;

describe('vouch replay (issue 11)', () => {
  it('gives the verdicts of the scan it replays, offline, with the same evidence', async () => {
    const out = join(dir, 'replayed');
    const run = await runCli(['replay', journal, '--out', out, '--format', 'json', '--log-level', 'silent']);
    expect(run.code, run.stderr).toBe(1);
    const replayed = JSON.parse(await readFile(join(out, (await readdir(out)).find((n) => /^vouch-.*\.json$/.test(n))!), 'utf8')) as ScanReport;
    expect(verdicts(replayed)).toEqual(verdicts(scanned));
    expect(verdicts(replayed).length).toBeGreaterThan(4 * 30);
    expect(replayed.domains.map((d) => d.artifacts)).toEqual(scanned.domains.map((d) => d.artifacts));
    expect(replayed.runId).not.toBe(scanned.runId);
    // A replay is not a scan: it never becomes the output directory's `latest`.
    expect(await readdir(out)).not.toContain('latest.json');
  });

  it('replays a scan by worker threads the same: their journal lines hold every fact', async () => {
    // The two scans ran seconds apart against a certificate made minutes before: the whole days left may differ by one.
    const sameDay = (lines: string[]) => lines.map((l) => l.replace(/expires in \d+ days/, 'expires in N days'));
    expect(sameDay(verdicts(workersScanned))).toEqual(sameDay(verdicts(scanned)));
    const run = await runCli(['replay', workersJournal, '--format', 'json', '--log-level', 'silent']);
    expect(run.code, run.stderr).toBe(1);
    const replayed = JSON.parse(run.stdout) as ScanReport;
    expect(verdicts(replayed)).toEqual(verdicts(workersScanned));
    expect(replayed.domains.map((d) => d.artifacts)).toEqual(workersScanned.domains.map((d) => d.artifacts));
    // The facts are in the journal, one or more per domain (the reports never carry them).
    const lines = (await readFile(workersJournal, 'utf8')).split('\n').filter((l) => l.startsWith('{"type":"domain"'));
    expect(lines).toHaveLength(DOMAINS.length);
    for (const line of lines) expect((JSON.parse(line) as { facts: unknown[] }).facts.length).toBeGreaterThan(5);
  });

  it('judges by the current configuration: a changed threshold changes the verdict it governs', async () => {
    const lenient = join(dir, 'lenient.yaml');
    // The expiring site has 5 days left: a fail at the default (within 7 days), a warn when only 3 days fail.
    await writeFile(lenient, `${await readFile(scanConfig, 'utf8')}thresholds: { certExpiryFailDays: 3, certExpiryWarnDays: 30 }\n`);
    expect(status(scanned, DOMAINS[1]!, 'tls.certificate-expiry')).toBe('fail');
    const run = await runCli(['replay', journal, '-c', lenient, '--format', 'json', '--log-level', 'silent']);
    const replayed = JSON.parse(run.stdout) as ScanReport;
    expect(status(replayed, DOMAINS[1]!, 'tls.certificate-expiry')).toBe('warn');
    expect(status(replayed, DOMAINS[0]!, 'tls.certificate-expiry')).toBe('pass');
  });

  it('says when the current checks ask for a fact the scan did not record, instead of guessing', async () => {
    const only = join(dir, 'only.yaml');
    await writeFile(only, (await readFile(scanConfig, 'utf8')).replace('timeouts:', 'ocsp: { queryResponder: true }\ntimeouts:'));
    const run = await runCli(['replay', journal, '-c', only, '--format', 'json', '--log-level', 'silent']);
    const replayed = JSON.parse(run.stdout) as ScanReport;
    const ocsp = replayed.domains[0]?.results.find((r) => r.checkId === 'tls.ocsp-stapling');
    expect(ocsp?.status === 'error' ? ocsp.reason : ocsp?.status).toBe('client-limitation');
    expect(ocsp?.summary).toContain('not in the recorded scan');
  });
});

describe('vouch replay with bad input', () => {
  it('refuses a file that is not a run journal with a usage error, not a crash', async () => {
    const bogus = join(dir, 'bogus.ndjson');
    await writeFile(bogus, 'not a journal\n');
    for (const path of [bogus, join(dir, 'missing.ndjson')]) {
      const run = await runCli(['replay', path, '-c', scanConfig, '--log-level', 'silent']);
      expect(run.code, run.stderr).toBe(64);
      expect(run.stderr).toContain('not a readable run journal');
    }
  });
});
