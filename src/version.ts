import { readFileSync } from 'node:fs';

/**
 * The package version, read from package.json at run time. Searched upwards because the same module runs from
 * `src/` under vitest and from `dist/src/` when built.
 */
export const VERSION: string = (() => {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vouch' && pkg.version) return pkg.version;
    } catch {
      // try the next level up
    }
  }
  return '0.0.0';
})();
