import { createHash, generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { redirectSettings } from '../../src/config/redirects.ts';
import type { Check } from '../../src/core/check.ts';
import { createCa } from '../../src/lab/pki.ts';
import { buildRunSpec, compatibility, jsonProblem, workerConfig, type RunSpec, type WorkerAbilities } from '../../src/queue/run-spec.ts';
import { scanSettings } from '../../src/runner/scan-settings.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/vouch.yaml', import.meta.url));
const checks = (ids: string[]) => ids.map((id) => ({ id })) as unknown as Check[];

describe('compatibility(spec, worker)', () => {
  const spec = (over: Partial<RunSpec> = {}): RunSpec => ({
    toolVersion: '0.1.0', checkIds: ['tls.robot', 'my.check'], config: {} as RunSpec['config'], scanned: [],
    pluginDigests: { '/opt/p.mjs': 'sha256:aaaaaaaaaaaaaaaa' }, logLevel: 'info', ...over,
  });
  const worker = (over: Partial<WorkerAbilities> = {}): WorkerAbilities => ({
    toolVersion: '0.1.0', checkIds: new Set(['tls.robot', 'my.check']), plugins: { '/opt/p.mjs': { digest: 'sha256:aaaaaaaaaaaaaaaa' } }, ...over,
  });
  it.each<[string, RunSpec, WorkerAbilities, string | null]>([
    ['the same version, checks and plugin', spec(), worker(), null],
    ['a worker with more checks than the run uses', spec(), worker({ checkIds: new Set(['tls.robot', 'my.check', 'dns.caa']) }), null],
    ['another version', spec(), worker({ toolVersion: '0.2.0' }), 'it was started by Vouch 0.1.0, this worker is 0.2.0'],
    ['a check the worker lacks', spec({ checkIds: ['tls.robot', 'my.check', 'new.check'] }), worker(), 'this worker has no check new.check'],
    ['many checks lacking, listed short', spec({ checkIds: ['a.1', 'a.2', 'a.3', 'a.4', 'a.5', 'a.6', 'a.7'] }), worker(),
      'this worker has no check a.1, a.2, a.3, a.4, a.5 and 2 more'],
    ['a plugin file missing here', spec(), worker({ plugins: { '/opt/p.mjs': { problem: 'cannot be read here (ENOENT)' } } }),
      'plugin /opt/p.mjs cannot be read here (ENOENT)'],
    ['a plugin that differs', spec(), worker({ plugins: { '/opt/p.mjs': { digest: 'sha256:bbbbbbbbbbbbbbbb' } } }),
      'plugin /opt/p.mjs differs here (sha256:bbbbbbbbbbbb, the run\'s is sha256:aaaaaaaaaaaa)'],
    ['a plugin not looked at', spec(), worker({ plugins: {} }), 'plugin /opt/p.mjs was not looked at'],
    // The plugin's checks missing as well are not listed again: the plugin says why.
    ['another version and a differing plugin, both said', spec(),
      worker({ toolVersion: '0.2.0', checkIds: new Set(['tls.robot']), plugins: { '/opt/p.mjs': { digest: 'sha256:bbbbbbbbbbbbbbbb' } } }),
      'it was started by Vouch 0.1.0, this worker is 0.2.0; plugin /opt/p.mjs differs here (sha256:bbbbbbbbbbbb, the run\'s is sha256:aaaaaaaaaaaa)'],
  ])('%s', (_name, theSpec, theWorker, expected) => {
    expect(compatibility(theSpec, theWorker)).toBe(expected);
  });
});

