import { createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, publicKeyFingerprint } from '../../src/compliance/integrity.ts';
import { verifyReportFile } from '../../src/compliance/verify-file.ts';
import { verifyCommand } from '../../src/cli/commands/verify.ts';
import { jsonWriter } from '../../reports/json.ts';
import { renderReport } from '../../reports/memory.ts';
import { Capture } from '../support/cli.ts';
import { fixtureReport } from '../reports/fixture-report.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();

let dir: string;
let text: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-verify-'));
  text = await renderReport(jsonWriter, fixtureReport(), PRIVATE);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(content: string): Promise<string> {
  const path = join(dir, `report-${n++}.json`);
  await writeFile(path, content);
  return path;
}

/** The writer's text with one line replaced (found by its start), so a test can bend the layout. */
const lines = () => text.split('\n');
const domainLine = (i: number) => lines().indexOf('  "domains": [') + 1 + i;

describe('verifyReportFile', () => {
  it('verifies the writer’s own file, digest and signature', async () => {
    const outcome = await verifyReportFile(await fileWith(text), PUBLIC);
    expect(outcome).toEqual({ ok: true, problems: [], digest: JSON.parse(text).digest, signed: true });
  });

  it('detects a changed domain line, a dropped one and a changed header', async () => {
    const changed = lines();
    changed[domainLine(1)] = changed[domainLine(1)]!.replace('"status":"pass"', '"status":"fail"');
    const dropped = lines();
    dropped.splice(domainLine(1), 1);
    const header = text.replace('"status": "complete"', '"status": "interrupted"');
    for (const content of [changed.join('\n'), dropped.join('\n'), header]) {
      const outcome = await verifyReportFile(await fileWith(content), PUBLIC);
      expect(outcome.ok).toBe(false);
      expect(outcome.problems).toEqual([expect.stringMatching(/^digest mismatch/), 'signature does not match the content']);
    }
  });

  it('falls back to reading the whole file for another layout, with the same verdict', async () => {
    const reindented = JSON.stringify(JSON.parse(text), null, 4);
    expect(await verifyReportFile(await fileWith(reindented), PUBLIC)).toMatchObject({ ok: true });
    const crlf = text.replace(/\n/g, '\r\n');
    expect(await verifyReportFile(await fileWith(crlf), PUBLIC)).toMatchObject({ ok: true });
  });

  it('reads a file that bends the layout exactly as JSON.parse of the whole would', async () => {
    // A key repeated after the domains overrides the header's for JSON.parse: the streamed reader must not skip it.
    const duplicate = text.replace('  "digest":', '  "status": "interrupted",\n  "digest":');
    expect((await verifyReportFile(await fileWith(duplicate))).problems).toEqual([expect.stringMatching(/^digest mismatch/)]);
    // A comma after the last domain is not JSON at all.
    const trailing = lines();
    const last = lines().indexOf('  ],') - 1;
    trailing[last] = `${trailing[last]!},`;
    expect((await verifyReportFile(await fileWith(trailing.join('\n')))).problems[0]).toMatch(/^not JSON: /);
    // Content after the closing brace.
    expect((await verifyReportFile(await fileWith(`${text}{}\n`))).problems[0]).toMatch(/^not JSON: /);
  });

  it('verifies a schema-1 report by the schema-1 definition', async () => {
    const v1 = { schemaVersion: 1, runId: 'r', domains: ['example.nl'], results: [{ domain: 'example.nl', checkId: 'a.b', status: 'pass' }], artifacts: {} };
    const canonical = canonicalJson(v1);
    const signature = {
      algorithm: 'ed25519', publicKeyFingerprint: publicKeyFingerprint(publicKey),
      value: sign(null, Buffer.from(canonical), createPrivateKey(PRIVATE)).toString('base64'),
    };
    const digest = `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
    const path = await fileWith(`${JSON.stringify({ ...v1, digest, signature }, null, 2)}\n`);
    expect(await verifyReportFile(path, PUBLIC)).toEqual({ ok: true, problems: [], digest, signed: true });
  });

  it('throws the file system error for a missing file', async () => {
    await expect(verifyReportFile(join(dir, 'absent.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('vouch verify', () => {
  const run = async (path: string, options: { key?: string } = {}) => {
    const stdout = new Capture();
    const code = await verifyCommand(path, options, { stdout, stderr: new Capture(), cwd: dir });
    return { code, out: stdout.text };
  };

  it('says OK with the digest, or FAILED with each problem; a missing file is a usage error', async () => {
    const good = await fileWith(text);
    await writeFile(join(dir, 'key.pub'), PUBLIC);
    expect(await run(good, { key: 'key.pub' })).toEqual({ code: 0, out: `${good}: OK: digest ${JSON.parse(text).digest}, signature valid\n` });
    expect((await run(good)).out).toContain('(signed; give --key to check the signature)');
    const bad = await fileWith(text.replace('"status": "complete"', '"status": "interrupted"'));
    const failed = await run(bad);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/FAILED\n {2}- digest mismatch/);
    await expect(run('absent.json')).rejects.toMatchObject({ exitCode: 64, message: 'report absent.json: cannot read: ENOENT' });
    expect(await readFile(good, 'utf8')).toBe(text);
  });
});
