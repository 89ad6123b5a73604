import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../checks/index.ts';
import { checkShapeProblems } from '../src/config/plugins.ts';
import { selectChecks } from '../src/runner/select.ts';

import { CHECK_ID_PATTERN as ID } from '../src/core/types.ts';
const PROMISES = ['transport-encryption', 'mail-transport-encryption', 'mail-anti-spoofing', 'cookie-use', 'third-parties', 'security-contact', 'infrastructure-security'];

describe('check registry', () => {
  it('has unique ids', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(ALL_CHECKS.map((c) => [c.id, c] as const))('%s has complete metadata', (_id, check) => {
    expect(check.id).toMatch(ID);
    expect(checkShapeProblems(check)).toEqual([]);
    expect(check.promises.length).toBeGreaterThan(0);
    for (const p of check.promises) expect(PROMISES).toContain(p);
    expect(check.remediation.length).toBeGreaterThan(20);
  });
});

describe('selectChecks', () => {
  it('narrows by globs and lists every pattern that matches nothing', () => {
    const tls = selectChecks(ALL_CHECKS, ['tls.*'], ['tls.certificate-key']);
    const expected = ALL_CHECKS.filter((c) => c.id.startsWith('tls.') && c.id !== 'tls.certificate-key').map((c) => c.id);
    expect(expected.length).toBeGreaterThan(3); // an empty selection must not pass
    expect(tls.ok ? tls.checks.map((c) => c.id) : tls.problems).toEqual(expected);
    const bad = selectChecks(ALL_CHECKS, ['tls.*', 'nope.*'], ['typo']);
    expect(bad).toEqual({ ok: false, problems: [
      'checks.only[1]: "nope.*" matches no check id (see "vouch checks")',
      'checks.skip[0]: "typo" matches no check id (see "vouch checks")',
    ] });
  });
});

describe('docs/checks.md', () => {
  it('is generated from the registry and up to date (npx vouch checks --markdown > docs/checks.md)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { checksMarkdown } = await import('../src/cli/commands/list-checks.ts');
    const committed = await readFile(new URL('../docs/checks.md', import.meta.url), 'utf8');
    expect(committed).toBe(checksMarkdown(ALL_CHECKS));
  });
});
