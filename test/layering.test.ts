import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Static imports and re-exports of one file (`import type` included: harmless, and it keeps the walk simple). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => m[1]!)
    .concat([...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!));
}

/** Every module a file loads at start, following relative imports; bare specifiers are packages. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(resolve(ROOT, entry));
  return { files, packages };
}

describe('layering', () => {
  it.each(['src/cli/main.ts', 'src/cli/commands/scan.ts', 'src/index.ts'])('%s never loads the test lab or node-forge', (entry) => {
    const { files, packages } = staticGraph(entry);
    expect(files.size).toBeGreaterThan(5); // the walk really followed imports
    expect([...files].map((f) => f.slice(ROOT.length + 1)).filter((f) => f.startsWith('src/lab/'))).toEqual([]);
    expect(packages.has('node-forge')).toBe(false);
  });

  it('the walk does find the lab from the demo command (so the assertion above can fail)', () => {
    const { files, packages } = staticGraph('src/cli/commands/demo.ts');
    expect([...files].some((f) => f.includes('/src/lab/'))).toBe(true);
    expect(packages.has('node-forge')).toBe(true);
  });

  it('probes never import checks, and checks never import the runner', () => {
    const { files } = staticGraph('src/runner/probes.ts');
    expect([...files].filter((f) => f.includes('/checks/'))).toEqual([]);
    for (const file of staticGraph('checks/index.ts').files) {
      if (file.includes('/checks/')) expect(importsOf(file).filter((s) => s.includes('/runner/')), file).toEqual([]);
    }
  });
});
