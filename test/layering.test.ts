import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Static imports and re-exports of one file, without `import type` (erased: it loads nothing); with `dynamic`, also
 * every `import('...')` of a literal path, i.e. what the file may load later.
 */
function importsOf(file: string, dynamic = false): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s(?!type\s)[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => m[1]!)
    .concat([...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!))
    .concat(dynamic ? [...text.matchAll(/\bimport\('([^']+)'\)/g)].map((m) => m[1]!) : []);
}

/** Every module a file loads at start (with `dynamic`: may ever load), following relative imports; bare specifiers are packages. */
function staticGraph(entry: string, dynamic = false): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(file, dynamic)) {
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
    expect(files.size).toBeGreaterThan(2); // the walk really followed imports (src/index.ts is mostly `export type`)
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
    const checks = [...staticGraph('checks/index.ts', true).files].filter((f) => f.includes('/checks/'));
    expect(checks.length).toBeGreaterThan(60); // the walk reached every check module through the registry's loaders
    for (const file of checks) expect(importsOf(file).filter((s) => s.includes('/runner/')), file).toEqual([]);
  });

  // Start-up cost (issue 11: one CLI run of one check at most 0.35 s of CPU): these load on demand, never at start.
  it('vouch scan starts without undici, the ASN.1 libraries, the YAML library or any check module', () => {
    const { files, packages } = staticGraph('src/cli/commands/scan.ts');
    expect(files.size).toBeGreaterThan(20);
    expect([...packages].filter((p) => p === 'undici' || p === 'asn1js' || p === 'yaml' || p.startsWith('@peculiar/'))).toEqual([]);
    expect([...files].filter((f) => /\/checks\/(?!registry\.ts$)/.test(f)).map((f) => f.slice(ROOT.length + 1))).toEqual([]);
    expect([...files].filter((f) => f.endsWith('/src/replay.ts'))).toEqual([]); // only `vouch replay` needs it
    const later = staticGraph('src/cli/commands/scan.ts', true).packages;
    expect(['undici', 'asn1js', '@peculiar/asn1-ocsp'].filter((p) => !later.has(p))).toEqual([]); // ...and the walk would see them
  });

  // Issue 14: a scan without `browser` must not pay for the browser driver; the first page visit loads it.
  it('vouch scan starts without bullmq and ioredis, which only a queued scan loads (issue 12)', () => {
    const atStart = staticGraph('src/cli/commands/scan.ts').packages;
    expect(['bullmq', 'ioredis'].filter((p) => atStart.has(p))).toEqual([]);
    const later = staticGraph('src/cli/commands/scan.ts', true).packages;
    expect(['bullmq', 'ioredis'].filter((p) => !later.has(p))).toEqual([]); // ...and the walk would see them
  });

  it('vouch scan starts without puppeteer-core, which it loads on the first browser visit', () => {
    expect(staticGraph('src/cli/commands/scan.ts').packages.has('puppeteer-core')).toBe(false);
    expect(staticGraph('src/cli/commands/scan.ts', true).packages.has('puppeteer-core')).toBe(true); // ...and the walk would see it
  });

  // The TLS engine (enumeration, hygiene and weakness probes), the post-scan writers, the DNSSEC validator and the
  // browser's proxy and visits are ~80 modules.
  const ON_DEMAND = ['src/tls/enumerate.ts', 'src/tls/hygiene/probe.ts', 'src/tls/weakness/probe.ts', 'reports/html.ts', 'reports/junit.ts', 'reports/prometheus.ts',
    'src/dnssec/validator/validator.ts', 'src/browser/visit.ts', 'src/browser/proxy.ts'];
  it('vouch scan starts without the TLS engine, the HTML, JUnit and Prometheus writers, the DNSSEC validator or the browser', () => {
    const atStart = [...staticGraph('src/cli/commands/scan.ts').files].map((f) => f.slice(ROOT.length + 1));
    expect(ON_DEMAND.filter((f) => atStart.includes(f))).toEqual([]);
    const later = [...staticGraph('src/cli/commands/scan.ts', true).files].map((f) => f.slice(ROOT.length + 1));
    expect(ON_DEMAND.filter((f) => !later.includes(f))).toEqual([]); // ...and the walk would see them
  });
});
