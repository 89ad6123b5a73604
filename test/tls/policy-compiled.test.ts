import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES, compileBuiltinPolicies, compiledPolicy, parsePolicyText, policiesDir } from '../../src/tls/policy.ts';

// The build compiles the built-in YAML policies to JSON so that a scan without a configuration file never loads the
// YAML library (issue 11's start-up budget). The JSON must give exactly the policy the YAML gives, and never a stale one.
const dir = mkdtempSync(join(tmpdir(), 'vouch-policies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const yamlOf = (id: string) => readFileSync(resolve(policiesDir(), `${id}.yaml`));

describe('compiled built-in policies', () => {
  it('give the same policy as the YAML, for every built-in', () => {
    expect(compileBuiltinPolicies(dir).map((f) => f.slice(dir.length + 1)).sort()).toEqual(BUILTIN_POLICIES.map((id) => `${id}.json`).sort());
    for (const id of BUILTIN_POLICIES) {
      const fromYaml = parsePolicyText(yamlOf(id), `${id}.yaml`);
      const fromJson = compiledPolicy(id, yamlOf(id), dir);
      expect(fromYaml.ok).toBe(true);
      expect(fromJson).toEqual(fromYaml);
    }
  });

  it('are ignored when the YAML changed since the build, or when missing or damaged', () => {
    compileBuiltinPolicies(dir);
    const edited = Buffer.concat([yamlOf('mozilla-modern'), Buffer.from('\n# edited after the build\n')]);
    expect(compiledPolicy('mozilla-modern', edited, dir)).toBeNull();
    expect(compiledPolicy('mozilla-modern', yamlOf('mozilla-modern'), join(dir, 'nowhere'))).toBeNull();
    writeFileSync(join(dir, 'mozilla-old.json'), '{"sha256": ');
    expect(compiledPolicy('mozilla-old', yamlOf('mozilla-old'), dir)).toBeNull();
  });

  it('are validated like the YAML: a compiled tree that is not a valid policy is a problem, not a policy', () => {
    const bytes = yamlOf('ncsc-2025-05');
    const sha256 = (JSON.parse(readFileSync(compileBuiltinPolicies(dir)[0]!, 'utf8')) as { sha256: string }).sha256;
    writeFileSync(join(dir, 'ncsc-2025-05.json'), JSON.stringify({ sha256, tree: { id: 'ncsc-2025-05' } }));
    const result = compiledPolicy('ncsc-2025-05', bytes, dir);
    expect(result?.ok).toBe(false);
  });
});
