import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, loadConfigFile } from '../../src/config/load.ts';

describe('prometheus.textfile', () => {
  it('is resolved against the configuration file\'s directory, and absent when not given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-textfile-'));
    await writeFile(join(dir, 'with.yaml'), 'domains: [a.example]\nprometheus: { textfile: collector/vouch.prom }\n');
    await writeFile(join(dir, 'without.yaml'), 'domains: [a.example]\n');
    const [withFile, without] = await Promise.all([loadConfigFile(join(dir, 'with.yaml')), loadConfigFile(join(dir, 'without.yaml'))]);
    expect(withFile.ok && withFile.config.prometheusTextfile).toBe(join(dir, 'collector/vouch.prom'));
    expect(without.ok && 'prometheusTextfile' in without.config).toBe(false);
  });

  it('keeps an absolute path, gives way to the command line, and does not change the digest (it is where a report goes)', async () => {
    const build = (raw: unknown, prometheusTextfile?: string) =>
      buildConfig(raw, { source: null, baseDir: '/etc/vouch', overrides: prometheusTextfile ? { prometheusTextfile } : {} });
    const plain = await build({ domains: ['a.example'] });
    const absolute = await build({ domains: ['a.example'], prometheus: { textfile: '/var/lib/node_exporter/vouch.prom' } });
    const overridden = await build({ domains: ['a.example'], prometheus: { textfile: 'vouch.prom' } }, '/tmp/cli.prom');
    expect(absolute.ok && absolute.config.prometheusTextfile).toBe('/var/lib/node_exporter/vouch.prom');
    expect(overridden.ok && overridden.config.prometheusTextfile).toBe('/tmp/cli.prom');
    expect(plain.ok && absolute.ok && plain.config.digest === absolute.config.digest).toBe(true);
  });

  it.each([
    [{ textfile: '' }, 'prometheus.textfile: expected a non-empty string'],
    [{ textFile: 'x.prom' }, 'prometheus.textFile: unknown key (did you mean "textfile"?)'],
    ['x.prom', 'prometheus: expected a mapping'],
  ])('%j is refused: %s', async (prometheus, problem) => {
    const result = await buildConfig({ domains: ['a.example'], prometheus }, { source: null, baseDir: '/tmp' });
    expect(result.ok ? [] : result.problems).toContainEqual(expect.stringContaining(problem));
  });
});

describe('prometheus.perResult', () => {
  const build = (prometheus?: unknown) => buildConfig({ domains: ['a.example'], ...(prometheus === undefined ? {} : { prometheus }) }, { source: null, baseDir: '/tmp' });

  it('is findings by default, takes all and none, and does not change the digest (it is how metrics are written)', async () => {
    const [plain, all, none] = await Promise.all([build(), build({ perResult: 'all' }), build({ perResult: 'none' })]);
    expect([plain, all, none].map((b) => b.ok && b.config.prometheusPerResult)).toEqual(['findings', 'all', 'none']);
    expect(plain.ok && all.ok && plain.config.digest === all.config.digest).toBe(true);
  });

  it('refuses any other value, naming the three', async () => {
    const result = await build({ perResult: 'some' });
    expect(result.ok ? [] : result.problems).toEqual(['prometheus.perResult: expected one of findings, all, none, got "some"']);
  });
});
