import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.ts';
import { policiesDir } from '../../src/tls/policy.ts';

const build = (raw: unknown, baseDir = '/tmp') => buildConfig(raw, { source: null, baseDir });

describe('tls.profile', () => {
  it('defaults to NCSC-NL 2025-05, the guideline internet.nl tests against', async () => {
    const result = await build({ domains: ['example.nl'] });
    expect(result.ok && [result.config.tls.profile, result.config.tls.policy.id]).toEqual(['ncsc-2025', 'ncsc-2025-05']);
  });

  it.each(['mozilla-modern', 'mozilla-intermediate', 'mozilla-old', 'ncsc-2025-05'])('loads the built-in %s', async (profile) => {
    const result = await build({ domains: ['example.nl'], tls: { profile } });
    expect(result.ok && result.config.tls.policy.id).toBe(profile);
  });

  it('changes the config digest with the profile', async () => {
    const [a, b] = await Promise.all(['ncsc-2025', 'mozilla-modern'].map((profile) => build({ domains: ['example.nl'], tls: { profile } })));
    expect(a?.ok && b?.ok && a.config.digest !== b.config.digest).toBe(true);
  });

  it('names an unknown profile and an unknown key under tls, with the other problems of the file', async () => {
    const result = await build({ domains: ['bad name'], tls: { profile: 'nscs-2025', level: 3 } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/domains\[0\]/);
    expect(result.problems.join('\n')).toMatch(/tls\.profile: "nscs-2025" is neither a built-in TLS policy/);
    expect(result.problems.join('\n')).toMatch(/tls\.level/);
  });

  it('lists every problem of a user profile file, each with its file and path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-tls-profile-'));
    await writeFile(join(dir, 'mine.yaml'), 'id: mine\ntitle: Mine\nversion: "1"\nkind: ncsc\n');
    const result = await build({ domains: ['example.nl'], tls: { profile: './mine.yaml' } }, dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const mine = result.problems.filter((p) => p.startsWith('tls.profile: ./mine.yaml: '));
    expect(mine.length).toBeGreaterThan(3); // source, versions, suites, groups, dh, certificates are missing
    expect(mine.join('\n')).toMatch(/versions: required/);
  });

  it('names a bad renegotiation limit or 0-RTT rule of a user profile by its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-tls-profile-'));
    const ncsc = await readFile(join(policiesDir(), 'ncsc-2025-05.yaml'), 'utf8');
    const bad = ncsc.replace('maxPerConnection: 10', 'maxPerConnection: 0').replace('zeroRtt: { expect: forbidden', 'zeroRtt: { expect: required');
    expect(bad).not.toBe(ncsc);
    await writeFile(join(dir, 'mine.yaml'), bad);
    const result = await build({ domains: ['example.nl'], tls: { profile: './mine.yaml' } }, dir);
    expect(result.ok ? [] : result.problems).toEqual([
      'tls.profile: ./mine.yaml: hygiene.clientRenegotiation.maxPerConnection: expected a whole number from 1 to 10, got number 0',
      'tls.profile: ./mine.yaml: hygiene.zeroRtt.expect: "required" is not one of forbidden, optional',
    ]);
  });
});
