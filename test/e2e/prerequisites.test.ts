import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

/**
 * Issue 8: a prerequisite that fails makes its dependants `skip` with the reason, not `error`, so a domain whose only
 * problem is a finding exits 1 (a promise is broken), not 2 (something could not be tested).
 */
let estate: Estate;
let dir: string;

beforeAll(async () => {
  estate = await startEstate([
    { domain: 'nohttps.prereq.test', https: 'closed', http: 'closed' },
    { domain: 'nostarttls.prereq.test', https: 'closed', http: 'closed', mail: { variant: 'no-starttls' } },
  ]);
  dir = await mkdtemp(join(tmpdir(), 'vouch-prereq-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
}, 30_000);
afterAll(async () => { await estate?.close(); });

async function scan(domain: string, only: string) {
  const out = join(dir, `run-${Math.random().toString(36).slice(2)}`);
  const run = await runCli(['scan', domain, '--resolver', `127.0.0.1:${estate.dns.port}`, '--ca', join(dir, 'ca.pem'),
    ...estate.connectTo.flatMap((r) => ['--connect-to', r]), '--only', only, '--timeout', '1500', '--out', out,
    '--format', 'json', '--log-level', 'silent']);
  return { run, report: JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport };
}

describe('prerequisites end to end through the CLI', () => {
  it('nothing served on 443: https.available fails, every check that needs HTTPS skips naming it, exit 1', async () => {
    const { run, report } = await scan('nohttps.prereq.test', 'https.*,http.*,tls.*');
    const byId = Object.fromEntries(allResults(report).map((r) => [r.checkId, r]));
    expect(byId['https.available']?.status).toBe('fail');
    expect(byId['https.redirect']?.status).toBe('pass'); // port 80 refuses too: nothing is served insecurely
    const dependants = ALL_CHECKS.filter((c) => /^(http|tls)\./.test(c.id)).map((c) => c.id);
    expect(dependants.length).toBeGreaterThan(15);
    for (const id of dependants) {
      expect(byId[id], `${id}: ${JSON.stringify(byId[id])}`).toMatchObject({ status: 'skip', reason: 'prerequisite' });
      expect(byId[id]?.summary, id).toContain('see https.available');
    }
    expect(run.code).toBe(1);
  });

  it('no STARTTLS: mail.starttls fails, the version, cipher, key-exchange and certificate checks skip naming it', async () => {
    const { report } = await scan('nostarttls.prereq.test', 'mail.starttls*,mail.mx-certificate');
    const byId = Object.fromEntries(allResults(report).map((r) => [r.checkId, r]));
    expect(byId['mail.starttls']?.status).toBe('fail');
    for (const id of ['mail.starttls-protocols', 'mail.starttls-cipher-suites', 'mail.starttls-cipher-order', 'mail.starttls-key-exchange', 'mail.starttls-known-weaknesses', 'mail.mx-certificate']) {
      expect(byId[id], id).toMatchObject({ status: 'skip', reason: 'prerequisite', summary: expect.stringContaining('see mail.starttls') });
    }
  });
});