describe('jsonProblem', () => {
  class Thing { readonly x = 1; }
  it.each<[string, unknown, string | null]>([
    ['plain data', { a: [1, 'x', true, null, { b: -0.5 }], c: undefined }, null],
    ['a Map', { a: { m: new Map() } }, 'config.a.m: a Map'],
    ['a Set in a list', { a: [1, new Set()] }, 'config.a[1]: a Set'],
    ['a Date', { when: new Date(0) }, 'config.when: a Date'],
    ['a function', { f: () => 1 }, 'config.f: a function'],
    ['a class instance', { t: new Thing() }, 'config.t: a Thing'],
    ['a non-finite number', { n: Number.NaN }, 'config.n: the number NaN'],
    ['undefined in a list', { l: [1, undefined] }, 'config.l[1]: a hole or undefined'],
    ['a bigint', { b: 1n }, 'config.b: a bigint'],
  ])('%s', (_name, value, expected) => {
    expect(jsonProblem(value, 'config')).toBe(expected);
  });
});

describe('buildRunSpec over examples/vouch.yaml (every key, a signing key and a plugin)', () => {
  let dir: string;
  let config: Config;
  let pluginText: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vouch-spec-'));
    for (const name of ['domains.txt', 'promises.yaml', 'root-anchors.txt']) await copyFile(join(dirname(EXAMPLE), name), join(dir, name));
    await writeFile(join(dir, 'signing.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    pluginText = 'export const checks = [];\n';
    await writeFile(join(dir, 'plugin.mjs'), pluginText);
    const text = (await readFile(EXAMPLE, 'utf8')).replace(/^# (signing: \{ privateKeyFile: )\S+( \}).*$/m, '$1signing.pem$2')
      .replace(/^plugins: \[\].*$/m, 'plugins: [./plugin.mjs]').replace(/^# (queue: \{ url: .* \})$/m, '$1');
    await writeFile(join(dir, 'redis-ca.pem'), createCa({ name: 'Spec Test Redis CA' }).certPem);
    await writeFile(join(dir, 'vouch.yaml'), text);
    const loaded = await loadConfigFile(join(dir, 'vouch.yaml'));
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    config = loaded.config;
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('survives JSON unchanged, without the domain list, the queue URL or the signing key', async () => {
    expect(config.compliance.signingKeyPem).toMatch(/PRIVATE KEY/);
    expect(config.queue.url).not.toBeNull();
    const spec = await buildRunSpec(config, checks(['tls.robot']), 'info', '9.9.9');
    const text = JSON.stringify(spec);
    expect(JSON.parse(text)).toStrictEqual(spec);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('scanner-queue.internal');
    expect(spec.config).not.toHaveProperty('targets');
    expect(spec.config.tls.policy).toStrictEqual(config.tls.policy);
    expect(spec).toMatchObject({ toolVersion: '9.9.9', checkIds: ['tls.robot'], logLevel: 'info' });
    expect(spec.pluginDigests).toEqual({ [join(dir, 'plugin.mjs')]: `sha256:${createHash('sha256').update(pluginText).digest('hex')}` });
  });

  it('gives a worker the settings the scanner judges by: the same redirect allowances and scanned hosts', async () => {
    const spec = JSON.parse(JSON.stringify(await buildRunSpec(config, checks([]), 'info', '9.9.9'))) as RunSpec;
    const theirs = workerConfig(spec);
    expect(config.targets.some((t) => t.urls.length > 0)).toBe(true); // so the URLs' hosts are compared too
    expect(redirectSettings(theirs)).toEqual(redirectSettings(config));
    const { now: _a, ...mine } = scanSettings(config, () => new Date(0));
    const { now: _b, ...worker } = scanSettings(theirs, () => new Date(0));
    expect(worker).toStrictEqual(mine);
    expect(theirs.targets.map((t) => t.domain)).toEqual(config.targets.map((t) => t.domain));
  });

  it('refuses a configuration JSON would change', async () => {
    const broken = { ...config, rpki: { ...config.rpki, extra: new Map() } } as unknown as Config;
    await expect(buildRunSpec(broken, checks([]), 'info', '9.9.9')).rejects.toThrow('the configuration cannot travel to the workers: config.rpki.extra: a Map');
  });
});
