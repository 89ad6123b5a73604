import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, loadConfigFile } from '../../src/config/load.ts';

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-config-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const build = (raw: unknown) => buildConfig(raw, { source: null, baseDir: '/tmp' });

describe('loadConfigFile', () => {
  it('loads a YAML config with defaults applied', async () => {
    const path = await file('vouch.yaml', [
      'domains:',
      '  - example.nl',
      '  - name: www.example.nl',
      '    mail: false',
      '    dkimSelectors: [s1]',
      'resolvers: ["192.0.2.53", "[2001:db8::53]:5353"]',
      'thresholds: { certExpiryWarnDays: 21 }',
      'connectTo: ["example.nl:443:127.0.0.1:8443"]',
    ].join('\n'));
    const result = await loadConfigFile(path);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { config } = result;
    expect(config.targets.map((t) => [t.domain, t.web, t.mail])).toEqual([['example.nl', true, true], ['www.example.nl', true, false]]);
    expect(config.targets[1]?.dkimSelectors).toEqual(['s1']);
    expect(config.resolvers).toEqual([{ address: '192.0.2.53', port: 53 }, { address: '2001:db8::53', port: 5353 }]);
    expect(config.thresholds.certExpiryWarnDays).toBe(21);
    expect(config.thresholds.hstsMinMaxAgeSeconds).toBe(31_536_000);
    expect(config.connectTo[0]).toMatchObject({ host: 'example.nl', port: 443, address: '127.0.0.1', dialPort: 8443 });
    expect(config.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('accepts JSON, and a domains file with comments', async () => {
    const list = await file('domains.txt', '# estate\nexample.nl\n\nexample.org  # second\n');
    const path = await file('vouch.json', JSON.stringify({ domainsFile: list }));
    const result = await loadConfigFile(path);
    expect(result.ok && result.config.targets.map((t) => t.domain)).toEqual(['example.nl', 'example.org']);
  });

  it('lists every problem at once, each with its path and the file name', async () => {
    const path = await file('bad.yaml', [
      'domains:',
      '  - example.nl',
      '  - name: "not a domain"',
      '  - name: ok.example',
      '    profile: weird',
      '    sendingIps: [300.1.1.1]',
      'timeout: 5',
      'resolvers: [dns.example]',
      'concurrency: { checks: -1 }',
      'thresholds: { hstsMinMaxAgeSeconds: "a year" }',
      'output: { formats: [pdf] }',
    ].join('\n'));
    const result = await loadConfigFile(path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    for (const expected of [
      'domains[1].name: "not a domain" is not a domain name',
      'domains[2].profile: expected "standard" or "parked"',
      'domains[2].sendingIps[0]: "300.1.1.1" is not an IP address',
      'timeout: unknown key (did you mean',
      'resolvers[0]: not an IP address with an optional port',
      'concurrency.checks: expected a whole number from 1 to 10000',
      'thresholds.hstsMinMaxAgeSeconds: expected a whole number',
      'output.formats[0]: unknown format "pdf"',
    ]) expect(text).toContain(expected);
    expect(result.problems.every((p) => p.startsWith(path))).toBe(true);
  });

  it('reports YAML syntax errors with a line and column', async () => {
    const path = await file('broken.yaml', 'domains:\n  - example.nl\n bad: [\n');
    const result = await loadConfigFile(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(new RegExp(`^${path}:\\d+:\\d+: `));
  });

  it('names a file it cannot read', async () => {
    const result = await loadConfigFile('/nonexistent/vouch.yaml');
    expect(result).toEqual({ ok: false, problems: ['/nonexistent/vouch.yaml: cannot read: ENOENT'] });
  });
});

describe('buildConfig', () => {
  it.each([
    [{ domains: [] }, 'domains: no domains to scan'],
    [{ domains: ['a.example', 'A.example.'] }, 'domains: "a.example" is listed twice'],
    [{ domains: ['a.example'], connectTo: ['a.example:443'] }, 'connectTo[0]: "a.example:443" is not HOST:PORT:ADDRESS:PORT'],
    [{ domains: ['a.example'], connectTo: ['a.example:443:host.example:1'] }, 'is not an IP address'],
    [{ domains: ['a.example'], ipFamilies: [5] }, 'ipFamilies[0]: expected 4 or 6'],
    [{ domains: ['a.example'], thresholds: { certExpiryWarnDays: 3, certExpiryFailDays: 7 } }, 'must not exceed'],
    [{ domains: [{ web: true }] }, 'domains[0].name: required'],
    [{ domains: ['a.example'], trustedCaFiles: ['/nonexistent.pem'] }, 'trustedCaFiles[0]: cannot read'],
    [['a.example'], '(top level): expected a mapping'],
    [{ domains: ['a.example'], ehloName: 'scanner.example\r\nMAIL FROM:<x>' }, 'ehloName: "scanner.example'],
    [{ domains: [{ name: 'a.example', dkimSelectors: ['sel 1'] }] }, 'domains[0].dkimSelectors[0]: "sel 1" is not a DKIM selector'],
  ])('%j -> %s', async (raw, problem) => {
    const result = await build(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toContain(problem);
  });

  it('lets command-line domains replace the file list and parses connect-to with an empty address', async () => {
    const result = await buildConfig({ domains: ['file.example'] }, {
      source: null, baseDir: '/tmp', overrides: { domains: ['cli.example'], connectTo: [':80:[::1]:8080', 'cli.example:443::8443'] },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.targets.map((t) => t.domain)).toEqual(['cli.example']);
    expect(result.config.connectTo).toMatchObject([
      { host: null, port: 80, address: '::1', dialPort: 8080 },
      { host: 'cli.example', port: 443, address: null, dialPort: 8443 },
    ]);
  });

  it('bounds command-line numbers like the file\'s', async () => {
    const result = await buildConfig({ domains: ['a.example'] }, { source: null, baseDir: '/tmp', overrides: { timeoutMs: 3_000_000_000, concurrency: 0 } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([
      '--timeout: expected a whole number from 10 to 600000, got number 3000000000',
      '--concurrency: expected a whole number from 1 to 10000, got number 0',
    ]);
  });

  it('gives the same digest for the same effective config', async () => {
    const a = await build({ domains: ['a.example'] });
    const b = await build({ domains: ['a.example'] });
    const c = await build({ domains: ['b.example'] });
    expect(a.ok && b.ok && a.config.digest === b.config.digest).toBe(true);
    expect(a.ok && c.ok && a.config.digest !== c.config.digest).toBe(true);
  });
});

describe('compliance configuration', () => {
  it('names the entry a problem is in, counting every entry, and checks the signing key type', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const dir = await mkdtemp(join(tmpdir(), 'vouch-comp-cfg-'));
    await writeFile(join(dir, 'rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const result = await buildConfig({
      domains: ['a.example'],
      waivers: [{ domain: 'a.example' }, { domain: 'a.example', check: 'x.y', reason: 'r', owner: 'o', expires: '2027-02-30' }],
      signing: { privateKeyFile: 'rsa.pem' },
    }, { source: null, baseDir: dir });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    expect(text).toContain('waivers[0].check: required');
    expect(text).toContain('waivers[1].expires: "2027-02-30" is not a date');
    expect(text).toContain('is a rsa key; reports are signed with Ed25519');
  });
});
