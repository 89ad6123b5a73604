import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junitWriter } from '../../reports/junit.ts';
import { renderReport } from '../../reports/memory.ts';
import { fixtureReport } from './fixture-report.ts';

/** Debian's libxml2-utils; `.ci/run` installs it. */
const XMLLINT = '/usr/bin/xmllint';
const HAVE_XMLLINT = existsSync(XMLLINT);
const SCHEMA = join(import.meta.dirname, '../fixtures/junit-10.xsd');

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'vouch-junit-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** `xmllint --noout --schema junit-10.xsd` on `xml`: exit 0 only when the document is valid. */
async function validate(name: string, xml: string): Promise<{ code: number; output: string }> {
  const file = join(dir, name);
  await writeFile(file, xml);
  return new Promise((resolve) => {
    execFile(XMLLINT, ['--noout', '--schema', SCHEMA, file], (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

const note = HAVE_XMLLINT ? XMLLINT : `${XMLLINT} is not installed: skipped (Debian package libxml2-utils)`;

describe.skipIf(!HAVE_XMLLINT)(`JUnit output against Jenkins' junit-10.xsd (${note})`, () => {
  it('validates: failures, errors, skips, waivers, warnings and hostile text from the fixture report', async () => {
    const result = await validate('report.xml', await renderReport(junitWriter, fixtureReport()));
    expect(result.output.trim()).toBe(`${join(dir, 'report.xml')} validates`);
    expect(result.code).toBe(0);
  });

  it('validates an interrupted report with no domains', async () => {
    const empty = { ...fixtureReport(), status: 'interrupted' as const, domains: [] };
    expect((await validate('empty.xml', await renderReport(junitWriter, empty))).code).toBe(0);
  });

  it.each([
    ['skipped', ' skipped="2"'],
    ['timestamp', ' timestamp="2026-06-01T02:00:00.000Z"'],
  ])('rejects %s on <testsuites>, as the writer once wrote it (the schema is strict where it matters)', async (attribute, text) => {
    const xml = (await renderReport(junitWriter, fixtureReport())).replace('<testsuites name="vouch"', `<testsuites name="vouch"${text}`);
    const result = await validate(`with-${attribute}.xml`, xml);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`attribute '${attribute}': The attribute '${attribute}' is not allowed`);
  });
});
